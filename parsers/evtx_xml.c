/*
 * evtx_xml.c - Windows event XML, as EvtRender writes it: a stream of
 * <Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>
 * elements with no root (`wevtutil qe /f:xml`, PowerShell's ToXml()), or
 * an <Events> document (Event Viewer "Save as XML", wevtutil /e:Events).
 * Spec: the event schema, Microsoft Learn "EventType complex type"; notes
 * in shared/kb/FORMATS.md ("Event text exports").
 *
 * Reading: expat, fed chunk by chunk from the stream, after a synthetic
 * <casebrief-root> start tag so that several top-level <Event>s form one
 * document (the XML declaration, if any, is read and dropped first, since
 * it may only come first). The parser is suspended after each </Event>,
 * so next() hands out one event at a time and memory stays flat.
 *
 * Mapping: System gives provider, event id (Qualifiers kept as a field),
 * level, time (SystemTime, UTC), record id, pid/tid, channel (only from
 * System/Channel) and host (upper-cased short Computer name; the full
 * value is the field "Computer"). EventData/Data become fields, unnamed
 * ones keyed "1", "2", ... by position; UserData leaves become fields
 * named by their element. RenderingInfo/Message is the message, else
 * "Name: value; ..." of the data fields. XML folds CRLF into LF; the CR
 * is put back where the input had one, since Windows strings carry CRLF.
 *
 * Hostile input: no entity is ever expanded or fetched. A DOCTYPE inside
 * the synthetic root is a syntax error, so no DTD is read; an entity
 * declaration handler stops the parser should one be read anyway, and no
 * external entity handler is set. Element depth and markup without
 * progress are capped; the latter also bounds expat's re-scanning of an
 * unfinished token on every chunk, so reparse deferral (expat 2.6, on by
 * default there) is not needed and not called: the headers' version
 * cannot tell whether a distribution backported it.
 *
 * Damage (invalid characters happen in real exports, files get cut): a
 * warning with the byte offset, then a fresh parser resumes at the next
 * "<Event" after the damage; events before and after are kept. Offsets
 * of UTF-16 files count bytes of their UTF-8 conversion.
 */
#include <expat.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "platform.h"
#include "stream.h"
#include "casebrief/limits.h"
#include "casebrief/parser.h"
#include "export_common.h"

#define EVENT_NS "http://schemas.microsoft.com/win/2004/08/events/event"
#define PREFIX "<casebrief-root>"
#define SUFFIX "</casebrief-root>"
#define PREFIX_LEN (sizeof PREFIX - 1)
#define SUFFIX_LEN (sizeof SUFFIX - 1)

/* Bytes read from the stream at a time, and the window that also keeps
 * the last WINDOW - CHUNK bytes already parsed, so that a resynchronisation
 * can start behind the parse front (where a damaged token began). */
#define CHUNK ((size_t)192 << 10)
#define WINDOW ((size_t)256 << 10)

enum sect { S_NONE, S_SYSTEM, S_EVENTDATA, S_USERDATA, S_RENDERING };

enum what {
    W_NONE,
    W_EVENTID,
    W_LEVEL,
    W_RECORDID,
    W_CHANNEL,
    W_COMPUTER,
    W_FIELD,  /* EventData/Data, Binary, UserData leaves */
    W_MESSAGE /* RenderingInfo/Message */
};

enum stop { STOP_NONE, STOP_NESTED, STOP_ENTITY, STOP_DEPTH, STOP_NOMEM };

struct state {
    struct cb_parse *p;
    struct cb_text src;   /* read from src.in */
    const char *encoding; /* handed to expat */
    XML_Parser xp;

    /* recent input, for resynchronisation: bytes [win_off, +win_len) */
    unsigned char *win;
    size_t win_len;
    uint64_t win_off;
    uint64_t base;     /* stream offset of the first byte after PREFIX */
    uint64_t fed;      /* stream offset fed to xp so far */
    uint64_t progress; /* fed when a handler last ran */
    int eof, final_fed, suspended, finished, resynced;
    enum stop stop;
    uint64_t stop_off;

    /* where the handlers are */
    unsigned depth, ev_depth, cap_depth;
    enum sect sect;
    enum what what;
    const char *cap_name;
    char *text;
    size_t text_len, text_cap;

    /* the event being built */
    int ready;
    struct cb_event ev;
    int have_time;
    struct cb_field *fields;
    uint32_t nfields, fields_cap;
    size_t budget;
    int over_budget;
    unsigned ndata;
    const char *computer, *qualifiers, *user_id, *rendered;
};

/* "1".."64" for unnamed <Data>, without an allocation each. */
static const char *const ordinal[] = {
    "1",  "2",  "3",  "4",  "5",  "6",  "7",  "8",  "9",  "10", "11",
    "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22",
    "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33",
    "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44",
    "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55",
    "56", "57", "58", "59", "60", "61", "62", "63", "64"};

static const XML_Memory_Handling_Suite mm = {cb_malloc, cb_realloc, cb_free};
static const XML_Char ns_sep[] = "|";

/* ---- small helpers ----------------------------------------------------- */

static const char *note(const struct state *st)
{
    return cb_text_is_utf16(st->src.enc) ? " (of the UTF-8 conversion)" : "";
}

/* Local name of a namespace-expanded "uri|name". */
static const char *local_name(const XML_Char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

static const char *attr(const XML_Char **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2) {
        if (strcmp(local_name(atts[i]), name) == 0)
            return atts[i + 1];
    }
    return NULL;
}

static uint64_t here(const struct state *st)
{
    XML_Index i = XML_GetCurrentByteIndex(st->xp);
    if (i < (XML_Index)PREFIX_LEN)
        return st->base;
    return st->base + (uint64_t)(i - (XML_Index)PREFIX_LEN);
}

static void halt(struct state *st, enum stop why)
{
    if (st->stop == STOP_NONE) {
        st->stop = why;
        st->stop_off = here(st);
    }
    XML_StopParser(st->xp, XML_FALSE);
}

/* Interned name, cut to CB_LIMIT_EXPORT_NAME_BYTES; NULL only on out of
 * memory. */
static const char *name_of(struct state *st, const char *s, size_t n)
{
    if (n > CB_LIMIT_EXPORT_NAME_BYTES)
        n = CB_LIMIT_EXPORT_NAME_BYTES;
    const char *r = cb_intern(st->p->strings, s, n);
    if (!r)
        halt(st, STOP_NOMEM);
    return r;
}

/* Charge n bytes of this event's text; 0 when over budget. */
static int charge(struct state *st, size_t n)
{
    if (st->over_budget)
        return 0;
    if (n <= st->budget) {
        st->budget -= n;
        return 1;
    }
    st->over_budget = 1;
    cb_parse_warn(st->p, CB_WHERE_OFFSET, st->ev.origin,
                  "record at offset %llu%s holds more than %zu bytes of "
                  "data; the rest is dropped",
                  (unsigned long long)st->ev.origin, note(st),
                  (size_t)CB_LIMIT_XML_EVENT_TEXT);
    return 0;
}

/* ---- building an event ------------------------------------------------- */

static void begin_event(struct state *st)
{
    memset(&st->ev, 0, sizeof st->ev);
    st->ev.origin = here(st);
    st->ev.level = CB_LEVEL_INFO;
    st->ev_depth = st->depth;
    st->sect = S_NONE;
    st->cap_depth = 0;
    st->have_time = 0;
    st->nfields = 0;
    st->budget = (size_t)CB_LIMIT_XML_EVENT_TEXT;
    st->over_budget = 0;
    st->ndata = 0;
    st->computer = st->qualifiers = st->user_id = st->rendered = NULL;
}

static void add_field(struct state *st, const char *name, const char *value,
                      size_t len)
{
    if (!charge(st, len + strlen(name) + sizeof(struct cb_field)))
        return;
    if (st->nfields == st->fields_cap) {
        uint32_t ncap = st->fields_cap ? st->fields_cap * 2 : 32;
        struct cb_field *nf = cb_realloc(st->fields, ncap * sizeof *nf);
        if (!nf) {
            halt(st, STOP_NOMEM);
            return;
        }
        st->fields = nf;
        st->fields_cap = ncap;
    }
    char *v = cb_arena_strndup(st->p->arena, value, len);
    if (!v) {
        halt(st, STOP_NOMEM);
        return;
    }
    st->fields[st->nfields].name = name;
    st->fields[st->nfields].value = v;
    st->nfields++;
}

static void capture(struct state *st, enum what what, const char *name)
{
    st->cap_depth = st->depth;
    st->what = what;
    st->cap_name = name;
    st->text_len = 0;
}

static void system_start(struct state *st, const char *el,
                         const XML_Char **atts)
{
    struct cb_parse *p = st->p;
    const char *v;
    if (strcmp(el, "Provider") == 0) {
        v = attr(atts, "Name");
        if (!v || !*v)
            v = attr(atts, "EventSourceName");
        if (v && *v)
            st->ev.provider = name_of(st, v, strlen(v));
    } else if (strcmp(el, "EventID") == 0) {
        v = attr(atts, "Qualifiers");
        if (v && *v && !(st->qualifiers = cb_arena_strdup(p->arena, v)))
            halt(st, STOP_NOMEM);
        capture(st, W_EVENTID, NULL);
    } else if (strcmp(el, "Level") == 0) {
        capture(st, W_LEVEL, NULL);
    } else if (strcmp(el, "EventRecordID") == 0) {
        capture(st, W_RECORDID, NULL);
    } else if (strcmp(el, "Channel") == 0) {
        capture(st, W_CHANNEL, NULL);
    } else if (strcmp(el, "Computer") == 0) {
        capture(st, W_COMPUTER, NULL);
    } else if (strcmp(el, "TimeCreated") == 0) {
        v = attr(atts, "SystemTime");
        int zoned;
        if (v && cb_export_parse_time(v, strlen(v), &st->ev.ts, &zoned))
            st->have_time = 1;
        else
            cb_parse_warn(p, CB_WHERE_OFFSET, st->ev.origin,
                          "record at offset %llu%s: bad SystemTime '%.40s'",
                          (unsigned long long)st->ev.origin, note(st),
                          v ? v : "(none)");
    } else if (strcmp(el, "Execution") == 0) {
        uint64_t pid, tid;
        v = attr(atts, "ProcessID");
        if (v && cb_export_parse_u64(v, strlen(v), UINT32_MAX, &pid)) {
            st->ev.pid = (uint32_t)pid;
            st->ev.flags |= CB_EV_HAS_PID;
            v = attr(atts, "ThreadID");
            if (v && cb_export_parse_u64(v, strlen(v), UINT32_MAX, &tid))
                st->ev.tid = (uint32_t)tid;
        }
    } else if (strcmp(el, "Security") == 0) {
        v = attr(atts, "UserID");
        if (v && *v && !(st->user_id = cb_arena_strdup(p->arena, v)))
            halt(st, STOP_NOMEM);
    }
}

static void finish_capture(struct state *st)
{
    struct cb_parse *p = st->p;
    size_t n = st->text_len;
    const char *s = st->text ? st->text : "";
    uint64_t v;
    switch (st->what) {
    case W_EVENTID:
        if (cb_export_parse_u64(s, n, UINT32_MAX, &v)) {
            st->ev.event_id = (uint32_t)v;
            st->ev.flags |= CB_EV_HAS_EVENT_ID;
        }
        break;
    case W_LEVEL:
        /* 0 (LogAlways) shows as Information; custom levels too */
        if (cb_export_parse_u64(s, n, UINT32_MAX, &v) && v >= 1 && v <= 5)
            st->ev.level = (uint8_t)v;
        break;
    case W_RECORDID:
        if (cb_export_parse_u64(s, n, UINT64_MAX, &v)) {
            st->ev.record_id = v;
            st->ev.flags |= CB_EV_HAS_RECORD_ID;
        }
        break;
    case W_CHANNEL:
        s = cb_export_trim(s, &n);
        if (n)
            st->ev.channel = name_of(st, s, n);
        break;
    case W_COMPUTER:
        s = cb_export_trim(s, &n);
        if (!n)
            break;
        if (cb_export_host(p->strings, s, n, &st->ev.host) != 0 ||
            !(st->computer = cb_arena_strndup(p->arena, s, n)))
            halt(st, STOP_NOMEM);
        break;
    case W_FIELD:
        add_field(st, st->cap_name, s, n);
        break;
    case W_MESSAGE:
        if (charge(st, n) && !(st->rendered = cb_arena_strndup(p->arena, s, n)))
            halt(st, STOP_NOMEM);
        break;
    case W_NONE:
        break;
    }
}

/* "Name: value; Name: value" of the data fields. */
static char *fields_message(struct state *st)
{
    size_t len = 0;
    for (uint32_t i = 0; i < st->nfields; i++)
        len += strlen(st->fields[i].name) + 2 + strlen(st->fields[i].value) + 2;
    char *m = cb_arena_alloc(st->p->arena, len + 1);
    if (!m)
        return NULL;
    size_t k = 0;
    for (uint32_t i = 0; i < st->nfields; i++) {
        if (i) {
            memcpy(m + k, "; ", 2);
            k += 2;
        }
        size_t a = strlen(st->fields[i].name), b = strlen(st->fields[i].value);
        memcpy(m + k, st->fields[i].name, a);
        k += a;
        memcpy(m + k, ": ", 2);
        k += 2;
        memcpy(m + k, st->fields[i].value, b);
        k += b;
    }
    m[k] = '\0';
    return m;
}

static void end_event(struct state *st)
{
    st->ev_depth = 0;
    st->sect = S_NONE;
    if (!st->have_time) {
        cb_parse_warn(st->p, CB_WHERE_OFFSET, st->ev.origin,
                      "record at offset %llu%s has no usable TimeCreated; "
                      "skipped",
                      (unsigned long long)st->ev.origin, note(st));
        return;
    }
    const char *msg = st->rendered;
    if (!msg || !*msg) {
        if (!(msg = fields_message(st))) {
            halt(st, STOP_NOMEM);
            return;
        }
        st->ev.flags |= CB_EV_MESSAGE_SYNTH;
    }
    /* data fields first, then what the System part adds */
    uint32_t n = st->nfields + (st->computer != NULL) +
                 (st->qualifiers != NULL) + (st->user_id != NULL);
    struct cb_field *f = NULL;
    if (n && !(f = cb_arena_alloc(st->p->arena, n * sizeof *f))) {
        halt(st, STOP_NOMEM);
        return;
    }
    if (st->nfields)
        memcpy(f, st->fields, st->nfields * sizeof *f);
    uint32_t k = st->nfields;
    if (st->computer)
        f[k++] = (struct cb_field){"Computer", st->computer};
    if (st->qualifiers)
        f[k++] = (struct cb_field){"Qualifiers", st->qualifiers};
    if (st->user_id)
        f[k++] = (struct cb_field){"UserID", st->user_id};
    st->ev.fields = f;
    st->ev.nfields = n;
    st->ev.message = msg;
    st->ready = 1;
    XML_StopParser(st->xp, XML_TRUE); /* suspend: next() hands it out */
}

/* ---- expat handlers ---------------------------------------------------- */

static void XMLCALL on_start(void *ud, const XML_Char *name,
                             const XML_Char **atts)
{
    struct state *st = ud;
    st->progress = st->fed;
    st->depth++;
    if (st->depth > CB_LIMIT_XML_DEPTH) {
        halt(st, STOP_DEPTH);
        return;
    }
    const char *el = local_name(name);
    if (!st->ev_depth) {
        if (strcmp(el, "Event") == 0)
            begin_event(st);
        return;
    }
    if (strcmp(el, "Event") == 0) { /* the open one was cut short */
        halt(st, STOP_NESTED);
        return;
    }
    unsigned r = st->depth - st->ev_depth;
    if (r == 1) {
        st->sect = strcmp(el, "System") == 0          ? S_SYSTEM
                   : strcmp(el, "EventData") == 0     ? S_EVENTDATA
                   : strcmp(el, "UserData") == 0      ? S_USERDATA
                   : strcmp(el, "RenderingInfo") == 0 ? S_RENDERING
                                                      : S_NONE;
        return;
    }
    if (st->over_budget)
        return;
    switch (st->sect) {
    case S_SYSTEM:
        if (r == 2)
            system_start(st, el, atts);
        break;
    case S_EVENTDATA:
        if (r == 2 && strcmp(el, "Data") == 0) {
            /* unnamed values are keyed by position, as %1, %2 are */
            st->ndata++;
            const char *nm = attr(atts, "Name");
            const char *key;
            if (nm && *nm)
                key = name_of(st, nm, strlen(nm));
            else if (st->ndata <= 64)
                key = ordinal[st->ndata - 1];
            else
                key = cb_arena_printf(st->p->arena, "%u", st->ndata);
            if (!key) {
                halt(st, STOP_NOMEM);
                return;
            }
            capture(st, W_FIELD, key);
        } else if (r == 2 && strcmp(el, "Binary") == 0) {
            capture(st, W_FIELD, "Binary");
        }
        break;
    case S_USERDATA: {
        /* leaves are fields named by their element; a capture moves to a
         * child when one opens, so only leaves end with one */
        const char *key = name_of(st, el, strlen(el));
        if (key)
            capture(st, W_FIELD, key);
        break;
    }
    case S_RENDERING:
        if (r == 2 && strcmp(el, "Message") == 0)
            capture(st, W_MESSAGE, NULL);
        break;
    case S_NONE:
        break;
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct state *st = ud;
    (void)name;
    st->progress = st->fed;
    if (st->cap_depth && st->cap_depth == st->depth) {
        finish_capture(st);
        st->cap_depth = 0;
    }
    if (st->ev_depth && st->depth == st->ev_depth + 1)
        st->sect = S_NONE;
    else if (st->ev_depth && st->depth == st->ev_depth)
        end_event(st);
    st->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct state *st = ud;
    st->progress = st->fed;
    if (!st->cap_depth || st->cap_depth != st->depth || len <= 0)
        return;
    /* XML folds CRLF into LF; Windows strings carry CRLF, so put the CR
     * back where the input had one (the newline token was two bytes) */
    int crlf = len == 1 && s[0] == '\n' && XML_GetCurrentByteCount(st->xp) == 2;
    size_t need = (size_t)len + (size_t)crlf;
    if (st->text_len + need > st->budget) {
        charge(st, st->text_len + need);
        return;
    }
    if (st->text_len + need + 1 > st->text_cap) {
        size_t ncap = st->text_cap ? st->text_cap : 1024;
        while (ncap < st->text_len + need + 1)
            ncap *= 2;
        char *nt = cb_realloc(st->text, ncap);
        if (!nt) {
            halt(st, STOP_NOMEM);
            return;
        }
        st->text = nt;
        st->text_cap = ncap;
    }
    if (crlf)
        st->text[st->text_len++] = '\r';
    memcpy(st->text + st->text_len, s, (size_t)len);
    st->text_len += (size_t)len;
    st->text[st->text_len] = '\0';
}

static void XMLCALL on_other(void *ud, const XML_Char *a, const XML_Char *b)
{
    struct state *st = ud;
    (void)a;
    (void)b;
    st->progress = st->fed;
}

static void XMLCALL on_comment(void *ud, const XML_Char *c)
{
    on_other(ud, c, NULL);
}

static void XMLCALL on_cdata(void *ud)
{
    on_other(ud, NULL, NULL);
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int pe,
                                   const XML_Char *value, int value_len,
                                   const XML_Char *base,
                                   const XML_Char *system_id,
                                   const XML_Char *public_id,
                                   const XML_Char *notation)
{
    (void)name, (void)pe, (void)value, (void)value_len, (void)base;
    (void)system_id, (void)public_id, (void)notation;
    halt(ud, STOP_ENTITY);
}

/* ---- feeding expat ----------------------------------------------------- */

/* A fresh parser whose data starts at stream offset `at`. */
static int new_parser(struct state *st, uint64_t at)
{
    if (st->xp)
        XML_ParserFree(st->xp);
    st->xp = XML_ParserCreate_MM(st->encoding, &mm, ns_sep);
    if (!st->xp)
        return -1;
    XML_SetUserData(st->xp, st);
    XML_SetElementHandler(st->xp, on_start, on_end);
    XML_SetCharacterDataHandler(st->xp, on_text);
    XML_SetCommentHandler(st->xp, on_comment);
    XML_SetProcessingInstructionHandler(st->xp, on_other);
    XML_SetCdataSectionHandler(st->xp, on_cdata, on_cdata);
    XML_SetEntityDeclHandler(st->xp, on_entity_decl);
    XML_SetParamEntityParsing(st->xp, XML_PARAM_ENTITY_PARSING_NEVER);
    st->depth = st->ev_depth = st->cap_depth = 0;
    st->sect = S_NONE;
    st->stop = STOP_NONE;
    st->suspended = st->final_fed = 0;
    st->base = st->fed = st->progress = at;
    if (XML_Parse(st->xp, PREFIX, (int)PREFIX_LEN, 0) != XML_STATUS_OK)
        return -1;
    return 0;
}

/* Read the next chunk into the window, sliding it when full. */
static void read_more(struct state *st)
{
    if (st->win_len + CHUNK > WINDOW) {
        size_t drop = st->win_len - (WINDOW - CHUNK);
        memmove(st->win, st->win + drop, st->win_len - drop);
        st->win_len -= drop;
        st->win_off += drop;
    }
    size_t got = cb_stream_read(st->src.in, st->win + st->win_len, CHUNK);
    if (got == 0)
        st->eof = 1;
    st->win_len += got;
}

static uint64_t win_end(const struct state *st)
{
    return st->win_off + st->win_len;
}

/* Does "<Event" and a delimiter start s? -1: maybe, need more bytes. */
static int event_tag_at(const unsigned char *s, size_t n, int eof)
{
    if (n < 7) {
        if (memcmp(s, "<Event", n < 6 ? n : 6) != 0 || eof)
            return 0;
        return -1;
    }
    if (memcmp(s, "<Event", 6) != 0)
        return 0;
    unsigned char c = s[6];
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' ||
           c == '/';
}

/* Resume at the first "<Event" at or after stream offset `from`. */
static int resync(struct state *st, uint64_t from)
{
    st->resynced = 1;
    for (;;) {
        if (from < st->win_off)
            from = st->win_off;
        size_t i = (size_t)(from - st->win_off);
        while (i < st->win_len) {
            const unsigned char *lt = memchr(st->win + i, '<', st->win_len - i);
            if (!lt) {
                i = st->win_len;
                break;
            }
            i = (size_t)(lt - st->win);
            int m = event_tag_at(lt, st->win_len - i, st->eof);
            if (m > 0)
                return new_parser(st, st->win_off + i);
            if (m < 0)
                break; /* "<Event" at the very end: read on */
            i++;
        }
        if (st->eof) {
            st->finished = 1;
            return 0;
        }
        from = st->win_off + i;
        read_more(st);
    }
}

static enum cb_next fail_nomem(struct cb_parse *p)
{
    cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_NONE, 0, "out of memory");
    return CB_NEXT_FAIL;
}

/* After XML_Parse or XML_ResumeParser said r: go on, or resynchronise. */
static int after(struct state *st, enum XML_Status r)
{
    struct cb_parse *p = st->p;
    if (r == XML_STATUS_SUSPENDED) {
        st->suspended = 1;
        return 0;
    }
    if (r == XML_STATUS_OK) {
        if (st->final_fed)
            st->finished = 1;
        return 0;
    }
    unsigned long long lost = st->ev_depth ? st->ev.origin : 0;
    char lost_note[64] = "";
    if (st->ev_depth)
        snprintf(lost_note, sizeof lost_note,
                 "; the record at offset %llu is dropped", lost);
    switch (st->stop) {
    case STOP_NOMEM:
        return -1;
    case STOP_NESTED:
        cb_parse_damage(p, CB_DAMAGE_LOG, CB_WHERE_OFFSET, lost,
                        "record at offset %llu%s is cut short: a new "
                        "<Event> starts at offset %llu; the cut record is "
                        "dropped",
                        lost, note(st), (unsigned long long)st->stop_off);
        return resync(st, st->stop_off);
    case STOP_ENTITY:
        cb_parse_warn(p, CB_WHERE_OFFSET, st->stop_off,
                      "entity declaration at offset %llu%s refused "
                      "(entities are never expanded)",
                      (unsigned long long)st->stop_off, note(st));
        return resync(st, st->stop_off + 1);
    case STOP_DEPTH:
        cb_parse_warn(p, CB_WHERE_OFFSET, st->stop_off,
                      "elements nested deeper than %u at offset %llu%s%s; "
                      "resuming at the next <Event>",
                      CB_LIMIT_XML_DEPTH, (unsigned long long)st->stop_off,
                      note(st), lost_note);
        return resync(st, st->stop_off + 1);
    case STOP_NONE:
        break;
    }
    enum XML_Error code = XML_GetErrorCode(st->xp);
    uint64_t at = here(st);
    uint64_t end = win_end(st);
    if (code == XML_ERROR_NO_MEMORY)
        return -1;
    size_t i = at >= st->win_off && at < end ? (size_t)(at - st->win_off)
                                             : st->win_len;
    if (st->final_fed && st->ev_depth) {
        /* only the last, unfinished piece of markup is judged at the end */
        cb_parse_damage(p, CB_DAMAGE_LOG, CB_WHERE_OFFSET, lost,
                        "input ends inside the record at offset %llu%s "
                        "(truncated); it is dropped",
                        lost, note(st));
    } else if (st->final_fed && at >= end) {
        if (st->depth > 1 && !st->resynced)
            cb_parse_damage(p, CB_DAMAGE_LOG, CB_WHERE_OFFSET, end,
                            "input ends inside an element (truncated)");
    } else if ((st->win_len - i >= 9 &&
                memcmp(st->win + i, "<!DOCTYPE", 9) == 0) ||
               (i >= 2 && st->win_len - i + 2 >= 9 &&
                memcmp(st->win + i - 2, "<!DOCTYPE", 9) == 0)) {
        /* expat may point past the "<!" */
        uint64_t d = st->win[i] == '<' ? at : at - 2;
        cb_parse_warn(p, CB_WHERE_OFFSET, d,
                      "DOCTYPE at offset %llu%s refused: DTDs and entities "
                      "are not processed; resuming at the next <Event>",
                      (unsigned long long)d, note(st));
    } else if (!(st->resynced && !st->ev_depth &&
                 code == XML_ERROR_TAG_MISMATCH)) {
        /* (after a resynchronisation, the end tag of a root we skipped,
         * such as </Events>, is no damage) */
        cb_parse_damage(p, CB_DAMAGE_LOG, CB_WHERE_OFFSET, at,
                        "XML error at offset %llu%s: %s%s; resuming at the "
                        "next <Event>",
                        (unsigned long long)at, note(st),
                        XML_ErrorString(code), lost_note);
    }
    return resync(st, at + 1);
}

static enum cb_next next(struct cb_parse *p, void *state, struct cb_event *ev)
{
    struct state *st = state;
    for (;;) {
        if (st->ready) {
            st->ready = 0;
            *ev = st->ev;
            return CB_NEXT_EVENT;
        }
        if (st->finished)
            break;
        enum XML_Status r;
        if (st->suspended) {
            st->suspended = 0;
            r = XML_ResumeParser(st->xp);
        } else if (st->fed < win_end(st)) {
            const unsigned char *d = st->win + (st->fed - st->win_off);
            size_t n = (size_t)(win_end(st) - st->fed);
            st->fed = win_end(st);
            r = XML_Parse(st->xp, (const char *)d, (int)n, 0);
        } else if (!st->eof) {
            if (st->fed - st->progress > CB_LIMIT_XML_STALL_BYTES) {
                cb_parse_warn(p, CB_WHERE_OFFSET, st->progress,
                              "no markup completed in %llu bytes after "
                              "offset %llu%s; skipped",
                              (unsigned long long)(st->fed - st->progress),
                              (unsigned long long)st->progress, note(st));
                if (resync(st, st->fed) != 0)
                    return fail_nomem(p);
                continue;
            }
            read_more(st);
            continue;
        } else {
            st->final_fed = 1;
            r = XML_Parse(st->xp, SUFFIX, (int)SUFFIX_LEN, 1);
        }
        if (after(st, r) != 0)
            return fail_nomem(p);
    }
    if (p->in->failed || st->src.in->failed) {
        p->err = p->in->failed ? p->in->err : st->src.in->err;
        return CB_NEXT_FAIL;
    }
    return CB_NEXT_END;
}

/* ---- open, close, bid -------------------------------------------------- */

/* The encoding a declaration names, as expat knows it. */
static const char *expat_encoding(struct cb_parse *p, const char *e, size_t n)
{
    static const struct {
        const char *name, *expat;
    } known[] = {
        {"utf-8", "UTF-8"},
        {"utf8", "UTF-8"},
        {"us-ascii", "UTF-8"},
        {"ascii", "UTF-8"},
        {"utf-16", "UTF-8"}, /* read through the conversion, or mislabeled */
        {"iso-8859-1", "ISO-8859-1"},
        {"latin1", "ISO-8859-1"},
        {"windows-1252", "ISO-8859-1"},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        if (strlen(known[i].name) == n && strncasecmp(e, known[i].name, n) == 0)
            return known[i].expat;
    }
    cb_parse_warn(p, CB_WHERE_OFFSET, 0,
                  "encoding '%.*s' is not supported; read as UTF-8",
                  (int)(n > 40 ? 40 : n), e);
    return "UTF-8";
}

/* Read and drop an XML declaration, noting its encoding. */
static void skip_declaration(struct cb_parse *p, struct state *st)
{
    size_t n;
    const unsigned char *h =
        cb_stream_peek(st->src.in, CB_LIMIT_SNIFF_BYTES, &n);
    size_t i = 0;
    while (i < n &&
           (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n'))
        i++;
    if (n - i < 6 || memcmp(h + i, "<?xml", 5) != 0 ||
        !(h[i + 5] == ' ' || h[i + 5] == '\t' || h[i + 5] == '\r' ||
          h[i + 5] == '\n'))
        return;
    const unsigned char *end = cb_memmem(h + i, n - i, "?>", 2);
    if (!end)
        return; /* expat will say what is wrong with it */
    size_t decl_len = (size_t)(end - h) + 2;
    const char *d = (const char *)h + i;
    size_t dn = decl_len - i;
    const char *e = cb_memmem(d, dn, "encoding", 8);
    if (e) {
        size_t k = (size_t)(e - d) + 8;
        while (k < dn && (d[k] == ' ' || d[k] == '='))
            k++;
        if (k < dn && (d[k] == '"' || d[k] == '\'')) {
            char q = d[k++];
            size_t s = k;
            while (k < dn && d[k] != q)
                k++;
            if (!cb_text_is_utf16(st->src.enc)) /* converted to UTF-8 */
                st->encoding = expat_encoding(p, d + s, k - s);
        }
    }
    /* consumed through the window buffer, which is free yet */
    cb_stream_read(st->src.in, st->win, decl_len);
}

static void close_(struct cb_parse *p, void **state);

static enum cb_status open_(struct cb_parse *p, void **state)
{
    struct state *st = cb_calloc(1, sizeof *st);
    if (!st)
        return CB_E_NOMEM;
    st->p = p;
    st->encoding = "UTF-8";
    *state = st;
    st->win = cb_malloc(WINDOW);
    if (!st->win || cb_stream_open_text(&st->src, p->in, CHUNK) != CB_OK) {
        close_(p, state);
        return CB_E_NOMEM;
    }
    if (cb_text_is_utf16be(st->src.enc)) {
        close_(p, state);
        return cb_error_set(&p->err, CB_E_UNSUPPORTED, CB_WHERE_OFFSET, 0,
                            "UTF-16BE event XML is not read by this version");
    }
    skip_declaration(p, st);
    st->win_off = cb_stream_tell(st->src.in);
    if (new_parser(st, st->win_off) != 0) {
        close_(p, state);
        return CB_E_NOMEM;
    }
    p->src->time_basis = "UTC (SystemTime)";
    p->src->time_kind = CB_TK_UTC;
    p->src->origin_is_line = 0;
    return CB_OK;
}

static void close_(struct cb_parse *p, void **state)
{
    (void)p;
    if (!state || !*state)
        return;
    struct state *st = *state;
    if (st->xp)
        XML_ParserFree(st->xp);
    cb_stream_close_text(&st->src);
    cb_free(st->win);
    cb_free(st->text);
    cb_free(st->fields);
    cb_free(st);
    *state = NULL;
}

static int starts(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(s, lit, k) == 0;
}

static size_t skip_blank(const char *s, size_t n, size_t i)
{
    while (i < n &&
           (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

static int bid(const unsigned char *head, size_t len, const char *name)
{
    (void)name;
    char narrow[512];
    const char *s;
    size_t n = cb_text_narrow(head, len, narrow, sizeof narrow, &s);
    size_t i = skip_blank(s, n, 0);
    if (starts(s + i, n - i, "<?xml")) {
        const char *e = cb_memmem(s + i, n - i, "?>", 2);
        if (!e)
            return 0;
        i = skip_blank(s, n, (size_t)(e - s) + 2);
    }
    if (starts(s + i, n - i, "<Events>") || starts(s + i, n - i, "<Events "))
        return 40;
    if (!starts(s + i, n - i, "<Event"))
        return 0;
    i += 6;
    size_t j = skip_blank(s, n, i);
    if (j == i)
        return 0;
    if (starts(s + j, n - j, "xmlns=") && n - j > 6 &&
        (s[j + 6] == '\'' || s[j + 6] == '"') &&
        starts(s + j + 7, n - j - 7, EVENT_NS) &&
        n - j - 7 > sizeof EVENT_NS - 1 &&
        s[j + 7 + sizeof EVENT_NS - 1] == s[j + 6])
        return 48;
    return 0;
}

const struct cb_parser_ops cb_parser_evtx_xml = {
    .name = "evtx-xml",
    .description = "event XML (wevtutil /f:xml, <Events>, ToXml())",
    .data_type = "windows:evtx:record",
    .bid = bid,
    .open = open_,
    .next = next,
    .close = close_,
};
