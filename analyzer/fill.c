/*
 * fill.c - rule text templates filled from a finding (fill.h).
 *
 * Values come from the finding only: its count, span, hosts and the
 * entities its rule's regexes captured. A few are derived where the
 * derivation cannot be wrong: the CSV path and volume of a file under
 * C:\ClusterStorage\<volume>\, a file's bare name, and the cluster node
 * that is not the finding's host.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fill.h"
#include "rules_internal.h"
#include "timefmt.h"

struct buf {
    char s[2048];
    size_t k;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->k + n >= sizeof b->s)
        n = sizeof b->s - b->k - 1;
    memcpy(b->s + b->k, s, n);
    b->k += n;
    b->s[b->k] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static const char *entity(const struct cb_finding *f, const char *name)
{
    for (size_t i = 0; i < f->nentities; i++) {
        if (strcmp(f->entities[i].name, name) == 0)
            return f->entities[i].value;
    }
    return NULL;
}

/* "C:\ClusterStorage\Volume3\VMs\x.vhdx" -> length of
 * "C:\ClusterStorage\Volume3", or 0 when the path is not on a CSV. */
static size_t csv_prefix(const char *path)
{
    static const char root[] = ":\\ClusterStorage\\";
    if (!path || !isalpha((unsigned char)path[0]) ||
        strncasecmp(path + 1, root, sizeof root - 1) != 0)
        return 0;
    const char *vol = path + 1 + sizeof root - 1;
    size_t n = strcspn(vol, "\\");
    return n ? (size_t)(vol - path) + n : 0;
}

static int is_node_of(const struct cb_finding *f, const char *name)
{
    for (size_t i = 0; i < f->nhosts; i++) {
        if (strcasecmp(f->hosts[i], name) == 0)
            return 1;
    }
    for (size_t i = 0; i < f->nentities; i++) {
        if (strcmp(f->entities[i].name, "node") == 0 &&
            strcasecmp(f->entities[i].value, name) == 0)
            return 1;
    }
    return 0;
}

/* A derived value into tmp; 1 when name is a derived one and known. */
static int derived(const struct cb_finding *f, const struct cb_fill_ctx *ctx,
                   const char *name, char *tmp, size_t size)
{
    const char *file = entity(f, "file");
    size_t pre = csv_prefix(file);
    if (strcmp(name, "csv_path") == 0 && pre) {
        snprintf(tmp, size, "%.*s", (int)pre, file);
        return 1;
    }
    if (strcmp(name, "volume") == 0 && pre) {
        const char *vol = file + strlen("C:\\ClusterStorage\\");
        snprintf(tmp, size, "%.*s", (int)(file + pre - vol), vol);
        return 1;
    }
    if (strcmp(name, "file_name") == 0 && file) {
        const char *slash = strrchr(file, '\\');
        snprintf(tmp, size, "%s", slash ? slash + 1 : file);
        return 1;
    }
    if (strcmp(name, "host") == 0 && f->nhosts) {
        snprintf(tmp, size, "%s", f->hosts[0]);
        return 1;
    }
    if (strcmp(name, "other_node") == 0 && ctx) {
        for (size_t i = 0; i < ctx->nnodes; i++) {
            if (!is_node_of(f, ctx->nodes[i])) {
                snprintf(tmp, size, "%s", ctx->nodes[i]);
                return 1;
            }
        }
    }
    return 0;
}

/* Whether a value can go into a PowerShell line inside '...' as it is:
 * customer text must not end the string or start a command (quotes,
 * typographic quotes PowerShell also honours, $, `, ;, |, &, braces,
 * redirection, line breaks). */
static int ps_safe(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p < 0x20 || strchr("'\"`$;|&{}<>[]", *p))
            return 0;
        if (*p == 0xE2 && p[1] == 0x80 &&
            (p[2] == 0x98 || p[2] == 0x99 || p[2] == 0x9C || p[2] == 0x9D))
            return 0;
    }
    return 1;
}

/* Every value of entity name, joined for the mode; 0 when none. In a
 * PowerShell line, values that are not ps_safe are left out. */
static size_t entities(const struct cb_finding *f, const char *name,
                       enum cb_fill_mode mode, char *tmp, size_t size)
{
    size_t shown = 0, total = 0, cap = mode == CB_FILL_TEXT ? 3 : 8;
    const char *sep = mode == CB_FILL_POWERSHELL ? "', '" : ", ";
    tmp[0] = '\0';
    for (size_t i = 0; i < f->nentities; i++) {
        if (strcmp(f->entities[i].name, name) != 0)
            continue;
        if (mode == CB_FILL_POWERSHELL && !ps_safe(f->entities[i].value))
            continue;
        total++;
        if (shown < cap) {
            size_t l = strlen(tmp);
            snprintf(tmp + l, size - l, "%s%s", shown ? sep : "",
                     f->entities[i].value);
            shown++;
        }
    }
    if (total > shown) {
        size_t l = strlen(tmp);
        snprintf(tmp + l, size - l, " (+%zu more)", total - shown);
    }
    return total;
}

/* The value of one placeholder into tmp; 0 when nothing fills it. */
static int value(const struct cb_finding *f, const struct cb_fill_ctx *ctx,
                 const char *name, enum cb_fill_mode mode, char *tmp,
                 size_t size)
{
    tmp[0] = '\0';
    if (strcmp(name, "count") == 0) {
        snprintf(tmp, size, "%zu", f->count);
    } else if (strcmp(name, "first") == 0 || strcmp(name, "last") == 0) {
        char iso[40];
        cb_time_format_iso(name[0] == 'f' ? f->first : f->last, iso,
                           sizeof iso);
        snprintf(tmp, size, "%.10s %.8s UTC", iso, iso + 11);
    } else if (strcmp(name, "first_date") == 0) {
        static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
                                          "May", "Jun", "Jul", "Aug",
                                          "Sep", "Oct", "Nov", "Dec"};
        char iso[40];
        cb_time_format_iso(f->first, iso, sizeof iso);
        int m = (iso[5] - '0') * 10 + (iso[6] - '0');
        snprintf(tmp, size, "%d %s %.4s", (iso[8] - '0') * 10 + (iso[9] - '0'),
                 m >= 1 && m <= 12 ? mon[m - 1] : "?", iso);
    } else if (strcmp(name, "hosts") == 0) {
        if (!f->nhosts)
            return 0; /* "(unknown hosts)", not "on  stopped" */
        for (size_t i = 0; i < f->nhosts; i++) {
            size_t l = strlen(tmp);
            snprintf(tmp + l, size - l, "%s%s", i ? ", " : "", f->hosts[i]);
        }
    } else if (!entities(f, name, mode, tmp, size)) {
        return derived(f, ctx, name, tmp, size) &&
               (mode != CB_FILL_POWERSHELL || ps_safe(tmp));
    }
    return 1;
}

/* The placeholder at p ("{name}", or "{name?text}": text and the value
 * when the finding captured name, else nothing): its length, name copied
 * to out, *opt the text (NULL for the plain form); 0 when p does not
 * start one. */
static size_t placeholder(const char *p, char *out, size_t size,
                          const char **opt, size_t *optlen)
{
    *opt = NULL;
    *optlen = 0;
    if (*p != '{' || !isalpha((unsigned char)p[1]))
        return 0;
    size_t n = 1;
    while (isalnum((unsigned char)p[n]) || p[n] == '_')
        n++;
    if (n - 1 > 40 || n - 1 >= size)
        return 0;
    size_t end = n;
    if (p[n] == '?') {
        const char *close = memchr(p + n, '}', 120);
        if (!close || memchr(p + n, '\0', (size_t)(close - p - n)))
            return 0;
        *opt = p + n + 1;
        *optlen = (size_t)(close - *opt);
        end = (size_t)(close - p);
    } else if (p[n] != '}') {
        return 0;
    }
    memcpy(out, p + 1, n - 1);
    out[n - 1] = '\0';
    return end + 1;
}

char *cb_fill(struct cb_arena *a, const struct cb_finding *f,
              const struct cb_fill_ctx *ctx, const char *tpl,
              enum cb_fill_mode mode, unsigned *unknown)
{
    struct buf b = {.k = 0};
    b.s[0] = '\0';
    if (unknown)
        *unknown = 0;
    for (const char *p = tpl; *p;) {
        char name[48], tmp[512];
        const char *opt;
        size_t optlen;
        size_t n = placeholder(p, name, sizeof name, &opt, &optlen);
        if (!n) {
            put(&b, p++, 1);
            continue;
        }
        if (opt) { /* optional: only a captured value shows, with its text */
            if (entity(f, name) &&
                value(f, ctx, name, mode, tmp, sizeof tmp)) {
                put(&b, opt, optlen);
                puts_(&b, tmp);
            }
            p += n;
            continue;
        }
        if (value(f, ctx, name, mode, tmp, sizeof tmp)) {
            puts_(&b, tmp);
        } else {
            if (unknown)
                (*unknown)++;
            snprintf(tmp, sizeof tmp,
                     mode == CB_FILL_TEXT ? "(unknown %s)" : "<%s: unknown>",
                     name);
            puts_(&b, tmp);
        }
        p += n;
    }
    return cb_arena_strdup(a, b.s);
}
