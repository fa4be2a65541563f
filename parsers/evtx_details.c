/*
 * evtx_details.c - Event Viewer's "Copy > Copy details as text" (the text
 * an engineer pastes into a ticket), one block or several in one file:
 *
 *   Log Name:      System
 *   Source:        Microsoft-Windows-FailoverClustering
 *   Date:          11/15/2024 10:15:30 AM
 *   Event ID:      1135
 *   Task Category: Node Mgr
 *   Level:         Critical
 *   Keywords:
 *   User:          SYSTEM
 *   Computer:      HV-NODE1.contoso.local
 *   Description:
 *   Cluster node 'HV-NODE2' was removed from the active failover ...
 *   Event Xml:
 *   <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
 *     <System> ... </System>
 *     <EventData> ... </EventData>
 *   </Event>
 *
 * Labels are padded with blanks to align the values; the Date is the
 * copying machine's wall clock in its culture's format; the description
 * runs until "Event Xml:" (its own lines may look like "Name:\tvalue").
 * Articles quote the same layout with fewer labels ("Event Source:",
 * "Event ID:", "Description:"). Shape checked against Event Viewer copies
 * quoted publicly (a Security 4776 and an MsiInstaller 1033 with their
 * Event Xml) and the KB articles in shared/corpus/realworld.
 *
 * When the block carries its Event Xml, the event is read from it by the
 * event XML parser (evtx_xml.c): time (SystemTime, UTC), level, id,
 * provider, channel, host and the named EventData; the description stays
 * the message. Without it the labels give the event, the Date is local
 * time with the offset unknown (CB_EV_TIME_ASSUMED, as the CSV exports),
 * and day and month are told apart by --date-order, a number over 12, or
 * else the culture's hints (AM/PM: month first; '.': day first), said in
 * the time basis. Labels are English or German; other UI languages are
 * read through their Event Xml. Task Category, Keywords, User and OpCode
 * are not event data and are not kept as fields, so that a rule's field
 * match never takes "Info" or a SID for a node's name.
 */
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "platform.h"
#include "stream.h"
#include "casebrief/limits.h"
#include "casebrief/parser.h"
#include "export_common.h"

extern const struct cb_parser_ops cb_parser_evtx_xml;

enum label {
    L_OTHER,
    L_LOGNAME,
    L_SOURCE,
    L_DATE,
    L_ID,
    L_LEVEL,
    L_COMPUTER,
    L_DESC,
    L_XML,
    L_IGNORED /* Task Category, Keywords, User, OpCode */
};

static const struct {
    const char *name;
    enum label label;
} labels[] = {
    {"log name", L_LOGNAME},
    {"protokollname", L_LOGNAME},
    {"source", L_SOURCE},
    {"event source", L_SOURCE},
    {"quelle", L_SOURCE},
    {"date", L_DATE},
    {"datum", L_DATE},
    {"event id", L_ID},
    {"ereignis-id", L_ID},
    {"level", L_LEVEL},
    {"ebene", L_LEVEL},
    {"computer", L_COMPUTER},
    {"description", L_DESC},
    {"beschreibung", L_DESC},
    {"event xml", L_XML},
    {"ereignis-xml", L_XML},
    {"task category", L_IGNORED},
    {"aufgabenkategorie", L_IGNORED},
    {"keywords", L_IGNORED},
    {"schl\xc3\xbcsselw\xc3\xb6rter", L_IGNORED},
    {"user", L_IGNORED},
    {"benutzer", L_IGNORED},
    {"opcode", L_IGNORED},
};

enum mode { M_NONE, M_HEADER, M_DESC, M_XML };

struct state {
    struct cb_text text; /* read from text.in */
    uint64_t line, block_line;
    enum mode mode;
    unsigned seen; /* labels of this block, bit per enum label */
    struct cb_event ev;
    struct cb_export_when when;
    int have_when, dot, marker;
    char *desc, *xml;
    size_t desc_len, desc_cap, xml_len, xml_cap;
    unsigned desc_blank;
    int desc_cut, xml_cut, xml_done;
    /* source-wide */
    enum cb_date_order order; /* in force; CB_DATE_AUTO: undecided */
    int order_forced, order_assumed;
    enum cb_export_lang lang;
    int any_local, level_warned;
    /* the machine's clock as blocks with both a Date label and Event Xml
     * show it: local = UTC + east_min (0 none, 1 known, 2 they differ) */
    int east_state;
    int32_t east_min;
    const char *east_host; /* the Computer of those blocks */
    uint64_t no_date, no_date_line, preamble;
};

static int is_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    }
    return 1;
}

/* "Label:  value" (blanks before the label allowed, "Label :" too): the
 * label, and the value at *v (*vn bytes); L_OTHER when the text before the
 * first colon is no label we know. */
static enum label label_of(const char *s, size_t n, const char **v, size_t *vn)
{
    const char *colon = memchr(s, ':', n > 40 ? 40 : n);
    if (!colon)
        return L_OTHER;
    size_t kn = (size_t)(colon - s);
    const char *k = cb_export_trim(s, &kn);
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++) {
        if (strlen(labels[i].name) == kn &&
            strncasecmp(k, labels[i].name, kn) == 0) {
            *vn = n - (size_t)(colon + 1 - s);
            *v = cb_export_trim(colon + 1, vn);
            return labels[i].label;
        }
    }
    return L_OTHER;
}

/* "<Event xmlns=..." or "<Event>" at the start of the (trimmed) line. */
static int xml_start(const char *s, size_t n)
{
    s = cb_export_trim(s, &n);
    return n >= 6 && memcmp(s, "<Event", 6) == 0 &&
           (n == 6 || s[6] == ' ' || s[6] == '>');
}

static void begin_block(struct state *st)
{
    memset(&st->ev, 0, sizeof st->ev);
    st->ev.level = CB_LEVEL_INFO;
    st->ev.origin = st->line;
    st->block_line = st->line;
    st->mode = M_HEADER;
    st->seen = 0;
    st->have_when = 0;
    st->desc_len = st->xml_len = 0;
    st->desc_blank = 0;
    st->desc_cut = st->xml_cut = st->xml_done = 0;
}

/* Append to a capped buffer; -1 out of memory, 0 otherwise (*cut set and
 * the bytes dropped once the cap is reached). */
static int put(char **buf, size_t *len, size_t *cap, int *cut, size_t max,
               const char *s, size_t n, int newline)
{
    if (*cut)
        return 0;
    if (*len + n + 1 > max) {
        *cut = 1;
        return 0;
    }
    if (newline && *len && cb_export_append(buf, len, cap, "\n", 1, 1) != 0)
        return -1;
    return cb_export_append(buf, len, cap, s, n, 1);
}

static int desc_line(struct state *st, const char *s, size_t n)
{
    if (is_blank_line(s, n)) {
        if (st->desc_len)
            st->desc_blank++;
        return 0;
    }
    for (; st->desc_len && st->desc_blank; st->desc_blank--) {
        if (put(&st->desc, &st->desc_len, &st->desc_cap, &st->desc_cut,
                CB_LIMIT_EVTX_TEXT_DESCRIPTION, "", 0, 1) != 0)
            return -1;
    }
    st->desc_blank = 0;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
        n--;
    return put(&st->desc, &st->desc_len, &st->desc_cap, &st->desc_cut,
               CB_LIMIT_EVTX_TEXT_DESCRIPTION, s, n, 1);
}

static const char *name_of(struct cb_parse *p, const char *s, size_t n,
                           int *oom)
{
    if (n == 0)
        return NULL;
    if (n > CB_LIMIT_EXPORT_NAME_BYTES)
        n = CB_LIMIT_EXPORT_NAME_BYTES;
    const char *r = cb_intern(p->strings, s, n);
    if (!r)
        *oom = 1;
    return r;
}

/* One "Label: value" line of a block's header; -1 on out of memory. */
static int header_value(struct cb_parse *p, struct state *st, enum label l,
                        const char *v, size_t vn)
{
    int oom = 0;
    switch (l) {
    case L_LOGNAME:
        st->ev.channel = name_of(p, v, vn, &oom);
        break;
    case L_SOURCE:
        st->ev.provider = name_of(p, v, vn, &oom);
        break;
    case L_DATE:
        st->have_when =
            cb_export_parse_when(v, vn, &st->when, &st->dot, &st->marker);
        if (!st->have_when)
            cb_parse_warn(p, CB_WHERE_LINE, st->line, "bad Date '%.*s'",
                          (int)(vn > 40 ? 40 : vn), v);
        break;
    case L_ID: {
        uint64_t id;
        if (cb_export_parse_u64(v, vn, UINT32_MAX, &id)) {
            st->ev.event_id = (uint32_t)id;
            st->ev.flags |= CB_EV_HAS_EVENT_ID;
        } else {
            cb_parse_warn(p, CB_WHERE_LINE, st->line, "bad Event ID '%.*s'",
                          (int)(vn > 20 ? 20 : vn), v);
        }
        break;
    }
    case L_LEVEL: {
        int level = cb_export_level(v, vn, &st->lang);
        if (!level && vn && !st->level_warned) {
            st->level_warned = 1;
            cb_parse_warn(p, CB_WHERE_LINE, st->line,
                          "level '%.*s' not known; taken as information",
                          (int)(vn > 30 ? 30 : vn), v);
        }
        st->ev.level = (uint8_t)(level ? level : CB_LEVEL_INFO);
        break;
    }
    case L_COMPUTER:
        return cb_export_host(p->strings, v, vn, &st->ev.host);
    default:
        break;
    }
    return oom ? -1 : 0;
}

/* Day and month of a label date: --date-order, a number over 12 (which
 * also decides the rest of the file), or the culture's hints. */
static cb_time label_time(struct cb_parse *p, struct state *st)
{
    const struct cb_export_when *w = &st->when;
    if (w->kind == CB_WHEN_READY)
        return w->ts;
    enum cb_date_order o = st->order;
    if (w->a > 12 && w->b <= 12)
        o = CB_DATE_DMY;
    else if (w->b > 12 && w->a <= 12)
        o = CB_DATE_MDY;
    if (!st->order_forced && o != CB_DATE_AUTO && st->order == CB_DATE_AUTO)
        st->order = o; /* decided by the data */
    if (st->order_forced)
        o = st->order;
    if (o == CB_DATE_AUTO) {
        o = st->dot || st->lang == CB_LANG_DMY     ? CB_DATE_DMY
            : st->marker || st->lang == CB_LANG_EN ? CB_DATE_MDY
                                                   : CB_DATE_DMY;
        if (!st->order_assumed++)
            cb_parse_warn(p, CB_WHERE_LINE, st->block_line,
                          "day and month of '%d/%d/%d' cannot be told "
                          "apart: %s assumed from the culture (use "
                          "--date-order to say)",
                          w->a, w->b, w->year,
                          o == CB_DATE_MDY ? "month first" : "day first");
    }
    return cb_export_pair_time(w, o);
}

/* The block's Event Xml through the event XML parser into *out. 1 read,
 * 0 not (a warning says why), -1 out of memory. */
static int read_xml(struct cb_parse *p, struct state *st, struct cb_event *out)
{
    struct cb_stream mem;
    if (cb_stream_init_mem(&mem, st->xml, st->xml_len) != CB_OK)
        return -1;
    struct cb_source sub = {.path = p->src->path, .host = p->src->host};
    struct cb_parse sp = *p;
    sp.in = &mem;
    sp.src = &sub;
    sp.ev_arena = NULL;
    sp.pool = NULL;
    sp.ev_own = NULL;
    memset(&sp.err, 0, sizeof sp.err);
    void *xs = NULL;
    int got = 0;
    const struct cb_parser_ops *x = &cb_parser_evtx_xml;
    enum cb_status os = x->open(&sp, &xs);
    if (os == CB_OK) {
        enum cb_next r = x->next(&sp, xs, out);
        got = r == CB_NEXT_EVENT;
        x->close(&sp, &xs);
    }
    cb_stream_fini(&mem);
    if (os == CB_E_NOMEM || sp.err.code == CB_E_NOMEM)
        return -1;
    if (!got)
        cb_parse_warn(p, CB_WHERE_LINE, st->block_line,
                      "Event Xml of the block at line %llu not read (%s); "
                      "its labels used",
                      (unsigned long long)st->block_line,
                      sub.warnings ? sub.warnings->msg : "no event in it");
    return got;
}

static enum cb_next nomem(struct cb_parse *p, const struct state *st)
{
    cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_LINE, st->line, "out of memory");
    return CB_NEXT_FAIL;
}

/* A block with a local Date label and the UTC SystemTime of its Event Xml
 * shows the copying machine's offset (to the quarter hour). */
static void note_offset(struct cb_parse *p, struct state *st, cb_time utc,
                        const char *host)
{
    if (host && host[0])
        st->east_host = host;
    cb_time local = label_time(p, st);
    if (local == CB_TIME_NONE)
        return;
    cb_time q = 15LL * 60 * 10000000;
    cb_time d = local - utc;
    int64_t quarters = (d >= 0 ? d + q / 2 : d - q / 2) / q;
    if (quarters < -14 * 4 || quarters > 14 * 4)
        return;
    int32_t east = (int32_t)(quarters * 15);
    if (st->east_state == 0) {
        st->east_state = 1;
        st->east_min = east;
    } else if (st->east_min != east) {
        st->east_state = 2; /* a DST change between the blocks */
    }
}

/* The block read so far into *ev; CB_NEXT_END when it is skipped. */
static enum cb_next finish(struct cb_parse *p, struct state *st,
                           struct cb_event *ev)
{
    st->mode = M_NONE;
    int from_xml = 0;
    if (st->xml_len) {
        int r = read_xml(p, st, ev);
        if (r < 0)
            return nomem(p, st);
        from_xml = r;
    }
    if (from_xml && st->have_when && !st->when.zoned)
        note_offset(p, st, ev->ts, ev->host);
    if (!from_xml) {
        if (!st->have_when) {
            if (!st->no_date++)
                st->no_date_line = st->block_line;
            return CB_NEXT_END;
        }
        *ev = st->ev;
        ev->ts = label_time(p, st);
        if (ev->ts == CB_TIME_NONE) {
            cb_parse_warn(p, CB_WHERE_LINE, st->block_line,
                          "Date of the block at line %llu does not exist",
                          (unsigned long long)st->block_line);
            return CB_NEXT_END;
        }
        if (!st->when.zoned) {
            ev->flags |= CB_EV_TIME_ASSUMED;
            st->any_local = 1;
        }
    }
    ev->origin = st->block_line;
    if (st->desc_len) {
        ev->message = cb_arena_strndup(p->arena, st->desc, st->desc_len);
        if (!ev->message)
            return nomem(p, st);
        ev->flags &= ~(uint32_t)CB_EV_MESSAGE_SYNTH;
    } else if (!ev->message) {
        ev->message = "";
    }
    return CB_NEXT_EVENT;
}

/* Does this line start a new block? */
static int block_start(const struct state *st, enum label l)
{
    if (l == L_LOGNAME)
        return 1;
    if (st->mode == M_NONE) /* articles start a block with any of these */
        return l == L_SOURCE || l == L_ID || l == L_DATE;
    if (st->mode == M_DESC || st->xml_done)
        return l == L_SOURCE || l == L_ID;
    /* a label seen twice: the next block, with fewer labels */
    return l != L_OTHER && l != L_IGNORED && (st->seen & (1u << l));
}

/* One line: CB_NEXT_EVENT when it completed an event into ev. */
static enum cb_next line_in(struct cb_parse *p, struct state *st, const char *s,
                            size_t n, struct cb_event *ev)
{
    const char *v = NULL;
    size_t vn = 0;
    enum label l = label_of(s, n, &v, &vn);
    if (st->mode == M_XML && l != L_LOGNAME)
        l = L_OTHER; /* inside the XML only a new block ends it */
    enum cb_next r = CB_NEXT_END;
    if (l != L_OTHER && block_start(st, l)) {
        if (st->mode != M_NONE)
            r = finish(p, st, ev);
        if (r == CB_NEXT_FAIL)
            return r;
        begin_block(st);
    }
    if (st->mode == M_NONE) {
        if (!is_blank_line(s, n))
            st->preamble++;
        return r;
    }
    if (st->mode != M_XML && xml_start(s, n) && !st->xml_done)
        st->mode = M_XML;
    if (st->mode == M_XML) {
        if (put(&st->xml, &st->xml_len, &st->xml_cap, &st->xml_cut,
                CB_LIMIT_XML_EVENT_TEXT, s, n, 1) != 0)
            return nomem(p, st);
        if (cb_memmem(s, n, "</Event>", 8)) {
            st->mode = M_HEADER;
            st->xml_done = 1;
        }
        return r;
    }
    if (l == L_XML) {
        /* the XML follows on its own lines, or (pasted into one line) on
         * this one */
        st->mode = M_HEADER;
        if (vn && xml_start(v, vn) && !st->xml_done)
            return line_in(p, st, v, vn, ev);
        return r;
    }
    if (st->mode == M_DESC)
        return desc_line(st, s, n) != 0 ? nomem(p, st) : r;
    if (l == L_DESC) {
        st->mode = M_DESC;
        return desc_line(st, v, vn) != 0 ? nomem(p, st) : r;
    }
    if (l != L_OTHER) {
        st->seen |= 1u << l;
        if (header_value(p, st, l, v, vn) != 0)
            return nomem(p, st);
    }
    return r;
}

static enum cb_next next(struct cb_parse *p, void *state, struct cb_event *ev)
{
    struct state *st = state;
    const char *s;
    size_t n;
    int cut;
    while ((s = cb_stream_line(st->text.in, &n, &cut)) != NULL) {
        st->line++;
        if (cut)
            cb_parse_warn(p, CB_WHERE_LINE, st->line,
                          "line longer than %zu bytes, cut", n);
        enum cb_next r = line_in(p, st, s, n, ev);
        if (r != CB_NEXT_END)
            return r;
    }
    if (st->mode != M_NONE) {
        enum cb_next r = finish(p, st, ev);
        if (r != CB_NEXT_END)
            return r;
    }
    if (st->text.in->failed) {
        p->err = st->text.in->err;
        return CB_NEXT_FAIL;
    }
    return CB_NEXT_END;
}

static void close_(struct cb_parse *p, void **state);

static enum cb_status open_(struct cb_parse *p, void **state)
{
    struct state *st = cb_calloc(1, sizeof *st);
    if (!st)
        return CB_E_NOMEM;
    *state = st;
    if (cb_stream_open_text(&st->text, p->in, CB_LIMIT_LINE_BYTES) != CB_OK) {
        close_(p, state);
        return CB_E_NOMEM;
    }
    if (cb_text_is_utf16be(st->text.enc)) {
        close_(p, state);
        return cb_error_set(&p->err, CB_E_UNSUPPORTED, CB_WHERE_OFFSET, 0,
                            "UTF-16BE event text is not read by this "
                            "version");
    }
    st->order = p->opts->date_order;
    if (st->order == CB_DATE_YMD)
        st->order = CB_DATE_AUTO;
    st->order_forced = st->order != CB_DATE_AUTO;
    p->src->time_basis = "UTC (Event Xml SystemTime)";
    p->src->time_kind = CB_TK_UTC;
    p->src->origin_is_line = 1;
    return CB_OK;
}

static void close_(struct cb_parse *p, void **state)
{
    if (!state || !*state)
        return;
    struct state *st = *state;
    if (st->no_date)
        cb_parse_warn(p, CB_WHERE_LINE, st->no_date_line,
                      "%llu event blocks without a usable Date or Event Xml "
                      "skipped, the first at line %llu (Event Viewer always "
                      "writes both; text quoted from an article may lack "
                      "them)",
                      (unsigned long long)st->no_date,
                      (unsigned long long)st->no_date_line);
    if (st->preamble)
        cb_parse_warn(p, CB_WHERE_NONE, 0,
                      "%llu lines outside any event block skipped",
                      (unsigned long long)st->preamble);
    if (st->any_local && st->east_state == 1) {
        int32_t a = st->east_min < 0 ? -st->east_min : st->east_min;
        cb_parse_warn(p, CB_WHERE_NONE, 0,
                      "the blocks with Event Xml show this machine's clock "
                      "at UTC%c%02d:%02d; the blocks without it are local "
                      "time (--tz %s=%c%02d:%02d applies that offset to them)",
                      st->east_min < 0 ? '-' : '+', (int)(a / 60),
                      (int)(a % 60), st->east_host ? st->east_host : "HOST",
                      st->east_min < 0 ? '-' : '+', (int)(a / 60),
                      (int)(a % 60));
    }
    if (st->any_local) {
        p->src->time_kind = CB_TK_LOCAL;
        p->src->time_basis =
            st->order_forced ? "local (offset unknown; order of dates from "
                               "--date-order)"
            : st->order_assumed
                ? "local (offset unknown; order of dates assumed from the "
                  "culture)"
                : "local (offset unknown)";
    }
    cb_stream_close_text(&st->text);
    cb_free(st->desc);
    cb_free(st->xml);
    cb_free(st);
    *state = NULL;
}

/* Bid: a line starting "Log Name:" followed by "Source:" and "Event ID:"
 * lines within the head (after a few lines of preamble at most), or the
 * shorter layout articles quote ("Event ID:" and "Description:"). */
static int bid(const unsigned char *head, size_t len, const char *name)
{
    (void)name;
    char narrow[CB_LIMIT_SNIFF_BYTES];
    const char *s;
    size_t n = cb_text_narrow(head, len, narrow, sizeof narrow, &s);
    int logname = 0, source = 0, id = 0, desc = 0, xml = 0;
    size_t lines = 0;
    for (size_t i = 0; i < n && lines < 64; lines++) {
        size_t e = i;
        while (e < n && s[e] != '\n')
            e++;
        const char *v;
        size_t vn;
        enum label l = label_of(s + i, e - i, &v, &vn);
        if (l == L_LOGNAME && !logname && lines <= 16)
            logname = 1;
        else if (l == L_SOURCE)
            source = 1;
        else if (l == L_ID)
            id = 1;
        else if (l == L_DESC)
            desc = 1;
        else if (xml_start(s + i, e - i))
            xml = 1;
        i = e + 1;
    }
    if (logname && source && id)
        return 44 + xml * 4;
    if (id && desc && source)
        return 30;
    return 0;
}

const struct cb_parser_ops cb_parser_evtx_details = {
    .name = "evtx-details",
    .description = "Event Viewer \"Copy details as text\" (one block or "
                   "several, with or without Event Xml)",
    .data_type = "windows:evtx:record",
    .bid = bid,
    .open = open_,
    .next = next,
    .close = close_,
};
