/*
 * incidents.c - findings joined into incidents by the causal links the
 * rules declare (<leads-to rule="ID" within="DURATION"/>, rules/README.md),
 * each with its probable cause (root), a title in the customer's terms
 * and a one-paragraph summary written from the case's values.
 *
 * The join is deliberately narrow: a link holds only between findings
 * that share a host, a node, a VM, a volume, a role or a file, and only
 * inside the window the rule author gave, so that two unrelated problems
 * of one cluster (P4's two migration failures) stay two incidents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "casebrief/limits.h"
#include "fill.h"
#include "rules_internal.h"
#include "sort.h"

/* B may start this much before A: clocks and logging lag. */
#define LEAD_SLACK ((cb_time)120 * 10000000)

static const char *const shared_names[] = {"node", "vm", "volume", "role",
                                           "file", NULL};

static int names_shared(const char *n)
{
    for (const char *const *k = shared_names; *k; k++) {
        if (strcmp(*k, n) == 0)
            return 1;
    }
    return 0;
}

/* A name a finding touches: a host or a shared entity's value. */
static int touches(const struct cb_finding *f, const char *v)
{
    for (size_t i = 0; i < f->nhosts; i++) {
        if (strcasecmp(f->hosts[i], v) == 0)
            return 1;
    }
    for (size_t i = 0; i < f->nentities; i++) {
        if (names_shared(f->entities[i].name) &&
            strcasecmp(f->entities[i].value, v) == 0)
            return 1;
    }
    return 0;
}

static int share(const struct cb_finding *a, const struct cb_finding *b)
{
    for (size_t i = 0; i < a->nhosts; i++) {
        if (touches(b, a->hosts[i]))
            return 1;
    }
    for (size_t i = 0; i < a->nentities; i++) {
        if (names_shared(a->entities[i].name) &&
            touches(b, a->entities[i].value))
            return 1;
    }
    return 0;
}

/* The link of a's rule that explains b, or NULL. */
static const struct link *explains(const struct cb_finding *a,
                                   const struct cb_finding *b)
{
    if (a == b || !a->rule)
        return NULL;
    for (unsigned k = 0; k < a->rule->nlinks; k++) {
        const struct link *l = &a->rule->links[k];
        if (strcmp(l->rule, b->id) != 0)
            continue;
        if (b->first < a->first - LEAD_SLACK || b->first > a->last + l->within)
            continue;
        if (share(a, b))
            return l;
    }
    return NULL;
}

static size_t find_set(size_t *parent, size_t i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

struct build {
    const struct cb_findings *fs;
    const struct cb_fill_ctx *ctx;
    const cb_time *went_down;
    const unsigned char *apart; /* per finding, or NULL: scope.h */
    struct cb_incidents *out;
    unsigned char *edge; /* n x n: edge[a * n + b] = a explains b */
    size_t n;
};

static int has_edge(const struct build *b, size_t from, size_t to)
{
    return b->edge && b->edge[from * b->n + to];
}

/* Probable cause: a member nothing else explains (links both ways do not
 * count), the most severe, then the earliest; with a cycle, the earliest. */
static size_t pick_root(const struct build *b, const size_t *m, size_t nm)
{
    size_t best = m[0];
    int best_ok = -1;
    for (size_t i = 0; i < nm; i++) {
        int ok = 1;
        for (size_t j = 0; j < nm && ok; j++) {
            ok = !(has_edge(b, m[j], m[i]) && !has_edge(b, m[i], m[j]));
        }
        const struct cb_finding *x = &b->fs->items[m[i]];
        const struct cb_finding *y = &b->fs->items[best];
        int better = ok > best_ok ||
                     (ok == best_ok &&
                      (x->severity > y->severity ||
                       (x->severity == y->severity && x->first < y->first)));
        if (better) {
            best = m[i];
            best_ok = ok;
        }
    }
    return best;
}

/* The link whose headline names the incident: from the root first, to
 * the most severe, then most repeated finding. */
static const struct link *pick_headline(const struct build *b,
                                        const struct cb_incident *in,
                                        size_t *from, size_t *to)
{
    const struct link *best = NULL;
    int best_rank = -1;
    for (size_t i = 0; i < in->nmembers; i++) {
        for (size_t j = 0; j < in->nmembers; j++) {
            size_t x = in->members[i], y = in->members[j];
            if (!has_edge(b, x, y))
                continue;
            const struct link *l =
                explains(&b->fs->items[x], &b->fs->items[y]);
            if (!l || !l->headline)
                continue;
            const struct cb_finding *t = &b->fs->items[y];
            int rank = (x == in->root) * 1000 + (int)t->severity * 100 +
                       (int)(t->count > 99 ? 99 : t->count);
            if (rank > best_rank) {
                best = l;
                best_rank = rank;
                *from = x;
                *to = y;
            }
        }
    }
    return best;
}

/* A headline filled as the target of the link tells it, with the
 * cause's start (its "since ...") and the values of every finding of the
 * incident, the target's first, each value once. */
static char *fill_pair(struct build *b, const struct cb_incident *in,
                       const struct cb_finding *from,
                       const struct cb_finding *to, const char *tpl)
{
    struct cb_finding pair = *to;
    struct cb_entity ents[2 * CB_LIMIT_FINDING_ENTITIES];
    size_t ne = 0;
    for (size_t m = 0; m <= in->nmembers; m++) {
        const struct cb_finding *f =
            m ? &b->fs->items[in->members[m - 1]] : to;
        for (size_t i = 0; i < f->nentities; i++) {
            int seen = 0;
            for (size_t k = 0; k < ne && !seen; k++)
                seen = !strcmp(ents[k].name, f->entities[i].name) &&
                       !strcasecmp(ents[k].value, f->entities[i].value);
            if (!seen && ne < 2 * CB_LIMIT_FINDING_ENTITIES)
                ents[ne++] = f->entities[i];
        }
    }
    pair.entities = ents;
    pair.nentities = ne;
    pair.first = from->first;
    pair.hosts = from->hosts;
    pair.nhosts = from->nhosts;
    return cb_fill(b->out->arena, &pair, b->ctx, tpl, CB_FILL_TEXT, NULL);
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* The first sentence of a text (up to ". " or its end). */
static int sentence_len(const char *s)
{
    const char *dot = strstr(s, ". ");
    size_t n = dot ? (size_t)(dot - s) + 1 : strlen(s);
    return (int)(n > 600 ? 600 : n);
}

/* "HV-NODE1 was down from 19:42:10 UTC (EventLog 6008) to 21:53:08 UTC
 * (power loss or hard reset)." for each node's outage, each once, from
 * the findings' outage spans. */
static int say_outages(const struct build *b, const struct cb_incident *in,
                       char *text, size_t size, int k)
{
    const struct cb_outage *said[CB_LIMIT_FINDING_OUTAGES];
    size_t nsaid = 0;
    for (size_t i = 0; i < in->nmembers; i++) {
        const struct cb_finding *f = &b->fs->items[in->members[i]];
        for (size_t j = 0; j < f->noutages && k > 0 && (size_t)k < size; j++) {
            const struct cb_outage *o = &f->outages[j];
            int dup = 0;
            for (size_t q = 0; q < nsaid && !dup; q++)
                dup = !strcmp(said[q]->host, o->host) && said[q]->to == o->to;
            if (dup || nsaid == CB_LIMIT_FINDING_OUTAGES)
                continue;
            said[nsaid++] = o;
            char from[40], to[40];
            cb_time_format_iso(o->from, from, sizeof from);
            cb_time_format_iso(o->to, to, sizeof to);
            k += snprintf(text + k, size - (size_t)k,
                          " %s was down from %.10s %.8s UTC (%s) to %.10s "
                          "%.8s UTC (%s).",
                          o->host, from, from + 11, o->from_by, to, to + 11,
                          o->how);
        }
    }
    return k;
}

static int describe(struct build *b, struct cb_incident *in)
{
    const struct cb_finding *root = &b->fs->items[in->root];
    size_t from = in->root, to = in->root;
    const struct link *hl = pick_headline(b, in, &from, &to);
    in->lead = hl ? to : in->root;
    if (hl)
        in->title = fill_pair(b, in, &b->fs->items[from],
                              &b->fs->items[to], hl->headline);
    else if (root->rule && root->rule->headline)
        in->title = cb_fill(b->out->arena, root, b->ctx,
                            root->rule->headline, CB_FILL_TEXT, NULL);
    else
        in->title = cb_arena_printf(b->out->arena, "%s", nz(root->title));
    if (!in->title)
        return -1;
    /* what happened, then what followed, why, and what to do first */
    char text[4096];
    int k = snprintf(text, sizeof text, "%s.", nz(root->summary));
    k = say_outages(b, in, text, sizeof text, k);
    for (size_t i = 0; b->went_down && i < in->nmembers && k > 0 &&
                       (size_t)k < sizeof text;
         i++) {
        const struct cb_finding *f = &b->fs->items[in->members[i]];
        cb_time down = b->went_down[in->members[i]];
        if (down == CB_TIME_NONE || f->nhosts != 1 || f->noutages)
            continue; /* one node's own stop, each node once */
        int said = 0;
        for (size_t j = 0; j < i && !said; j++) {
            const struct cb_finding *g = &b->fs->items[in->members[j]];
            said = b->went_down[in->members[j]] != CB_TIME_NONE &&
                   g->nhosts == 1 && g->hosts[0] == f->hosts[0];
        }
        if (said)
            continue;
        char iso[40], back[40];
        cb_time_format_iso(down, iso, sizeof iso);
        cb_time_format_iso(f->first, back, sizeof back);
        k += snprintf(text + k, sizeof text - (size_t)k,
                      " %s went down at %.10s %.8s UTC (EventLog 6008) "
                      "and was back at %.10s %.8s UTC.",
                      f->hosts[0], iso, iso + 11, back, back + 11);
    }
    for (size_t i = 1; i < in->nmembers && i <= 4 && k > 0 &&
                       (size_t)k < sizeof text;
         i++) {
        const struct cb_finding *f = &b->fs->items[in->members[i]];
        k += snprintf(text + k, sizeof text - (size_t)k, " %s %s.",
                      i == 1 ? "Then:" : "Also:", nz(f->summary));
    }
    if (in->nmembers > 5 && k > 0 && (size_t)k < sizeof text)
        k += snprintf(text + k, sizeof text - (size_t)k,
                      " And %zu more findings.", in->nmembers - 5);
    if (root->cause && k > 0 && (size_t)k < sizeof text)
        k += snprintf(text + k, sizeof text - (size_t)k,
                      " Probable cause (%d %% confidence): %.*s",
                      root->confidence, sentence_len(root->cause),
                      root->cause);
    const struct cb_finding *lead = &b->fs->items[in->lead];
    const char *step = lead->nremediation && lead->remediation[0].text
                           ? cb_fill(b->out->arena, lead, b->ctx,
                                     lead->remediation[0].text, CB_FILL_STEP,
                                     NULL)
                           : NULL;
    if (step && k > 0 && (size_t)k < sizeof text)
        snprintf(text + k, sizeof text - (size_t)k, " First: %s", step);
    in->summary = cb_arena_strdup(b->out->arena, text);
    return in->summary ? 0 : -1;
}

static int cmp_host(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static int add_name(const char **v, size_t *n, size_t cap, const char *s)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcasecmp(v[i], s) == 0)
            return 0;
    }
    if (*n < cap)
        v[(*n)++] = s;
    return 0;
}

static int span_and_hosts(struct build *b, struct cb_incident *in)
{
    size_t cap = 0;
    for (size_t i = 0; i < in->nmembers; i++) {
        const struct cb_finding *f = &b->fs->items[in->members[i]];
        cap += f->nhosts + f->nentities;
    }
    const char **h = cb_arena_calloc(b->out->arena, cap + 1, sizeof *h);
    if (!h)
        return -1;
    size_t nh = 0;
    in->first = in->last = CB_TIME_NONE;
    for (size_t i = 0; i < in->nmembers; i++) {
        const struct cb_finding *f = &b->fs->items[in->members[i]];
        if (in->first == CB_TIME_NONE || f->first < in->first)
            in->first = f->first;
        if (in->last == CB_TIME_NONE || f->last > in->last)
            in->last = f->last;
        if (f->severity > in->severity)
            in->severity = f->severity;
        cb_time down = b->went_down ? b->went_down[in->members[i]]
                                    : CB_TIME_NONE;
        if (down != CB_TIME_NONE && down < in->first)
            in->first = down;
        for (size_t k = 0; k < f->nhosts; k++)
            add_name(h, &nh, cap, f->hosts[k]);
        for (size_t k = 0; k < f->nentities; k++) {
            if (strcmp(f->entities[k].name, "node") == 0)
                add_name(h, &nh, cap, f->entities[k].value);
        }
    }
    cb_sort(h, nh, sizeof *h, cmp_host);
    in->hosts = h;
    in->nhosts = nh;
    return 0;
}

static const struct cb_findings *sort_fs; /* for the comparators below */

static int cmp_member(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const struct cb_finding *fx = &sort_fs->items[x], *fy = &sort_fs->items[y];
    if (fx->first != fy->first)
        return fx->first < fy->first ? -1 : 1;
    return (x > y) - (x < y);
}

static int cmp_incident(const void *a, const void *b)
{
    const struct cb_incident *x = a, *y = b;
    if (x->apart != y->apart) /* outside the cluster: after its own */
        return x->apart ? 1 : -1;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    const struct cb_finding *rx = &sort_fs->items[x->root];
    const struct cb_finding *ry = &sort_fs->items[y->root];
    if (rx->confidence != ry->confidence)
        return rx->confidence > ry->confidence ? -1 : 1;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return (x->root > y->root) - (x->root < y->root);
}

/* One incident per set of the partition; members root first. */
static int gather(struct build *b, size_t *parent)
{
    size_t n = b->n;
    struct cb_incidents *out = b->out;
    size_t *order = cb_arena_calloc(out->arena, n ? n : 1, sizeof *order);
    out->items = cb_arena_calloc(out->arena, n ? n : 1, sizeof *out->items);
    if (!order || !out->items)
        return -1;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    sort_fs = b->fs;
    cb_sort(order, n, sizeof *order, cmp_member);
    for (size_t s = 0; s < n; s++) {
        if (find_set(parent, s) != s)
            continue;
        struct cb_incident *in = &out->items[out->count++];
        size_t nm = 0;
        for (size_t i = 0; i < n; i++)
            nm += find_set(parent, order[i]) == s;
        in->members = cb_arena_calloc(out->arena, nm, sizeof *in->members);
        if (!in->members)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (find_set(parent, order[i]) == s)
                in->members[in->nmembers++] = order[i];
        }
        in->root = pick_root(b, in->members, in->nmembers);
        size_t r = 0;
        while (in->members[r] != in->root)
            r++;
        memmove(in->members + 1, in->members, r * sizeof *in->members);
        in->members[0] = in->root;
        in->apart = b->apart && b->apart[in->root];
        if (span_and_hosts(b, in) != 0 || describe(b, in) != 0)
            return -1;
    }
    cb_sort(out->items, out->count, sizeof *out->items, cmp_incident);
    for (size_t i = 0; i < out->count; i++) {
        snprintf(out->items[i].ref, sizeof out->items[i].ref, "I%zu", i + 1);
        for (size_t k = 0; k < out->items[i].nmembers; k++)
            out->of_finding[out->items[i].members[k]] = i;
    }
    return 0;
}

enum cb_status cb_incidents_build(const struct cb_findings *fs,
                                  const char *const *nodes, size_t nnodes,
                                  const cb_time *went_down,
                                  struct cb_incidents *out)
{
    return cb_incidents_build_apart(fs, nodes, nnodes, went_down, NULL, out);
}

enum cb_status cb_incidents_build_apart(const struct cb_findings *fs,
                                        const char *const *nodes,
                                        size_t nnodes,
                                        const cb_time *went_down,
                                        const unsigned char *apart,
                                        struct cb_incidents *out)
{
    memset(out, 0, sizeof *out);
    out->arena = cb_arena_create();
    if (!out->arena)
        return CB_E_NOMEM;
    size_t n = fs ? fs->count : 0;
    out->nfindings = n;
    out->of_finding = cb_arena_calloc(out->arena, n ? n : 1,
                                      sizeof *out->of_finding);
    size_t *parent = cb_calloc(n ? n : 1, sizeof *parent);
    int linked = n <= CB_LIMIT_INCIDENT_FINDINGS;
    unsigned char *edge = linked ? cb_calloc(n * n + 1, 1) : NULL;
    struct cb_fill_ctx ctx = {nodes, nodes ? nnodes : 0};
    struct build b = {fs, &ctx, went_down, apart, out, edge, n};
    enum cb_status st = CB_E_NOMEM;
    if (!out->of_finding || !parent || (linked && !edge))
        goto done;
    for (size_t i = 0; i < n; i++)
        parent[i] = i;
    for (size_t a = 0; linked && a < n; a++) {
        for (size_t c = 0; c < n; c++) {
            if ((apart && apart[a] != apart[c]) ||
                !explains(&fs->items[a], &fs->items[c]))
                continue;
            edge[a * n + c] = 1;
            size_t ra = find_set(parent, a), rc = find_set(parent, c);
            if (ra != rc)
                parent[ra < rc ? rc : ra] = ra < rc ? ra : rc;
        }
    }
    /* past the cap there is no pairwise table: every finding stands
     * alone (edge stays NULL) */
    if (gather(&b, parent) == 0)
        st = CB_OK;
done:
    cb_free(parent);
    cb_free(edge);
    if (st != CB_OK)
        cb_incidents_fini(out);
    return st;
}

void cb_incidents_fini(struct cb_incidents *in)
{
    cb_arena_destroy(&in->arena);
    memset(in, 0, sizeof *in);
}
