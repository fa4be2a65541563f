/*
 * timeline.c - the merged timeline as JSONL (Timesketch import shape),
 * CSV (same columns, data flattened) or text (one line per event).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "casebrief/report.h"
#include "out.h"
#include "timefmt.h"

/* "[RCM] text" for cluster.log, the message alone otherwise. */
static void message_text(struct out *o, const struct cb_event *e,
                         void (*put)(struct out *, const char *))
{
    struct cb_msgbuf mb;
    const char *m = cb_event_message(e, &mb);
    if (!e->component) {
        put(o, m);
        return;
    }
    char head[64];
    snprintf(head, sizeof head, "[%s] ", e->component);
    put(o, head);
    put(o, m);
}

/* ---- JSONL ---------------------------------------------------------------
 * A timeline is millions of lines whose host, channel, source and
 * component repeat, and whose times share the day: the writer keeps the
 * escaped form of the strings it saw last (by pointer: they are interned
 * or belong to the source) and the last date and second
 * (cb_timefmt_iso_cached), so that most of a line is copied rather than
 * scanned and formatted again. */

/* out_bytes with the common case inlined, so that copies of constant
 * length compile to a few moves. */
static inline void put(struct out *o, const char *s, size_t n)
{
    if (n <= sizeof o->buf - o->n) {
        memcpy(o->buf + o->n, s, n);
        o->n += n;
    } else {
        out_bytes(o, s, n);
    }
}

#define LIT(o, s) put(o, s, sizeof s - 1)

/* Decimal digits straight into the buffer. */
static inline void put_u64(struct out *o, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(o, tmp + i, sizeof tmp - i);
}

static inline void put_i64(struct out *o, int64_t v)
{
    if (v < 0) {
        put(o, "-", 1);
        put_u64(o, (uint64_t)0 - (uint64_t)v);
    } else {
        put_u64(o, (uint64_t)v);
    }
}

/* One cached, escaped JSON value ("..." or null). */
struct jcache {
    const char *key;
    int valid;
    size_t len;
    char text[256];
};

/* A small direct-mapped cache per column; long values are not kept. */
#define JC_WAYS 16u

struct jsonl_state {
    struct jcache data_type, host, channel, provider, source;
    struct jcache component[JC_WAYS];
    struct cb_timefmt_cache time;
};

/* s as a JSON string; what it wrote is kept when it is short and lies
 * whole in the buffer (no flush in between). */
static void cached_json_str(struct out *o, struct jcache *c, const char *s)
{
    if (c->valid && c->key == s) {
        put(o, c->text, c->len);
        return;
    }
    size_t before = o->n;
    uint64_t flushes = o->flushes;
    out_json_str(o, s);
    c->key = s;
    c->valid = 0;
    if (o->flushes == flushes && o->n - before <= sizeof c->text) {
        c->len = o->n - before;
        memcpy(c->text, o->buf + before, c->len);
        c->valid = 1;
    }
}

static struct jcache *way(struct jcache *set, const char *s)
{
    uintptr_t h = (uintptr_t)s;
    return &set[(h >> 4 ^ h >> 10) % JC_WAYS];
}

static void jsonl(struct out *o, struct jsonl_state *js,
                  const struct cb_event *e)
{
    LIT(o, "{\"datetime\":\"");
    char iso[CB_TIMEFMT_MAX];
    put(o, iso, cb_timefmt_iso_cached(&js->time, e->ts, iso));
    LIT(o, "\",\"timestamp\":");
    put_i64(o, cb_time_to_unix_us(e->ts));
    LIT(o, ",\"timestamp_desc\":\"Event Recorded\",\"message\":");
    struct cb_msgbuf mb;
    out_json_message(o, e->component, cb_event_message(e, &mb));
    LIT(o, ",\"data_type\":");
    cached_json_str(o, &js->data_type, e->source->data_type);
    LIT(o, ",\"host\":");
    cached_json_str(o, &js->host, e->host);
    LIT(o, ",\"channel\":");
    cached_json_str(o, &js->channel, e->channel);
    LIT(o, ",\"provider\":");
    cached_json_str(o, &js->provider, e->provider);
    LIT(o, ",\"event_id\":");
    if (e->flags & CB_EV_HAS_EVENT_ID)
        put_u64(o, e->event_id);
    else
        LIT(o, "null");
    LIT(o, ",\"level\":\"");
    out_str(o, cb_level_name(e->level));
    LIT(o, "\",\"record_id\":");
    if (e->flags & CB_EV_HAS_RECORD_ID)
        put_u64(o, e->record_id);
    else
        LIT(o, "null");
    LIT(o, ",\"component\":");
    cached_json_str(o, way(js->component, e->component), e->component);
    LIT(o, ",\"pid\":");
    if (e->flags & CB_EV_HAS_PID) {
        put_u64(o, e->pid);
        LIT(o, ",\"tid\":");
        put_u64(o, e->tid);
    } else {
        LIT(o, "null,\"tid\":null");
    }
    if (e->flags & CB_EV_TIME_ASSUMED)
        LIT(o, ",\"time_assumed\":true");
    else
        LIT(o, ",\"time_assumed\":false");
    /* from stale or damaged data */
    if (e->flags & CB_EV_RECOVERED)
        LIT(o, ",\"recovered\":true");
    else
        LIT(o, ",\"recovered\":false");
    LIT(o, ",\"source\":");
    cached_json_str(o, &js->source, e->source->path);
    if (e->source->origin_is_line)
        LIT(o, ",\"line\":");
    else
        LIT(o, ",\"offset\":");
    put_u64(o, e->origin);
    if (e->also) { /* the other sources that held the same record */
        LIT(o, ",\"seen_in\":[");
        for (const struct cb_also *a = e->also; a; a = a->next) {
            if (a != e->also)
                out_char(o, ',');
            LIT(o, "{\"source\":");
            out_json_str(o, a->source->path);
            if (a->source->origin_is_line)
                LIT(o, ",\"line\":");
            else
                LIT(o, ",\"offset\":");
            put_u64(o, a->origin);
            out_char(o, '}');
        }
        out_char(o, ']');
    }
    LIT(o, ",\"data\":{");
    for (uint32_t i = 0; i < e->nfields; i++) {
        if (i)
            out_char(o, ',');
        out_json_str(o, e->fields[i].name);
        out_char(o, ':');
        out_json_str(o, e->fields[i].value ? e->fields[i].value : "");
    }
    LIT(o, "}}\n");
}

/* Inside a quoted CSV field: quotes doubled, control characters blank. */
static void csv_quoted_body(struct out *o, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '"')
            out_str(o, "\"\"");
        else
            out_char(o, (unsigned char)*p < 0x20 ? ' ' : *p);
    }
}

static void csv_header(struct out *o)
{
    out_str(o, "datetime,timestamp,timestamp_desc,message,data_type,host,"
               "channel,provider,event_id,level,record_id,component,pid,tid,"
               "source,origin,data,seen_in\n");
}

static void csv_row(struct out *o, const struct cb_event *e)
{
    char iso[40], buf[64];
    cb_time_format_iso(e->ts, iso, sizeof iso);
    out_str(o, iso);
    out_char(o, ',');
    out_i64(o, cb_time_to_unix_us(e->ts));
    out_str(o, ",Event Recorded,");
    struct cb_msgbuf mb;
    const char *msg = cb_event_message(e, &mb);
    if (e->component) {
        /* one field holding "[COMP] message", always quoted */
        out_char(o, '"');
        out_char(o, '[');
        csv_quoted_body(o, e->component);
        out_str(o, "] ");
        csv_quoted_body(o, msg);
        out_char(o, '"');
    } else {
        out_csv_field(o, msg);
    }
    out_char(o, ',');
    out_csv_field(o, e->source->data_type);
    out_char(o, ',');
    out_csv_field(o, e->host);
    out_char(o, ',');
    out_csv_field(o, e->channel);
    out_char(o, ',');
    out_csv_field(o, e->provider);
    out_char(o, ',');
    if (e->flags & CB_EV_HAS_EVENT_ID)
        out_u64(o, e->event_id);
    out_char(o, ',');
    out_str(o, cb_level_name(e->level));
    out_char(o, ',');
    if (e->flags & CB_EV_HAS_RECORD_ID)
        out_u64(o, e->record_id);
    out_char(o, ',');
    out_csv_field(o, e->component);
    out_char(o, ',');
    if (e->flags & CB_EV_HAS_PID) {
        snprintf(buf, sizeof buf, "%u,%u", e->pid, e->tid);
        out_str(o, buf);
    } else {
        out_char(o, ',');
    }
    out_char(o, ',');
    out_csv_field(o, e->source->path);
    out_char(o, ',');
    out_str(o, e->source->origin_is_line ? "line " : "offset ");
    out_u64(o, e->origin);
    out_char(o, ',');
    /* data as name=value pairs separated by "; " */
    if (e->nfields) {
        out_char(o, '"');
        if (out_csv_formula(e->fields[0].name))
            out_char(o, '\'');
        for (uint32_t i = 0; i < e->nfields; i++) {
            if (i)
                out_str(o, "; ");
            csv_quoted_body(o, e->fields[i].name);
            out_char(o, '=');
            csv_quoted_body(o, e->fields[i].value);
        }
        out_char(o, '"');
    }
    out_char(o, ',');
    if (e->also) { /* "path (line N) | path (offset M)" */
        out_char(o, '"');
        if (out_csv_formula(e->also->source->path))
            out_char(o, '\'');
        for (const struct cb_also *a = e->also; a; a = a->next) {
            if (a != e->also)
                out_str(o, " | ");
            csv_quoted_body(o, a->source->path);
            out_str(o, a->source->origin_is_line ? " (line " : " (offset ");
            out_u64(o, a->origin);
            out_char(o, ')');
        }
        out_char(o, '"');
    }
    out_char(o, '\n');
}

static void text_line(struct out *o, const struct cb_event *e)
{
    char iso[CB_TIMEFMT_MAX];
    cb_timefmt_ms(e->ts, 'T', iso, sizeof iso); /* the zone is always UTC */
    out_str(o, iso);
    out_str(o, "Z ");
    out_text(o, e->host[0] ? e->host : "-");
    out_char(o, ' ');
    out_str(o, cb_level_name(e->level));
    out_char(o, ' ');
    out_text(o, e->channel);
    if (e->flags & CB_EV_HAS_EVENT_ID) {
        char b[24];
        snprintf(b, sizeof b, " %u", e->event_id);
        out_str(o, b);
    }
    out_str(o, ": ");
    message_text(o, e, out_text);
    out_char(o, '\n');
}

static void write_range(struct out *o, struct jsonl_state *js,
                        const struct cb_timeline *tl, size_t from, size_t to,
                        enum cb_timeline_format fmt)
{
    for (size_t i = from; i < to; i++) {
        const struct cb_event *e = tl->events[i];
        switch (fmt) {
        case CB_TL_JSONL: jsonl(o, js, e); break;
        case CB_TL_CSV: csv_row(o, e); break;
        case CB_TL_TEXT: text_line(o, e); break;
        }
    }
}

static void jsonl_state_init(struct jsonl_state *js)
{
    memset(js, 0, sizeof *js);
    cb_timefmt_cache_init(&js->time);
}

enum cb_status cb_timeline_write(FILE *f, const struct cb_timeline *tl,
                                 enum cb_timeline_format fmt)
{
    struct out *o = cb_malloc(sizeof *o); /* 64 KiB buffer: not on the stack */
    if (!o)
        return CB_E_NOMEM;
    out_init(o, f);
    struct jsonl_state js;
    jsonl_state_init(&js);
    if (fmt == CB_TL_CSV)
        csv_header(o);
    write_range(o, &js, tl, 0, tl->count, fmt);
    int rc = out_finish(o);
    cb_free(o);
    return rc == 0 ? CB_OK : CB_E_IO;
}

/* ---- on several threads ----------------------------------------------
 * Formatting is most of the work of writing a timeline, and each line
 * depends only on its event: formatters take blocks of BLOCK events in
 * turn and render each into a memory buffer of its slot; the calling
 * thread writes the slots in block order. A formatter may run at most
 * SLOTS_PER_JOB * jobs blocks ahead of the writer, which bounds memory
 * to that many rendered blocks. */

#define BLOCK 4096u
#define SLOTS_PER_JOB 2u
#define MAX_WRITE_JOBS 64u

struct wslot {
    struct out_mem mem;
    int ready, failed;
};

struct wpar {
    pthread_mutex_t mu;
    pthread_cond_t space, ready;
    const struct cb_timeline *tl;
    enum cb_timeline_format fmt;
    size_t nblocks, claimed, written;
    int stop;
    unsigned nslots;
    struct wslot *slots;
};

static void *formatter(void *arg)
{
    struct wpar *wp = arg;
    struct out *o = cb_malloc(sizeof *o);
    struct jsonl_state js;
    jsonl_state_init(&js);
    pthread_mutex_lock(&wp->mu);
    for (;;) {
        while (!wp->stop && wp->claimed < wp->nblocks &&
               wp->claimed >= wp->written + wp->nslots)
            pthread_cond_wait(&wp->space, &wp->mu);
        if (wp->stop || wp->claimed >= wp->nblocks)
            break;
        size_t b = wp->claimed++;
        struct wslot *s = &wp->slots[b % wp->nslots];
        pthread_mutex_unlock(&wp->mu);
        int failed = 1;
        if (o) {
            s->mem.n = 0;
            out_init_mem(o, &s->mem);
            size_t from = b * BLOCK;
            size_t to = from + BLOCK < wp->tl->count ? from + BLOCK
                                                     : wp->tl->count;
            write_range(o, &js, wp->tl, from, to, wp->fmt);
            failed = out_finish(o) != 0;
        }
        pthread_mutex_lock(&wp->mu);
        s->failed = failed;
        s->ready = 1;
        pthread_cond_broadcast(&wp->ready);
    }
    pthread_mutex_unlock(&wp->mu);
    cb_free(o);
    return NULL;
}

enum cb_status cb_timeline_write_jobs(FILE *f, const struct cb_timeline *tl,
                                      enum cb_timeline_format fmt,
                                      unsigned jobs)
{
    if (jobs > MAX_WRITE_JOBS)
        jobs = MAX_WRITE_JOBS;
    if (jobs <= 1 || tl->count < 4 * (size_t)BLOCK)
        return cb_timeline_write(f, tl, fmt);
    struct wpar wp = {.tl = tl,
                      .fmt = fmt,
                      .nblocks = (tl->count + BLOCK - 1) / BLOCK,
                      .nslots = SLOTS_PER_JOB * jobs};
    wp.slots = cb_calloc(wp.nslots, sizeof *wp.slots);
    if (!wp.slots)
        return CB_E_NOMEM;
    pthread_mutex_init(&wp.mu, NULL);
    pthread_cond_init(&wp.space, NULL);
    pthread_cond_init(&wp.ready, NULL);
    pthread_t th[MAX_WRITE_JOBS];
    unsigned started = 0;
    for (; started < jobs; started++)
        if (pthread_create(&th[started], NULL, formatter, &wp) != 0)
            break;
    enum cb_status rc = started ? CB_OK : CB_E_NOMEM;
    if (rc == CB_OK && fmt == CB_TL_CSV) {
        struct out *o = cb_malloc(sizeof *o);
        if (o) {
            out_init(o, f);
            csv_header(o);
            if (out_finish(o) != 0)
                rc = CB_E_IO;
            cb_free(o);
        } else {
            rc = CB_E_NOMEM;
        }
    }
    for (size_t b = 0; rc == CB_OK && b < wp.nblocks; b++) {
        struct wslot *s = &wp.slots[b % wp.nslots];
        pthread_mutex_lock(&wp.mu);
        while (!s->ready)
            pthread_cond_wait(&wp.ready, &wp.mu);
        pthread_mutex_unlock(&wp.mu);
        if (s->failed)
            rc = CB_E_NOMEM;
        else if (s->mem.n && fwrite(s->mem.p, 1, s->mem.n, f) != s->mem.n)
            rc = CB_E_IO;
        pthread_mutex_lock(&wp.mu);
        s->ready = 0;
        wp.written = b + 1;
        pthread_cond_broadcast(&wp.space);
        pthread_mutex_unlock(&wp.mu);
    }
    pthread_mutex_lock(&wp.mu);
    wp.stop = 1;
    pthread_cond_broadcast(&wp.space);
    pthread_mutex_unlock(&wp.mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (rc == CB_OK && fflush(f) != 0)
        rc = CB_E_IO;
    for (unsigned i = 0; i < wp.nslots; i++)
        cb_free(wp.slots[i].mem.p);
    cb_free(wp.slots);
    pthread_cond_destroy(&wp.space);
    pthread_cond_destroy(&wp.ready);
    pthread_mutex_destroy(&wp.mu);
    return rc;
}
