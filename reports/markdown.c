/*
 * markdown.c - the report as GitHub-flavoured Markdown, to paste into a
 * case note or a root-cause analysis: the damage banner when the upload
 * is damaged, a case summary block that pastes into a ticket as it is,
 * the incidents' story, the ranked summary, every finding with its
 * evidence (files by name, "S3" pointing into the Sources list), cause,
 * remediation, what to collect, references; then gaps, the inventory
 * (one line per host) and the Sources list with each cited file's full
 * nested path, once.
 *
 * Every string that came from the customer's machine is escaped: emphasis,
 * code, table and link punctuation get a backslash (with '[' and ']'
 * escaped no link or image can form), '<', '>' and '&' become entities so
 * no HTML tag survives, line breaks and controls (C0, C1, U+2028/9) become
 * spaces, a line-leading block marker is escaped, invalid UTF-8 becomes
 * U+FFFD. The case summary is plain text in a ```text fence: customer text
 * there only loses its controls and line breaks (txt), and since every
 * line of the block starts with our own label none can close the fence.
 */
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "timefmt.h"
#include "casebrief/casebrief.h"
#include "out.h"
#include "view.h"
#include "shutdown.h"
#include "platform.h"

/* n bytes of customer text for inline Markdown and table cells. */
static void md_n(struct out *o, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
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

/* Customer text for inline Markdown and table cells. */
static void md(struct out *o, const char *s)
{
    if (s)
        md_n(o, s, strlen(s));
}

/* n bytes of customer text as plain text (the case summary's fenced
 * block, code spans): controls, C1, NEL and line separators become
 * spaces, invalid UTF-8 becomes U+FFFD; nothing else changes. */
static void txt_n(struct out *o, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t k = s[i] < 0x80 ? 1 : out_utf8_decode(s + i, n - i, &cp);
        if (s[i] < 0x80)
            cp = s[i];
        if (!k) {
            out_str(o, "\xEF\xBF\xBD");
            i++;
        } else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9F) || cp == 0x2028 ||
                   cp == 0x2029) {
            out_char(o, ' ');
            i += k;
        } else {
            out_bytes(o, (const char *)s + i, k);
            i += k;
        }
    }
}

static void txt(struct out *o, const char *s)
{
    if (s)
        txt_n(o, s, strlen(s));
}

/* Customer text as a code span (shown as it is: a path keeps its
 * backslashes), or escaped text when it holds what a one-backtick span
 * cannot (a backtick; a pipe, which splits a table cell even there). */
static void code(struct out *o, const char *s)
{
    if (!s || !s[0] || strpbrk(s, "`|") || s[0] == ' ' ||
        s[strlen(s) - 1] == ' ') {
        md(o, s);
        return;
    }
    out_char(o, '`');
    txt(o, s);
    out_char(o, '`');
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

/* At most max bytes of customer text, cut at a word boundary and never
 * inside a value (cb_view_cut_words); the full text is in report.json. */
static void md_cut(struct out *o, const char *s, size_t max)
{
    if (!s)
        return;
    /* runs of blanks and line breaks read as one space (event texts
     * join their paragraphs with several); past the buffer the text is
     * longer than any limit, so the cut falls before its end */
    char buf[CB_LIMIT_REPORT_TEXT];
    size_t n = 0;
    const char *p = s;
    for (; *p && n + 1 < sizeof buf; p++) {
        int blank = *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n';
        if (blank && (n == 0 || buf[n - 1] == ' '))
            continue;
        buf[n++] = blank ? ' ' : *p;
    }
    int more = *p != '\0'; /* the buffer is full: there is more */
    while (n && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    if (more) /* never show a character cut at the buffer's end */
        n = out_utf8_cut(buf, n);
    buf[n] = '\0';
    size_t keep = cb_view_cut_words(buf, max);
    md_n(o, buf, keep);
    if (keep < n || more)
        out_str(o, keep ? " …" : "…");
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

/* "2024-11-14 19:42:10" (seconds are enough in a ticket) */
static void when_s(struct out *o, cb_time t)
{
    if (t == CB_TIME_NONE) {
        out_str(o, "?");
        return;
    }
    char b[CB_TIMEFMT_MAX];
    cb_timefmt_ms(t, ' ', b, sizeof b);
    b[19 < sizeof b ? 19 : sizeof b - 1] = '\0';
    out_str(o, b);
}

static void u64(struct out *o, uint64_t v)
{
    out_u64(o, v);
}

/* ": HV-NODE1 down 2024-11-14 19:42:10.000 to 21:53:08.000 UTC, …":
 * the finding's outages (rules.h, cb_outage), each from its node's last
 * sign of life to its first event after the stop */
static void md_outages(struct out *o, const struct cb_finding *f)
{
    for (size_t k = 0; k < f->noutages; k++) {
        const struct cb_outage *d = &f->outages[k];
        out_str(o, k ? ", " : ": ");
        md(o, d->host);
        out_str(o, " down ");
        when(o, d->from);
        out_str(o, " to ");
        when(o, d->to);
        out_str(o, " UTC (");
        md(o, d->from_by);
        out_str(o, ")");
    }
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

/* Where an event came from, short: "`HV-NODE1-System.evtx` record 42
 * (S3)", the file's full nested path once in the Sources list. */
static void source_ref(struct out *o, const struct cb_view *v,
                       const struct cb_event *e)
{
    if (!e->source) {
        where(o, e);
        return;
    }
    code(o, cb_view_source_label(e->source->path));
    out_char(o, ' ');
    where(o, e);
    unsigned s = cb_view_cite(v, e->source);
    if (s) {
        out_str(o, " (S");
        u64(o, s);
        out_char(o, ')');
    }
}

static void cited_label(struct out *o, const struct cb_view *v,
                        const struct cb_source *s)
{
    code(o, cb_view_source_label(s->path));
    unsigned c = cb_view_cite(v, s);
    if (c) {
        out_str(o, " (S");
        u64(o, c);
        out_char(o, ')');
    }
}

/* The evidence table of a finding, with each event's node-local time. */
static void evidence_md(struct out *o, const struct cb_view *v,
                        const struct cb_finding *f)
{
    out_str(o, "\n**Evidence**\n\n| time (UTC) | host | event | source | "
               "role | message |\n|---|---|---|---|---|---|\n");
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
        source_ref(o, v, e);
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

/* A public address as it is, so that it stays a link where Markdown
 * autolinks bare addresses, when it holds only characters that mean
 * nothing to Markdown; else escaped like any text. */
static void url_md(struct out *o, const char *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = u[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || (c && strchr("-./:#?=%+@!$,;", c));
        if (!ok) {
            md_n(o, u, n);
            return;
        }
    }
    out_bytes(o, u, n);
}

/* The rule's references, each with its public address, none naming a
 * path of our own tree (cb_view_reference). */
static void references_md(struct out *o, const struct cb_finding *f)
{
    int any = 0;
    for (size_t k = 0; k < f->nreferences; k++) {
        char title[512];
        const char *url;
        size_t ulen;
        if (!cb_view_reference(f->references[k], title, sizeof title, &url,
                               &ulen))
            continue;
        out_str(o, any ? "- " : "**References**\n\n- ");
        any = 1;
        md(o, title);
        if (url) {
            out_str(o, title[0] ? ": " : "");
            url_md(o, url, ulen);
        }
        out_char(o, '\n');
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
    references_md(o, f);
}

/* The hosts the sources name, then the timeline's span and counts. */
static void header(struct out *o, const struct cb_view *v)
{
    out_str(o, "\n## This run\n\n- **Hosts:** ");
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
        const struct cb_source *src =
            d->source ? cb_view_source_by_path(v, d->source,
                                               strlen(d->source))
                      : NULL;
        out_str(o, "> - ");
        if (src)
            cited_label(o, v, src); /* the full path: in Sources */
        else
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

/* Analyzer text that may name sources by their full path: each word that
 * is a source's path is shown as its file name (and S number). */
static void md_paths(struct out *o, const struct cb_view *v, const char *s)
{
    while (s && *s) {
        size_t n = strcspn(s, " ");
        const struct cb_source *src = cb_view_source_by_path(v, s, n);
        if (src) {
            code(o, cb_view_source_label(src->path));
            unsigned c = cb_view_cite(v, src);
            if (c) {
                out_str(o, " (S");
                u64(o, c);
                out_char(o, ')');
            }
        } else {
            md_n(o, s, n);
        }
        s += n;
        if (*s)
            out_char(o, *s++);
    }
}

enum { GAP_RULES = 5 }; /* rule ids a gap names, the rest counted */
enum { INV_NAMES = 8 }; /* files a line names, the rest counted */

static void missing_md(struct out *o, const struct cb_view *v,
                       const struct cb_gap *g)
{
    static const char empty[] = "present but empty: ";
    int is_empty = g->detail && !strncmp(g->detail, empty, sizeof empty - 1);
    out_str(o, is_empty ? "**Present but empty** " : "**Missing channel** ");
    md(o, g->subject);
    out_str(o, ": ");
    md_paths(o, v, is_empty ? g->detail + sizeof empty - 1 : g->detail);
    out_str(o, " (");
    for (size_t k = 0; k < g->nrules && k < GAP_RULES; k++) {
        out_str(o, k ? ", " : "");
        md(o, g->rules[k]);
    }
    if (g->nrules > GAP_RULES) {
        out_str(o, " and ");
        u64(o, g->nrules - GAP_RULES);
        out_str(o, " more rules");
    }
    out_str(o, ")");
    if (g->collect) {
        out_str(o, ". Collect: `");
        /* our own command text; backticks cannot occur in it */
        out_str(o, g->collect);
        out_str(o, "`");
    }
}

static void gap_md(struct out *o, const struct cb_view *v,
                   const struct cb_gap *g)
{
    out_str(o, "- ");
    if (g->kind == CB_GAP_MISSING_CHANNEL) {
        missing_md(o, v, g);
    } else if (g->kind == CB_GAP_TIME_ASSUMED) {
        out_str(o, "**Clock assumed** for ");
        md_paths(o, v, g->subject);
        out_str(o, ": ");
        md_paths(o, v, g->detail);
    } else if (g->kind == CB_GAP_LOST) {
        out_str(o, "**Lost evidence** on ");
        md(o, g->host && g->host[0] ? g->host : "?");
        out_str(o, " (");
        md_paths(o, v, g->subject);
        out_str(o, "): ");
        md(o, g->detail);
        out_str(o, ". Collect: ");
        md(o, g->collect);
    } else if (g->kind == CB_GAP_CLOCK_SKEW) {
        out_str(o, "**Clock skew** ");
        md(o, g->subject);
        out_str(o, ": ");
        md_paths(o, v, g->detail);
    } else {
        out_str(o, "**Silent period** on ");
        md(o, g->host && g->host[0] ? g->host : "?");
        out_str(o, " in ");
        md_paths(o, v, g->subject);
        out_str(o, " from ");
        when(o, g->from);
        out_str(o, " to ");
        when(o, g->to);
        out_str(o, " UTC: ");
        md_paths(o, v, g->detail);
    }
    out_str(o, "\n");
}

static void gaps(struct out *o, const struct cb_view *v)
{
    const struct cb_gaps *g = v->in->gaps;
    out_str(o, "\n## Evidence gaps and assumptions\n\n");
    size_t ng = g ? g->count : 0;
    if (!ng)
        out_str(o, "None found.\n");
    for (size_t i = 0; i < ng;) {
        /* files whose clock was assumed the same way: one line */
        const struct cb_gap *a = &g->items[i];
        size_t j = i + 1;
        while (a->kind == CB_GAP_TIME_ASSUMED && a->detail && j < ng &&
               g->items[j].kind == CB_GAP_TIME_ASSUMED &&
               g->items[j].detail && !strcmp(g->items[j].detail, a->detail))
            j++;
        if (j - i == 1) {
            gap_md(o, v, a);
            i++;
            continue;
        }
        out_str(o, "- **Clock assumed** for ");
        u64(o, j - i);
        out_str(o, " files (");
        for (size_t k = i; k < j && k - i < INV_NAMES; k++) {
            out_str(o, k > i ? ", " : "");
            md_paths(o, v, g->items[k].subject);
        }
        if (j - i > INV_NAMES) {
            out_str(o, " and ");
            u64(o, j - i - INV_NAMES);
            out_str(o, " more");
        }
        out_str(o, "): ");
        md_paths(o, v, a->detail);
        out_str(o, "\n");
        i = j;
    }
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

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* 12,301 */
static void u64g(struct out *o, uint64_t v)
{
    char b[32];
    int n = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out_char(o, ',');
        out_char(o, b[i]);
    }
}

/* A file's name within its host's line: "HV-NODE1-Microsoft-Windows-
 * Hyper-V-VMMS-Admin.evtx" is "Hyper-V-VMMS-Admin". */
static void short_name(struct out *o, const struct cb_source *s, int ext)
{
    const char *p = cb_view_source_label(s->path);
    const char *host = nz(s->host);
    size_t n = strlen(p), h = strlen(host);
    const char *dot = strrchr(p, '.');
    if (dot && dot != p && !ext)
        n = (size_t)(dot - p);
    if (h && n > h + 1 && strncasecmp(p, host, h) == 0 &&
        strchr("-_ .", p[h])) {
        p += h + 1;
        n -= h + 1;
    }
    if (n > 4 && strncmp(p, "evt_", 4) == 0) { /* psSDP: HOST_evt_System */
        p += 4;
        n -= 4;
    }
    static const char mw[] = "Microsoft-Windows-";
    if (n > sizeof mw && strncmp(p, mw, sizeof mw - 1) == 0) {
        p += sizeof mw - 1;
        n -= sizeof mw - 1;
    }
    md_n(o, p, n);
}


static int not_read(const struct cb_source *s)
{
    return !strcmp(nz(s->format), "unknown") ||
           !strcmp(nz(s->format), "skipped");
}

/* What a group's files are, for a reader rather than the parser table. */
static const char *format_label(const char *format, size_t n)
{
    static const struct {
        const char *name, *one, *many;
    } t[] = {{"clusterlog", "cluster.log", "cluster.logs"},
             {"evtx", "evtx", "evtx"},
             {"evtx-csv", "CSV/TXT event export", "CSV/TXT event exports"},
             {"evtx-xml", "XML event export", "XML event exports"},
             {"evtx-text", "text event export", "text event exports"},
             {"evtx-details", "pasted event text", "pasted event texts"},
             {"mta", "Event Viewer locale file", "Event Viewer locale files"},
             {"unknown", "file of unknown format", "files of unknown format"},
             {"skipped", "file skipped", "files skipped"}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        if (strcmp(format, t[i].name) == 0)
            return n == 1 ? t[i].one : t[i].many;
    }
    return NULL;
}

static int file_kind(const struct cb_source *s)
{
    if (cb_view_source_events(s))
        return 0;
    return s->duplicates && !not_read(s) ? 1 : 2;
}

/* Files of the group with events, most events first: "System 12,301,
 * Application 135 and 2 more" (a cluster.log: "453 events"). */
static void read_names(struct out *o, const struct cb_source *const *g,
                       size_t n, int clusterlog)
{
    size_t k = 0, total = 0;
    uint64_t prev = UINT64_MAX;
    size_t prev_i = 0;
    for (size_t i = 0; i < n; i++)
        total += file_kind(g[i]) == 0;
    /* the next after (prev, prev_i) in (events desc, order) */
    for (; k < total && k < INV_NAMES; k++) {
        size_t best = n;
        uint64_t bev = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t ev = cb_view_source_events(g[i]);
            if (!ev || ev > prev || (ev == prev && i <= prev_i && k))
                continue;
            if (best == n || ev > bev) {
                best = i;
                bev = ev;
            }
        }
        if (best == n)
            break;
        out_str(o, k ? ", " : "");
        if (clusterlog && n == 1) {
            u64g(o, bev);
            out_str(o, bev == 1 ? " event" : " events");
        } else {
            short_name(o, g[best], 0);
            out_char(o, ' ');
            u64g(o, bev);
        }
        prev = bev;
        prev_i = best;
    }
    if (total > k) {
        out_str(o, " and ");
        u64(o, total - k);
        out_str(o, " more");
    }
}

/* The group's empty files or files not read, with their extension (a
 * .csv and a .txt export of one channel are two files). */
static void other_names(struct out *o, const struct cb_source *const *g,
                        size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (file_kind(g[i]) != 2)
            continue;
        if (k < INV_NAMES) {
            out_str(o, k ? ", " : "");
            short_name(o, g[i], 1);
        }
        k++;
    }
    if (k > INV_NAMES) {
        out_str(o, " and ");
        u64(o, k - INV_NAMES);
        out_str(o, " more");
    }
}

/* One host's and format's files: "6 evtx (System 351, Application 135;
 * empty: FailoverClustering-Operational.evtx)". */
static void inventory_group(struct out *o, const struct cb_source *const *g,
                            size_t n)
{
    size_t nread = 0, ncopy = 0, nempty = 0;
    for (size_t i = 0; i < n; i++) {
        int k = file_kind(g[i]);
        nread += k == 0;
        ncopy += k == 1;
        nempty += k == 2;
    }
    const char *format = nz(g[0]->format), *label = format_label(format, n);
    u64(o, n);
    out_char(o, ' ');
    if (label)
        out_str(o, label);
    else
        md(o, format);
    out_str(o, " (");
    const char *sep = "";
    if (nread) {
        read_names(o, g, n, strcmp(format, "clusterlog") == 0);
        sep = "; ";
    }
    if (ncopy) {
        out_str(o, sep);
        u64(o, ncopy);
        out_str(o, ncopy == 1 ? " copy" : " copies");
        out_str(o, " of logs read from another file, no new event");
        sep = "; ";
    }
    if (nempty) {
        out_str(o, sep);
        out_str(o, not_read(g[0]) ? "" : "empty: ");
        other_names(o, g, n);
    }
    out_char(o, ')');
}

static const struct cb_view_host *view_host(const struct cb_view *v,
                                            const char *name)
{
    for (size_t i = 0; i < v->nhosts; i++) {
        if (strcmp(v->hosts[i].name, name) == 0)
            return &v->hosts[i];
    }
    return NULL;
}

/* "**HV-NODE1** (clock UTC+02:00; events 2024-11-12 06:22:59 to ...)" */
static void inventory_host(struct out *o, const struct cb_view *v,
                           const char *host)
{
    out_str(o, "- **");
    if (host[0])
        md(o, host);
    else
        out_str(o, "host not identified");
    out_str(o, "**");
    const struct cb_view_host *h = host[0] ? view_host(v, host) : NULL;
    if (h && (h->offset_known || h->first != CB_TIME_NONE)) {
        out_str(o, " (");
        if (h->offset_known) {
            char z[16];
            cb_timefmt_offset(h->east_min, z, sizeof z);
            out_str(o, "clock UTC");
            out_str(o, z);
            out_str(o, h->first != CB_TIME_NONE ? "; " : "");
        }
        if (h->first != CB_TIME_NONE) {
            out_str(o, "events ");
            when_s(o, h->first);
            out_str(o, " to ");
            when_s(o, h->last);
            out_str(o, " UTC");
        }
        out_char(o, ')');
    }
    out_str(o, ": ");
}

/* A source with one warning and no place in it: sources in a row with
 * the same one share a line. */
static const char *lone_warning(const struct cb_source *s)
{
    const struct cb_warning *w = s->warnings;
    return w && !w->next && s->nwarnings == 1 &&
                   w->where_kind == CB_WHERE_NONE && w->msg
               ? w->msg
               : NULL;
}

/* Each source's warnings; one line for a run of sources that share a
 * single warning ("month/day order assumed" on every export of a node). */
static void warnings_md(struct out *o, const struct cb_view *v)
{
    int any = 0;
    for (size_t i = 0; i < v->nsources;) {
        const struct cb_source *s = v->inv[i];
        if (!s->warnings) {
            i++;
            continue;
        }
        out_str(o, any ? "- " : "\n**Warnings**\n\n- ");
        any = 1;
        const char *lone = lone_warning(s);
        size_t j = i + 1, same = 1; /* past sources without warnings */
        for (; lone && j < v->nsources; j++) {
            const struct cb_source *t = v->inv[j];
            if (!t->warnings)
                continue;
            if (!lone_warning(t) || strcmp(lone_warning(t), lone) != 0)
                break;
            same++;
        }
        if (same > 1) {
            md_cut(o, lone, CB_LIMIT_MD_WARNING);
            out_str(o, ": ");
            size_t shown = 0;
            for (size_t k = i; k < j && shown < INV_NAMES; k++) {
                if (!v->inv[k]->warnings)
                    continue;
                out_str(o, shown++ ? ", " : "");
                cited_label(o, v, v->inv[k]);
            }
            if (same > INV_NAMES) {
                out_str(o, " and ");
                u64(o, same - INV_NAMES);
                out_str(o, " more");
            }
        } else {
            j = i + 1;
            cited_label(o, v, s);
            out_str(o, ": ");
            source_warnings(o, s);
        }
        out_str(o, "\n");
        i = j;
    }
}

/* One line per host, its files counted by format; then the warnings of
 * each source and of the bundle. */
static void inventory(struct out *o, const struct cb_view *v)
{
    const struct cb_analysis *an = v->an;
    out_str(o, "\n## Inventory\n\n");
    char focus[1400];
    cb_view_focus_line(v, focus, sizeof focus);
    if (focus[0]) {
        out_str(o, "Focus: ");
        md(o, focus);
        out_str(o, " (every source is still listed).\n\n");
    }
    if (!v->nsources)
        out_str(o, "No file was read.\n");
    for (size_t i = 0; i < v->nsources;) {
        const char *host = nz(v->inv[i]->host);
        inventory_host(o, v, host);
        size_t groups = 0;
        uint64_t left = 0;
        while (i < v->nsources && strcmp(nz(v->inv[i]->host), host) == 0) {
            size_t j = i;
            while (j < v->nsources && strcmp(nz(v->inv[j]->host), host) == 0 &&
                   strcmp(nz(v->inv[j]->format), nz(v->inv[i]->format)) == 0) {
                left += v->inv[j]->scope_out + v->inv[j]->scope_out_nk;
                j++;
            }
            out_str(o, groups++ ? "; " : "");
            inventory_group(o, v->inv + i, j - i);
            i = j;
        }
        if (left) {
            out_str(o, "; ");
            u64(o, left);
            out_str(o, " events left out by the focus");
        }
        out_str(o, "\n");
    }
    warnings_md(o, v);
    if (an && an->warnings) {
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

/* The full nested path of every source the note cites, once. */
static void sources_md(struct out *o, const struct cb_view *v)
{
    if (!v->ncited)
        return;
    out_str(o, "\n## Sources\n\n");
    for (size_t k = 0; k < v->ncited; k++) {
        out_str(o, "- S");
        u64(o, k + 1);
        out_str(o, ": ");
        code(o, v->cited[k]->path);
        out_str(o, "\n");
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
            if (f->noutages)
                md_outages(o, f);
            else if (v->went_down[fi] != CB_TIME_NONE)
                out_str(o, ": went down (EventLog 6008)");
            const char *stop =
                cb_stop_kind_text((enum cb_stop_kind)v->stop_kind[fi]);
            if (stop) {
                out_str(o, "; Kernel-Power 41 says ");
                out_str(o, stop);
            }
            for (size_t h = 0; h < f->nhosts; h++) { /* F3, F4: which node */
                out_str(o, h ? ", " : " (logged on ");
                md(o, f->hosts[h]);
            }
            out_str(o, f->nhosts ? ")\n" : "\n");
        }
    }
}

/* ---- the case summary ------------------------------------------------------
 * A block that pastes into a ticket as it is: plain text in a fence, so
 * that paths keep their backslashes and nothing needs unescaping. Every
 * line starts with our own label and customer text has no line breaks
 * (txt), so no customer text can close the fence. */

static void txt_list(struct out *o, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out_str(o, i ? ", " : "");
        txt(o, v[i]);
    }
}

enum { CASE_COLLECT = 8 }; /* "Collect next" lines at most */

/* An incident's lines: headline, when, where, cause, the first step. */
static void case_incident(struct out *o, const struct cb_view *v,
                          const struct cb_incident *in)
{
    const struct cb_finding *root = &v->find[in->root];
    out_str(o, "\n");
    txt(o, in->ref);
    out_str(o, " (");
    out_str(o, cb_severity_name(in->severity));
    out_str(o, "): ");
    txt(o, in->title);
    out_str(o, "\n  When:   ");
    when_s(o, in->first);
    if (in->last != in->first) {
        out_str(o, " to ");
        when_s(o, in->last);
    }
    out_str(o, " UTC");
    for (size_t k = 0; k < root->noutages; k++) {
        const struct cb_outage *d = &root->outages[k];
        out_str(o, "\n  Down:   ");
        txt(o, d->host);
        out_str(o, " ");
        when_s(o, d->from);
        out_str(o, " to ");
        when_s(o, d->to);
        out_str(o, " UTC (");
        txt(o, d->from_by);
        out_str(o, "; ");
        txt(o, d->how);
        out_str(o, ")");
    }
    if (!root->noutages && v->went_down[in->root] != CB_TIME_NONE) {
        out_str(o, "\n  Down:   ");
        when_s(o, v->went_down[in->root]);
        out_str(o, " UTC (EventLog 6008)");
    }
    out_str(o, "\n  Where:  ");
    if (in->nhosts)
        txt_list(o, in->hosts, in->nhosts);
    else
        out_str(o, "host not identified");
    out_str(o, "\n  Cause:  ");
    /* a headline that is the cause's own title: its summary says more */
    txt(o, in->title && root->title && !strcmp(in->title, root->title) &&
                   root->summary
               ? root->summary
               : root->title);
    out_str(o, " (");
    u64(o, (uint64_t)root->confidence);
    out_str(o, " % confidence, rule ");
    txt(o, root->id);
    out_str(o, ")");
    const char *stop =
        cb_stop_kind_text((enum cb_stop_kind)v->stop_kind[in->root]);
    if (stop) {
        out_str(o, "; Kernel-Power 41: ");
        out_str(o, stop);
    }
    if (v->stepoff[in->lead + 1] > v->stepoff[in->lead]) {
        const struct cb_view_step *st = &v->steps[v->stepoff[in->lead]];
        out_str(o, st->kind == CB_STEP_DIAGNOSE ? "\n  First:  (read-only) "
                                                : "\n  First:  (change) ");
        txt(o, st->text);
    }
    out_str(o, "\n");
}

/* What the upload already holds for every node, so that the summary does
 * not ask the customer again for it: a System log with events, and a
 * cluster.log that starts before t (the earliest incident). */
struct upload_has {
    int system, clusterlog;
};

static int node_index(const struct cb_view *v, const char *host)
{
    for (size_t i = 0; host && host[0] && i < v->nnodes; i++) {
        if (strcasecmp(v->nodes[i], host) == 0)
            return (int)i;
    }
    return -1;
}

static struct upload_has upload_has(const struct cb_view *v, cb_time t)
{
    enum { MAXN = 64 }; /* past this many nodes: not worked out */
    unsigned char sys[MAXN] = {0}, cl[MAXN] = {0};
    struct upload_has h = {0, 0};
    if (!v->nnodes || v->nnodes > MAXN)
        return h;
    /* the cluster.log's own debug log must start before t: its embedded
     * System section goes back further than a log reset after the
     * incident (lines only counted are debug lines) */
    for (size_t i = 0; i < v->nsources; i++) {
        const struct cb_source *s = v->inv[i];
        int k = node_index(v, s->host);
        if (k >= 0 && !strcmp(nz(s->format), "clusterlog") && s->not_kept &&
            s->nk_first != CB_TIME_NONE && s->nk_first <= t)
            cl[k] = 1;
    }
    const char *prev = NULL; /* hosts are interned: one lookup per run */
    int pk = -1;
    for (size_t i = 0; i < v->tl->count; i++) {
        const struct cb_event *e = v->tl->events[i];
        if (!e->channel)
            continue;
        /* a cluster.log's embedded System section is not the log */
        int is_sys = strcmp(e->channel, "System") == 0 && e->source &&
                     strcmp(nz(e->source->format), "clusterlog") != 0;
        int is_cl = e->ts <= t && strcmp(e->channel, "cluster.log") == 0;
        if ((is_sys || is_cl) && e->host != prev) {
            prev = e->host;
            pk = node_index(v, e->host);
        }
        int k = is_sys || is_cl ? pk : -1;
        if (k >= 0) {
            sys[k] |= (unsigned char)is_sys;
            cl[k] |= (unsigned char)is_cl;
        }
    }
    h.system = h.clusterlog = 1;
    for (size_t i = 0; i < v->nnodes; i++) {
        h.system &= sys[i];
        h.clusterlog &= cl[i];
    }
    return h;
}

/* An item asking for what the upload has: said, so that nobody asks the
 * customer for it again (the item may ask for more, so it stays). */
static void collect_item(struct out *o, const char *item,
                         const struct upload_has *h)
{
    txt(o, item);
    int cl = h->clusterlog && (cb_strcasestr(item, "Get-ClusterLog") ||
                               cb_strcasestr(item, "cluster log"));
    int sys = h->system && (cb_strcasestr(item, "System event log") ||
                            cb_strcasestr(item, "System log"));
    if (cl || sys) {
        out_str(o, " (the upload already has every node's ");
        out_str(o, cl ? "cluster.log from before the incident" : "");
        out_str(o, cl && sys ? " and " : "");
        out_str(o, sys ? "System log" : "");
        out_str(o, ")");
    }
}

/* Is item among the n collect items already written? */
static int collect_seen(const char *const *seen, size_t n, const char *item)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(seen[i], item) == 0)
            return 1;
    }
    return 0;
}

/* What to ask the customer for: the incidents' causes' and headlines'
 * "collect next", then the channels no source holds at all. */
static void case_collect(struct out *o, const struct cb_view *v)
{
    const char *seen[CASE_COLLECT];
    size_t n = 0;
    const struct cb_incidents *is = &v->incidents;
    cb_time t = CB_TIME_NONE;
    for (size_t i = 0; i < is->count; i++) {
        if (t == CB_TIME_NONE || is->items[i].first < t)
            t = is->items[i].first;
    }
    struct upload_has h = upload_has(v, t);
    for (size_t i = 0; i < is->count && n < CASE_COLLECT; i++) {
        size_t fs[2] = {is->items[i].root, is->items[i].lead};
        for (size_t j = 0; j < 2 && n < CASE_COLLECT; j++) {
            const struct cb_finding *f = &v->find[fs[j]];
            for (size_t k = 0; k < f->ncollect && n < CASE_COLLECT; k++) {
                if (collect_seen(seen, n, f->collect[k]))
                    continue;
                out_str(o, n ? "\n  - " : "\nCollect next:\n  - ");
                collect_item(o, f->collect[k], &h);
                seen[n++] = f->collect[k];
            }
        }
    }
    const struct cb_gaps *g = v->in->gaps;
    size_t missing = 0;
    for (size_t i = 0; g && i < g->count; i++) {
        const struct cb_gap *gp = &g->items[i];
        if (gp->kind != CB_GAP_MISSING_CHANNEL || !gp->detail ||
            strncmp(gp->detail, "present but empty", 17) == 0)
            continue;
        if (!missing++)
            out_str(o, n++ ? "\n  - logs not in the upload: "
                           : "\nCollect next:\n  - logs not in the upload: ");
        else
            out_str(o, ", ");
        const char *ch = gp->subject ? gp->subject : "?";
        if (strncmp(ch, "Microsoft-Windows-", 18) == 0)
            ch += 18;
        txt(o, ch);
    }
    if (n)
        out_str(o, "\n");
}

/* "Clocks:    assumed for HV-D01, HV-D02 ...": hosts with a file whose
 * time basis had to be assumed (their times may be off by the offset). */
static void clocks_assumed(struct out *o, const struct cb_view *v)
{
    const struct cb_gaps *g = v->in->gaps;
    const char *last = NULL;
    size_t n = 0;
    for (size_t i = 0; g && i < g->count && n < INV_NAMES; i++) {
        const struct cb_gap *gp = &g->items[i];
        if (gp->kind != CB_GAP_TIME_ASSUMED || !gp->subject)
            continue;
        const struct cb_source *s =
            cb_view_source_by_path(v, gp->subject, strlen(gp->subject));
        const char *h = s && s->host && s->host[0] ? s->host : "?";
        if (last && strcmp(last, h) == 0)
            continue;
        out_str(o, n++ ? ", " : "\nClocks:    assumed (no UTC offset stated) for ");
        txt(o, h);
        last = h;
    }
    if (n)
        out_str(o, "; their times may be off by that offset (--tz sets it)");
}

static void case_summary(struct out *o, const struct cb_view *v)
{
    out_str(o, "\n## Case summary\n\n```text\nCase:      ");
    txt(o, v->in->case_name);
    out_str(o, "\nUpload:    ");
    if (v->complete) {
        out_str(o, "complete");
    } else {
        static const char lead[] = "The upload is damaged: ";
        char headline[256];
        cb_view_damage_headline(v, headline, sizeof headline);
        out_str(o, "DAMAGED: ");
        out_str(o, strncmp(headline, lead, sizeof lead - 1) == 0
                       ? headline + sizeof lead - 1
                       : headline);
    }
    size_t nfiles = v->an ? v->an->nsources : 0;
    out_str(o, "\nRead:      ");
    u64g(o, nfiles);
    out_str(o, nfiles == 1 ? " file, " : " files, ");
    u64g(o, v->events_read);
    out_str(o, v->events_read == 1 ? " event" : " events");
    out_str(o, "\nSpan:      ");
    if (v->first != CB_TIME_NONE) {
        when_s(o, v->first);
        out_str(o, " to ");
        when_s(o, v->last);
        out_str(o, " UTC");
    } else {
        out_str(o, "no event with a time");
    }
    out_str(o, "\nNodes:     ");
    if (v->nnodes)
        txt_list(o, v->nodes, v->nnodes);
    else
        out_str(o, "none identified");
    clocks_assumed(o, v);
    out_str(o, "\nIncidents: ");
    const struct cb_incidents *is = &v->incidents;
    if (v->nothing_read)
        out_str(o, "none: nothing in the upload could be read");
    else if (!is->count)
        out_str(o, "none: no known failure pattern found");
    else
        u64(o, is->count);
    out_str(o, "\n");
    for (size_t i = 0; i < is->count; i++)
        case_incident(o, v, &is->items[i]);
    case_collect(o, v);
    out_str(o, "```\n");
}

static void document(struct out *o, const struct cb_view *v)
{
    damage_banner(o, v);
    out_str(o, "# casebrief report: ");
    md_lead(o, v->in->case_name);
    out_str(o, "\n");
    case_summary(o, v);
    header(o, v);
    story_md(o, v);
    /* the cluster's overview (issue 16 #6): after the story, before the
     * ranked findings */
    cb_overview_md(o, &v->overview, md);
    summary(o, v);
    gaps(o, v);
    inventory(o, v);
    sources_md(o, v);
}

enum cb_status cb_report_markdown(FILE *f, const struct cb_report_input *in)
{
    return cb_view_render(f, in, document);
}
