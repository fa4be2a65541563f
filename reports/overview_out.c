/*
 * overview_out.c - the cluster overview (overview.h) as the HTML page,
 * report.md and report.json show it: one table, one row per object, the
 * logs' disagreements beside the value most logs give. Every string is
 * the customer's and is escaped for its destination: out_html for HTML,
 * the caller's Markdown escaper, out_json_str for JSON.
 */
#include <string.h>
#include <strings.h>

#include "out.h"
#include "overview.h"
#include "view.h"

/* rows of report.md's table that all logs agree on (those that differ
 * are all shown) */
#define MD_ROWS 40U
/* bytes of one name or value shown (JSON has them whole) */
#define OVERVIEW_TEXT 200U

static const char *const plural[CB_OV_KINDS] = {"nodes", "networks", "volumes",
                                                "VMs", "roles"};

static void count_kinds(const struct cb_overview *ov, size_t n[CB_OV_KINDS])
{
    memset(n, 0, CB_OV_KINDS * sizeof *n);
    for (size_t i = 0; i < ov->nrows; i++)
        n[ov->rows[i].kind]++;
}

/* "3 nodes, 2 networks, 2 volumes, 4 VMs and 1 role" (our words). */
static void kinds_line(struct out *o, const struct cb_overview *ov)
{
    size_t n[CB_OV_KINDS], left = 0, done = 0;
    count_kinds(ov, n);
    for (int k = 0; k < CB_OV_KINDS; k++)
        left += n[k] != 0;
    for (int k = 0; k < CB_OV_KINDS; k++) {
        if (!n[k])
            continue;
        if (done)
            out_str(o, done + 1 == left ? " and " : ", ");
        out_u64(o, n[k]);
        out_char(o, ' ');
        out_str(o, n[k] == 1 ? cb_ov_kind_name((enum cb_ov_kind)k) : plural[k]);
        done++;
    }
}

typedef void (*esc_fn)(struct out *o, const char *s);

/* The customer's text through esc, cut on a character boundary past
 * OVERVIEW_TEXT bytes with an ellipsis: a table cell can
 * be as long as a line of the log. */
static void esc_cut(struct out *o, const char *s, esc_fn esc)
{
    size_t n = strlen(s);
    if (n <= OVERVIEW_TEXT) {
        esc(o, s);
        return;
    }
    char buf[OVERVIEW_TEXT + 1];
    size_t k = out_utf8_cut(s, OVERVIEW_TEXT);
    memcpy(buf, s, k);
    buf[k] = '\0';
    esc(o, buf);
    out_str(o, "\xE2\x80\xA6");
}

/* "HV-A02's log: Down; HV-A03's log: —" for the logs that disagree with
 * the row's value (owner: the owner column), and the logs that leave the
 * object out. Returns whether it wrote anything. */
static int differences(struct out *o, const struct cb_ov_row *r, int owner,
                       esc_fn esc)
{
    const char *want = owner ? r->owner : r->state;
    int any = 0;
    for (size_t i = 0; i < r->nseen; i++) {
        const char *v = owner ? r->seen[i].owner : r->seen[i].state;
        if (!v || (want && strcasecmp(v, want) == 0))
            continue;
        out_str(o, any ? "; " : "");
        /* a log without a host by its file name (the title and JSON give
         * the whole path) */
        esc_cut(o,
                r->seen[i].host[0] ? r->seen[i].host
                                   : cb_view_source_label(r->seen[i].source),
                esc);
        out_str(o, "'s log: ");
        esc_cut(o, v, esc);
        any = 1;
    }
    return any;
}

static void absent_list(struct out *o, const struct cb_ov_row *r, esc_fn esc)
{
    out_str(o, "not in the log of ");
    for (size_t i = 0; i < r->nabsent; i++) {
        out_str(o, i == 0 ? "" : i + 1 == r->nabsent ? " and " : ", ");
        esc_cut(o, cb_view_source_label(r->absent[i]), esc);
    }
}

/* The row's details, each with where it came from in HTML (from: the
 * muted "(Nodes table)" notes; NULL in Markdown, which stays short). */
static void details(struct out *o, const struct cb_ov_row *r, esc_fn esc,
                    void (*from)(struct out *o, const char *s))
{
    int any = 0;
    if (r->detail) {
        esc_cut(o, r->detail, esc);
        if (from && r->detail_from)
            from(o, r->detail_from);
        any = 1;
    }
    if (r->id) {
        out_str(o, any ? "; " : "");
        out_str(o, r->kind == CB_OV_VM     ? "VM id "
                   : r->kind == CB_OV_NODE ? "node id "
                                           : "id ");
        esc_cut(o, r->id, esc);
        if (from && r->id_from && r->kind == CB_OV_VM)
            from(o, r->id_from);
        any = 1;
    }
    if (r->resource && r->kind == CB_OV_VM) {
        out_str(o, any ? "; " : "");
        out_str(o, "cluster resource ");
        esc_cut(o, r->resource, esc);
    }
}

/* The sentence atop the table: what it holds, from which logs, how
 * many objects differ, and what the caps left out. html: bold as HTML,
 * else as Markdown. */
static void intro(struct out *o, const struct cb_overview *ov, esc_fn esc,
                  int html)
{
    const char *b = html ? "<b class=\"diffnote\">" : "**";
    const char *eb = html ? "</b>" : "**";
    if (ov->cluster) {
        out_str(o, "Cluster ");
        out_str(o, html ? "<b>" : "**");
        esc_cut(o, ov->cluster, esc);
        out_str(o, html ? "</b>: " : "**: ");
    }
    kinds_line(o, ov);
    if (ov->nlogs) {
        out_str(o, ", from the configuration sections of the cluster.log of ");
        for (size_t i = 0; i < ov->nlogs; i++) {
            out_str(o, i == 0 ? "" : i + 1 == ov->nlogs ? " and " : ", ");
            esc_cut(o, cb_view_source_label(ov->logs[i]), esc);
        }
    }
    out_str(o, ".");
    if (ov->differ) {
        out_char(o, ' ');
        out_str(o, b);
        out_u64(o, ov->differ);
        out_str(o, ov->differ == 1 ? " object differs" : " objects differ");
        out_str(o, " between the logs");
        out_str(o, eb);
        out_str(o, html ? " (highlighted, with what each log says)." : ".");
    }
    if (ov->cut) {
        out_char(o, ' ');
        out_u64(o, ov->cut);
        out_str(o, " more objects or rows past the overview's limit are not "
                   "shown.");
    }
    for (size_t i = 0; i < ov->ncuts; i++) {
        const struct cb_ov_cut *c = &ov->cuts[i];
        out_str(o, " The ");
        esc_cut(o, c->section, esc);
        out_str(o, " section of ");
        esc_cut(o, cb_view_source_label(c->source), esc);
        out_str(o, " (line ");
        out_u64(o, c->line);
        out_str(o, ") was cut: ");
        out_u64(o, c->rows);
        out_str(o, " rows read, ");
        out_u64(o, c->rows_cut);
        out_str(o, " more counted, not kept; what they say is missing here.");
    }
}

/* ---- HTML --------------------------------------------------------------- */

static void html_from(struct out *o, const char *from)
{
    out_str(o, " <span class=\"mut\">(");
    out_html(o, from);
    out_str(o, ")</span>");
}

static void html_cell(struct out *o, const struct cb_ov_row *r, int owner)
{
    int differs = owner ? r->owner_differs : r->state_differs;
    const char *v = owner ? r->owner : r->state;
    out_str(o, differs ? "<td class=\"diff\">" : "<td>");
    if (v)
        esc_cut(o, v, out_html);
    else
        out_str(o, "<span class=\"mut\">\xE2\x80\x94</span>");
    if (differs) {
        out_str(o, "<br><span class=\"says\">");
        differences(o, r, owner, out_html);
        out_str(o, "</span>");
    }
    out_str(o, "</td>");
}

static void html_row(struct out *o, const struct cb_ov_row *r)
{
    out_str(o,
            cb_ov_row_differs(r) ? "<tr class=\"differs\"><td>" : "<tr><td>");
    out_str(o, cb_ov_kind_name(r->kind));
    out_str(o, "</td><td");
    if (r->nseen) { /* where to read it: the first log's row */
        out_str(o, " title=\"");
        out_html(o, r->seen[0].source);
        out_str(o, " line ");
        out_u64(o, r->seen[0].line);
        out_str(o, "\"");
    }
    out_str(o, "><b>");
    esc_cut(o, r->name, out_html);
    out_str(o, "</b>");
    if (r->nabsent) {
        out_str(o, "<br><span class=\"says\">");
        absent_list(o, r, out_html);
        out_str(o, "</span>");
    }
    out_str(o, "</td>");
    html_cell(o, r, 0);
    html_cell(o, r, 1);
    out_str(o, "<td>");
    details(o, r, out_html, html_from);
    out_str(o, "</td></tr>\n");
}

void cb_overview_html(struct out *o, const struct cb_overview *ov)
{
    if (!ov->nrows && !ov->cluster && !ov->ncuts)
        return;
    out_str(o, "<section id=\"overview\">\n<h2>Cluster overview</h2>\n<p>");
    intro(o, ov, out_html, 1);
    out_str(o, "</p>\n");
    if (!ov->nrows) {
        out_str(o, "</section>\n");
        return;
    }
    out_str(o, ov->nrows > 25 ? "<details><summary>All "
                              : "<details open=\"open\"><summary>All ");
    out_u64(o, ov->nrows);
    out_str(o, " objects");
    if (ov->differ) {
        out_str(o, ", ");
        out_u64(o, ov->differ);
        out_str(o, " differing between the logs");
    }
    out_str(o, "</summary>\n<table class=\"ov\">\n<thead><tr>"
               "<th>Kind</th><th>Name</th><th>State</th><th>Owner node</th>"
               "<th>Details</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < ov->nrows; i++)
        html_row(o, &ov->rows[i]);
    out_str(o, "</tbody>\n</table>\n</details>\n</section>\n");
}

/* ---- Markdown ------------------------------------------------------------ */

static void md_cell(struct out *o, const struct cb_ov_row *r, int owner,
                    esc_fn md)
{
    const char *v = owner ? r->owner : r->state;
    esc_cut(o, v ? v : "\xE2\x80\x93", md);
    if (owner ? r->owner_differs : r->state_differs) {
        out_str(o, " **\xE2\x80\x94 differs:** ");
        differences(o, r, owner, md);
    }
}

void cb_overview_md(struct out *o, const struct cb_overview *ov,
                    void (*md)(struct out *o, const char *s))
{
    if (!ov->nrows && !ov->cluster && !ov->ncuts)
        return;
    out_str(o, "\n\n## Cluster overview\n\n");
    intro(o, ov, md, 0);
    if (!ov->nrows)
        return;
    out_str(o, "\n\n| Kind | Name | State | Owner node | Details |\n"
               "|---|---|---|---|---|\n");
    size_t shown = 0, left = 0;
    for (size_t i = 0; i < ov->nrows; i++) {
        const struct cb_ov_row *r = &ov->rows[i];
        /* a case note stays short: every row that differs, and the
         * first MD_ROWS of the others */
        if (!cb_ov_row_differs(r) && shown >= MD_ROWS) {
            left++;
            continue;
        }
        shown += !cb_ov_row_differs(r);
        out_str(o, "| ");
        out_str(o, cb_ov_kind_name(r->kind));
        out_str(o, " | ");
        esc_cut(o, r->name, md);
        if (r->nabsent) {
            out_str(o, " (");
            absent_list(o, r, md);
            out_str(o, ")");
        }
        out_str(o, " | ");
        md_cell(o, r, 0, md);
        out_str(o, " | ");
        md_cell(o, r, 1, md);
        out_str(o, " | ");
        details(o, r, md, NULL);
        out_str(o, " |\n");
    }
    if (left) {
        out_str(o, "\n");
        out_u64(o, left);
        out_str(o, " more objects that all logs agree on: report.json's "
                   "overview and report.html list them.\n");
    }
}

/* ---- JSON ---------------------------------------------------------------- */

static void nl(struct out *o, int level)
{
    out_char(o, '\n');
    for (int i = 0; i < level; i++)
        out_str(o, "  ");
}

static void jkey(struct out *o, int level, const char *k, int first)
{
    if (!first)
        out_char(o, ',');
    nl(o, level);
    out_json_str(o, k);
    out_str(o, ": ");
}

static void json_row(struct out *o, const struct cb_ov_row *r, int level)
{
    out_char(o, '{');
    jkey(o, level + 1, "name", 1);
    out_json_str(o, r->name);
    jkey(o, level + 1, "state", 0);
    out_json_str(o, r->state);
    jkey(o, level + 1, "owner", 0);
    out_json_str(o, r->owner);
    jkey(o, level + 1, r->kind == CB_OV_NODE ? "os" : "detail", 0);
    out_json_str(o, r->detail);
    jkey(o, level + 1, "detail_from", 0);
    out_json_str(o, r->detail_from);
    jkey(o, level + 1, r->kind == CB_OV_VM ? "vm_id" : "id", 0);
    out_json_str(o, r->id);
    jkey(o, level + 1, "id_from", 0);
    out_json_str(o, r->id_from);
    if (r->kind == CB_OV_VM || r->kind == CB_OV_VOLUME) {
        jkey(o, level + 1, "resource", 0);
        out_json_str(o, r->resource);
    }
    jkey(o, level + 1, "differs", 0);
    out_str(o, cb_ov_row_differs(r) ? "true" : "false");
    jkey(o, level + 1, "logs", 0);
    out_char(o, '[');
    for (size_t i = 0; i < r->nseen; i++) {
        const struct cb_ov_seen *s = &r->seen[i];
        out_str(o, i ? ", {" : "{");
        out_str(o, "\"host\": ");
        out_json_str(o, s->host[0] ? s->host : NULL);
        out_str(o, ", \"source\": ");
        out_json_str(o, s->source);
        out_str(o, ", \"line\": ");
        out_u64(o, s->line);
        out_str(o, ", \"state\": ");
        out_json_str(o, s->state);
        out_str(o, ", \"owner\": ");
        out_json_str(o, s->owner);
        out_char(o, '}');
    }
    out_char(o, ']');
    jkey(o, level + 1, "absent_from", 0);
    out_char(o, '[');
    for (size_t i = 0; i < r->nabsent; i++) {
        out_str(o, i ? ", " : "");
        out_json_str(o, r->absent[i]);
    }
    out_char(o, ']');
    nl(o, level);
    out_char(o, '}');
}

void cb_overview_json(struct out *o, const struct cb_overview *ov, int level)
{
    static const char *const keys[CB_OV_KINDS] = {"nodes", "networks",
                                                  "volumes", "vms", "roles"};
    out_char(o, '{');
    jkey(o, level + 1, "cluster", 1);
    out_json_str(o, ov->cluster);
    jkey(o, level + 1, "logs", 0);
    out_char(o, '[');
    for (size_t i = 0; i < ov->nlogs; i++) {
        out_str(o, i ? ", " : "");
        out_json_str(o, ov->logs[i]);
    }
    out_char(o, ']');
    jkey(o, level + 1, "differ", 0);
    out_u64(o, ov->differ);
    jkey(o, level + 1, "cut", 0);
    out_u64(o, ov->cut);
    jkey(o, level + 1, "sections_cut", 0);
    out_char(o, '[');
    for (size_t i = 0; i < ov->ncuts; i++) {
        const struct cb_ov_cut *c = &ov->cuts[i];
        out_str(o, i ? ", {\"source\": " : "{\"source\": ");
        out_json_str(o, c->source);
        out_str(o, ", \"section\": ");
        out_json_str(o, c->section);
        out_str(o, ", \"line\": ");
        out_u64(o, c->line);
        out_str(o, ", \"rows\": ");
        out_u64(o, c->rows);
        out_str(o, ", \"rows_cut\": ");
        out_u64(o, c->rows_cut);
        out_char(o, '}');
    }
    out_char(o, ']');
    for (int k = 0; k < CB_OV_KINDS; k++) {
        jkey(o, level + 1, keys[k], 0);
        out_char(o, '[');
        int first = 1;
        for (size_t i = 0; i < ov->nrows; i++) {
            if (ov->rows[i].kind != (enum cb_ov_kind)k)
                continue;
            out_str(o, first ? "" : ",");
            nl(o, level + 2);
            json_row(o, &ov->rows[i], level + 2);
            first = 0;
        }
        if (!first)
            nl(o, level + 1);
        out_char(o, ']');
    }
    nl(o, level);
    out_char(o, '}');
}
