/*
 * json.c - report.json: the inventory of every source, bundle-level
 * warnings, hosts, findings and evidence gaps. Keys are written in a fixed
 * order and arrays in a deterministic one, so equal input gives equal
 * bytes.
 */
#include <string.h>

#include "alloc.h"
#include "casebrief/casebrief.h"
#include "out.h"
#include "shutdown.h"
#include "view.h"

static void indent(struct out *o, int level)
{
    out_char(o, '\n');
    for (int i = 0; i < level; i++)
        out_str(o, "  ");
}

static void key(struct out *o, int level, const char *k, int first)
{
    if (!first)
        out_char(o, ',');
    indent(o, level);
    out_json_str(o, k);
    out_str(o, ": ");
}

static void time_value(struct out *o, cb_time t)
{
    if (t == CB_TIME_NONE) {
        out_str(o, "null");
        return;
    }
    char iso[40];
    cb_time_format_iso(t, iso, sizeof iso);
    out_json_str(o, iso);
}

static void warning_obj(struct out *o, int level, const struct cb_warning *w,
                        int with_source)
{
    out_char(o, '{');
    int first = 1;
    if (with_source) {
        key(o, level + 1, "source", first);
        out_json_str(o, w->source);
        first = 0;
    }
    if (w->where_kind == CB_WHERE_LINE || w->where_kind == CB_WHERE_OFFSET) {
        key(o, level + 1, w->where_kind == CB_WHERE_LINE ? "line" : "offset",
            first);
        out_u64(o, w->where);
        first = 0;
    }
    key(o, level + 1, "message", first);
    out_json_str(o, w->msg);
    indent(o, level);
    out_char(o, '}');
}

/* "clock": how far this host's clock runs ahead of each other host's,
 * estimated from records both logged (gaps.c), in milliseconds. */
static void host_clock(struct out *o, const char *name,
                       const struct cb_gaps *gaps)
{
    key(o, 3, "clock_skew", 0);
    out_char(o, '[');
    int any = 0;
    for (size_t i = 0; gaps && i < gaps->count; i++) {
        const struct cb_gap *g = &gaps->items[i];
        if (g->kind != CB_GAP_CLOCK_SKEW || !g->host || !g->other_host)
            continue;
        int ahead = strcmp(g->host, name) == 0;
        if (!ahead && strcmp(g->other_host, name) != 0)
            continue;
        if (any++)
            out_char(o, ',');
        out_str(o, "{\"vs\":");
        out_json_str(o, ahead ? g->other_host : g->host);
        out_str(o, ",\"ahead_ms\":");
        out_i64(o, ahead ? g->skew_ms : -g->skew_ms);
        out_str(o, ",\"samples\":");
        out_u64(o, g->samples);
        out_char(o, '}');
    }
    out_char(o, ']');
}

/* The hosts of sources and of their events (not those only evidence
 * names: the HTML report adds them), by name. */
static void hosts(struct out *o, const struct cb_view *v,
                  const struct cb_gaps *gaps)
{
    out_char(o, '[');
    size_t n = 0;
    for (size_t i = 0; i < v->nhosts; i++) {
        const struct cb_view_host *h = &v->hosts[i];
        if (h->seen == CB_VIEW_SEEN_EVIDENCE)
            continue;
        if (n++)
            out_char(o, ',');
        indent(o, 2);
        out_char(o, '{');
        key(o, 3, "name", 1);
        out_json_str(o, h->name);
        key(o, 3, "sources", 0);
        out_u64(o, h->sources);
        key(o, 3, "events", 0);
        out_u64(o, h->events);
        key(o, 3, "first", 0);
        time_value(o, h->first);
        key(o, 3, "last", 0);
        time_value(o, h->last);
        host_clock(o, h->name, gaps);
        indent(o, 2);
        out_char(o, '}');
    }
    if (n)
        indent(o, 1);
    out_char(o, ']');
}

static void source_obj(struct out *o, const struct cb_source *s)
{
    out_char(o, '{');
    key(o, 3, "path", 1);
    out_json_str(o, s->path);
    key(o, 3, "format", 0);
    out_json_str(o, s->format);
    key(o, 3, "note", 0);
    out_json_str(o, s->note);
    key(o, 3, "host", 0);
    out_json_str(o, s->host[0] ? s->host : NULL);
    key(o, 3, "host_from", 0);
    out_json_str(o, s->host_rule);
    key(o, 3, "bytes", 0);
    out_u64(o, s->bytes);
    key(o, 3, "events", 0); /* read, less duplicates */
    out_u64(o, cb_view_source_events(s));
    key(o, 3, "not_kept", 0);
    out_u64(o, s->not_kept);
    key(o, 3, "duplicates", 0);
    out_u64(o, s->duplicates);
    key(o, 3, "left_out", 0); /* by --window / --host */
    out_u64(o, s->scope_out + s->scope_out_nk);
    key(o, 3, "first", 0);
    time_value(o, s->first);
    key(o, 3, "last", 0);
    time_value(o, s->last);
    key(o, 3, "time_basis", 0);
    out_json_str(o, s->time_basis[0] ? s->time_basis : NULL);
    key(o, 3, "time_basis_detail", 0);
    out_json_str(o, s->time_basis_detail);
    key(o, 3, "warnings", 0);
    out_char(o, '[');
    int i = 0;
    for (const struct cb_warning *w = s->warnings; w; w = w->next, i++) {
        if (i)
            out_char(o, ',');
        indent(o, 4);
        warning_obj(o, 4, w, 0);
    }
    if (i)
        indent(o, 3);
    out_char(o, ']');
    key(o, 3, "warnings_suppressed", 0);
    out_u64(o, cb_view_warnings_suppressed(s));
    indent(o, 2);
    out_char(o, '}');
}

static void string_array(struct out *o, const char *const *v, size_t n)
{
    out_char(o, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            out_str(o, ", ");
        out_json_str(o, v[i]);
    }
    out_char(o, ']');
}

/* Configuration tables the sources carried (cluster.log sections), in
 * source order: one object per table, one line per row. */
static void configuration(struct out *o, const struct cb_analysis *an)
{
    out_char(o, '[');
    int first = 1;
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        for (const struct cb_table *t = s->tables; t; t = t->next) {
            if (!first)
                out_char(o, ',');
            first = 0;
            indent(o, 2);
            out_char(o, '{');
            key(o, 3, "host", 1);
            out_json_str(o, t->host[0] ? t->host : NULL);
            key(o, 3, "source", 0);
            out_json_str(o, s->path);
            key(o, 3, "section", 0);
            out_json_str(o, t->section);
            key(o, 3, "line", 0);
            out_u64(o, t->line);
            key(o, 3, "columns", 0);
            string_array(o, t->cols, t->ncols);
            key(o, 3, "rows", 0);
            out_char(o, '[');
            for (const struct cb_row *r = t->rows; r; r = r->next) {
                if (r != t->rows)
                    out_char(o, ',');
                indent(o, 4);
                string_array(o, r->vals, r->nvals);
            }
            if (t->rows)
                indent(o, 3);
            out_char(o, ']');
            indent(o, 2);
            out_char(o, '}');
        }
    }
    if (!first)
        indent(o, 1);
    out_char(o, ']');
}

/* A finding's outages: [{host, from, to, stop, how, from_by}]. */
static void outages_json(struct out *o, const struct cb_finding *f)
{
    out_char(o, '[');
    for (size_t k = 0; k < f->noutages; k++) {
        const struct cb_outage *u = &f->outages[k];
        out_str(o, k ? ", {\"host\": " : "{\"host\": ");
        out_json_str(o, u->host);
        out_str(o, ", \"from\": ");
        time_value(o, u->from);
        out_str(o, ", \"to\": ");
        time_value(o, u->to);
        out_str(o, ", \"stop\": ");
        if (u->stop != CB_TIME_NONE)
            time_value(o, u->stop);
        else
            out_str(o, "null");
        out_str(o, ", \"how\": ");
        out_json_str(o, u->how);
        out_str(o, ", \"from_by\": ");
        out_json_str(o, u->from_by);
        out_char(o, '}');
    }
    out_char(o, ']');
}

static void evidence_json(struct out *o, const struct cb_evidence *x)
{
    const struct cb_event *e = x->ev;
    out_char(o, '{');
    key(o, 5, "datetime", 1);
    time_value(o, e->ts);
    key(o, 5, "host", 0);
    out_json_str(o, e->host[0] ? e->host : NULL);
    key(o, 5, "channel", 0);
    out_json_str(o, e->channel);
    key(o, 5, "provider", 0);
    out_json_str(o, e->provider);
    key(o, 5, "event_id", 0);
    if (e->flags & CB_EV_HAS_EVENT_ID)
        out_u64(o, e->event_id);
    else
        out_str(o, "null");
    key(o, 5, "source", 0);
    out_json_str(o, e->source->path);
    if (e->flags & CB_EV_HAS_RECORD_ID) {
        key(o, 5, "record_id", 0);
        out_u64(o, e->record_id);
    } else {
        key(o, 5, e->source->origin_is_line ? "line" : "offset", 0);
        out_u64(o, e->origin);
    }
    key(o, 5, "role", 0);
    out_json_str(o, x->role);
    key(o, 5, "message", 0);
    struct cb_msgbuf mb;
    out_json_message(o, e->component, cb_event_message(e, &mb));
    indent(o, 4);
    out_char(o, '}');
}

static void ref_value(struct out *o, char letter, size_t i)
{
    char ref[32];
    snprintf(ref, sizeof ref, "%c%zu", letter, i + 1);
    out_json_str(o, ref);
}

/* incidents[]: each with its findings' refs, the root's first. */
static void incidents_json(struct out *o, const struct cb_view *v)
{
    const struct cb_incidents *is = &v->incidents;
    out_char(o, '[');
    for (size_t i = 0; i < is->count; i++) {
        const struct cb_incident *in = &is->items[i];
        if (i)
            out_char(o, ',');
        indent(o, 2);
        out_char(o, '{');
        key(o, 3, "ref", 1);
        out_json_str(o, in->ref);
        key(o, 3, "title", 0);
        out_json_str(o, in->title);
        key(o, 3, "severity", 0);
        out_json_str(o, cb_severity_name(in->severity));
        key(o, 3, "summary", 0);
        out_json_str(o, in->summary);
        key(o, 3, "first", 0);
        time_value(o, in->first);
        key(o, 3, "last", 0);
        time_value(o, in->last);
        key(o, 3, "hosts", 0);
        string_array(o, in->hosts, in->nhosts);
        key(o, 3, "outside", 0); /* of hosts outside the cluster */
        out_str(o, in->apart ? "true" : "false");
        key(o, 3, "root", 0);
        ref_value(o, 'F', in->root);
        key(o, 3, "findings", 0);
        out_char(o, '[');
        for (size_t k = 0; k < in->nmembers; k++) {
            if (k)
                out_str(o, ", ");
            ref_value(o, 'F', in->members[k]);
        }
        out_char(o, ']');
        indent(o, 2);
        out_char(o, '}');
    }
    if (is->count)
        indent(o, 1);
    out_char(o, ']');
}

static void findings_json(struct out *o, const struct cb_view *v)
{
    const struct cb_findings *fs = v->in->findings;
    out_char(o, '[');
    size_t n = fs ? fs->count : 0;
    for (size_t i = 0; i < n; i++) {
        const struct cb_finding *f = &fs->items[i];
        if (i)
            out_char(o, ',');
        indent(o, 2);
        out_char(o, '{');
        key(o, 3, "ref", 1);
        ref_value(o, 'F', i);
        key(o, 3, "incident", 0);
        out_json_str(o, i < v->incidents.nfindings
                            ? v->incidents.items[v->incidents.of_finding[i]].ref
                            : NULL);
        key(o, 3, "id", 0);
        out_json_str(o, f->id);
        key(o, 3, "pattern", 0);
        out_json_str(o, f->pattern);
        key(o, 3, "title", 0);
        out_json_str(o, f->title);
        key(o, 3, "severity", 0);
        out_json_str(o, cb_severity_name(f->severity));
        key(o, 3, "confidence", 0);
        out_u64(o, (uint64_t)f->confidence);
        key(o, 3, "hosts", 0);
        string_array(o, f->hosts, f->nhosts);
        key(o, 3, "entities", 0);
        out_char(o, '[');
        for (size_t k = 0; k < f->nentities; k++) {
            if (k)
                out_str(o, ", ");
            out_str(o, "{\"name\": ");
            out_json_str(o, f->entities[k].name);
            out_str(o, ", \"value\": ");
            out_json_str(o, f->entities[k].value);
            out_char(o, '}');
        }
        out_char(o, ']');
        key(o, 3, "first", 0);
        time_value(o, f->first);
        key(o, 3, "last", 0);
        time_value(o, f->last);
        key(o, 3, "count", 0);
        out_u64(o, f->count);
        key(o, 3, "went_down", 0);
        if (v->went_down[i] != CB_TIME_NONE)
            time_value(o, v->went_down[i]);
        else
            out_str(o, "null");
        key(o, 3, "stop", 0);
        out_json_str(o, cb_stop_kind_text((enum cb_stop_kind)v->stop_kind[i]));
        key(o, 3, "outages", 0);
        outages_json(o, f);
        key(o, 3, "summary", 0);
        out_json_str(o, f->summary);
        key(o, 3, "evidence", 0);
        out_char(o, '[');
        for (size_t k = 0; k < f->nevidence; k++) {
            if (k)
                out_char(o, ',');
            indent(o, 4);
            evidence_json(o, &f->evidence[k]);
        }
        if (f->nevidence)
            indent(o, 3);
        out_char(o, ']');
        key(o, 3, "cause", 0);
        out_json_str(o, f->cause);
        key(o, 3, "remediation", 0);
        out_char(o, '[');
        size_t ns = v->stepoff ? v->stepoff[i + 1] - v->stepoff[i] : 0;
        for (size_t k = 0; k < ns; k++) {
            const struct cb_view_step *rm = &v->steps[v->stepoff[i] + k];
            if (k)
                out_char(o, ',');
            indent(o, 4);
            out_str(o, "{\"step\": ");
            out_json_str(o, rm->text);
            out_str(o, ", \"kind\": ");
            out_json_str(o, cb_step_kind_name(rm->kind));
            out_str(o, ", \"powershell\": ");
            out_json_str(o, rm->powershell);
            out_str(o, ", \"warning\": ");
            out_json_str(o, rm->warning);
            out_str(o, ", \"unknown_values\": ");
            out_u64(o, rm->unknown);
            out_char(o, '}');
        }
        if (ns)
            indent(o, 3);
        out_char(o, ']');
        key(o, 3, "collect", 0);
        string_array(o, f->collect, f->ncollect);
        key(o, 3, "references", 0);
        string_array(o, f->references, f->nreferences);
        indent(o, 2);
        out_char(o, '}');
    }
    if (n)
        indent(o, 1);
    out_char(o, ']');
}

static void gaps_json(struct out *o, const struct cb_gaps *g)
{
    out_char(o, '[');
    size_t n = g ? g->count : 0;
    for (size_t i = 0; i < n; i++) {
        const struct cb_gap *x = &g->items[i];
        if (i)
            out_char(o, ',');
        indent(o, 2);
        out_char(o, '{');
        key(o, 3, "kind", 1);
        out_json_str(o, x->kind == CB_GAP_MISSING_CHANNEL ? "missing-channel"
                        : x->kind == CB_GAP_TIME_ASSUMED   ? "time-assumed"
                        : x->kind == CB_GAP_SILENT         ? "silent-period"
                        : x->kind == CB_GAP_LOST           ? "lost-evidence"
                                                           : "clock-skew");
        key(o, 3, "subject", 0);
        out_json_str(o, x->subject);
        key(o, 3, "detail", 0);
        out_json_str(o, x->detail);
        key(o, 3, "collect", 0);
        out_json_str(o, x->collect);
        key(o, 3, "rules", 0);
        string_array(o, x->rules, x->nrules);
        if (x->kind == CB_GAP_CLOCK_SKEW) {
            key(o, 3, "ahead", 0);
            out_json_str(o, x->host);
            key(o, 3, "behind", 0);
            out_json_str(o, x->other_host);
            key(o, 3, "skew_ms", 0);
            out_i64(o, x->skew_ms);
            key(o, 3, "samples", 0);
            out_u64(o, x->samples);
        }
        if (x->kind == CB_GAP_SILENT || x->kind == CB_GAP_LOST) {
            key(o, 3, "host", 0);
            out_json_str(o, x->host && x->host[0] ? x->host : NULL);
            key(o, 3, "from", 0);
            time_value(o, x->from);
            key(o, 3, "to", 0);
            time_value(o, x->to);
        }
        indent(o, 2);
        out_char(o, '}');
    }
    if (n)
        indent(o, 1);
    out_char(o, ']');
}

/* "complete" and "damaged": what could not be read completely. */
static void damaged(struct out *o, const struct cb_view *v)
{
    key(o, 2, "complete", 0);
    out_str(o, v->complete ? "true" : "false");
    key(o, 2, "damaged", 0);
    out_char(o, '[');
    for (size_t i = 0; i < v->ndamaged; i++) {
        const struct cb_damage *d = &v->damaged[i];
        if (i)
            out_char(o, ',');
        indent(o, 3);
        out_char(o, '{');
        key(o, 4, "source", 1);
        out_json_str(o, d->source);
        key(o, 4, "kind", 0);
        out_json_str(o, cb_damage_kind_name(d->kind));
        key(o, 4, "detail", 0);
        out_json_str(o, d->detail);
        key(o, 4, "problems", 0);
        out_u64(o, d->count);
        indent(o, 3);
        out_char(o, '}');
    }
    if (v->ndamaged)
        indent(o, 2);
    out_char(o, ']');
}

/* --max-memory and what it cost (struct cb_budget); budget 0: none. */
static void memory_budget(struct out *o, const struct cb_budget *b)
{
    out_char(o, '{');
    key(o, 3, "budget", 1);
    out_u64(o, b->bytes);
    key(o, 3, "lines_not_kept", 0);
    out_u64(o, b->lines);
    key(o, 3, "evidence_not_kept", 0);
    out_u64(o, b->evidence);
    key(o, 3, "rules_affected", 0);
    string_array(o, b->rules, b->nrules);
    key(o, 3, "kept_past_budget", 0);
    out_u64(o, b->unfiltered);
    indent(o, 2);
    out_char(o, '}');
}

/* summary.scope: the cluster's membership, the hosts outside it and
 * why, and the run's --window / --host with what they left out. */
static void scope_json(struct out *o, const struct cb_view *v)
{
    static const char *const by[] = {"unknown", "cluster events",
                                      "cluster.log Nodes"};
    const struct cb_scope_result *sr = &v->scope;
    out_char(o, '{');
    key(o, 3, "members_from", 1);
    out_json_str(o, by[sr->members]);
    key(o, 3, "nodes", 0);
    string_array(o, sr->nodes, sr->nnodes);
    key(o, 3, "outside", 0);
    out_char(o, '[');
    size_t n = 0;
    for (size_t i = 0; i < sr->nhosts; i++) {
        const struct cb_scope_host *h = &sr->hosts[i];
        if (!h->outside)
            continue;
        char why[512];
        cb_scope_reason(sr, h, why, sizeof why);
        out_str(o, n++ ? ", {" : "{");
        out_str(o, "\"host\": ");
        out_json_str(o, h->name);
        out_str(o, ", \"reason\": ");
        out_json_str(o, why);
        out_str(o, ", \"first\": ");
        time_value(o, h->first);
        out_str(o, ", \"last\": ");
        time_value(o, h->last);
        out_char(o, '}');
    }
    out_char(o, ']');
    key(o, 3, "findings_apart", 0);
    out_u64(o, v->napart);
    key(o, 3, "focus", 0);
    const struct cb_scope *sc = v->an ? &v->an->scope : NULL;
    if (!cb_scope_active(sc)) {
        out_str(o, "null");
    } else {
        char line[1200];
        cb_view_focus_line(v, line, sizeof line);
        out_char(o, '{');
        key(o, 4, "text", 1);
        out_json_str(o, line);
        key(o, 4, "from", 0);
        time_value(o, cb_scope_bound(sc->from) ? sc->from : CB_TIME_NONE);
        key(o, 4, "to", 0);
        time_value(o, cb_scope_bound(sc->to) ? sc->to : CB_TIME_NONE);
        key(o, 4, "hosts", 0);
        const char *hs[CB_SCOPE_MAX_HOSTS];
        for (size_t i = 0; i < sc->nhosts; i++)
            hs[i] = sc->hosts[i];
        string_array(o, hs, sc->nhosts);
        key(o, 4, "left_out", 0);
        out_u64(o, cb_timeline_left_out(v->tl));
        indent(o, 3);
        out_char(o, '}');
    }
    indent(o, 2);
    out_char(o, '}');
}

static void summary(struct out *o, const struct cb_view *v)
{
    out_char(o, '{');
    key(o, 2, "sources", 1);
    out_u64(o, v->an->nsources);
    key(o, 2, "members", 0);
    out_u64(o, v->an->members);
    key(o, 2, "bytes", 0);
    out_u64(o, v->an->total_bytes);
    key(o, 2, "events", 0); /* read, less duplicates */
    out_u64(o, v->events_read);
    key(o, 2, "events_kept", 0); /* in the timeline rules and report saw */
    out_u64(o, v->tl->count);
    key(o, 2, "duplicates", 0);
    out_u64(o, v->tl->duplicates);
    key(o, 2, "first", 0);
    time_value(o, v->first);
    key(o, 2, "last", 0);
    time_value(o, v->last);
    key(o, 2, "memory", 0);
    memory_budget(o, &v->an->budget);
    key(o, 2, "scope", 0);
    scope_json(o, v);
    damaged(o, v);
    indent(o, 1);
    out_char(o, '}');
}

static void sources(struct out *o, const struct cb_analysis *an)
{
    out_char(o, '[');
    for (size_t i = 0; i < an->nsources; i++) {
        if (i)
            out_char(o, ',');
        indent(o, 2);
        source_obj(o, an->sources[i]);
    }
    if (an->nsources)
        indent(o, 1);
    out_char(o, ']');
}

static void bundle_warnings(struct out *o, const struct cb_analysis *an)
{
    out_char(o, '[');
    int i = 0;
    for (const struct cb_warning *w = an->warnings; w; w = w->next, i++) {
        if (i)
            out_char(o, ',');
        indent(o, 2);
        warning_obj(o, 2, w, 1);
    }
    if (i)
        indent(o, 1);
    out_char(o, ']');
}

static void document(struct out *o, const struct cb_view *v)
{
    out_char(o, '{');
    key(o, 1, "tool", 1);
    out_str(o, "{\"name\": \"casebrief\", \"version\": \"" CASEBRIEF_VERSION
               "\"}");
    key(o, 1, "summary", 0);
    summary(o, v);
    key(o, 1, "sources", 0);
    sources(o, v->in->an);
    key(o, 1, "warnings", 0);
    bundle_warnings(o, v->in->an);
    key(o, 1, "hosts", 0);
    hosts(o, v, v->in->gaps);
    key(o, 1, "overview", 0);
    cb_overview_json(o, &v->overview, 1);
    key(o, 1, "configuration", 0);
    configuration(o, v->in->an);
    key(o, 1, "incidents", 0);
    incidents_json(o, v);
    key(o, 1, "findings", 0);
    findings_json(o, v);
    key(o, 1, "gaps", 0);
    gaps_json(o, v->in->gaps);
    indent(o, 0);
    out_str(o, "}\n");
}

enum cb_status cb_report_json_input(FILE *f, const struct cb_report_input *in)
{
    return cb_view_render(f, in, document);
}

enum cb_status cb_report_json(FILE *f, const struct cb_analysis *an,
                              const struct cb_timeline *tl,
                              const struct cb_findings *findings,
                              const struct cb_gaps *gaps)
{
    const struct cb_report_input in = {
        .an = an, .tl = tl, .findings = findings, .gaps = gaps};
    return cb_report_json_input(f, &in);
}
