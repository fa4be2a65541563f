/*
 * mta.h - Event Viewer locale metadata (LocaleMetaData/<log>_<LCID>.MTA):
 * the messages Windows rendered for each record of an exported .evtx,
 * loaded into lookup tables, and the pass that gives them to the events
 * of the log they sit next to. The layout is described atop parsers/mta.c.
 *
 * Ownership: a loaded MTA and every string it hands out live in the arena
 * given to cb_mta_load and die with it; the input bytes are not kept.
 */
#ifndef CASEBRIEF_MTA_H
#define CASEBRIEF_MTA_H

#include <stddef.h>
#include <stdint.h>

#include "casebrief/arena.h"
#include "casebrief/error.h"

struct cb_analysis;
struct cb_mta;

/* What loading met besides the tables (for the source's warnings). */
struct cb_mta_stats {
    size_t records;        /* records with a message */
    size_t messages;       /* strings in the MSG section */
    size_t damaged;        /* entries or pages skipped as malformed */
    uint64_t first_damage; /* file offset of the first one */
    size_t cut;            /* messages longer than CB_LIMIT_MTA_MESSAGE, cut */
};

/*
 * Load an MTA from len bytes at data. *out is set on CB_OK, which is also
 * returned when some entries were damaged and skipped (stats says how
 * many). CB_E_CORRUPT when the header, the section table or the EVT/MSG
 * sections are unusable (err says where), CB_E_NOMEM. stats may be NULL.
 */
enum cb_status cb_mta_load(struct cb_arena *arena, const void *data, size_t len,
                           struct cb_mta **out, struct cb_mta_stats *stats,
                           struct cb_error *err);

/* The message Windows rendered for the record with this EventRecordID
 * (UTF-8), or NULL when the MTA has none. */
const char *cb_mta_message(const struct cb_mta *m, uint64_t record_id);

/* Publisher names in the PUB section ("DEFAULT_PUBLISHER" first). */
size_t cb_mta_publisher_count(const struct cb_mta *m);
const char *cb_mta_publisher(const struct cb_mta *m, size_t i);
/* 1 when name (case-insensitive) is one of them, or when the MTA names no
 * publisher besides the default one (nothing to check against). */
int cb_mta_has_publisher(const struct cb_mta *m, const char *name);

/*
 * "DIR/LocaleMetaData/BASE_1033.MTA" (any case, '/' or '\\', the
 * directory possibly an archive: "x.zip!LocaleMetaData/...") pairs with
 * "DIR/BASE.evtx". Writes "DIR/" + BASE into key and the LCID into *lcid;
 * 0 when path is not named that way.
 */
int cb_mta_path_key(const char *path, char *key, size_t size,
                    unsigned long *lcid);

/*
 * After ingestion (the parser's finish pass, run by cb_analysis_finish): every EVTX source whose
 * path pairs with a loaded MTA gets, on each event still carrying the
 * synthesized message (CB_EV_MESSAGE_SYNTH), the MTA's message for its
 * record id, and the flag cleared. Both sources get a note; an MTA that
 * pairs with nothing gets a warning. Nothing happens without an MTA;
 * running it twice changes nothing more. CB_OK or CB_E_NOMEM.
 */
enum cb_status cb_mta_apply(struct cb_analysis *an);

/*
 * A top-level .evtx file given on the command line: ingest the
 * LocaleMetaData/<base>_<LCID>.MTA files beside it on disk, if any, so
 * that an exported log is read with its messages. CB_OK when there are
 * none.
 */
enum cb_status cb_mta_ingest_sidecars(struct cb_analysis *an, const char *path);

#endif
