/*
 * timeline.c - the merged timeline as JSONL (Timesketch import shape),
 * CSV (same columns, data flattened) or text (one line per event).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "casebrief/alloc.h"
#include "casebrief/report.h"
#include "out.h"

/* A string literal, its length known at compile time. */
#define OUT_LIT(o, lit) out_bytes((o), lit, sizeof lit - 1)

static void origin_key(struct out *o, const struct cb_event *e)
{
    if (e->source->origin_is_line) {
        OUT_LIT(o, ",\"line\":");
        out_u64(o, e->origin);
    } else {
        OUT_LIT(o, ",\"offset\":");
        out_u64(o, e->origin);
    }
}

/* "[RCM] text" for cluster.log, the message alone otherwise. */
static void message_text(struct out *o, const struct cb_event *e,
                         void (*put)(struct out *, const char *))
{
    if (!e->component) {
        put(o, e->message);
        return;
    }
    char head[64];
    snprintf(head, sizeof head, "[%s] ", e->component);
    put(o, head);
    put(o, e->message);
}

static void jsonl(struct out *o, const struct cb_event *e)
{
    char iso[40];
    cb_time_format_iso(e->ts, iso, sizeof iso);
    OUT_LIT(o, "{\"datetime\":\"");
    out_str(o, iso);
    OUT_LIT(o, "\",\"timestamp\":");
    out_i64(o, cb_time_to_unix_us(e->ts));
    OUT_LIT(o, ",\"timestamp_desc\":\"Event Recorded\",\"message\":");
    out_json_message(o, e->component, e->message);
    OUT_LIT(o, ",\"data_type\":");
    out_json_str(o, e->source->data_type);
    OUT_LIT(o, ",\"host\":");
    out_json_str(o, e->host);
    OUT_LIT(o, ",\"channel\":");
    out_json_str(o, e->channel);
    OUT_LIT(o, ",\"provider\":");
    out_json_str(o, e->provider);
    OUT_LIT(o, ",\"event_id\":");
    if (e->flags & CB_EV_HAS_EVENT_ID)
        out_u64(o, e->event_id);
    else
        OUT_LIT(o, "null");
    OUT_LIT(o, ",\"level\":\"");
    out_str(o, cb_level_name(e->level));
    OUT_LIT(o, "\",\"record_id\":");
    if (e->flags & CB_EV_HAS_RECORD_ID)
        out_u64(o, e->record_id);
    else
        OUT_LIT(o, "null");
    OUT_LIT(o, ",\"component\":");
    out_json_str(o, e->component);
    OUT_LIT(o, ",\"pid\":");
    if (e->flags & CB_EV_HAS_PID) {
        out_u64(o, e->pid);
        OUT_LIT(o, ",\"tid\":");
        out_u64(o, e->tid);
    } else {
        OUT_LIT(o, "null,\"tid\":null");
    }
    OUT_LIT(o, ",\"time_assumed\":");
    out_str(o, e->flags & CB_EV_TIME_ASSUMED ? "true" : "false");
    OUT_LIT(o, ",\"recovered\":"); /* from stale or damaged data */
    out_str(o, e->flags & CB_EV_RECOVERED ? "true" : "false");
    OUT_LIT(o, ",\"source\":");
    out_json_str(o, e->source->path);
    origin_key(o, e);
    OUT_LIT(o, ",\"data\":{");
    for (uint32_t i = 0; i < e->nfields; i++) {
        if (i)
            out_char(o, ',');
        out_json_str(o, e->fields[i].name);
        out_char(o, ':');
        out_json_str(o, e->fields[i].value ? e->fields[i].value : "");
    }
    OUT_LIT(o, "}}\n");
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
               "source,origin,data\n");
}

static void csv_row(struct out *o, const struct cb_event *e)
{
    char iso[40], buf[64];
    cb_time_format_iso(e->ts, iso, sizeof iso);
    out_str(o, iso);
    out_char(o, ',');
    out_i64(o, cb_time_to_unix_us(e->ts));
    out_str(o, ",Event Recorded,");
    if (e->component) {
        /* one field holding "[COMP] message", always quoted */
        out_char(o, '"');
        out_char(o, '[');
        csv_quoted_body(o, e->component);
        out_str(o, "] ");
        csv_quoted_body(o, e->message);
        out_char(o, '"');
    } else {
        out_csv_field(o, e->message);
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
        for (uint32_t i = 0; i < e->nfields; i++) {
            if (i)
                out_str(o, "; ");
            csv_quoted_body(o, e->fields[i].name);
            out_char(o, '=');
            csv_quoted_body(o, e->fields[i].value);
        }
        out_char(o, '"');
    }
    out_char(o, '\n');
}

static void text_line(struct out *o, const struct cb_event *e)
{
    char iso[40];
    cb_time_format_iso(e->ts, iso, sizeof iso);
    iso[23] = '\0'; /* milliseconds; the zone is always UTC */
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

static void write_events(struct out *o, const struct cb_timeline *tl,
                         enum cb_timeline_format fmt, size_t first, size_t n)
{
    for (size_t i = first; i < first + n; i++) {
        const struct cb_event *e = tl->events[i];
        switch (fmt) {
        case CB_TL_JSONL: jsonl(o, e); break;
        case CB_TL_CSV: csv_row(o, e); break;
        case CB_TL_TEXT: text_line(o, e); break;
        }
    }
}

/* ---- with -j N: batches formatted on N threads, written in order ------
 *
 * Batch b is formatted into memory by thread b % N and lands in slot
 * b % (2 N); the caller writes the slots in order and frees them, so at
 * most 2 N batches are held. The bytes are those of one thread. */

#define BATCH 1024u
#define MAX_WRITERS 64u

struct batch {
    char *buf;
    size_t len;
    int state; /* 0 free, 1 formatted, -1 failed */
};

struct wpool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const struct cb_timeline *tl;
    enum cb_timeline_format fmt;
    size_t nbatches, written; /* batches written so far */
    unsigned nslots;
    struct batch *slots;
    int stop;
};

struct writer {
    struct wpool *wp;
    unsigned idx, step;
    pthread_t thread;
};

static int format_batch(struct wpool *wp, size_t b, char **buf, size_t *len)
{
    size_t first = b * BATCH;
    size_t n = wp->tl->count - first < BATCH ? wp->tl->count - first : BATCH;
    *buf = NULL;
    *len = 0;
    FILE *m = open_memstream(buf, len);
    struct out *o = m ? cb_malloc(sizeof *o) : NULL;
    if (!o) {
        if (m)
            fclose(m);
        free(*buf);
        *buf = NULL;
        return -1;
    }
    out_init(o, m);
    write_events(o, wp->tl, wp->fmt, first, n);
    int rc = out_finish(o);
    cb_free(o);
    if (fclose(m) != 0)
        rc = -1;
    return rc;
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    struct wpool *wp = w->wp;
    for (size_t b = w->idx; b < wp->nbatches; b += w->step) {
        pthread_mutex_lock(&wp->mu);
        /* its slot is free once the batch nslots before it is written */
        while (!wp->stop && b >= wp->written + wp->nslots)
            pthread_cond_wait(&wp->cv, &wp->mu);
        int stop = wp->stop;
        pthread_mutex_unlock(&wp->mu);
        if (stop)
            break;
        char *buf;
        size_t len;
        int rc = format_batch(wp, b, &buf, &len);
        pthread_mutex_lock(&wp->mu);
        struct batch *s = &wp->slots[b % wp->nslots];
        s->buf = buf;
        s->len = len;
        s->state = rc == 0 ? 1 : -1;
        pthread_cond_broadcast(&wp->cv);
        pthread_mutex_unlock(&wp->mu);
    }
    return NULL;
}

/* 1 written, 0 when threads could not be had (write it serially), -1 on
 * a failed write or out of memory. */
static int write_parallel(FILE *f, const struct cb_timeline *tl,
                          enum cb_timeline_format fmt, unsigned jobs)
{
    if (jobs > MAX_WRITERS)
        jobs = MAX_WRITERS;
    struct wpool wp = {.tl = tl, .fmt = fmt, .nslots = 2 * jobs};
    wp.nbatches = (tl->count + BATCH - 1) / BATCH;
    wp.slots = cb_calloc(wp.nslots, sizeof *wp.slots);
    struct writer *w = cb_calloc(jobs, sizeof *w);
    if (!wp.slots || !w || pthread_mutex_init(&wp.mu, NULL) != 0) {
        cb_free(wp.slots);
        cb_free(w);
        return 0;
    }
    pthread_cond_init(&wp.cv, NULL);
    unsigned started = 0;
    for (; started < jobs; started++) {
        w[started].wp = &wp;
        w[started].idx = started;
        w[started].step = jobs;
        if (pthread_create(&w[started].thread, NULL, writer_main,
                           &w[started]) != 0)
            break;
    }
    int rc = 1;
    if (started < jobs) { /* batches of the missing threads never come */
        pthread_mutex_lock(&wp.mu);
        wp.stop = 1;
        pthread_cond_broadcast(&wp.cv);
        pthread_mutex_unlock(&wp.mu);
        rc = 0;
    }
    for (size_t b = 0; rc == 1 && b < wp.nbatches; b++) {
        struct batch *s = &wp.slots[b % wp.nslots];
        pthread_mutex_lock(&wp.mu);
        while (s->state == 0)
            pthread_cond_wait(&wp.cv, &wp.mu);
        pthread_mutex_unlock(&wp.mu);
        if (s->state < 0 ||
            (s->len && fwrite(s->buf, 1, s->len, f) != s->len))
            rc = -1;
        free(s->buf);
        pthread_mutex_lock(&wp.mu);
        s->buf = NULL;
        s->state = 0;
        wp.written++;
        if (rc != 1)
            wp.stop = 1;
        pthread_cond_broadcast(&wp.cv);
        pthread_mutex_unlock(&wp.mu);
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    for (unsigned i = 0; i < wp.nslots; i++)
        free(wp.slots[i].buf);
    pthread_cond_destroy(&wp.cv);
    pthread_mutex_destroy(&wp.mu);
    cb_free(wp.slots);
    cb_free(w);
    if (rc == 1 && fflush(f) != 0)
        rc = -1;
    return rc;
}

enum cb_status cb_timeline_write(FILE *f, const struct cb_timeline *tl,
                                 enum cb_timeline_format fmt)
{
    struct out *o = cb_malloc(sizeof *o); /* 64 KiB buffer: not on the stack */
    if (!o)
        return CB_E_NOMEM;
    out_init(o, f);
    if (fmt == CB_TL_CSV)
        csv_header(o);
    if (tl->jobs > 1 && tl->count > BATCH) {
        int rc = out_finish(o); /* the header first */
        if (rc == 0)
            rc = write_parallel(f, tl, fmt, tl->jobs);
        if (rc != 0) { /* written, or failed */
            cb_free(o);
            return rc == 1 ? CB_OK : CB_E_IO;
        }
    }
    write_events(o, tl, fmt, 0, tl->count);
    int rc = out_finish(o);
    cb_free(o);
    return rc == 0 ? CB_OK : CB_E_IO;
}
