/*
 * overview_out.c - the cluster overview (overview.h) as the HTML page,
 * report.md and report.json show it: one table, one row per object, the
 * logs' disagreements beside the value most logs give. Every string is
 * the customer's and is escaped for its destination: out_html for HTML,
 * the caller's Markdown escaper, out_json_str for JSON.
 */
#include <string.h>

#include "out.h"
#include "overview.h"

static const char *const plural[CB_OV_KINDS] = {"nodes", "networks",
                                                "volumes", "VMs", "roles"};

static void count_kinds(const struct cb_overview *ov, size_t n[CB_OV_KINDS])
{
    memset(n, 0, CB_OV_KINDS * sizeof *n);
    for (size_t i = 0; i < ov->nrows; i++)
        n[ov->rows[i].kind]++;
}

/* "3 nodes, 2 networks, 2 volumes, 4 VMs and 1 role" through esc. */
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
        out_str(o, n[k] == 1 ? cb_ov_kind_name((enum cb_ov_kind)k)
                             : plural[k]);
        done++;
    }
}

typedef void (*esc_fn)(struct out *o, const char *s);

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
        if (!v || (want && strcmp(v, want) == 0))
            continue;
        out_str(o, any ? "; " : "");
        esc(o, r->seen[i].host[0] ? r->seen[i].host : r->seen[i].source);
        out_str(o, "'s log: ");
        esc(o, v);
        any = 1;
    }
    return any;
}

static void absent_list(struct out *o, const struct cb_ov_row *r, esc_fn esc)
{
    out_str(o, "not in the log of ");
    for (size_t i = 0; i < r->nabsent; i++) {
        out_str(o, i == 0 ? "" : i + 1 == r->nabsent ? " and " : ", ");
        esc(o, r->absent[i]);
    }
}

/* The row's details, each with where it came from in HTML (from: the
 * muted "(Nodes table)" notes; NULL in Markdown, which stays short). */
static void details(struct out *o, const struct cb_ov_row *r, esc_fn esc,
                    void (*from)(struct out *o, const char *s))
{
    int any = 0;
    if (r->detail) {
        esc(o, r->detail);
        if (from && r->detail_from)
            from(o, r->detail_from);
        any = 1;
    }
    if (r->id) {
        out_str(o, any ? "; " : "");
        out_str(o, r->kind == CB_OV_VM ? "VM id " : r->kind == CB_OV_NODE
                                                     ? "node id "
                                                     : "id ");
        esc(o, r->id);
        if (from && r->id_from && r->kind == CB_OV_VM)
            from(o, r->id_from);
        any = 1;
    }
    if (r->resource && r->kind == CB_OV_VM) {
        out_str(o, any ? "; " : "");
        out_str(o, "cluster resource ");
        esc(o, r->resource);
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
        out_html(o, v);
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
    out_str(o, cb_ov_row_differs(r) ? "<tr class=\"differs\"><td>" : "<tr><td>");
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
    out_html(o, r->name);
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
    if (!ov->nrows && !ov->cluster)
        return;
    out_str(o, "<section id=\"overview\">\n<h2>Cluster overview</h2>\n<p>");
    if (ov->cluster) {
        out_str(o, "Cluster <b>");
        out_html(o, ov->cluster);
        out_str(o, "</b>: ");
    }
    kinds_line(o, ov);
    if (ov->nlogs) {
        out_str(o, ", from the configuration sections of the cluster.log of ");
        for (size_t i = 0; i < ov->nlogs; i++) {
            out_str(o, i == 0 ? "" : i + 1 == ov->nlogs ? " and " : ", ");
            out_html(o, ov->logs[i]);
        }
    }
    out_str(o, ".");
    if (ov->differ) {
        out_str(o, " <b class=\"diffnote\">");
        out_u64(o, ov->differ);
        out_str(o, ov->differ == 1 ? " object differs" : " objects differ");
        out_str(o, " between the logs</b> (highlighted: what each log says).");
    }
    if (ov->cut) {
        out_str(o, " ");
        out_u64(o, ov->cut);
        out_str(o, " more objects or rows past the overview's limit are not "
                   "shown.");
    }
    out_str(o, "</p>\n");
    out_str(o, ov->nrows > 25 ? "<details><summary>All " : "<details open>"
                                                           "<summary>All ");
    out_u64(o, ov->nrows);
    out_str(o, " objects</summary>\n<table class=\"ov\">\n<thead><tr>"
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
    md(o, v ? v : "\xE2\x80\x93");
    if (owner ? r->owner_differs : r->state_differs) {
        out_str(o, " **\xE2\x80\x94 differs:** ");
        differences(o, r, owner, md);
    }
}

void cb_overview_md(struct out *o, const struct cb_overview *ov,
                    void (*md)(struct out *o, const char *s))
{
    if (!ov->nrows && !ov->cluster)
        return;
    out_str(o, "## Cluster overview\n\n");
    if (ov->cluster) {
        out_str(o, "Cluster **");
        md(o, ov->cluster);
        out_str(o, "**: ");
    }
    kinds_line(o, ov);
    if (ov->nlogs) {
        out_str(o, ", from the cluster.log of ");
        for (size_t i = 0; i < ov->nlogs; i++) {
            out_str(o, i == 0 ? "" : i + 1 == ov->nlogs ? " and " : ", ");
            md(o, ov->logs[i]);
        }
    }
    out_str(o, ".");
    if (ov->differ) {
        out_str(o, " **");
        out_u64(o, ov->differ);
        out_str(o, ov->differ == 1 ? " object differs" : " objects differ");
        out_str(o, " between the logs.**");
    }
    if (ov->cut) {
        out_str(o, " ");
        out_u64(o, ov->cut);
        out_str(o, " more past the overview's limit.");
    }
    out_str(o, "\n\n| Kind | Name | State | Owner node | Details |\n"
               "|---|---|---|---|---|\n");
    for (size_t i = 0; i < ov->nrows; i++) {
        const struct cb_ov_row *r = &ov->rows[i];
        out_str(o, "| ");
        out_str(o, cb_ov_kind_name(r->kind));
        out_str(o, " | ");
        md(o, r->name);
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
    out_str(o, "\n");
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
