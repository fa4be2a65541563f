/*
 * markdown.c - the report as GitHub-flavoured Markdown, to paste into a
 * case note or a root-cause analysis: header, ranked summary, every
 * finding with its evidence, cause, remediation, what to collect, then
 * gaps, time bases and the inventory.
 *
 * Every string that came from the customer's machine is escaped: emphasis,
 * code, table and link punctuation get a backslash (with '[' and ']'
 * escaped no link or image can form), '<', '>' and '&' become entities so
 * no HTML tag survives, line breaks and controls (C0, C1, U+2028/9) become
 * spaces, a line-leading block marker is escaped, invalid UTF-8 becomes
 * U+FFFD.
 */
#include <string.h>

#include "alloc.h"
#include "timefmt.h"
#include "casebrief/casebrief.h"
#include "out.h"
#include "view.h"
#include "shutdown.h"

/* Customer text for inline Markdown and table cells. */
static void md(struct out *o, const char *str)
{
    if (!str)
        return;
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            uint32_t cp = 0;
            size_t k = out_utf8_decode(s + i, n - i, &cp);
            if (k && (cp <= 0x9F || cp == 0x2028 || cp == 0x2029)) {
                out_char(o, ' '); /* C1 controls, NEL, line separators */
                i += k;
            } else if (k) {
                out_bytes(o, (const char *)s + i, k);
                i += k;
            } else {
                out_str(o, "\xEF\xBF\xBD");
                i++;
            }
            continue;
        }
        if (c < 0x20 || c == 0x7f)
            out_char(o, ' ');
        else if (c == '&')
            out_str(o, "&amp;");
        else if (c == '<')
            out_str(o, "&lt;");
        else if (c == '>')
            out_str(o, "&gt;");
        else if (strchr("\\`*_[]|~", c)) {
            out_char(o, '\\');
            out_char(o, (char)c);
        } else
            out_char(o, (char)c);
        i++;
    }
}

/* Customer text that starts a line (or a list item): leading blanks and
 * controls dropped (four would open a code block) and a leading block
 * marker escaped, so that it cannot become a heading, list item, thematic
 * break, setext underline or ordered list. */
static void md_lead(struct out *o, const char *s)
{
    if (!s)
        return;
    while (*s && ((unsigned char)*s <= 0x20 || *s == 0x7f))
        s++;
    size_t k = 0;
    while (k < 9 && s[k] >= '0' && s[k] <= '9')
        k++;
    if (k && (s[k] == '.' || s[k] == ')')) {
        out_bytes(o, s, k);
        s += k;
        out_char(o, '\\');
    } else if (*s == '#' || *s == '+' || *s == '-' || *s == '=') {
        out_char(o, '\\');
    }
    md(o, s);
}

/* At most max bytes of customer text (cut on a character boundary). */
static void md_cut(struct out *o, const char *s, size_t max)
{
    if (!s)
        return;
    size_t n = strlen(s);
    if (n <= max) {
        md(o, s);
        return;
    }
    max = out_utf8_cut(s, max);
    char buf[512];
    if (max >= sizeof buf)
        max = sizeof buf - 1;
    memcpy(buf, s, max);
    buf[max] = '\0';
    md(o, buf);
    out_str(o, " …");
}

static void when(struct out *o, cb_time t)
{
    if (t == CB_TIME_NONE) {
        out_str(o, "–");
        return;
    }
    char b[CB_TIMEFMT_MAX];
    cb_timefmt_ms(t, ' ', b, sizeof b); /* 2024-11-15 01:58:12.905 */
    out_str(o, b);
}

static void u64(struct out *o, uint64_t v)
{
    out_u64(o, v);
}

static void where(struct out *o, const struct cb_event *e)
{
    char b[48];
    cb_view_where(e, b, sizeof b);
    out_str(o, b);
}

/* " (local 02:58:12.905 UTC+01:00)" when the node's offset is known (no
 * HTML in the Markdown: the report must not depend on a renderer's tags) */
static void local_when(struct out *o, const struct cb_view *v,
                       const struct cb_event *e)
{
    int32_t off;
    if (!cb_view_utc_offset(v, e->host, &off))
        return;
    char t[CB_TIMEFMT_MAX], z[16];
    cb_timefmt_ms(cb_timefmt_local(e->ts, off), ' ', t, sizeof t);
    cb_timefmt_offset(off, z, sizeof z);
    const char *sp = strchr(t, ' ');
    out_str(o, " (local ");
    out_str(o, sp ? sp + 1 : t);
    out_str(o, " UTC");
    out_str(o, z);
    out_char(o, ')');
}

/* The evidence table of a finding, with each event's node-local time. */
static void evidence_md(struct out *o, const struct cb_view *v,
                        const struct cb_finding *f)
{
    out_str(o, "\n**Evidence**\n\n| time (UTC) | host | event | source | where | "
               "role | message |\n|---|---|---|---|---|---|---|\n");
    for (size_t k = 0; k < f->nevidence; k++) {
        const struct cb_event *e = f->evidence[k].ev;
        out_str(o, "| ");
        when(o, e->ts);
        local_when(o, v, e);
        out_str(o, " | ");
        md(o, e->host);
        out_str(o, " | ");
        md(o, e->channel);
        if (e->flags & CB_EV_HAS_EVENT_ID) {
            out_char(o, ' ');
            u64(o, e->event_id);
        } else if (e->component) {
            out_str(o, " \\[");
            md(o, e->component);
            out_str(o, "\\]");
        }
        out_str(o, " | ");
        md(o, e->source->path);
        out_str(o, " | ");
        where(o, e);
        out_str(o, " | ");
        md(o, f->evidence[k].role);
        out_str(o, " | ");
        struct cb_msgbuf mb;
        md_cut(o, cb_event_message(e, &mb), CB_LIMIT_MD_MESSAGE);
        out_str(o, " |\n");
    }
}

/* The longest run of backticks in s: the fence around it is longer. */
static size_t backtick_run(const char *s)
{
    size_t best = 0, run = 0;
    for (; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* Numbered steps, each marked diagnose or fix, with its PowerShell
 * (filled with the case's values: customer text, so fenced with a fence
 * it does not contain) and warning. */
static void remediation_md(struct out *o, const struct cb_view *v, size_t i)
{
    size_t ns = v->stepoff[i + 1] - v->stepoff[i];
    for (size_t k = 0; k < ns; k++) {
        const struct cb_view_step *r = &v->steps[v->stepoff[i] + k];
        u64(o, k + 1);
        out_str(o, r->kind == CB_STEP_DIAGNOSE ? ". *(diagnose, read-only)* "
                                               : ". **(fix, changes)** ");
        md(o, r->text);
        out_str(o, "\n");
        if (r->powershell) {
            size_t fence = backtick_run(r->powershell) + 1;
            if (fence < 4)
                fence = 4;
            out_str(o, "\n   ");
            for (size_t f = 0; f < fence; f++)
                out_char(o, '`');
            out_str(o, "powershell\n");
            const char *p = r->powershell;
            while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                out_str(o, "   ");
                out_bytes(o, p, len);
                out_char(o, '\n');
                p += len + (nl ? 1 : 0);
            }
            out_str(o, "   ");
            for (size_t f = 0; f < fence; f++)
                out_char(o, '`');
            out_str(o, "\n");
        }
        if (r->warning) {
            out_str(o, "\n   > **Warning:** ");
            md(o, r->warning);
            out_str(o, "\n");
        }
        out_str(o, "\n");
    }
}

static void finding_md(struct out *o, const struct cb_view *v, size_t i,
                       const struct cb_finding *f)
{
    out_str(o, "\n### ");
    u64(o, i + 1);
    out_str(o, ". ");
    md_lead(o, f->title);
    out_str(o, "\n\n**");
    out_str(o, cb_severity_name(f->severity));
    out_str(o, "**, confidence ");
    u64(o, (uint64_t)f->confidence);
    out_str(o, " % · rule `");
    out_str(o, f->id);
    out_str(o, "` (");
    out_str(o, f->pattern);
    out_str(o, ") · ");
    u64(o, f->count);
    out_str(o, f->count == 1 ? " occurrence" : " occurrences");
    out_str(o, " · ");
    when(o, f->first);
    out_str(o, " to ");
    when(o, f->last);
    out_str(o, " UTC\n\n");
    md_lead(o, f->summary);
    out_str(o, "\n");
    if (f->nentities) {
        out_str(o, "\n");
        for (size_t k = 0; k < f->nentities; k++) {
            out_str(o, k ? ", " : "Entities: ");
            md(o, f->entities[k].name);
            out_str(o, " **");
            md(o, f->entities[k].value);
            out_str(o, "**");
        }
        out_str(o, "\n");
    }
    evidence_md(o, v, f);
    out_str(o, "\n**Cause.** ");
    md(o, f->cause);
    out_str(o, "\n\n**Remediation**\n\n");
    remediation_md(o, v, i);
    if (f->ncollect) {
        out_str(o, "**Collect next**\n\n");
        for (size_t k = 0; k < f->ncollect; k++) {
            out_str(o, "- ");
            md_lead(o, f->collect[k]);
            out_str(o, "\n");
        }
        out_str(o, "\n");
    }
    if (f->nreferences) {
        out_str(o, "**References:** ");
        for (size_t k = 0; k < f->nreferences; k++) {
            if (k)
                out_str(o, "; ");
            md(o, f->references[k]);
        }
        out_str(o, "\n");
    }
}

/* The hosts the sources name, then the timeline's span and counts. */
static void header(struct out *o, const struct cb_view *v)
{
    out_str(o, "# casebrief report: ");
    md_lead(o, v->in->case_name);
    out_str(o, "\n\n");
    out_str(o, "- **Hosts:** ");
    int any = 0;
    for (size_t i = 0; i < v->nhosts; i++) {
        if (v->hosts[i].seen != CB_VIEW_SEEN_SOURCE)
            continue;
        out_str(o, any ? ", " : "");
        md(o, v->hosts[i].name);
        any = 1;
    }
    if (!any)
        out_str(o, "(none identified)");
    out_str(o, "\n- **Time covered:** ");
    when(o, v->first);
    out_str(o, " to ");
    when(o, v->last);
    out_str(o, " UTC\n- **Events:** ");
    u64(o, v->events_read);
    out_str(o, " from ");
    u64(o, v->an->nsources);
    out_str(o, " files (");
    u64(o, v->tl->duplicates);
    out_str(o, " duplicates dropped");
    if (v->not_kept) {
        out_str(o, "; ");
        u64(o, v->not_kept);
        out_str(o, " routine cluster.log lines counted, not kept: "
                   "`casebrief timeline` lists them all");
    }
    out_str(o, ")");
    char line[1400];
    cb_view_focus_line(v, line, sizeof line);
    if (line[0]) {
        out_str(o, "\n- **Focus:** ");
        md(o, line);
    }
    cb_view_outside_line(v, line, sizeof line);
    if (line[0]) {
        out_str(o, "\n- **Scope:** ");
        md(o, line);
        out_str(o, " (see *Outside this cluster*)");
    }
    out_str(o, "\n- **casebrief** " CASEBRIEF_VERSION);
    if (v->in->rules_version) {
        out_str(o, ", knowledge base: ");
        md(o, v->in->rules_version);
    }
}

/* Atop the report when the upload could not be read completely: what was
 * damaged and why, as a quote block a case note keeps together. */
static void damage_banner(struct out *o, const struct cb_view *v)
{
    if (v->complete)
        return;
    char headline[256];
    cb_view_damage_headline(v, headline, sizeof headline);
    out_str(o, "> **");
    out_str(o, headline);
    out_str(o, ".**\n>\n");
    size_t n = v->ndamaged < CB_LIMIT_REPORT_DAMAGED ? v->ndamaged
                                                     : CB_LIMIT_REPORT_DAMAGED;
    for (size_t i = 0; i < n; i++) {
        const struct cb_damage *d = &v->damaged[i];
        out_str(o, "> - ");
        md_lead(o, d->source);
        out_str(o, " (");
        out_str(o, cb_damage_kind_name(d->kind));
        out_str(o, "): ");
        md_cut(o, d->detail, CB_LIMIT_MD_WARNING);
        if (d->count > 1) {
            out_str(o, " (");
            u64(o, d->count);
            out_str(o, " problems in it)");
        }
        out_str(o, "\n");
    }
    if (v->ndamaged > n) {
        out_str(o, "> - and ");
        u64(o, v->ndamaged - n);
        out_str(o, " more\n");
    }
    out_str(o, ">\n> Every warning is in the inventory below; ask the "
               "customer for the upload again.\n\n");
}

static void summary(struct out *o, const struct cb_view *v)
{
    out_str(o, "\n\n## Summary\n\n");
    if (v->nothing_read) {
        out_str(o, "**Nothing readable:** no input yielded an event, so no "
                   "rule could run. The inventory below says what each file "
                   "is and why nothing was read from it.\n");
        return;
    }
    if (!v->nfind) {
        out_str(o, "No known failure pattern was found");
        if (v->an && cb_scope_active(&v->an->scope))
            out_str(o, " within the focus (--window, --host): the events "
                       "outside it were not analysed");
        out_str(o, ". See the evidence gaps below for what the bundle could "
                   "not show.\n");
        return;
    }
    out_str(o, "| # | severity | confidence | finding | hosts | first "
               "(UTC) |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < v->nfind; i++) {
        const struct cb_finding *x = &v->find[i];
        out_str(o, "| ");
        u64(o, i + 1);
        out_str(o, " | ");
        out_str(o, cb_severity_name(x->severity));
        out_str(o, " | ");
        u64(o, (uint64_t)x->confidence);
        out_str(o, " % | ");
        md(o, x->summary);
        out_str(o, " | ");
        for (size_t k = 0; k < x->nhosts; k++) {
            if (k)
                out_str(o, ", ");
            md(o, x->hosts[k]);
        }
        out_str(o, " | ");
        when(o, x->first);
        out_str(o, " |\n");
    }
    out_str(o, "\n## Findings\n");
    for (size_t i = 0; i < v->nfind; i++)
        finding_md(o, v, i, &v->find[i]);
}

static void gap_md(struct out *o, const struct cb_gap *g)
{
    out_str(o, "- ");
    if (g->kind == CB_GAP_MISSING_CHANNEL) {
        out_str(o, "**Missing channel** ");
        md(o, g->subject);
        out_str(o, ": ");
        md(o, g->detail);
        out_str(o, " (");
        for (size_t k = 0; k < g->nrules; k++) {
            out_str(o, k ? ", " : "");
            md(o, g->rules[k]);
        }
        out_str(o, "). Collect: `");
        /* our own command text; backticks cannot occur in it */
        out_str(o, g->collect);
        out_str(o, "`");
    } else if (g->kind == CB_GAP_TIME_ASSUMED) {
        out_str(o, "**Clock assumed** for ");
        md(o, g->subject);
        out_str(o, ": ");
        md(o, g->detail);
    } else if (g->kind == CB_GAP_CLOCK_SKEW) {
        out_str(o, "**Clock skew** ");
        md(o, g->subject);
        out_str(o, ": ");
        md(o, g->detail);
    } else {
        out_str(o, "**Silent period** on ");
        md(o, g->host && g->host[0] ? g->host : "?");
        out_str(o, " in ");
        md(o, g->subject);
        out_str(o, " from ");
        when(o, g->from);
        out_str(o, " to ");
        when(o, g->to);
        out_str(o, " UTC: ");
        md(o, g->detail);
    }
    out_str(o, "\n");
}

static void gaps(struct out *o, const struct cb_gaps *g)
{
    out_str(o, "\n## Evidence gaps and assumptions\n\n");
    size_t ng = g ? g->count : 0;
    if (!ng)
        out_str(o, "None found.\n");
    for (size_t i = 0; i < ng; i++)
        gap_md(o, &g->items[i]);
}

/* The first CB_LIMIT_MD_WARNINGS warnings of a source, and how many
 * more. */
static void source_warnings(struct out *o, const struct cb_source *s)
{
    size_t k = 0;
    for (const struct cb_warning *w = s->warnings; w; w = w->next, k++) {
        if (k == CB_LIMIT_MD_WARNINGS) {
            out_str(o, "; …");
            break;
        }
        out_str(o, k ? "; " : "");
        char where_[48];
        cb_view_warning_where(w, where_, sizeof where_);
        out_str(o, where_);
        md_cut(o, w->msg, CB_LIMIT_MD_WARNING);
    }
    if (s->nwarnings > k && k < CB_LIMIT_MD_WARNINGS &&
        s->nwarnings > CB_LIMIT_WARNINGS_PER_SOURCE) {
        out_str(o, "; ");
        u64(o, s->nwarnings - k);
        out_str(o, " more");
    }
}

static void inventory(struct out *o, const struct cb_analysis *an)
{
    out_str(o, "\n## Inventory\n\n| file | format | host | events | first "
               "(UTC) | last (UTC) | time basis | warnings |\n"
               "|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        out_str(o, "| ");
        md(o, s->path);
        out_str(o, " | ");
        md(o, s->format);
        if (s->note) {
            out_str(o, " (");
            md(o, s->note);
            out_str(o, ")");
        }
        out_str(o, " | ");
        md(o, s->host);
        out_str(o, " | ");
        u64(o, cb_view_source_events(s));
        if (s->scope_out + s->scope_out_nk) {
            out_str(o, " (");
            u64(o, s->scope_out + s->scope_out_nk);
            out_str(o, " left out)");
        }
        out_str(o, " | ");
        when(o, s->first);
        out_str(o, " | ");
        when(o, s->last);
        out_str(o, " | ");
        md(o, s->time_basis);
        out_str(o, " | ");
        source_warnings(o, s);
        out_str(o, " |\n");
    }
    if (an->warnings) {
        out_str(o, "\n**Bundle warnings**\n\n");
        for (const struct cb_warning *w = an->warnings; w; w = w->next) {
            out_str(o, "- ");
            md_lead(o, w->source);
            out_str(o, ": ");
            md(o, w->msg);
            out_str(o, "\n");
        }
    }
}

/* Where the incidents of hosts outside the cluster start: which hosts
 * and why. */
static void outside_md(struct out *o, const struct cb_view *v)
{
    out_str(o, "\n## Outside this cluster\n\nThese findings are of hosts "
               "that are not part of this case; they are kept out of the "
               "cluster's incidents.\n\n");
    size_t shown = 0;
    for (size_t i = 0; i < v->scope.nhosts; i++) {
        const struct cb_scope_host *h = &v->scope.hosts[i];
        if (!h->outside || shown++ == CB_SCOPE_LIST_HOSTS)
            continue; /* report.json lists them all */
        char why[512];
        cb_scope_reason(&v->scope, h, why, sizeof why);
        out_str(o, "- ");
        md(o, h->name);
        out_str(o, ": ");
        md(o, why);
        out_str(o, "\n");
    }
    if (shown > CB_SCOPE_LIST_HOSTS) {
        out_str(o, "- and ");
        u64(o, shown - CB_SCOPE_LIST_HOSTS);
        out_str(o, " more (report.json lists them all)\n");
    }
}

/* The story first: per incident its headline, cause with confidence,
 * the first three things to do and its own timeline of findings. */
static void story_md(struct out *o, const struct cb_view *v)
{
    const struct cb_incidents *is = &v->incidents;
    if (!is->count)
        return;
    out_str(o, "\n\n## What happened\n");
    for (size_t i = 0; i < is->count; i++) {
        const struct cb_incident *in = &is->items[i];
        const struct cb_finding *root = &v->find[in->root];
        if (in->apart && (i == 0 || !is->items[i - 1].apart))
            outside_md(o, v);
        out_str(o, "\n### ");
        out_str(o, in->ref);
        out_str(o, " (");
        out_str(o, cb_severity_name(in->severity));
        out_str(o, "): ");
        md(o, in->title);
        out_str(o, "\n\n**Cause** (");
        u64(o, (uint64_t)root->confidence);
        out_str(o, " % confidence): ");
        md(o, root->cause);
        out_str(o, "\n\n**First things to do:**\n\n");
        size_t lead = in->lead;
        size_t ns = v->stepoff[lead + 1] - v->stepoff[lead];
        for (size_t k = 0; k < ns && k < 3; k++) {
            const struct cb_view_step *st = &v->steps[v->stepoff[lead] + k];
            u64(o, k + 1);
            out_str(o, st->kind == CB_STEP_DIAGNOSE ? ". *(diagnose)* "
                                                    : ". **(fix)** ");
            md(o, st->text);
            out_str(o, "\n");
        }
        out_str(o, "\n**Timeline:**\n\n");
        for (size_t k = 0; k < in->nmembers; k++) {
            size_t fi = in->members[k];
            const struct cb_finding *f = &v->find[fi];
            out_str(o, "- ");
            when(o, v->went_down[fi] != CB_TIME_NONE ? v->went_down[fi]
                                                     : f->first);
            out_str(o, " UTC, F");
            u64(o, fi + 1);
            out_str(o, k == 0 ? " (cause): " : ": ");
            md(o, f->title);
            if (v->went_down[fi] != CB_TIME_NONE) {
                out_str(o, ": went down (EventLog 6008), back by ");
                when(o, f->first);
                out_str(o, " UTC");
            }
            const char *stop =
                cb_stop_kind_text((enum cb_stop_kind)v->stop_kind[fi]);
            if (stop) {
                out_str(o, "; Kernel-Power 41 says ");
                out_str(o, stop);
            }
            out_str(o, "\n");
        }
    }
}

static void document(struct out *o, const struct cb_view *v)
{
    damage_banner(o, v);
    header(o, v);
    story_md(o, v);
    summary(o, v);
    gaps(o, v->in->gaps);
    inventory(o, v->an);
}

enum cb_status cb_report_markdown(FILE *f, const struct cb_report_input *in)
{
    return cb_view_render(f, in, document);
}
