/*
 * batch_index.c - batch mode's files beside the per-case reports: the case
 * record, the up-to-date stamp, and the index (summary.json,
 * findings.jsonl, index.html) rebuilt from the case directories.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* access */

#include "alloc.h"
#include "casebrief/arena.h"
#include "batch.h"
#include "casebrief/casebrief.h"
#include "jsonv.h"
#include "out.h"
#include "platform.h"

/* Severities as report.json names them (cb_severity_name), 0..4. */
static const char *sev_name(int sev)
{
    return cb_severity_name((enum cb_severity)sev);
}

static int sev_index(const char *s)
{
    for (int i = CB_SEV_INFO; s && i <= CB_SEV_CRITICAL; i++)
        if (strcmp(s, sev_name(i)) == 0)
            return i;
    return 0;
}

/* ---- names and stamps ------------------------------------------------ */

void cb_batch_case_name(const char *input, char *out, size_t size)
{
    if (!size)
        return;
    size_t n = strlen(input);
    while (n > 1 && input[n - 1] == '/')
        n--;
    const char *b = input;
    for (size_t i = 0; i < n; i++)
        if (input[i] == '/' && i + 1 < n)
            b = input + i + 1;
    size_t len = (size_t)(input + n - b), o = 0;
    size_t max = size - 1 < 120 ? size - 1 : 120;
    for (size_t i = 0; i < len && o < max; i++) {
        char c = b[i];
        int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                   c == '-' || c == '+' || c == '~';
        out[o++] = safe ? c : '_';
    }
    out[o] = '\0';
    if (o && out[0] == '.')
        out[0] = '_';
    if (!o || strcmp(out, "_") == 0 || strcmp(out, "_.") == 0)
        snprintf(out, size, "case");
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    return cb_hash_bytes(p, n, h);
}

static int stamp_walk(const char *path, const char *rel, int depth,
                      uint64_t *h, uint64_t *files, uint64_t *bytes)
{
    struct cb_stat sb;
    if (cb_lstat(path, &sb) != 0)
        return -1;
    int64_t meta[3] = {(int64_t)sb.mode, (int64_t)sb.size, sb.mtime_ns};
    *h = mix(*h, rel, strlen(rel) + 1);
    if (sb.kind != CB_KIND_DIR) {
        *h = mix(*h, meta, sizeof meta);
        (*files)++;
        *bytes += sb.kind == CB_KIND_FILE ? sb.size : 0;
        return 0;
    }
    if (depth >= CB_LIMIT_STAMP_DEPTH) {
        *h = mix(*h, "(too deep)", 10);
        return 0;
    }
    struct cb_dirent *list;
    size_t n;
    if (cb_dir_scan(path, &list, &n) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *sub = NULL, *subrel = NULL;
        if (rc == 0 &&
            (asprintf(&sub, "%s/%s", path, list[i].name) < 0 ||
             asprintf(&subrel, "%s/%s", rel, list[i].name) < 0))
            rc = -1;
        else if (rc == 0)
            rc = stamp_walk(sub, subrel, depth + 1, h, files, bytes);
        free(sub);
        free(subrel);
    }
    cb_dir_scan_free(&list, n);
    return rc;
}

int cb_stamp_tree(const char *path, uint64_t *hash, uint64_t *files,
                  uint64_t *bytes)
{
    *hash = 0x6361736562726965ull; /* "casebrie" */
    *files = *bytes = 0;
    return stamp_walk(path, "", 0, hash, files, bytes);
}

static int xml_file(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".xml") == 0;
}

int cb_stamp_rules(const char *dir, uint64_t *hash)
{
    struct cb_dirent *list;
    size_t n;
    if (cb_dir_scan(dir, &list, &n) != 0)
        return -1;
    int rc = 0;
    char buf[65536];
    for (size_t i = 0; i < n; i++) {
        char *p = NULL;
        FILE *f = NULL;
        const char *name = list[i].name;
        if (!xml_file(name))
            continue;
        if (rc == 0 && asprintf(&p, "%s/%s", dir, name) >= 0)
            f = fopen(p, "rb");
        if (!f) {
            rc = -1;
        } else {
            *hash = mix(*hash, name, strlen(name) + 1);
            size_t got;
            while ((got = fread(buf, 1, sizeof buf, f)) > 0)
                *hash = mix(*hash, buf, got);
            if (ferror(f))
                rc = -1;
            fclose(f);
        }
        free(p);
    }
    cb_dir_scan_free(&list, n);
    return rc;
}

/* ---- the case record ------------------------------------------------- */

/* v, or null when it is absent (has is 0). */
static void int_or_null(struct out *o, int64_t v, int has)
{
    if (has)
        out_i64(o, v);
    else
        out_str(o, "null");
}

int cb_batch_status_done(const char *status)
{
    return status &&
           (strcmp(status, "ok") == 0 || strcmp(status, "partial") == 0);
}

/* What case.json and summary.json's case_list both say of a case:
 * name, input, status, reason and exit, sep between them. */
static void case_status(struct out *o, const char *sep, const char *name,
                        const char *input, int ok, int partial,
                        const char *reason, int64_t exit_code)
{
    out_str(o, "\"name\": ");
    out_json_str(o, name);
    out_str(o, sep);
    out_str(o, "\"input\": ");
    out_json_str(o, input);
    out_str(o, sep);
    out_str(o, "\"status\": ");
    out_json_str(o, !ok ? "failed" : partial ? "partial" : "ok");
    out_str(o, sep);
    out_str(o, "\"reason\": ");
    out_json_str(o, ok && !partial ? NULL : reason);
    out_str(o, sep);
    out_str(o, "\"exit\": ");
    int_or_null(o, exit_code, exit_code >= 0);
}

static FILE *open_tmp(const char *path, char *tmp, size_t size)
{
    if ((size_t)snprintf(tmp, size, "%s.tmp%ld", path, cb_pid()) >=
        size)
        return NULL;
    return fopen(tmp, "wb");
}

/* Close f and move tmp over path; -1 (tmp removed) on any failure. */
static int commit_tmp(FILE *f, struct out *o, const char *tmp,
                      const char *path)
{
    int bad = out_finish(o) != 0;
    bad |= fclose(f) != 0;
    if (!bad && cb_rename(tmp, path) == 0)
        return 0;
    remove(tmp);
    return -1;
}

enum cb_status cb_batch_write_case(const char *dir,
                                   const struct cb_case_result *r)
{
    char path[4096], tmp[4200];
    if ((size_t)snprintf(path, sizeof path, "%s/case.json", dir) >=
        sizeof path)
        return CB_E_IO;
    FILE *f = open_tmp(path, tmp, sizeof tmp);
    if (!f)
        return CB_E_IO;
    struct out *o = cb_malloc(sizeof *o);
    if (!o) {
        fclose(f);
        remove(tmp);
        return CB_E_NOMEM;
    }
    out_init(o, f);
    out_str(o, "{\n  ");
    case_status(o, ",\n  ", r->name, r->input, r->ok, r->partial, r->reason,
                r->exit_code);
    out_str(o, ",\n  \"signal\": ");
    int_or_null(o, r->signal, r->signal != 0);
    char t[64];
    snprintf(t, sizeof t, "%.2f", r->seconds >= 0 ? r->seconds : 0.0);
    out_str(o, ",\n  \"timing\": {\"seconds\": ");
    out_str(o, t);
    out_str(o, ", \"peak_rss_kb\": ");
    out_u64(o, r->peak_rss_kb);
    out_str(o, "}\n}\n");
    int rc = commit_tmp(f, o, tmp, path);
    cb_free(o);
    return rc == 0 ? CB_OK : CB_E_IO;
}

/* ---- the index --------------------------------------------------------- */

struct crule {
    const char *id, *pattern, *title;
    int sev;
    uint64_t findings; /* finding groups of this rule in the case */
    uint64_t count;    /* their occurrences */
};

struct ccase {
    const char *name, *input, *reason, *version;
    int ok, partial, has_html; /* partial: ok, input damaged (reason) */
    int64_t exit_code, signal, sources, events;
    double seconds;
    uint64_t rss_kb;
    size_t nfindings;
    int worst; /* -1: no findings */
    struct crule *rules;
    size_t nrules;
};

struct idx {
    struct cb_arena *arena;
    struct ccase *cases;
    size_t ncases, cap;
};

static const char *keep(struct idx *x, const char *s)
{
    return s ? cb_arena_strdup(x->arena, s) : NULL;
}

/* One JSON value, compactly (depth bounded by the reader's cap). */
static void jv_write(struct out *o, const struct cb_jv *v)
{
    switch (v->type) {
    case CB_JNULL: out_str(o, "null"); break;
    case CB_JTRUE: out_str(o, "true"); break;
    case CB_JFALSE: out_str(o, "false"); break;
    case CB_JNUM: out_str(o, v->str); break;
    case CB_JSTR: out_json_str(o, v->str); break;
    case CB_JARR:
    case CB_JOBJ: {
        int obj = v->type == CB_JOBJ;
        out_char(o, obj ? '{' : '[');
        for (const struct cb_jv *c = v->child; c; c = c->next) {
            if (c != v->child)
                out_str(o, ", ");
            if (obj) {
                out_json_str(o, c->key);
                out_str(o, ": ");
            }
            jv_write(o, c);
        }
        out_char(o, obj ? '}' : ']');
        break;
    }
    }
}

/* The members of a finding a spreadsheet or a SIEM wants; the evidence,
 * remediation and references stay in the case's report. */
static int finding_member_kept(const char *key)
{
    static const char *const drop[] = {"evidence", "remediation", "collect",
                                       "references", "cause", NULL};
    for (int i = 0; drop[i]; i++)
        if (strcmp(key, drop[i]) == 0)
            return 0;
    return 1;
}

static int add_finding(struct idx *x, struct ccase *c, const struct cb_jv *f)
{
    const char *id = cb_json_str(f, "id");
    if (!id)
        return 0;
    int sev = sev_index(cb_json_str(f, "severity"));
    int64_t count = cb_json_int(f, "count", 1);
    c->nfindings++;
    if (sev > c->worst)
        c->worst = sev;
    for (size_t i = 0; i < c->nrules; i++)
        if (strcmp(c->rules[i].id, id) == 0) {
            c->rules[i].findings++;
            c->rules[i].count += count > 0 ? (uint64_t)count : 0;
            if (sev > c->rules[i].sev)
                c->rules[i].sev = sev;
            return 0;
        }
    /* rules are few: grow one by one in the arena */
    struct crule *nr = cb_arena_alloc(x->arena, (c->nrules + 1) * sizeof *nr);
    if (!nr)
        return -1;
    if (c->nrules)
        memcpy(nr, c->rules, c->nrules * sizeof *nr);
    nr[c->nrules] = (struct crule){
        .id = keep(x, id), .pattern = keep(x, cb_json_str(f, "pattern")),
        .title = keep(x, cb_json_str(f, "title")), .sev = sev,
        .findings = 1, .count = count > 0 ? (uint64_t)count : 0};
    c->rules = nr;
    c->nrules++;
    return 0;
}

static int load_case(struct idx *x, const char *outdir, const char *name,
                     struct out *jsonl)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s/case.json", outdir, name);
    struct cb_jdoc *cd = cb_json_load(path, CB_LIMIT_BATCH_CASE_JSON);
    if (!cd) {
        if (access(path, F_OK) != 0)
            return 0; /* not a case directory */
    }
    if (x->ncases == x->cap) {
        size_t ncap = x->cap ? x->cap * 2 : 64;
        struct ccase *nc = cb_realloc(x->cases, ncap * sizeof *nc);
        if (!nc) {
            cb_json_free(&cd);
            return -1;
        }
        x->cases = nc;
        x->cap = ncap;
    }
    struct ccase *c = &x->cases[x->ncases++];
    memset(c, 0, sizeof *c);
    c->worst = -1;
    c->exit_code = c->signal = -1;
    c->name = keep(x, name);
    const struct cb_jv *r = cb_json_root(cd);
    if (!cd || r->type != CB_JOBJ) {
        c->reason = "case.json unreadable";
        cb_json_free(&cd);
        return c->name ? 0 : -1;
    }
    c->input = keep(x, cb_json_str(r, "input"));
    c->ok = cb_batch_status_done(cb_json_str(r, "status"));
    c->partial = c->ok && strcmp(cb_json_str(r, "status"), "partial") == 0;
    c->reason = keep(x, cb_json_str(r, "reason"));
    c->exit_code = cb_json_int(r, "exit", -1);
    c->signal = cb_json_int(r, "signal", 0);
    const struct cb_jv *t = cb_json_get(r, "timing");
    const struct cb_jv *sec = cb_json_get(t, "seconds");
    c->seconds = sec && sec->type == CB_JNUM ? strtod(sec->str, NULL) : 0;
    c->rss_kb = (uint64_t)cb_json_int(t, "peak_rss_kb", 0);
    cb_json_free(&cd);

    snprintf(path, sizeof path, "%s/%s/report.html", outdir, name);
    c->has_html = access(path, R_OK) == 0;
    c->sources = c->events = -1;
    if (!c->ok)
        return 0;
    snprintf(path, sizeof path, "%s/%s/report.json", outdir, name);
    struct cb_jdoc *rd = cb_json_load(path, CB_LIMIT_BATCH_REPORT_JSON);
    const struct cb_jv *rep = cb_json_root(rd);
    if (!rd || rep->type != CB_JOBJ) {
        c->ok = 0;
        c->reason = "report.json missing or unreadable";
        cb_json_free(&rd);
        return 0;
    }
    c->version = keep(x, cb_json_str(cb_json_get(rep, "tool"), "version"));
    const struct cb_jv *sum = cb_json_get(rep, "summary");
    c->sources = cb_json_int(sum, "sources", -1);
    c->events = cb_json_int(sum, "events", -1);
    const struct cb_jv *fs = cb_json_get(rep, "findings");
    int rc = 0;
    for (const struct cb_jv *f = fs && fs->type == CB_JARR ? fs->child : NULL;
         f && rc == 0; f = f->next) {
        if (f->type != CB_JOBJ)
            continue;
        rc = add_finding(x, c, f);
        out_str(jsonl, "{\"case\": ");
        out_json_str(jsonl, name);
        out_str(jsonl, ", \"report\": ");
        char rel[300];
        snprintf(rel, sizeof rel, "%.200s/report.html", name);
        out_json_str(jsonl, rel);
        for (const struct cb_jv *m = f->child; m; m = m->next) {
            if (!finding_member_kept(m->key))
                continue;
            out_str(jsonl, ", ");
            out_json_str(jsonl, m->key);
            out_str(jsonl, ": ");
            jv_write(jsonl, m);
        }
        out_str(jsonl, "}\n");
    }
    cb_json_free(&rd);
    return rc;
}

/* Every rule that fired somewhere, most severe first, then by id. */
struct col {
    const struct crule *r;
    uint64_t cases, findings;
};

static int col_cmp(const void *a, const void *b)
{
    const struct col *x = a, *y = b;
    if (x->r->sev != y->r->sev)
        return y->r->sev - x->r->sev;
    return strcmp(x->r->id, y->r->id);
}

static struct col *columns(const struct idx *x, size_t *n)
{
    struct col *cols = NULL;
    size_t nc = 0;
    for (size_t i = 0; i < x->ncases; i++)
        for (size_t k = 0; k < x->cases[i].nrules; k++) {
            const struct crule *r = &x->cases[i].rules[k];
            size_t j = 0;
            while (j < nc && strcmp(cols[j].r->id, r->id) != 0)
                j++;
            if (j == nc) {
                struct col *ncol = cb_realloc(cols, (nc + 1) * sizeof *ncol);
                if (!ncol) {
                    cb_free(cols);
                    return NULL;
                }
                cols = ncol;
                cols[nc++] = (struct col){.r = r};
            }
            cols[j].cases++;
            cols[j].findings += r->findings;
        }
    if (nc)
        qsort(cols, nc, sizeof *cols, col_cmp);
    *n = nc;
    return cols;
}

struct pat {
    const char *pattern;
    uint64_t cases, findings;
};

static int pat_cmp(const void *a, const void *b)
{
    return strcmp(((const struct pat *)a)->pattern,
                  ((const struct pat *)b)->pattern);
}

/* Per pattern: cases with at least one finding of it, and findings. */
static struct pat *patterns(const struct idx *x, size_t *n)
{
    struct pat *ps = NULL;
    size_t np = 0;
    for (size_t i = 0; i < x->ncases; i++) {
        const struct ccase *c = &x->cases[i];
        for (size_t k = 0; k < c->nrules; k++) {
            const char *p = c->rules[k].pattern ? c->rules[k].pattern : "?";
            size_t j = 0;
            while (j < np && strcmp(ps[j].pattern, p) != 0)
                j++;
            if (j == np) {
                struct pat *nps = cb_realloc(ps, (np + 1) * sizeof *nps);
                if (!nps) {
                    cb_free(ps);
                    return NULL;
                }
                ps = nps;
                ps[np++] = (struct pat){.pattern = p};
            }
            /* a case counts once per pattern */
            size_t first = 0;
            while (first < k &&
                   strcmp(c->rules[first].pattern ? c->rules[first].pattern
                                                  : "?",
                          p) != 0)
                first++;
            if (first == k)
                ps[j].cases++;
            ps[j].findings += c->rules[k].findings;
        }
    }
    if (np)
        qsort(ps, np, sizeof *ps, pat_cmp);
    *n = np;
    return ps;
}

/* One case of case_list. */
static void summary_case(struct out *o, const struct ccase *c)
{
    out_char(o, '{');
    case_status(o, ", ", c->name, c->input, c->ok, c->partial, c->reason,
                c->exit_code);
    out_str(o, ", \"analyzer_version\": ");
    out_json_str(o, c->version);
    out_str(o, ", \"sources\": ");
    int_or_null(o, c->sources, c->sources >= 0);
    out_str(o, ", \"events\": ");
    int_or_null(o, c->events, c->events >= 0);
    out_str(o, ", \"findings\": ");
    out_u64(o, c->nfindings);
    out_str(o, ", \"worst\": ");
    out_json_str(o, c->worst >= 0 ? sev_name(c->worst) : NULL);
    out_str(o, ", \"report\": ");
    char rel[300];
    snprintf(rel, sizeof rel, "%.200s/report.html", c->name);
    out_json_str(o, c->has_html ? rel : NULL);
    out_str(o, ", \"rules\": [");
    for (size_t k = 0; k < c->nrules; k++) {
        if (k)
            out_str(o, ", ");
        out_str(o, "{\"id\": ");
        out_json_str(o, c->rules[k].id);
        out_str(o, ", \"severity\": ");
        out_json_str(o, sev_name(c->rules[k].sev));
        out_str(o, ", \"findings\": ");
        out_u64(o, c->rules[k].findings);
        out_str(o, ", \"count\": ");
        out_u64(o, c->rules[k].count);
        out_char(o, '}');
    }
    out_str(o, "]}");
}

/* "patterns": cases and findings of each. */
static void summary_patterns(struct out *o, const struct pat *ps, size_t nps)
{
    out_str(o, "\"patterns\": [");
    for (size_t i = 0; i < nps; i++) {
        out_str(o, i ? ",\n    " : "\n    ");
        out_str(o, "{\"pattern\": ");
        out_json_str(o, ps[i].pattern);
        out_str(o, ", \"cases\": ");
        out_u64(o, ps[i].cases);
        out_str(o, ", \"findings\": ");
        out_u64(o, ps[i].findings);
        out_char(o, '}');
    }
    out_str(o, nps ? "\n  ]" : "]");
}

/* "rules": every rule that fired, with its cases and findings. */
static void summary_rules(struct out *o, const struct col *cols,
                          size_t ncols)
{
    out_str(o, "\"rules\": [");
    for (size_t i = 0; i < ncols; i++) {
        out_str(o, i ? ",\n    " : "\n    ");
        out_str(o, "{\"id\": ");
        out_json_str(o, cols[i].r->id);
        out_str(o, ", \"pattern\": ");
        out_json_str(o, cols[i].r->pattern);
        out_str(o, ", \"severity\": ");
        out_json_str(o, sev_name(cols[i].r->sev));
        out_str(o, ", \"title\": ");
        out_json_str(o, cols[i].r->title);
        out_str(o, ", \"cases\": ");
        out_u64(o, cols[i].cases);
        out_str(o, ", \"findings\": ");
        out_u64(o, cols[i].findings);
        out_char(o, '}');
    }
    out_str(o, ncols ? "\n  ]" : "]");
}

static void write_summary(struct out *o, const struct idx *x,
                          const struct col *cols, size_t ncols,
                          const struct pat *ps, size_t nps)
{
    size_t ok = 0, partial = 0, with = 0, total = 0;
    uint64_t by_sev[5] = {0};
    for (size_t i = 0; i < x->ncases; i++) {
        const struct ccase *c = &x->cases[i];
        ok += c->ok && !c->partial;
        partial += c->partial;
        with += c->nfindings > 0;
        total += c->nfindings;
        for (size_t k = 0; k < c->nrules; k++)
            by_sev[c->rules[k].sev] += c->rules[k].findings;
    }
    out_str(o, "{\n  \"tool\": {\"name\": \"casebrief\", \"version\": \""
               CASEBRIEF_VERSION "\"},\n  \"cases\": {\"total\": ");
    out_u64(o, x->ncases);
    out_str(o, ", \"ok\": ");
    out_u64(o, ok);
    out_str(o, ", \"partial\": ");
    out_u64(o, partial);
    out_str(o, ", \"failed\": ");
    out_u64(o, x->ncases - ok - partial);
    out_str(o, ", \"with_findings\": ");
    out_u64(o, with);
    out_str(o, "},\n  \"findings\": {\"total\": ");
    out_u64(o, total);
    out_str(o, ", \"by_severity\": {");
    for (int s = 4; s >= 0; s--) {
        out_json_str(o, sev_name(s));
        out_str(o, ": ");
        out_u64(o, by_sev[s]);
        if (s)
            out_str(o, ", ");
    }
    out_str(o, "}},\n  ");
    summary_patterns(o, ps, nps);
    out_str(o, ",\n  ");
    summary_rules(o, cols, ncols);
    out_str(o, ",\n  \"case_list\": [");
    for (size_t i = 0; i < x->ncases; i++) {
        out_str(o, i ? ",\n    " : "\n    ");
        summary_case(o, &x->cases[i]);
    }
    out_str(o, x->ncases ? "\n  ]\n}\n" : "]\n}\n");
}

static const char index_css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;"
    "vertical-align:top}th{background:#f3f3f3}"
    "td.n{text-align:right}.mut{color:#777}"
    ".s4{background:#f8c9c9}.s3{background:#fbd9b8}.s2{background:#fbeebb}"
    ".s1{background:#e4efd9}.s0{background:#e8eef7}"
    "th button{font:inherit;border:0;background:none;cursor:pointer;"
    "padding:0;text-decoration:underline dotted}"
    "th.rule{font-weight:normal;font-size:.85em;max-width:9em}"
    ".fail{color:#a00}@media print{th button{text-decoration:none}}";

/* Sort the matrix rows by a column; rows carry their keys as data-*
 * attributes. Without JavaScript the table stays in its written order
 * (most severe first). */
static const char index_js[] =
    "(function(){var t=document.getElementById('matrix');if(!t)return;"
    "var b=t.tBodies[0];var dir={};"
    "function sortBy(k,num){var r=Array.prototype.slice.call(b.rows);"
    "var d=dir[k]=-(dir[k]||(num?1:-1));"
    "r.sort(function(x,y){var a=x.getAttribute('data-'+k),c=y.getAttribute("
    "'data-'+k);if(num){a=+a;c=+c;}return a<c?d:a>c?-d:0;});"
    "r.forEach(function(x){b.appendChild(x);});}"
    "var bs=t.querySelectorAll('th button');for(var i=0;i<bs.length;i++)"
    "bs[i].addEventListener('click',function(){sortBy(this.getAttribute("
    "'data-key'),this.getAttribute('data-num')==='1');});})();";

struct row {
    const struct ccase *c;
};

static int row_cmp(const void *a, const void *b)
{
    const struct ccase *x = ((const struct row *)a)->c,
                       *y = ((const struct row *)b)->c;
    if (x->worst != y->worst)
        return y->worst - x->worst;
    if (x->nfindings != y->nfindings)
        return x->nfindings < y->nfindings ? 1 : -1;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    /* the same name twice (never in one OUT): their order in cases[],
     * which is read in name order; a total order whatever qsort does */
    return (x > y) - (x < y);
}

static void index_head(struct out *o, const struct idx *x, size_t failed,
                       size_t partial, size_t total)
{
    out_str(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset="
               "\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-"
               "width\">\n<title>casebrief batch</title>\n<style>");
    out_str(o, index_css);
    out_str(o, "</style>\n</head>\n<body>\n<h1>casebrief batch: ");
    out_u64(o, x->ncases);
    out_str(o, " cases</h1>\n<p>");
    out_u64(o, x->ncases - failed - partial);
    out_str(o, " analyzed, ");
    if (partial) {
        out_u64(o, partial);
        out_str(o, " <a href=\"#partial\">partial</a> (damaged input), ");
    }
    out_u64(o, failed);
    out_str(o, " failed, ");
    out_u64(o, total);
    out_str(o, " findings. casebrief " CASEBRIEF_VERSION ".</p>\n");
}

/* The failed cases (partial 0) or those analyzed from damaged input
 * (partial 1), with their reasons. */
static void failed_table(struct out *o, const struct idx *x, int partial)
{
    out_str(o, partial ? "<h2 id=\"partial\">Partial cases: the input is "
                         "damaged, findings may be missing</h2>\n"
                       : "<h2 id=\"failed\">Failed cases</h2>\n");
    out_str(o, "<table><thead><tr><th>Case</th><th>Input</th><th>Reason"
               "</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < x->ncases; i++) {
        const struct ccase *c = &x->cases[i];
        if (partial ? !c->partial : c->ok)
            continue;
        out_str(o, "<tr><td>");
        out_html(o, c->name);
        out_str(o, "</td><td>");
        out_html(o, c->input);
        out_str(o, "</td><td class=\"fail\">");
        out_html(o, c->reason ? c->reason : "unknown");
        out_str(o, "</td></tr>\n");
    }
    out_str(o, "</tbody></table>\n");
}

static void patterns_table(struct out *o, const struct pat *ps, size_t nps)
{
    out_str(o, "<h2>Patterns</h2>\n");
    if (!nps) {
        out_str(o, "<p class=\"mut\">No finding in any case.</p>\n");
        return;
    }
    out_str(o, "<table><thead><tr><th>Pattern</th><th>Cases</th>"
               "<th>Findings</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < nps; i++) {
        out_str(o, "<tr><td>");
        out_html(o, ps[i].pattern);
        out_str(o, "</td><td class=\"n\">");
        out_u64(o, ps[i].cases);
        out_str(o, "</td><td class=\"n\">");
        out_u64(o, ps[i].findings);
        out_str(o, "</td></tr>\n");
    }
    out_str(o, "</tbody></table>\n");
}

static void matrix_head(struct out *o, const struct col *cols, size_t ncols)
{
    out_str(o, "<h2>Cases and findings</h2>\n<p class=\"mut\">Most severe "
               "first; click a column heading to sort. A cell counts the "
               "findings of that rule in the case.</p>\n<table id=\"matrix\">"
               "<thead><tr><th><button type=\"button\" data-key=\"name\">"
               "Case</button></th><th><button type=\"button\" data-key=\""
               "worst\" data-num=\"1\">Severity</button></th><th><button "
               "type=\"button\" data-key=\"findings\" data-num=\"1\">"
               "Findings</button></th>");
    for (size_t k = 0; k < ncols; k++) {
        out_str(o, "<th class=\"rule\"><button type=\"button\" data-key=\"r");
        out_u64(o, k);
        out_str(o, "\" data-num=\"1\" title=\"");
        out_html(o, cols[k].r->title);
        out_str(o, "\">");
        out_html(o, cols[k].r->id);
        out_str(o, "</button></th>");
    }
    out_str(o, "</tr></thead>\n<tbody>\n");
}

/* The case's findings of rule id, or NULL. */
static const struct crule *case_rule(const struct ccase *c, const char *id)
{
    const struct crule *r = NULL;
    for (size_t j = 0; j < c->nrules; j++)
        if (strcmp(c->rules[j].id, id) == 0)
            r = &c->rules[j];
    return r;
}

/* One case: its sort keys as data-* attributes, then its cells. */
static void matrix_row(struct out *o, const struct ccase *c,
                       const struct col *cols, size_t ncols)
{
    out_str(o, "<tr data-name=\"");
    out_html(o, c->name);
    out_str(o, "\" data-worst=\"");
    out_i64(o, c->ok ? c->worst : -2);
    out_str(o, "\" data-findings=\"");
    out_u64(o, c->nfindings);
    for (size_t k = 0; k < ncols; k++) {
        const struct crule *r = case_rule(c, cols[k].r->id);
        out_str(o, "\" data-r");
        out_u64(o, k);
        out_str(o, "=\"");
        out_u64(o, r ? r->findings : 0);
    }
    out_str(o, "\"><td>");
    if (c->has_html) {
        out_str(o, "<a href=\"");
        out_html(o, c->name); /* a safe name: [A-Za-z0-9._+~-] */
        out_str(o, "/report.html\">");
        out_html(o, c->name);
        out_str(o, "</a>");
    } else {
        out_html(o, c->name);
    }
    if (c->partial) {
        out_str(o, " <span class=\"fail\" title=\"");
        out_html(o, c->reason ? c->reason : "damaged input");
        out_str(o, "\">(partial: damaged input)</span>");
    }
    out_str(o, "</td>");
    if (!c->ok) {
        out_str(o, "<td class=\"fail\">failed</td><td class=\"fail\">");
        out_html(o, c->reason ? c->reason : "unknown");
        out_str(o, "</td>");
    } else {
        out_str(o, c->worst >= 0 ? "<td class=\"s" : "<td class=\"mut");
        if (c->worst >= 0)
            out_u64(o, (uint64_t)c->worst);
        out_str(o, "\">");
        out_str(o, c->worst >= 0 ? sev_name(c->worst) : "none");
        out_str(o, "</td><td class=\"n\">");
        out_u64(o, c->nfindings);
        out_str(o, "</td>");
    }
    for (size_t k = 0; k < ncols; k++) {
        const struct crule *r = case_rule(c, cols[k].r->id);
        if (!r) {
            out_str(o, "<td></td>");
            continue;
        }
        out_str(o, "<td class=\"n s");
        out_u64(o, (uint64_t)r->sev);
        out_str(o, "\">");
        out_u64(o, r->findings);
        out_str(o, "</td>");
    }
    out_str(o, "</tr>\n");
}

/* Cases x rules, most severe first. */
static void matrix(struct out *o, const struct idx *x, const struct col *cols,
                   size_t ncols)
{
    matrix_head(o, cols, ncols);
    struct row *rows = cb_malloc((x->ncases ? x->ncases : 1) * sizeof *rows);
    for (size_t i = 0; rows && i < x->ncases; i++)
        rows[i].c = &x->cases[i];
    if (rows && x->ncases)
        qsort(rows, x->ncases, sizeof *rows, row_cmp);
    for (size_t i = 0; i < x->ncases; i++)
        matrix_row(o, rows ? rows[i].c : &x->cases[i], cols, ncols);
    cb_free(rows);
    out_str(o, "</tbody></table>\n");
}

/* Wall-clock figures: only here and in case.json, never in summary.json. */
static void timing_table(struct out *o, const struct idx *x)
{
    out_str(o, "<h2>Timing</h2>\n<table><thead><tr><th>"
               "Case</th><th>Seconds</th><th>Peak RSS (MiB)</th><th>Events"
               "</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < x->ncases; i++) {
        const struct ccase *c = &x->cases[i];
        char t[64];
        out_str(o, "<tr><td>");
        out_html(o, c->name);
        snprintf(t, sizeof t, "%.1f</td><td class=\"n\">%.1f", c->seconds,
                 (double)c->rss_kb / 1024.0);
        out_str(o, "</td><td class=\"n\">");
        out_str(o, t);
        out_str(o, "</td><td class=\"n\">");
        if (c->events >= 0)
            out_i64(o, c->events);
        out_str(o, "</td></tr>\n");
    }
    out_str(o, "</tbody></table>\n");
}

static void write_index_html(struct out *o, const struct idx *x,
                             const struct col *cols, size_t ncols,
                             const struct pat *ps, size_t nps)
{
    size_t failed = 0, partial = 0, total = 0;
    for (size_t i = 0; i < x->ncases; i++) {
        failed += !x->cases[i].ok;
        partial += x->cases[i].partial;
        total += x->cases[i].nfindings;
    }
    index_head(o, x, failed, partial, total);
    if (failed)
        failed_table(o, x, 0);
    if (partial)
        failed_table(o, x, 1);
    patterns_table(o, ps, nps);
    matrix(o, x, cols, ncols);
    timing_table(o, x);
    out_str(o, "<script>");
    out_str(o, index_js);
    out_str(o, "</script>\n</body>\n</html>\n");
}


enum cb_status cb_batch_index(const char *outdir, size_t *ncases,
                              const char **err)
{
    const char *dummy;
    if (!err)
        err = &dummy;
    *err = NULL;
    struct idx x = {.arena = cb_arena_create()};
    struct out *o = cb_malloc(sizeof *o);
    if (!x.arena || !o) {
        cb_arena_destroy(&x.arena);
        cb_free(o);
        *err = "out of memory";
        return CB_E_NOMEM;
    }
    enum cb_status st = CB_OK;
    char path[4200], tmp[4300];
    struct cb_dirent *list = NULL;
    size_t n = 0;
    if (cb_dir_scan(outdir, &list, &n) != 0) {
        *err = "cannot read the output directory";
        st = CB_E_IO;
        n = 0;
    }
    FILE *f = NULL;
    if (st == CB_OK) {
        snprintf(path, sizeof path, "%s/findings.jsonl", outdir);
        f = open_tmp(path, tmp, sizeof tmp);
        if (!f) {
            *err = "cannot write findings.jsonl";
            st = CB_E_IO;
        }
    }
    if (f)
        out_init(o, f);
    for (size_t i = 0; i < n; i++) {
        if (st == CB_OK && list[i].name[0] != '.' &&
            list[i].kind != CB_KIND_FILE &&
            load_case(&x, outdir, list[i].name, o) != 0) {
            *err = "out of memory";
            st = CB_E_NOMEM;
        }
    }
    cb_dir_scan_free(&list, n);
    if (f && commit_tmp(f, o, tmp, path) != 0 && st == CB_OK) {
        *err = "cannot write findings.jsonl";
        st = CB_E_IO;
    }
    size_t ncols = 0, nps = 0;
    struct col *cols = st == CB_OK ? columns(&x, &ncols) : NULL;
    struct pat *ps = st == CB_OK ? patterns(&x, &nps) : NULL;
    if (st == CB_OK && ((ncols && !cols) || (nps && !ps))) {
        *err = "out of memory";
        st = CB_E_NOMEM;
    }
    static const char *const names[2] = {"summary.json", "index.html"};
    for (int k = 0; k < 2 && st == CB_OK; k++) {
        snprintf(path, sizeof path, "%s/%s", outdir, names[k]);
        f = open_tmp(path, tmp, sizeof tmp);
        if (!f) {
            *err = k ? "cannot write index.html" : "cannot write summary.json";
            st = CB_E_IO;
            break;
        }
        out_init(o, f);
        if (k == 0)
            write_summary(o, &x, cols, ncols, ps, nps);
        else
            write_index_html(o, &x, cols, ncols, ps, nps);
        if (commit_tmp(f, o, tmp, path) != 0) {
            *err = k ? "cannot write index.html" : "cannot write summary.json";
            st = CB_E_IO;
        }
    }
    if (ncases)
        *ncases = x.ncases;
    cb_free(cols);
    cb_free(ps);
    cb_free(x.cases);
    cb_free(o);
    cb_arena_destroy(&x.arena);
    return st;
}
