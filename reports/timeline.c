/*
 * timeline.c - the merged timeline as JSONL (Timesketch import shape),
 * CSV (same columns, data flattened) or text (one line per event).
 */
#include <stdlib.h>
#include <string.h>

#include "casebrief/alloc.h"
#include "casebrief/report.h"
#include "out.h"

static void origin_key(struct out *o, const struct cb_event *e)
{
    if (e->source->origin_is_line) {
        out_str(o, ",\"line\":");
        out_u64(o, e->origin);
    } else {
        out_str(o, ",\"offset\":");
        out_u64(o, e->origin);
    }
}

/* The other sources that held the same record: ,"seen_in":[...] */
static void seen_in_json(struct out *o, const struct cb_event *e)
{
    if (!e->also)
        return;
    out_str(o, ",\"seen_in\":[");
    for (const struct cb_also *a = e->also; a; a = a->next) {
        if (a != e->also)
            out_char(o, ',');
        out_str(o, "{\"source\":");
        out_json_str(o, a->source->path);
        out_str(o, a->source->origin_is_line ? ",\"line\":" : ",\"offset\":");
        out_u64(o, a->origin);
        out_char(o, '}');
    }
    out_char(o, ']');
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
    out_str(o, "{\"datetime\":\"");
    out_str(o, iso);
    out_str(o, "\",\"timestamp\":");
    out_i64(o, cb_time_to_unix_us(e->ts));
    out_str(o, ",\"timestamp_desc\":\"Event Recorded\",\"message\":");
    out_json_message(o, e->component, e->message);
    out_str(o, ",\"data_type\":");
    out_json_str(o, e->source->data_type);
    out_str(o, ",\"host\":");
    out_json_str(o, e->host);
    out_str(o, ",\"channel\":");
    out_json_str(o, e->channel);
    out_str(o, ",\"provider\":");
    out_json_str(o, e->provider);
    out_str(o, ",\"event_id\":");
    if (e->flags & CB_EV_HAS_EVENT_ID)
        out_u64(o, e->event_id);
    else
        out_str(o, "null");
    out_str(o, ",\"level\":\"");
    out_str(o, cb_level_name(e->level));
    out_str(o, "\",\"record_id\":");
    if (e->flags & CB_EV_HAS_RECORD_ID)
        out_u64(o, e->record_id);
    else
        out_str(o, "null");
    out_str(o, ",\"component\":");
    out_json_str(o, e->component);
    out_str(o, ",\"pid\":");
    if (e->flags & CB_EV_HAS_PID) {
        out_u64(o, e->pid);
        out_str(o, ",\"tid\":");
        out_u64(o, e->tid);
    } else {
        out_str(o, "null,\"tid\":null");
    }
    out_str(o, ",\"time_assumed\":");
    out_str(o, e->flags & CB_EV_TIME_ASSUMED ? "true" : "false");
    out_str(o, ",\"recovered\":"); /* from stale or damaged data */
    out_str(o, e->flags & CB_EV_RECOVERED ? "true" : "false");
    out_str(o, ",\"source\":");
    out_json_str(o, e->source->path);
    origin_key(o, e);
    seen_in_json(o, e);
    out_str(o, ",\"data\":{");
    for (uint32_t i = 0; i < e->nfields; i++) {
        if (i)
            out_char(o, ',');
        out_json_str(o, e->fields[i].name);
        out_char(o, ':');
        out_json_str(o, e->fields[i].value ? e->fields[i].value : "");
    }
    out_str(o, "}}\n");
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
    out_char(o, ',');
    if (e->also) { /* "path (line N) | path (offset M)" */
        out_char(o, '"');
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

enum cb_status cb_timeline_write(FILE *f, const struct cb_timeline *tl,
                                 enum cb_timeline_format fmt)
{
    struct out *o = cb_malloc(sizeof *o); /* 64 KiB buffer: not on the stack */
    if (!o)
        return CB_E_NOMEM;
    out_init(o, f);
    if (fmt == CB_TL_CSV)
        csv_header(o);
    for (size_t i = 0; i < tl->count; i++) {
        const struct cb_event *e = tl->events[i];
        switch (fmt) {
        case CB_TL_JSONL: jsonl(o, e); break;
        case CB_TL_CSV: csv_row(o, e); break;
        case CB_TL_TEXT: text_line(o, e); break;
        }
    }
    int rc = out_finish(o);
    cb_free(o);
    return rc == 0 ? CB_OK : CB_E_IO;
}
