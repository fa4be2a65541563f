/*
 * overview.c - the cluster overview of the report model (overview.h).
 *
 * Windows Server 2016 and later write the cluster's configuration atop
 * each node's cluster.log as CSV-shaped sections (parsers/clusterlog.c
 * keeps them as tables): Resources, Groups, Nodes, Networks, Network
 * Interfaces, Volumes, ... Every node writes the same objects, so a
 * bundle of three logs holds each of them three times; here each object
 * becomes one row, and what each log said is kept so that the reports
 * can show where the logs disagree (a group owned by different nodes, a
 * node Down in one log and Up in another). Columns are found by name,
 * never by position, since their set differs between builds: names are
 * the objects' common property names (Name, State, OwnerNode,
 * OwnerGroup, ResourceType, GroupType, BuildNumber, Role, Address, ...),
 * compared without case and blanks.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "overview.h"

struct obs {
    enum cb_ov_kind kind;
    const char *name;
    size_t log, order;
    struct cb_ov_seen seen;
    const char *detail, *detail_from, *id, *resource;
};

/* What Hyper-V events say of a VM, or EventLog 6009 of a host's OS. */
struct fact {
    const char *key, *value, *host;
};

struct build {
    struct cb_overview *ov;
    const struct cb_source **logsrc;
    unsigned char (*covers)[CB_OV_KINDS];
    struct obs *obs;
    size_t nobs, cap;
    struct fact *vmid, *osb;
    size_t nvmid, nosb;
    size_t room; /* of ov->rows */
    int nomem;
};

static const char *dup_n(struct build *b, const char *s, size_t n)
{
    const char *r = cb_arena_strndup(b->ov->arena, s, n);
    if (!r)
        b->nomem = 1;
    return r;
}

/* ---- columns --------------------------------------------------------- */

/* col equals want (lower case, no blanks) ignoring case, blanks and '_'. */
static int col_is(const char *col, const char *want)
{
    for (; *col; col++) {
        if (*col == ' ' || *col == '_')
            continue;
        if (tolower((unsigned char)*col) != *want)
            return 0;
        want++;
    }
    return *want == '\0';
}

/* The first column named any of names (NULL-terminated), or -1. */
static int col_of(const struct cb_table *t, const char *const *names)
{
    for (; *names; names++) {
        for (unsigned c = 0; c < t->ncols; c++) {
            if (t->cols[c] && col_is(t->cols[c], *names))
                return (int)c;
        }
    }
    return -1;
}

static int col1(const struct cb_table *t, const char *name)
{
    const char *names[] = {name, NULL};
    return col_of(t, names);
}

/* A row's value in column c, NULL when absent or blank. */
static const char *cell(const struct cb_row *r, int c)
{
    if (c < 0 || (unsigned)c >= r->nvals || !r->vals[c])
        return NULL;
    const char *s = r->vals[c];
    while (*s == ' ')
        s++;
    return *s ? s : NULL;
}

/* ---- names ------------------------------------------------------------ */

const char *cb_ov_vm_name(const char *s, size_t *len)
{
    static const char *const prefixes[] = {"Virtual Machine Configuration ",
                                           "Virtual Machine "};
    size_t n = strlen(s);
    for (size_t i = 0; i < 2; i++) {
        size_t k = strlen(prefixes[i]);
        if (n > k && strncasecmp(s, prefixes[i], k) == 0) {
            s += k;
            n -= k;
            break;
        }
    }
    *len = n;
    return s;
}

const char *cb_ov_kind_name(enum cb_ov_kind k)
{
    static const char *const names[CB_OV_KINDS] = {"node", "network", "volume",
                                                   "VM", "role"};
    return (unsigned)k < CB_OV_KINDS ? names[k] : "?";
}

static int same(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

/* ---- observations ------------------------------------------------------ */

static struct obs *obs_add(struct build *b, enum cb_ov_kind kind,
                           const char *name, size_t log, const struct cb_row *r)
{
    if (b->nobs == CB_LIMIT_REPORT_OVERVIEW_SEEN) {
        b->ov->cut++;
        return NULL;
    }
    if (b->nobs == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        struct obs *o = cb_realloc(b->obs, cap * sizeof *o);
        if (!o) {
            b->nomem = 1;
            return NULL;
        }
        b->obs = o;
        b->cap = cap;
    }
    struct obs *o = &b->obs[b->nobs];
    *o = (struct obs){.kind = kind, .name = name, .log = log, .order = b->nobs};
    o->seen.host = b->logsrc[log]->host;
    o->seen.source = b->logsrc[log]->path;
    o->seen.line = r ? r->line : 0;
    b->nobs++;
    return o;
}

/* This log's observation of kind named name (VMs by their own name). */
static struct obs *obs_find(struct build *b, size_t from, enum cb_ov_kind kind,
                            const char *name)
{
    for (size_t i = from; i < b->nobs; i++) {
        if (b->obs[i].kind == kind && same(b->obs[i].name, name))
            return &b->obs[i];
    }
    return NULL;
}

/* ---- the sections ------------------------------------------------------ */

static void nodes_table(struct build *b, size_t log, const struct cb_table *t)
{
    int cn = col1(t, "name"), cs = col1(t, "state"), ci = col1(t, "id");
    int cb = col1(t, "buildnumber"), cmaj = col1(t, "majorversion");
    int cmin = col1(t, "minorversion"), ccsd = col1(t, "csdversion");
    for (const struct cb_row *r = t->rows; r && !b->nomem; r = r->next) {
        const char *name = cell(r, cn);
        struct obs *o = name ? obs_add(b, CB_OV_NODE, name, log, r) : NULL;
        if (!o)
            continue;
        o->seen.state = cell(r, cs);
        o->id = cell(r, ci);
        const char *build = cell(r, cb), *maj = cell(r, cmaj);
        const char *min = cell(r, cmin), *csd = cell(r, ccsd);
        if (!build && !maj)
            continue;
        o->detail =
            cb_arena_printf(b->ov->arena, "%s%s%s%s%s%s%s", maj ? maj : "",
                            maj && min ? "." : "", maj && min ? min : "",
                            maj && build ? " " : "", build ? "build " : "",
                            build ? build : "", csd ? " " : "");
        if (o->detail && csd)
            o->detail = cb_arena_printf(b->ov->arena, "%s%s", o->detail, csd);
        o->detail_from = "Nodes table";
        b->nomem |= !o->detail;
    }
}

static void networks_table(struct build *b, size_t log,
                           const struct cb_table *t)
{
    int cn = col1(t, "name"), cs = col1(t, "state"), cr = col1(t, "role");
    int ca = col1(t, "address"), cm = col1(t, "addressmask");
    for (const struct cb_row *r = t->rows; r && !b->nomem; r = r->next) {
        const char *name = cell(r, cn);
        struct obs *o = name ? obs_add(b, CB_OV_NETWORK, name, log, r) : NULL;
        if (!o)
            continue;
        o->seen.state = cell(r, cs);
        const char *role = cell(r, cr), *addr = cell(r, ca),
                   *mask = cell(r, cm);
        if (!role && !addr)
            continue;
        o->detail = cb_arena_printf(
            b->ov->arena, "%s%s%s%s%s%s", role ? "role " : "", role ? role : "",
            role && addr ? ", " : "", addr ? addr : "", addr && mask ? "/" : "",
            addr && mask ? mask : "");
        o->detail_from = "Networks table";
        b->nomem |= !o->detail;
    }
}

/* Groups: a VM role ("VirtualMachine", ClusterGroupType) is a VM; the
 * others (Cluster Group, Available Storage, file servers, ...) roles. */
static void groups_table(struct build *b, size_t log, const struct cb_table *t)
{
    static const char *const type_cols[] = {"grouptype", "type", NULL};
    int cn = col1(t, "name"), cs = col1(t, "state"), co = col1(t, "ownernode");
    int ct = col_of(t, type_cols);
    for (const struct cb_row *r = t->rows; r && !b->nomem; r = r->next) {
        const char *name = cell(r, cn), *type = cell(r, ct);
        int vm = type && col_is(type, "virtualmachine");
        if (vm && name) {
            size_t n;
            const char *own = cb_ov_vm_name(name, &n);
            name = own == name ? name : dup_n(b, own, n);
        }
        struct obs *o =
            name ? obs_add(b, vm ? CB_OV_VM : CB_OV_ROLE, name, log, r) : NULL;
        if (!o)
            continue;
        o->seen.state = cell(r, cs);
        o->seen.owner = cell(r, co);
        if (!vm && type) {
            o->detail = type;
            o->detail_from = "Groups table";
        }
    }
}

static void volumes_table(struct build *b, size_t log, const struct cb_table *t)
{
    static const char *const res_cols[] = {"resourcename", "resource", NULL};
    static const char *const path_cols[] = {"path", "sharedvolumepath",
                                            "friendlyvolumename", NULL};
    int cn = col1(t, "name"), cs = col1(t, "state"), co = col1(t, "ownernode");
    int cp = col_of(t, path_cols), cr = col_of(t, res_cols);
    for (const struct cb_row *r = t->rows; r && !b->nomem; r = r->next) {
        const char *name = cell(r, cn);
        struct obs *o = name ? obs_add(b, CB_OV_VOLUME, name, log, r) : NULL;
        if (!o)
            continue;
        o->seen.state = cell(r, cs);
        o->seen.owner = cell(r, co);
        o->detail = cell(r, cp);
        o->detail_from = o->detail ? "Volumes table" : NULL;
        o->resource = cell(r, cr);
    }
}

/* Resources, after the log's other tables: a VM's resource names its VM
 * (found by its group or its own name), a disk no volume names is listed
 * as a volume of its own; other resources are left to the raw tables. */
static void resources_table(struct build *b, size_t log, size_t from,
                            const struct cb_table *t)
{
    static const char *const type_cols[] = {"resourcetype", "type", NULL};
    int cn = col1(t, "name"), cs = col1(t, "state"), co = col1(t, "ownernode");
    int cg = col1(t, "ownergroup"), ct = col_of(t, type_cols);
    for (const struct cb_row *r = t->rows; r && !b->nomem; r = r->next) {
        const char *name = cell(r, cn), *type = cell(r, ct);
        if (!name || !type)
            continue;
        if (col_is(type, "virtualmachine")) {
            size_t n;
            const char *own = cb_ov_vm_name(name, &n);
            const char *vm = dup_n(b, own, n);
            const char *group = cell(r, cg);
            struct obs *o = vm ? obs_find(b, from, CB_OV_VM, vm) : NULL;
            if (!o && group)
                o = obs_find(b, from, CB_OV_VM, group);
            if (!o && vm && (o = obs_add(b, CB_OV_VM, vm, log, r)) != NULL) {
                o->seen.state = cell(r, cs);
                o->seen.owner = cell(r, co);
            }
            if (o && !o->resource)
                o->resource = name;
        } else if (col_is(type, "physicaldisk")) {
            int named = 0;
            for (size_t i = from; i < b->nobs && !named; i++)
                named = b->obs[i].kind == CB_OV_VOLUME &&
                        same(b->obs[i].resource, name);
            struct obs *o =
                named ? NULL : obs_add(b, CB_OV_VOLUME, name, log, r);
            if (!o)
                continue;
            o->seen.state = cell(r, cs);
            o->seen.owner = cell(r, co);
            o->resource = name;
            const char *group = cell(r, cg);
            if (group) {
                o->detail = cb_arena_printf(b->ov->arena, "disk in %s", group);
                o->detail_from = "Resources table";
                b->nomem |= !o->detail;
            }
        }
    }
}

static const char *const sections[] = {"Nodes", "Networks", "Groups", "Volumes",
                                       "Resources"};

static int section_of(const struct cb_table *t)
{
    for (int k = 0; k < 5; k++) {
        if (t->section && strcasecmp(t->section, sections[k]) == 0)
            return k;
    }
    return -1;
}

static void read_log(struct build *b, size_t log)
{
    const struct cb_source *s = b->logsrc[log];
    size_t from = b->nobs;
    unsigned char *cov = b->covers[log];
    for (int pass = 0; pass < 2; pass++) {
        for (const struct cb_table *t = s->tables; t && !b->nomem;
             t = t->next) {
            int k = section_of(t);
            if (k < 0 || (k == 4) != (pass == 1))
                continue;
            if (t->rows_cut && b->ov->ncuts < CB_OV_CUTS)
                b->ov->cuts[b->ov->ncuts++] =
                    (struct cb_ov_cut){s->path, t->host,  t->section,
                                       t->line, t->nrows, t->rows_cut};
            switch (k) {
            case 0:
                nodes_table(b, log, t);
                cov[CB_OV_NODE] = 1;
                break;
            case 1:
                networks_table(b, log, t);
                cov[CB_OV_NETWORK] = 1;
                break;
            case 2:
                groups_table(b, log, t);
                cov[CB_OV_VM] = cov[CB_OV_ROLE] = 1;
                break;
            case 3:
                volumes_table(b, log, t);
                cov[CB_OV_VOLUME] = 1;
                break;
            default:
                resources_table(b, log, from, t);
                cov[CB_OV_VM] = cov[CB_OV_VOLUME] = 1;
            }
        }
    }
}

static int collect_logs(struct build *b, const struct cb_analysis *an)
{
    size_t n = 0;
    for (size_t i = 0; an && i < an->nsources; i++)
        n += an->sources[i]->tables != NULL;
    b->logsrc = cb_calloc(n + 1, sizeof *b->logsrc);
    b->covers = cb_calloc(n + 1, sizeof *b->covers);
    b->ov->logs = cb_arena_calloc(b->ov->arena, n + 1, sizeof *b->ov->logs);
    if (!b->logsrc || !b->covers || !b->ov->logs)
        return -1;
    for (size_t i = 0; an && i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        int any = 0;
        for (const struct cb_table *t = s->tables; t && !any; t = t->next)
            any = section_of(t) >= 0;
        if (!any)
            continue;
        b->logsrc[b->ov->nlogs] = s;
        b->ov->logs[b->ov->nlogs++] = s->host[0] ? s->host : s->path;
    }
    return 0;
}

/* ---- what events say --------------------------------------------------- */

static void fact_put(struct build *b, struct fact **arr, size_t *n,
                     const char *key, const char *value, const char *host)
{
    if (arr == &b->vmid) { /* 21502 names the VM by its resource */
        size_t len;
        const char *own = cb_ov_vm_name(key, &len);
        if (own != key && !(key = dup_n(b, own, len)))
            return;
    }
    for (size_t i = 0; i < *n; i++) {
        if (same((*arr)[i].key, key)) { /* the latest event says it */
            (*arr)[i].value = value;
            (*arr)[i].host = host;
            return;
        }
    }
    if (*n == CB_LIMIT_REPORT_OVERVIEW_ROWS)
        return;
    if (!*arr) {
        *arr = cb_calloc(CB_LIMIT_REPORT_OVERVIEW_ROWS, sizeof **arr);
        if (!*arr) {
            b->nomem = 1;
            return;
        }
    }
    (*arr)[(*n)++] = (struct fact){key, value, host};
}

static const char *field(const struct cb_event *e, const char *name)
{
    for (uint32_t i = 0; i < e->nfields; i++) {
        if (e->fields[i].name && strcmp(e->fields[i].name, name) == 0)
            return e->fields[i].value && e->fields[i].value[0]
                       ? e->fields[i].value
                       : NULL;
    }
    return NULL;
}

static int is_guid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

/* "'SQL-B' ... (Virtual machine ID 0B6F...)", as Hyper-V renders its
 * VmlEventLog events in text exports: the first quoted name and the id. */
static void vm_from_message(struct build *b, const struct cb_event *e)
{
    static const char tag[] = "(Virtual machine ID ";
    const char *m = e->message, *q, *idp = NULL;
    for (const char *p = m; p && (p = strchr(p, '(')) != NULL; p++) {
        if (strncasecmp(p, tag, sizeof tag - 1) == 0) {
            idp = p + sizeof tag - 1;
            break;
        }
    }
    if (!idp || strlen(idp) < 36 || !is_guid(idp))
        return;
    if (!(q = strchr(m, '\'')) || q >= idp)
        return;
    const char *end = strchr(q + 1, '\'');
    if (!end || end >= idp || end == q + 1 || end - q > 256)
        return;
    const char *name = dup_n(b, q + 1, (size_t)(end - q - 1));
    const char *id = dup_n(b, idp, 36);
    if (name && id)
        fact_put(b, &b->vmid, &b->nvmid, name, id, e->host);
}

/* "Microsoft (R) Windows (R) 10.00. 17763  Multiprocessor Free." */
static const char *os_from_6009(struct build *b, const struct cb_event *e)
{
    const char *ver = field(e, "1"), *bld = field(e, "2");
    if (ver && bld)
        return cb_arena_printf(b->ov->arena, "%s build %s", ver, bld);
    static const char tag[] = "Windows (R) ";
    const char *m = (e->flags & CB_EV_MESSAGE_LAZY) ? NULL : e->message;
    const char *p = m ? strstr(m, tag) : NULL;
    if (!p)
        return NULL;
    p += sizeof tag - 1;
    size_t v = strcspn(p, " ");
    const char *q = p + v;
    while (*q == ' ')
        q++;
    size_t k = strspn(q, "0123456789");
    if (!v || v > 16 || !k || k > 10)
        return NULL;
    return cb_arena_printf(b->ov->arena, "%.*s build %.*s", (int)v, p, (int)k,
                           q);
}

static void read_events(struct build *b, const struct cb_timeline *tl)
{
    for (size_t i = 0; tl && i < tl->count && !b->nomem; i++) {
        const struct cb_event *e = tl->events[i];
        const char *prov = e->provider ? e->provider : "";
        if (e->event_id == 6009 && strcmp(prov, "EventLog") == 0 &&
            e->host[0]) {
            const char *os = os_from_6009(b, e);
            if (os)
                fact_put(b, &b->osb, &b->nosb, e->host, os, e->host);
            continue;
        }
        if (!strstr(prov, "Hyper-V") && !strstr(e->channel, "Hyper-V"))
            continue;
        const char *name = field(e, "VmName"), *id = field(e, "VmId");
        if (id && id[0] == '{')
            id++;
        if (name && id && strlen(id) >= 36 && is_guid(id)) {
            const char *id36 = dup_n(b, id, 36);
            if (id36)
                fact_put(b, &b->vmid, &b->nvmid, name, id36, e->host);
        } else if (!(e->flags & CB_EV_MESSAGE_LAZY) && e->message)
            vm_from_message(b, e);
    }
}

/* ---- rows ------------------------------------------------------------- */

static int cmp_obs(const void *x, const void *y)
{
    const struct obs *a = x, *b = y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = strcasecmp(a->name, b->name);
    if (c) /* names differing only in case are one object */
        return c;
    return (a->order > b->order) - (a->order < b->order);
}

/* The state (owner: the owner) most of the logs that say it give, the
 * first log's on a tie; *differs when one of them says something else. */
static const char *majority(const struct cb_ov_seen *s, size_t n, int owner,
                            int *differs)
{
    const char *best = NULL;
    size_t best_n = 0;
    *differs = 0;
    for (size_t i = 0; i < n; i++) {
        const char *v = owner ? s[i].owner : s[i].state;
        if (!v)
            continue;
        if (best && !same(best, v))
            *differs = 1;
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            k += same(owner ? s[j].owner : s[j].state, v);
        if (k > best_n) {
            best = v;
            best_n = k;
        }
    }
    return best;
}

/* One row from observations [a, z) of one object: one seen per log. */
static void make_row(struct build *b, struct cb_ov_row *row,
                     const struct obs *a, const struct obs *z)
{
    struct cb_overview *ov = b->ov;
    size_t n = (size_t)(z - a);
    struct cb_ov_seen *seen = cb_arena_calloc(ov->arena, n, sizeof *seen);
    const char **absent =
        cb_arena_calloc(ov->arena, ov->nlogs + 1, sizeof *absent);
    unsigned char *has = cb_calloc(ov->nlogs + 1, 1);
    if (!seen || !absent || !has) {
        cb_free(has);
        b->nomem = 1;
        return;
    }
    *row = (struct cb_ov_row){.kind = a->kind, .name = a->name};
    for (const struct obs *o = a; o < z; o++) {
        if (!has[o->log])
            seen[row->nseen++] = o->seen;
        has[o->log] = 1;
        if (!row->detail && o->detail) {
            row->detail = o->detail;
            row->detail_from = o->detail_from;
        }
        if (!row->id && o->id) {
            row->id = o->id;
            row->id_from = "Nodes table";
        }
        if (!row->resource && o->resource)
            row->resource = o->resource;
    }
    for (size_t l = 0; l < ov->nlogs; l++) {
        if (b->covers[l][a->kind] && !has[l])
            absent[row->nabsent++] = ov->logs[l];
    }
    cb_free(has);
    row->seen = seen;
    row->absent = absent;
    row->state = majority(seen, row->nseen, 0, &row->state_differs);
    row->owner = majority(seen, row->nseen, 1, &row->owner_differs);
}

static struct cb_ov_row *row_new(struct build *b)
{
    if (b->ov->nrows == b->room) {
        b->ov->cut++;
        return NULL;
    }
    return &b->ov->rows[b->ov->nrows++];
}

/* OS builds a node's own log header or its EventLog 6009 states, VM ids
 * Hyper-V's events give, and VMs only those events name. */
static void add_event_facts(struct build *b)
{
    struct cb_overview *ov = b->ov;
    size_t nrows = ov->nrows, nodes = 0;
    for (size_t i = 0; i < nrows; i++) {
        struct cb_ov_row *r = &ov->rows[i];
        nodes += r->kind == CB_OV_NODE;
        if (r->kind == CB_OV_NODE && !r->detail) {
            for (size_t l = 0; l < ov->nlogs && !r->detail; l++) {
                if (same(b->logsrc[l]->host, r->name) &&
                    b->logsrc[l]->os_build) {
                    r->detail = cb_arena_printf(ov->arena, "build %s",
                                                b->logsrc[l]->os_build);
                    r->detail_from = "its cluster.log header";
                    b->nomem |= !r->detail;
                }
            }
            for (size_t k = 0; k < b->nosb && !r->detail; k++) {
                if (same(b->osb[k].key, r->name)) {
                    r->detail = b->osb[k].value;
                    r->detail_from = "EventLog 6009";
                }
            }
        }
        for (size_t k = 0; r->kind == CB_OV_VM && k < b->nvmid; k++) {
            if (same(b->vmid[k].key, r->name)) {
                r->id = b->vmid[k].value;
                r->id_from = "Hyper-V events";
                b->vmid[k].key = NULL; /* claimed */
            }
        }
    }
    for (size_t k = 0; !nodes && k < b->nosb; k++) {
        struct cb_ov_row *r = row_new(b);
        if (r)
            *r = (struct cb_ov_row){.kind = CB_OV_NODE,
                                    .name = b->osb[k].key,
                                    .detail = b->osb[k].value,
                                    .detail_from = "EventLog 6009"};
    }
    for (size_t k = 0; k < b->nvmid; k++) {
        struct cb_ov_row *r = b->vmid[k].key ? row_new(b) : NULL;
        if (!r)
            continue;
        *r = (struct cb_ov_row){.kind = CB_OV_VM,
                                .name = b->vmid[k].key,
                                .id = b->vmid[k].value,
                                .id_from = "Hyper-V events"};
        r->detail = cb_arena_printf(ov->arena,
                                    "in no cluster table; Hyper-V events on %s",
                                    b->vmid[k].host);
        r->detail_from = "Hyper-V events";
        b->nomem |= !r->detail;
    }
}

/* The Windows Server release of a cluster node's build: the long-term
 * servicing builds, as Microsoft's hcsshim osversion package documents
 * them (RS1 14393 = Windows Server 2016, RS5 17763 = 2019, V21H2Server
 * 20348 = 2022), 9600 for 2012 R2 and 26100 for 2025; other builds
 * (semi-annual channel, Azure Stack HCI) stay a number. A cluster node
 * is a server, so the desktop releases of the same builds do not apply;
 * a host only an EventLog 6009 names might be either, and is left as
 * the event says. */
static const char *server_release(const char *detail)
{
    static const struct {
        const char *build, *name;
    } known[] = {{"9600", "Windows Server 2012 R2"},
                 {"14393", "Windows Server 2016"},
                 {"17763", "Windows Server 2019"},
                 {"20348", "Windows Server 2022"},
                 {"26100", "Windows Server 2025"}};
    const char *b = detail ? strstr(detail, "build ") : NULL;
    if (!b)
        return NULL;
    b += 6;
    size_t n = strspn(b, "0123456789");
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        if (strlen(known[i].build) == n && strncmp(b, known[i].build, n) == 0)
            return known[i].name;
    }
    return NULL;
}

static void name_releases(struct build *b)
{
    for (size_t i = 0; i < b->ov->nrows && !b->nomem; i++) {
        struct cb_ov_row *r = &b->ov->rows[i];
        const char *rel = r->kind == CB_OV_NODE && r->detail_from &&
                                  strcmp(r->detail_from, "EventLog 6009") != 0
                              ? server_release(r->detail)
                              : NULL;
        if (!rel)
            continue;
        r->detail = cb_arena_printf(b->ov->arena, "%s, %s", rel, r->detail);
        b->nomem |= !r->detail;
    }
}

static int cmp_row(const void *x, const void *y)
{
    const struct cb_ov_row *a = x, *b = y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = strcasecmp(a->name, b->name);
    return c ? c : strcmp(a->name, b->name);
}

static void make_rows(struct build *b)
{
    struct cb_overview *ov = b->ov;
    if (b->nobs)
        qsort(b->obs, b->nobs, sizeof *b->obs, cmp_obs);
    /* room for a row per observation and per event fact, within the cap */
    size_t room = b->nobs + b->nvmid + b->nosb;
    if (room > CB_LIMIT_REPORT_OVERVIEW_ROWS)
        room = CB_LIMIT_REPORT_OVERVIEW_ROWS;
    ov->rows = cb_arena_calloc(ov->arena, room ? room : 1, sizeof *ov->rows);
    b->room = room;
    if (!ov->rows) {
        b->nomem = 1;
        return;
    }
    for (size_t i = 0, j; i < b->nobs && !b->nomem; i = j) {
        for (j = i + 1; j < b->nobs && b->obs[j].kind == b->obs[i].kind &&
                        same(b->obs[j].name, b->obs[i].name);
             j++)
            ;
        struct cb_ov_row *r = row_new(b);
        if (r)
            make_row(b, r, &b->obs[i], &b->obs[j]);
    }
    if (!b->nomem)
        add_event_facts(b);
    if (!b->nomem)
        name_releases(b);
    if (b->nomem) /* a row may be left half made */
        return;
    if (ov->nrows)
        qsort(ov->rows, ov->nrows, sizeof *ov->rows, cmp_row);
    for (size_t i = 0; i < ov->nrows; i++)
        ov->differ += cb_ov_row_differs(&ov->rows[i]);
}

enum cb_status cb_overview_build(struct cb_overview *ov,
                                 const struct cb_analysis *an,
                                 const struct cb_timeline *tl)
{
    *ov = (struct cb_overview){0};
    struct build b = {.ov = ov};
    ov->arena = cb_arena_create();
    if (!ov->arena || collect_logs(&b, an) != 0)
        b.nomem = 1;
    for (size_t l = 0; l < ov->nlogs && !b.nomem; l++)
        read_log(&b, l);
    if (!b.nomem)
        read_events(&b, tl);
    if (!b.nomem)
        make_rows(&b);
    cb_free(b.obs);
    cb_free(b.logsrc);
    cb_free(b.covers);
    cb_free(b.vmid);
    cb_free(b.osb);
    if (b.nomem) {
        cb_overview_fini(ov);
        return CB_E_NOMEM;
    }
    return CB_OK;
}

void cb_overview_fini(struct cb_overview *ov)
{
    cb_arena_destroy(&ov->arena);
    *ov = (struct cb_overview){0};
}
