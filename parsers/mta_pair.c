/*
 * mta_pair.c - gives the messages of an Event Viewer locale metadata file
 * (LocaleMetaData/<log>_<LCID>.MTA, loaded by parsers/mta.c) to the events
 * of the <log>.evtx beside it, once every input has been read: in an
 * archive the .MTA may come before or after its log.
 *
 * Also: a .evtx named on the command line brings its LocaleMetaData with
 * it, as Event Viewer would read it, under the rules of a directory walk:
 * no link followed, regular files only (a link to /dev/stdin would block
 * the run; one out of the bundle would bring in what the customer did not
 * send).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "platform.h"
#include "casebrief/analysis.h"
#include "mta.h"

#define META_DIR "LocaleMetaData"
#define LCID_ENGLISH 1033UL /* preferred when a log has several */

static int is_sep(char c)
{
    return c == '/' || c == '\\' || c == '!';
}

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

/* "<base>_<digits>.mta" (any case): length of base and the LCID. */
static int mta_name(const char *name, size_t n, size_t *base_len,
                    unsigned long *lcid)
{
    if (!ends_with_ci(name, n, ".mta"))
        return 0;
    size_t stem = n - 4, d = stem;
    while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9')
        d--;
    if (d == stem || stem - d > 9 || d < 2 || name[d - 1] != '_')
        return 0;
    unsigned long v = 0;
    for (size_t i = d; i < stem; i++)
        v = v * 10 + (unsigned long)(name[i] - '0');
    *base_len = d - 1;
    *lcid = v;
    return 1;
}

int cb_mta_path_key(const char *path, char *key, size_t size,
                    unsigned long *lcid)
{
    size_t n = strlen(path), name = n;
    while (name > 0 && !is_sep(path[name - 1]))
        name--;
    size_t base_len;
    if (name == 0 || !mta_name(path + name, n - name, &base_len, lcid))
        return 0;
    size_t dir_end = name - 1, dir = dir_end; /* at the separator */
    while (dir > 0 && !is_sep(path[dir - 1]))
        dir--;
    if (dir_end - dir != strlen(META_DIR) ||
        strncasecmp(path + dir, META_DIR, dir_end - dir) != 0)
        return 0;
    if (dir + base_len >= size)
        return 0;
    memcpy(key, path, dir);
    memcpy(key + dir, path + name, base_len);
    key[dir + base_len] = '\0';
    return 1;
}

/* Keys compare without case and with '\\' as '/': a bundle made on
 * Windows may spell the same directory either way. */
static void fold(char *s)
{
    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
        else if (*s == '\\')
            *s = '/';
    }
}

struct cand {
    char *key; /* folded, malloc'd */
    unsigned long lcid;
    struct cb_source *src;
    const struct cb_source *log; /* the log it gave messages to */
    uint64_t filled, events;
};

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    if ((x->lcid == LCID_ENGLISH) != (y->lcid == LCID_ENGLISH))
        return x->lcid == LCID_ENGLISH ? -1 : 1;
    if (x->lcid != y->lcid)
        return x->lcid < y->lcid ? -1 : 1;
    return (x->src->index > y->src->index) - (x->src->index < y->src->index);
}

/* First candidate with key, or NULL. */
static struct cand *find(struct cand *c, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(c[lo].key, key) == 0 ? &c[lo] : NULL;
}

static void warn(struct cb_analysis *an, struct cb_source *src, const char *msg)
{
    struct cb_parse p = {.src = src, .arena = an->arena};
    cb_parse_warn(&p, CB_WHERE_NONE, 0, "%s", msg);
    cb_analysis_warn(an, src->path, CB_WHERE_NONE, 0, "%s", msg);
}

/* The MTA's messages onto the log's events that still have casebrief's
 * own rendering. Records the MTA lacks, and recovered (stale) records,
 * keep it. */
static void fill(struct cand *c, struct cb_source *log)
{
    const struct cb_mta *m = c->src->sidecar;
    for (size_t i = 0; i < log->nevents; i++) {
        struct cb_event *e = log->events[i];
        if (!(e->flags & CB_EV_MESSAGE_SYNTH) ||
            !(e->flags & CB_EV_HAS_RECORD_ID) || (e->flags & CB_EV_RECOVERED))
            continue;
        c->events++;
        if (!cb_mta_has_publisher(m, e->provider))
            continue;
        const char *msg = cb_mta_message(m, e->record_id);
        if (!msg)
            continue;
        e->message = msg;
        e->flags &= ~(uint32_t)(CB_EV_MESSAGE_SYNTH | CB_EV_MESSAGE_LAZY);
        c->filled++;
    }
}

static enum cb_status pair_logs(struct cb_analysis *an, struct cand *c,
                                size_t n)
{
    char key[CB_LIMIT_PATH_BYTES];
    for (size_t s = 0; s < an->nsources; s++) {
        struct cb_source *log = an->sources[s];
        size_t len = strlen(log->path);
        if (strcmp(log->format, "evtx") != 0 ||
            !ends_with_ci(log->path, len, ".evtx") || len - 5 >= sizeof key)
            continue;
        memcpy(key, log->path, len - 5);
        key[len - 5] = '\0';
        fold(key);
        struct cand *m = find(c, n, key);
        if (!m)
            continue;
        fill(m, log);
        m->log = log;
        log->note = cb_arena_printf(
            an->arena, "messages from %s: %llu of %llu events", m->src->path,
            (unsigned long long)m->filled, (unsigned long long)m->events);
        if (!log->note)
            return CB_E_NOMEM;
    }
    return CB_OK;
}

/* Each candidate's note: what it gave, or why it gave nothing. */
static enum cb_status notes(struct cb_analysis *an, struct cand *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct cand *first = find(c, n, c[i].key);
        struct cb_source *src = c[i].src;
        if (c[i].log) {
            src->note = cb_arena_printf(
                an->arena, "messages for %s: %llu of %llu events",
                c[i].log->path, (unsigned long long)c[i].filled,
                (unsigned long long)c[i].events);
        } else if (first->log) {
            src->note = cb_arena_printf(an->arena, "not used: %s was preferred",
                                        first->src->path);
        } else {
            src->note = "paired with no log: no .evtx of that name beside "
                        "its LocaleMetaData folder";
            warn(an, src, src->note);
        }
        if (!src->note)
            return CB_E_NOMEM;
    }
    return CB_OK;
}

enum cb_status cb_mta_apply(struct cb_analysis *an)
{
    size_t n = 0;
    for (size_t s = 0; s < an->nsources; s++)
        n += an->sources[s]->sidecar && !an->sources[s]->note;
    if (n == 0)
        return CB_OK; /* nothing loaded, or already applied */
    struct cand *c = cb_calloc(n, sizeof *c);
    if (!c)
        return CB_E_NOMEM;
    size_t k = 0;
    enum cb_status st = CB_OK;
    char key[CB_LIMIT_PATH_BYTES];
    for (size_t s = 0; s < an->nsources && st == CB_OK; s++) {
        struct cb_source *src = an->sources[s];
        if (!src->sidecar || src->note)
            continue;
        unsigned long lcid;
        if (!cb_mta_path_key(src->path, key, sizeof key, &lcid)) {
            src->note = "paired with no log: not named "
                        "LocaleMetaData/<log>_<LCID>.MTA";
            warn(an, src, src->note);
            continue;
        }
        fold(key);
        c[k] = (struct cand){
            .key = cb_malloc(strlen(key) + 1), .lcid = lcid, .src = src};
        if (!c[k].key) {
            st = CB_E_NOMEM;
            break;
        }
        strcpy(c[k].key, key);
        k++;
    }
    if (st == CB_OK && k) {
        qsort(c, k, sizeof *c, cand_cmp);
        st = pair_logs(an, c, k);
        if (st == CB_OK)
            st = notes(an, c, k);
    }
    for (size_t i = 0; i < k; i++)
        cb_free(c[i].key);
    cb_free(c);
    return st;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when path is what a directory walk would read (want_dir: a folder,
 * else a regular file), neither a link nor a device; else 0, with a
 * warning naming it when it exists. */
static int walkable(struct cb_analysis *an, const char *path, int want_dir)
{
    struct cb_stat sb;
    if (cb_lstat(path, &sb) != 0)
        return 0;
    const char *why = sb.kind == CB_KIND_LINK ? "symbolic link not followed"
                      : want_dir ? (sb.kind == CB_KIND_DIR ? NULL
                                                           : "not a directory")
                      : sb.kind == CB_KIND_FILE ? NULL
                                                : "not a regular file";
    if (why)
        cb_analysis_warn(an, cb_arena_strdup(an->arena, path), CB_WHERE_NONE, 0,
                         "%s, skipped", why);
    return why == NULL;
}

enum cb_status cb_mta_ingest_sidecars(struct cb_analysis *an, const char *path)
{
    size_t n = strlen(path), name = n;
    while (name > 0 && path[name - 1] != '/')
        name--;
    if (!ends_with_ci(path, n, ".evtx") || n - name <= 5)
        return CB_OK;
    size_t base_len = n - name - 5;
    char dir[CB_LIMIT_PATH_BYTES], meta[CB_LIMIT_PATH_BYTES];
    if (snprintf(dir, sizeof dir, "%.*s", (int)name, path) >= (int)sizeof dir)
        return CB_OK;
    DIR *d = opendir(name ? dir : ".");
    if (!d)
        return CB_OK;
    /* the folder's name in any case, as Windows would find it */
    struct dirent *de;
    int found = 0;
    while (!found && (de = readdir(d)) != NULL) {
        if (strcasecmp(de->d_name, META_DIR) == 0)
            found = snprintf(meta, sizeof meta, "%s%s/", dir, de->d_name) <
                    (int)sizeof meta;
    }
    closedir(d);
    if (!found)
        return CB_OK;
    meta[strlen(meta) - 1] = '\0'; /* the folder itself, not through it */
    int ok = walkable(an, meta, 1);
    meta[strlen(meta)] = '/';
    if (!ok || !(d = opendir(meta)))
        return CB_OK;
    char **names = NULL;
    size_t count = 0, cap = 0;
    enum cb_status st = CB_OK;
    while ((de = readdir(d)) != NULL) {
        size_t bl;
        unsigned long lcid;
        size_t nl = strlen(de->d_name);
        if (!mta_name(de->d_name, nl, &bl, &lcid) || bl != base_len ||
            strncasecmp(de->d_name, path + name, bl) != 0)
            continue;
        if (count == cap) {
            size_t nc = cap ? cap * 2 : 4;
            char **nn = cb_realloc(names, nc * sizeof *names);
            if (!nn) {
                st = CB_E_NOMEM;
                break;
            }
            names = nn;
            cap = nc;
        }
        names[count] = cb_arena_printf(an->arena, "%s%s", meta, de->d_name);
        if (!names[count]) {
            st = CB_E_NOMEM;
            break;
        }
        count++;
    }
    closedir(d);
    if (names)
        qsort(names, count, sizeof *names, name_cmp);
    for (size_t i = 0; i < count && st == CB_OK; i++) {
        if (!walkable(an, names[i], 0))
            continue;
        struct cb_error err = {0};
        st = cb_ingest_path(an, names[i], &err);
        if (st != CB_OK && st != CB_E_NOMEM) {
            cb_analysis_warn(an, names[i], CB_WHERE_NONE, 0, "%s", err.msg);
            st = CB_OK;
        }
    }
    cb_free(names);
    return st;
}
