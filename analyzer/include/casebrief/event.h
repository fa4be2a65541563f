/*
 * event.h - the normalized event every parser produces, and the source
 * (one input file or archive member) it came from.
 *
 * Ownership: events, their strings and sources live in the analysis arena
 * and die with it; interned strings (host, channel, provider, component,
 * format, source path) may be compared by pointer.
 */
#ifndef CASEBRIEF_EVENT_H
#define CASEBRIEF_EVENT_H

#include <stdint.h>
#include <stddef.h>

/* 100 ns ticks since 1601-01-01 UTC (Windows FILETIME). */
typedef int64_t cb_time;
#define CB_TIME_UNIX_EPOCH 116444736000000000LL
#define CB_TIME_NONE INT64_MIN
#define CB_TICKS_PER_SEC 10000000LL

enum cb_level {
    CB_LEVEL_CRITICAL = 1, /* same numbers as the Windows event levels */
    CB_LEVEL_ERROR = 2,
    CB_LEVEL_WARNING = 3,
    CB_LEVEL_INFO = 4,
    CB_LEVEL_VERBOSE = 5,
    CB_LEVEL_DEBUG = 6
};

enum cb_event_flag {
    CB_EV_TIME_ASSUMED = 1u << 0, /* time zone of the source was guessed */
    CB_EV_HAS_RECORD_ID = 1u << 1,
    CB_EV_HAS_EVENT_ID = 1u << 2,
    CB_EV_RECOVERED = 1u << 3, /* from slack or stale data */
    CB_EV_HAS_PID = 1u << 4,
    CB_EV_MESSAGE_SYNTH = 1u << 5, /* message is casebrief's rendering of
                                    * the data, not the event's own text */
    /* with SYNTH: message is NULL and rendered when read, from the first
     * msg_fields fields (cb_event_message): binary EVTX, where storing it
     * would repeat every data value (42 % of a Security event's bytes) */
    CB_EV_MESSAGE_LAZY = 1u << 6,
    /* its time is outside [CB_TIME_PLAUSIBLE_FROM, CB_TIME_PLAUSIBLE_TO):
     * a zeroed (1601) or absurd (9999) timestamp. Kept, and shown, but
     * left out of every time span (source, host, report window) */
    CB_EV_TIME_IMPLAUSIBLE = 1u << 7
};

/* Times before 1990-01-01 or from 2100-01-01 on are implausible for a
 * Windows Server event (cb_event_time_plausible). */
#define CB_TIME_PLAUSIBLE_FROM (CB_TIME_UNIX_EPOCH + 631152000LL * CB_TICKS_PER_SEC)
#define CB_TIME_PLAUSIBLE_TO (CB_TIME_UNIX_EPOCH + 4102444800LL * CB_TICKS_PER_SEC)
static inline int cb_time_plausible(cb_time t)
{
    return t >= CB_TIME_PLAUSIBLE_FROM && t < CB_TIME_PLAUSIBLE_TO;
}

struct cb_field {
    const char *name; /* "1", "2", ... for unnamed values */
    const char *value;
};

struct cb_source;

/* Another source that holds the same record (set by the timeline's
 * de-duplication on the record it keeps). */
struct cb_also {
    const struct cb_source *source;
    uint64_t origin; /* line or offset in that source */
    const struct cb_also *next;
};

struct cb_event {
    cb_time ts;
    uint32_t flags;
    uint32_t event_id;
    uint64_t record_id;
    uint8_t level; /* enum cb_level */
    uint16_t msg_fields; /* CB_EV_MESSAGE_LAZY: fields the message shows */
    uint32_t pid, tid;
    const char *host;      /* interned; never NULL ("" when unknown) */
    const char *channel;   /* interned; never NULL */
    const char *provider;  /* interned or NULL */
    const char *component; /* interned or NULL (cluster.log [RCM]) */
    const char *message;   /* NUL-terminated, may be ""; NULL only with
                            * CB_EV_MESSAGE_LAZY: read cb_event_message */
    const struct cb_field *fields;
    uint32_t nfields;
    const struct cb_source *source;
    uint64_t origin; /* line (text formats) or byte offset (binary) */
    const struct cb_also *also; /* the same record elsewhere, or NULL */
};

/* Where a source or bundle-level warning came from, for the order
 * cb_analysis_finish puts them in: the input named to cb_ingest_path (or
 * cb_ingest_memory) that brought it, and whether that input's sidecars
 * pass did (they come after the input's own). */
struct cb_input_of {
    const char *input; /* NULL when raised outside ingestion */
    int sidecar;
};

/*
 * Damage: input that could not be read completely, so that findings may
 * be missing (summary.complete: false), as against a warning about input
 * that was read whole (an unknown line shape, a limit, an encrypted or
 * linked member, a stale EVTX chunk). Ranked: an archive's damage hides
 * more than a member's, a member's more than a log's.
 */
enum cb_damage_kind {
    CB_DAMAGE_NONE = 0,
    /* an archive cut short or corrupt: what follows the damage is not read */
    CB_DAMAGE_ARCHIVE,
    /* a file or member whose bytes could not all be read: cut short, a
     * bad CRC, corrupt compressed data, an unreadable header, a read
     * error */
    CB_DAMAGE_MEMBER,
    /* a log whose own structure is broken where Windows writes it whole:
     * EVTX chunks or records unreadable, cut or failing their CRC; an XML
     * or CSV export ending inside a record */
    CB_DAMAGE_LOG
};

struct cb_warning {
    const char *source; /* nested path; NULL for bundle-level */
    int where_kind;     /* enum cb_where_kind */
    uint64_t where;
    const char *msg;
    struct cb_warning *next;
    struct cb_input_of from; /* bundle-level ones */
    int damage;              /* enum cb_damage_kind; 0: only a warning */
};

/* A configuration table a source carries (cluster.log's Resources,
 * Groups, Nodes, Volumes, ... sections): rows of named columns. */
struct cb_row {
    const char **vals; /* nvals strings */
    unsigned nvals;
    uint64_t line;
    struct cb_row *next;
};

struct cb_table {
    const char *host;    /* interned */
    const char *section; /* "Resources", ... */
    uint64_t line;       /* of the section marker */
    const char **cols;
    unsigned ncols;
    size_t nrows;
    size_t rows_cut; /* rows past CB_LIMIT_CLUSTERLOG_TABLE_ROWS, counted */
    struct cb_row *rows, *rows_tail;
    struct cb_table *next;
};

/* What a source's timestamps are, as its parser read them. */
enum cb_time_kind {
    CB_TK_UNKNOWN = 0, /* the parser did not say (no events) */
    CB_TK_UTC,         /* the file carries UTC (FILETIME, Z, an offset) */
    CB_TK_UTC_ASSUMED, /* taken as UTC by convention, nothing states it
                        * (a header-less cluster.log) */
    CB_TK_LOCAL_STATED, /* local time converted with an offset the file
                         * itself states (utc_offset_min) */
    CB_TK_LOCAL        /* host wall-clock, offset unknown to the parser:
                        * ts holds it as if it were UTC and each event is
                        * flagged CB_EV_TIME_ASSUMED until the time-basis
                        * pass (timebasis.c) resolves or records it */
};

struct cb_source {
    const char *path;     /* nested: "case.zip!logs/N1.zip!N1_cluster.log" */
    const char *format;   /* parser name, or "unknown" / "skipped" */
    const char *data_type; /* Timesketch data_type of its events */
    const char *host;     /* interned; "" when unknown */
    const char *host_rule; /* which naming convention gave the host */
    const char *time_basis; /* "UTC", "local (assumed ...)", ... */
    int time_kind;          /* enum cb_time_kind, set by the parser */
    const char *time_basis_detail; /* how the parser or the time-basis
                                    * pass came to it; NULL when none */
    int time_resolved;      /* the time-basis pass has run on it */
    int local_known;        /* the host's local time is UTC + local_east_min
                             * (from the file, --tz or a twin) */
    int32_t local_east_min;
    int origin_is_line;   /* 1: event origin is a line number */
    uint64_t bytes;       /* uncompressed bytes read */
    uint64_t nevents;     /* events kept */
    /* events read but not kept (cb_analysis.keep said no): counted, and
     * their times kept in times[] (all ntimes events, kept or not, in
     * parse order) for the silent-period check */
    uint64_t not_kept;
    cb_time nk_first, nk_last; /* span of those not kept */
    cb_time *times;
    size_t ntimes, times_cap;
    /* past the memory budget, times[] keeps only a time that goes back or
     * moves on by a second or more (and the one before it), which keeps
     * every gap and every run: the last time read, and whether it is in */
    cb_time t_prev;
    int t_prev_noted;
    uint64_t budget_not_kept; /* of not_kept: for the memory budget */
    /* events with an implausible time (CB_EV_TIME_IMPLAUSIBLE), kept or
     * not, left out of first/last; the first one's time and origin */
    uint64_t implausible;
    cb_time implausible_ts;
    uint64_t implausible_at;
    uint64_t duplicates;  /* events dropped as seen in another source */
    /* events left out of the timeline by the run's scope (--window,
     * --host; scope.h): kept ones, and of not_kept those outside it */
    uint64_t scope_out, scope_out_nk;
    cb_time first, last;
    struct cb_event **events; /* in parse order; owned by the analysis */
    size_t events_cap;
    size_t runs;          /* ascending runs of ts in parse order */
    int mixed_hosts;      /* some event's host differs from the source's */
    struct cb_warning *warnings, *warnings_tail;
    unsigned nwarnings;   /* including suppressed ones */
    /* damage among them (suppressed ones too), and the first of the
     * highest rank, kept even when the warning itself was suppressed */
    unsigned ndamage;
    const struct cb_warning *damage;
    unsigned index;       /* order of discovery, then of path once the
                           * analysis is finished (cb_analysis_finish) */
    struct cb_input_of from;
    struct cb_table *tables, *tables_tail; /* configuration it carries */
    /* The machine's own statement of its clock (cluster.log header):
     * UTC = local + utc_offset_min, at collection time. */
    int utc_offset_known;
    int32_t utc_offset_min;
    /* Its OS build as the cluster.log header states it ("Build Number
     * 17763"); NULL when no header says. */
    const char *os_build;
    /* What a sidecar format loaded from this source for its parser's
     * finish pass (an .MTA's message tables), and one line saying what it
     * was paired with (set on both sides by that pass); NULL otherwise. */
    const void *sidecar;
    const char *note;
};

/* Level names used in every output: "critical", "error", ... */
const char *cb_level_name(unsigned level);

/* Room for a message cb_event_message renders: CB_LIMIT_EVTX_MESSAGE
 * bytes, "..." and the NUL. */
struct cb_msgbuf {
    char s[1024 + 8];
};
/* e's message: its own text, or (CB_EV_MESSAGE_LAZY) "Name: value; ..."
 * of its first msg_fields fields, cut after CB_LIMIT_EVTX_MESSAGE bytes
 * at a character boundary with "...", rendered into b (valid while b
 * is). Never NULL. */
const char *cb_event_message(const struct cb_event *e, struct cb_msgbuf *b);

/* Unix microseconds of a FILETIME tick count. */
int64_t cb_time_to_unix_us(cb_time t);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t cb_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Build a tick count; returns CB_TIME_NONE when a field is out of range. */
cb_time cb_time_from_civil(int y, int mon, int day, int h, int min, int s,
                           int frac_100ns);
/* "2024-11-15T10:15:30.123456+00:00" into buf (at least 33 bytes;
 * timefmt.c, with the other forms a time is written in). */
void cb_time_format_iso(cb_time t, char *buf, size_t size);

#endif
