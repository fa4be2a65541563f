/*
 * svg.c - the timeline pictures of report.html, inline SVG: one over the
 * view's window and one zoomed on each incident. A picture has an axis
 * whose ticks fall on round times (years when it spans years, dates and
 * times when it spans days), a track of the incidents as labelled spans
 * (linked to their story), and one lane per host holding how many events
 * it logged (a density strip, so that a picture without findings still
 * shows something), its error and critical events, the outages as bars
 * and the findings as numbered markers linked to their cards (#F1 ...).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "casebrief/casebrief.h"
#include "html.h"
#include "timefmt.h"

/* Geometry in user units; the picture scales to the page width. */
#define SVG_W 1000
#define SVG_X0 170 /* plot area */
#define SVG_X1 980
#define SVG_AXIS 34   /* two rows of labels above the plot */
#define SVG_TRACK 18  /* a row of the incidents track */
#define SVG_MROW 18   /* a row of finding markers in a lane */
#define SVG_DENS 16   /* the density strip at the foot of a lane */
#define SVG_BIN 5     /* user units per density bin */
#define SVG_ROWS 4    /* rows of markers or incidents at most */
#define SVG_CHAR 6    /* about the width of a label character */
#define SVG_MAXLANES (CB_LIMIT_REPORT_LANES + 1)

struct lane {
    const char *name; /* "" for the "(no host)" lane */
    int y, h, rows;
};

struct item { /* a marker or an incident span being placed */
    size_t what; /* finding or incident index */
    long lane;
    int x0, x1;
    int start, end; /* what it takes with its label, for packing */
    int row;
    char where;     /* an incident's label: 'i'nside, 'r'ight, 'l'eft or
                     * 'n'one */
};

struct pic {
    struct html_page *p;
    long zoom; /* incident index, or -1 for the whole window */
    cb_time from, to;
    uint64_t span;
    struct lane *lanes;
    size_t nlanes;
    size_t lo, hi; /* timeline events in [from, to] */
    struct item *marks, *spans;
    size_t nmarks, nspans;
    int track_rows, track_y, height;
};

static int px(const struct pic *g, cb_time t)
{
    if (t <= g->from)
        return SVG_X0;
    if (t >= g->to)
        return SVG_X1;
    unsigned __int128 d = (uint64_t)t - (uint64_t)g->from;
    return SVG_X0 + (int)(d * (SVG_X1 - SVG_X0) / g->span);
}

/* Lane of a host name: binary search over the host lanes, sorted as
 * host names compare (without case: a node named in an entity may be
 * spelled otherwise than its logs), the "(no host)" lane (last) for "",
 * -1 when not drawn. */
static long lane_of(const struct pic *g, const char *host)
{
    size_t n = g->nlanes;
    if (!host[0])
        return n && !g->lanes[n - 1].name[0] ? (long)n - 1 : -1;
    if (n && !g->lanes[n - 1].name[0])
        n--;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcasecmp(g->lanes[mid].name, host);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- the axis ------------------------------------------------------------
 * Ticks on round times, at most 8: seconds to days by fixed steps, then
 * months and years on the calendar. Each tick has two labels: the finer
 * part (time of day, day, month) and, above it, the coarser part (date,
 * year) when it differs from the tick before. */

static const char *const mon_name[] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};

struct civil {
    int64_t y;
    unsigned m, d, hh, mm, ss, ms;
};

/* Howard Hinnant's civil_from_days. */
static struct civil civil_of(cb_time t)
{
    int64_t ms = (t - CB_TIME_UNIX_EPOCH) / 10000;
    if ((t - CB_TIME_UNIX_EPOCH) % 10000 < 0)
        ms--;
    int64_t days = ms / 86400000, rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    struct civil c;
    c.d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    c.m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    c.y = yoe + era * 400 + (c.m <= 2);
    c.hh = (unsigned)(rem / 3600000);
    c.mm = (unsigned)(rem / 60000 % 60);
    c.ss = (unsigned)(rem / 1000 % 60);
    c.ms = (unsigned)(rem % 1000);
    return c;
}

static cb_time month_start(int64_t y, unsigned m)
{
    return CB_TIME_UNIX_EPOCH +
           cb_days_from_civil(y, m, 1) * 86400 * CB_TICKS_PER_SEC;
}

/* Steps in milliseconds, then in months (negative). */
static const int64_t steps_ms[] = {
    100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000,
    300000, 600000, 900000, 1800000, 3600000, 7200000, 10800000, 21600000,
    43200000, 86400000, 172800000, 604800000, -1, -2, -3, -6, -12, -24,
    -60, -120, -240, -600, -1200};

static int64_t choose_step(uint64_t span)
{
    size_t n = sizeof steps_ms / sizeof *steps_ms;
    for (size_t i = 0; i < n; i++) {
        uint64_t len = steps_ms[i] > 0
                           ? (uint64_t)steps_ms[i] * 10000
                           : (uint64_t)-steps_ms[i] * 2629746ULL *
                                 CB_TICKS_PER_SEC;
        if (span / len <= 7)
            return steps_ms[i];
    }
    return steps_ms[n - 1];
}

/* The first tick at or after from, and the one after t. */
static cb_time tick_first(cb_time from, int64_t step)
{
    if (step > 0) {
        int64_t len = step * 10000;
        int64_t rel = from - CB_TIME_UNIX_EPOCH;
        int64_t q = rel / len;
        if (rel % len > 0)
            q++;
        return CB_TIME_UNIX_EPOCH + q * len;
    }
    struct civil c = civil_of(from);
    int64_t k = -step, idx = c.y * 12 + (int64_t)c.m - 1;
    if (month_start(c.y, c.m) < from)
        idx++;
    idx = (idx + k - 1) / k * k;
    return month_start(idx / 12, (unsigned)(idx % 12) + 1);
}

static cb_time tick_next(cb_time t, int64_t step)
{
    if (step > 0)
        return t + step * 10000;
    struct civil c = civil_of(t);
    int64_t idx = c.y * 12 + (int64_t)c.m - 1 - step;
    return month_start(idx / 12, (unsigned)(idx % 12) + 1);
}

static void label(struct out *o, int x, int y, const char *anchor,
                  const char *text)
{
    out_str(o, "<text class=\"ax\" x=\"");
    out_u64(o, (uint64_t)x);
    out_str(o, "\" y=\"");
    out_u64(o, (uint64_t)y);
    out_str(o, "\" text-anchor=\"");
    out_str(o, anchor);
    out_str(o, "\">");
    out_html(o, text);
    out_str(o, "</text>");
}

/* The two labels of a tick; prev: the tick before (year -1 when none). */
static void tick_text(const struct civil *c, const struct civil *prev,
                      int64_t step, char *fine, char *coarse, size_t size)
{
    coarse[0] = '\0';
    if (step <= -12) {
        snprintf(fine, size, "%lld", (long long)c->y);
        return;
    }
    int newyear = prev->y != c->y;
    if (step < 0) {
        snprintf(fine, size, "%s", mon_name[c->m - 1]);
        if (newyear)
            snprintf(coarse, size, "%lld", (long long)c->y);
        return;
    }
    if (step >= 86400000) {
        snprintf(fine, size, "%u %s", c->d, mon_name[c->m - 1]);
        if (newyear)
            snprintf(coarse, size, "%lld", (long long)c->y);
        return;
    }
    if (step >= 60000)
        snprintf(fine, size, "%02u:%02u", c->hh, c->mm);
    else if (step >= 1000)
        snprintf(fine, size, "%02u:%02u:%02u", c->hh, c->mm, c->ss);
    else
        snprintf(fine, size, "%02u:%02u:%02u.%03u", c->hh, c->mm, c->ss,
                 c->ms);
    if (newyear || prev->m != c->m || prev->d != c->d)
        snprintf(coarse, size, "%u %s %lld", c->d, mon_name[c->m - 1],
                 (long long)c->y);
}

static void axis(struct pic *g)
{
    struct out *o = &g->p->o;
    int64_t step = choose_step(g->span);
    struct civil prev = {.y = -1};
    int bottom = g->height - 4, n = 0;
    for (cb_time t = tick_first(g->from, step); t <= g->to && n < 12;
         t = tick_next(t, step), n++) {
        int x = px(g, t);
        struct civil c = civil_of(t);
        char fine[48], coarse[48];
        tick_text(&c, &prev, step, fine, coarse, sizeof fine);
        /* the first date of a day span stands at the plot's start when
         * no tick falls on it */
        if (!n && !coarse[0] && step > 0 && step < 86400000) {
            struct civil s = civil_of(g->from);
            snprintf(coarse, sizeof coarse, "%u %s %lld", s.d,
                     mon_name[s.m - 1], (long long)s.y);
        }
        prev = c;
        out_str(o, "<line class=\"grid\" x1=\"");
        out_u64(o, (uint64_t)x);
        out_str(o, "\" y1=\"");
        out_u64(o, SVG_AXIS - 6);
        out_str(o, "\" x2=\"");
        out_u64(o, (uint64_t)x);
        out_str(o, "\" y2=\"");
        out_u64(o, (uint64_t)bottom);
        out_str(o, "\"/>");
        const char *anchor = x > SVG_X1 - 40 ? "end" : "middle";
        label(o, x, 26, anchor, fine);
        if (coarse[0])
            label(o, x, 12, x < SVG_X0 + 40 ? "start" : anchor, coarse);
        out_char(o, '\n');
    }
}

/* ---- what is placed: incident spans and finding markers ----------------- */

/* Characters of an incident's label, "I1 Checkpoints of ...": 44 at
 * most beside its span, or as many as fit when the span holds them
 * (width: of the span, 0 when not known). */
static size_t span_chars(const struct cb_incident *in, int width)
{
    size_t n = strlen(in->ref) + 1 + strlen(in->title);
    size_t room = width > 8 ? (size_t)(width - 8) / SVG_CHAR : 0;
    size_t cap = room > 44 ? room : 44;
    return n > cap ? cap : n;
}

static int item_cmp(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->lane != y->lane)
        return x->lane < y->lane ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->what < y->what ? -1 : x->what > y->what;
}

/* Rows for items sorted by lane and x: the first row whose last item
 * ends before this one starts (the last row when none does); returns
 * the rows a lane needs at most. */
static void pack(struct item *it, size_t n, int *rows_of_lane, size_t nl)
{
    int last[SVG_ROWS];
    long lane = -2;
    for (size_t i = 0; i < n; i++) {
        if (it[i].lane != lane) {
            lane = it[i].lane;
            for (int r = 0; r < SVG_ROWS; r++)
                last[r] = -1000;
        }
        int r = 0;
        while (r < SVG_ROWS && last[r] + 4 > it[i].start)
            r++;
        if (r == SVG_ROWS && (it[i].where == 'l' || it[i].where == 'r')) {
            /* no room for its label: the span alone (its tooltip names
             * it) */
            it[i].where = 'n';
            it[i].start = it[i].x0;
            it[i].end = it[i].x1;
            r = 0;
            while (r < SVG_ROWS && last[r] + 4 > it[i].start)
                r++;
        }
        if (r == SVG_ROWS)
            r = SVG_ROWS - 1;
        it[i].row = r;
        if (it[i].end > last[r])
            last[r] = it[i].end;
        size_t l = it[i].lane < 0 ? 0 : (size_t)it[i].lane;
        if (l < nl && rows_of_lane[l] < r + 1)
            rows_of_lane[l] = r + 1;
    }
}

/* The finding shows in this picture: every finding in the whole one,
 * the incident's own in a zoom. */
static int shows(const struct pic *g, size_t f)
{
    const struct cb_incidents *is = &g->p->v.incidents;
    if (g->zoom < 0)
        return 1;
    return f < is->nfindings && is->of_finding[f] == (size_t)g->zoom;
}

/* One marker per finding and lane, at the finding's earliest own
 * evidence on that host (any evidence when none is its own). */
static int place_marks(struct pic *g)
{
    const struct cb_view *v = &g->p->v;
    size_t cap = v->evoff[v->nfind] + 1;
    g->marks = cb_calloc(cap, sizeof *g->marks);
    if (!g->marks)
        return -1;
    for (size_t f = 0; f < v->nfind; f++) {
        const struct cb_finding *fi = &v->find[f];
        if (!shows(g, f))
            continue;
        const char *own = cb_rule_main_step(fi->rule);
        size_t start = g->nmarks;
        for (int pass = 0; pass < 2 && g->nmarks == start; pass++) {
            for (size_t k = 0; k < fi->nevidence; k++) {
                const struct cb_event *e = fi->evidence[k].ev;
                if (!pass && own && fi->evidence[k].role &&
                    strcmp(own, fi->evidence[k].role) != 0)
                    continue;
                long ln = lane_of(g, e->host);
                if (ln < 0 || e->ts < g->from || e->ts > g->to)
                    continue;
                int x = px(g, e->ts);
                size_t j = start;
                while (j < g->nmarks && g->marks[j].lane != ln)
                    j++;
                if (j == g->nmarks)
                    g->nmarks++;
                else if (g->marks[j].x0 <= x)
                    continue;
                int w = 12 + SVG_CHAR * (f + 1 >= 10 ? f + 1 >= 100 ? 3 : 2
                                                     : 1);
                if (x + w > SVG_W - 2)
                    x = SVG_W - 2 - w;
                g->marks[j] = (struct item){.what = f, .lane = ln, .x0 = x,
                                            .x1 = x + w, .start = x,
                                            .end = x + w};
            }
        }
    }
    qsort(g->marks, g->nmarks, sizeof *g->marks, item_cmp);
    return 0;
}

static int place_spans(struct pic *g, int *rows)
{
    const struct cb_incidents *is = &g->p->v.incidents;
    g->spans = cb_calloc(is->count + 1, sizeof *g->spans);
    if (!g->spans)
        return -1;
    for (size_t i = 0; i < is->count; i++) {
        const struct cb_incident *in = &is->items[i];
        if (in->first == CB_TIME_NONE || in->last < g->from ||
            in->first > g->to)
            continue;
        int x0 = px(g, in->first), x1 = px(g, in->last);
        if (x1 < x0 + 4)
            x1 = x0 + 4;
        int lab = (int)span_chars(in, 0) * SVG_CHAR + 6;
        struct item it = {.what = i, .x0 = x0, .x1 = x1, .start = x0,
                          .end = x1, .where = 'i'};
        if (x1 - x0 < lab) { /* beside it: right, else left, else cut */
            it.where = x1 + lab <= SVG_W || x0 - lab < SVG_X0 - 60 ? 'r'
                                                                   : 'l';
            if (it.where == 'r')
                it.end = x1 + lab;
            else
                it.start = x0 - lab;
        }
        g->spans[g->nspans++] = it;
    }
    qsort(g->spans, g->nspans, sizeof *g->spans, item_cmp);
    *rows = 0;
    pack(g->spans, g->nspans, rows, 1);
    return 0;
}

/* ---- layout and drawing --------------------------------------------------- */

static int layout(struct pic *g)
{
    int *rows = cb_calloc(g->nlanes + 1, sizeof *rows);
    if (!rows || place_marks(g) != 0 || place_spans(g, &g->track_rows)) {
        cb_free(rows);
        return -1;
    }
    pack(g->marks, g->nmarks, rows, g->nlanes);
    g->track_y = SVG_AXIS;
    int y = SVG_AXIS + g->track_rows * SVG_TRACK + (g->track_rows ? 4 : 0);
    for (size_t l = 0; l < g->nlanes; l++) {
        int r = rows[l] ? rows[l] : 1;
        g->lanes[l].rows = r;
        g->lanes[l].y = y;
        g->lanes[l].h = r * SVG_MROW + SVG_DENS + 4;
        y += g->lanes[l].h;
    }
    g->height = y + 6;
    cb_free(rows);
    return 0;
}

static void lanes(struct pic *g)
{
    struct out *o = &g->p->o;
    for (size_t l = 0; l < g->nlanes; l++) {
        const struct lane *ln = &g->lanes[l];
        const char *name = ln->name[0] ? ln->name : "(no host)";
        out_str(o, "<g class=\"lane\"><rect class=\"ln");
        out_char(o, (char)('0' + (l & 1)));
        out_str(o, "\" x=\"0\" y=\"");
        out_u64(o, (uint64_t)ln->y);
        out_str(o, "\" width=\"");
        out_u64(o, SVG_W);
        out_str(o, "\" height=\"");
        out_u64(o, (uint64_t)ln->h);
        out_str(o, "\"/><text x=\"");
        out_u64(o, SVG_X0 - 10);
        out_str(o, "\" y=\"");
        out_u64(o, (uint64_t)(ln->y + ln->h / 2 + 4));
        out_str(o, "\" text-anchor=\"end\"><title>");
        out_html(o, name);
        out_str(o, "</title>");
        html_cut(o, name, 24);
        out_str(o, "</text></g>\n");
    }
}

static unsigned bits(uint32_t c)
{
    unsigned b = 0;
    while (c) {
        b++;
        c >>= 1;
    }
    return b;
}

/* How many events each host logged, per bin of the plot: bars on a
 * logarithmic scale at the foot of each lane. */
static int density(struct pic *g)
{
    struct out *o = &g->p->o;
    size_t nbins = (size_t)(SVG_X1 - SVG_X0) / SVG_BIN + 1;
    uint32_t *cnt = cb_calloc(g->nlanes * nbins + 1, sizeof *cnt);
    if (!cnt)
        return -1;
    const char *prev = NULL;
    long lane = -1;
    for (size_t i = g->lo; i < g->hi; i++) {
        const struct cb_event *e = g->p->v.tl->events[i];
        if (e->host != prev) {
            prev = e->host;
            lane = lane_of(g, e->host);
        }
        if (lane < 0)
            continue;
        uint32_t *c = &cnt[(size_t)lane * nbins +
                           (size_t)(px(g, e->ts) - SVG_X0) / SVG_BIN];
        if (*c < UINT32_MAX)
            (*c)++;
    }
    for (size_t l = 0; l < g->nlanes; l++) {
        uint32_t max = 0;
        for (size_t b = 0; b < nbins; b++)
            max = cnt[l * nbins + b] > max ? cnt[l * nbins + b] : max;
        if (!max)
            continue;
        int base = g->lanes[l].y + g->lanes[l].h - 3;
        out_str(o, "<path class=\"dens\" d=\"");
        for (size_t b = 0; b < nbins; b++) {
            uint32_t c = cnt[l * nbins + b];
            if (!c)
                continue;
            unsigned h = 2 + (SVG_DENS - 4) * bits(c) / bits(max);
            out_char(o, 'M');
            out_u64(o, (uint64_t)SVG_X0 + b * SVG_BIN);
            out_char(o, ' ');
            out_u64(o, (uint64_t)base);
            out_str(o, "v-");
            out_u64(o, h);
            out_char(o, 'h');
            out_u64(o, SVG_BIN - 1);
            out_char(o, 'v');
            out_u64(o, h);
            out_char(o, 'z');
        }
        out_str(o, "\"><title>");
        out_html(o, g->lanes[l].name[0] ? g->lanes[l].name : "(no host)");
        out_str(o, ": events logged (taller: more; log scale)</title>"
                   "</path>\n");
    }
    cb_free(cnt);
    return 0;
}

/* Error and critical events: one tick per pixel and level, in the
 * density strip. */
static int error_marks(struct pic *g)
{
    struct out *o = &g->p->o;
    int plot = SVG_X1 - SVG_X0 + 1;
    unsigned char *used = cb_calloc(g->nlanes * (size_t)plot + 1, 1);
    if (!used)
        return -1;
    const char *prev = NULL;
    long lane = -1;
    for (size_t i = g->lo; i < g->hi; i++) {
        const struct cb_event *e = g->p->v.tl->events[i];
        if (html_row_class(e) != 0)
            continue;
        if (e->host != prev) {
            prev = e->host;
            lane = lane_of(g, e->host);
        }
        if (lane < 0)
            continue;
        unsigned char bit = e->level == CB_LEVEL_CRITICAL ? 1 : 2;
        int x = px(g, e->ts);
        unsigned char *u = &used[(size_t)lane * (size_t)plot +
                                 (size_t)(x - SVG_X0)];
        if (*u & bit)
            continue;
        *u |= bit;
        const struct lane *ln = &g->lanes[lane];
        out_str(o, "<rect class=\"m");
        out_char(o, (char)('0' + bit));
        out_str(o, "\" x=\"");
        out_u64(o, (uint64_t)(x - 1));
        out_str(o, "\" y=\"");
        out_u64(o, (uint64_t)(ln->y + ln->h - SVG_DENS - 2));
        out_str(o, "\" width=\"2\" height=\"");
        out_u64(o, SVG_DENS - 2);
        if (g->p->mark_titles >= CB_LIMIT_REPORT_MARK_TITLES) {
            out_str(o, "\"/>\n"); /* the page is big enough */
            continue;
        }
        g->p->mark_titles++;
        out_str(o, "\"><title>");
        out_str(o, cb_level_name(e->level));
        out_char(o, ' ');
        html_time(o, e->ts);
        out_str(o, " UTC: ");
        html_message(o, e, CB_LIMIT_REPORT_TOOLTIP);
        out_str(o, "</title></rect>\n");
    }
    cb_free(used);
    return 0;
}

static void outages(struct pic *g)
{
    struct out *o = &g->p->o;
    const struct cb_view *v = &g->p->v;
    for (size_t i = 0; i < v->noutages; i++) {
        const struct cb_view_outage *d = &v->outages[i];
        long ln = lane_of(g, d->host);
        if (ln < 0 || d->to < g->from || d->from > g->to)
            continue;
        int x0 = px(g, d->from), x1 = px(g, d->to);
        if (x1 < x0 + 3)
            x1 = x0 + 3;
        const struct lane *l = &g->lanes[ln];
        out_str(o, "<g class=\"down\"><rect x=\"");
        out_u64(o, (uint64_t)x0);
        out_str(o, "\" y=\"");
        out_u64(o, (uint64_t)(l->y + 2));
        out_str(o, "\" width=\"");
        out_u64(o, (uint64_t)(x1 - x0));
        out_str(o, "\" height=\"");
        out_u64(o, (uint64_t)(l->h - 4));
        out_str(o, "\"/><title>");
        out_html(o, d->host);
        out_str(o, " was down from ");
        html_time(o, d->from);
        out_str(o, d->from_6008 ? " (EventLog 6008's time)"
                                : " (its last event before a silence)");
        out_str(o, " to ");
        html_time(o, d->to);
        out_str(o, " UTC, its first event after (");
        html_duration(o, d->from, d->to);
        out_str(o, ")</title>");
        if (x1 - x0 >= 40) {
            out_str(o, "<text x=\"");
            out_u64(o, (uint64_t)(x0 + 4));
            out_str(o, "\" y=\"");
            out_u64(o, (uint64_t)(l->y + 14));
            out_str(o, "\">down</text>");
        }
        out_str(o, "</g>\n");
    }
}

/* An incident's label inside its span or beside it, cut to the room. */
static void span_label(struct out *o, const struct item *it,
                       const struct cb_incident *in, int y)
{
    int room = it->where == 'i'   ? it->x1 - it->x0
               : it->where == 'r' ? SVG_W - it->x1 - 4
                                  : it->x0 - 4;
    out_str(o, "<text x=\"");
    out_u64(o, (uint64_t)(it->where == 'i'   ? it->x0 + 4
                          : it->where == 'r' ? it->x1 + 4
                                             : it->x0 - 4));
    out_str(o, "\" y=\"");
    out_u64(o, (uint64_t)(y + 13));
    out_str(o, it->where == 'l' ? "\" text-anchor=\"end\">" : "\">");
    out_str(o, in->ref);
    out_char(o, ' ');
    size_t fit = span_chars(in, it->where == 'i' ? room : 0);
    if (it->where != 'i' && room > 8 && (size_t)(room - 8) / SVG_CHAR < fit)
        fit = (size_t)(room - 8) / SVG_CHAR;
    size_t head = strlen(in->ref) + 1;
    html_cut(o, in->title, fit > head + 4 ? fit - head : 4);
    out_str(o, "</text>");
}

static void spans(struct pic *g)
{
    struct out *o = &g->p->o;
    const struct cb_incidents *is = &g->p->v.incidents;
    for (size_t i = 0; i < g->nspans; i++) {
        const struct item *it = &g->spans[i];
        const struct cb_incident *in = &is->items[it->what];
        int y = g->track_y + it->row * SVG_TRACK;
        out_str(o, "<a href=\"#incident-");
        out_str(o, in->ref);
        out_str(o, "\"><g class=\"inc ");
        out_str(o, cb_severity_name(in->severity));
        out_str(o, (long)it->what == g->zoom ? " cur" : "");
        out_str(o, "\"><rect x=\"");
        out_u64(o, (uint64_t)it->x0);
        out_str(o, "\" y=\"");
        out_u64(o, (uint64_t)(y + 1));
        out_str(o, "\" width=\"");
        out_u64(o, (uint64_t)(it->x1 - it->x0));
        out_str(o, "\" height=\"");
        out_u64(o, SVG_TRACK - 3);
        out_str(o, "\" rx=\"3\"/>");
        if (it->where != 'n')
            span_label(o, it, in, y);
        out_str(o, "<title>");
        out_str(o, in->ref);
        out_char(o, ' ');
        out_html(o, in->title);
        out_str(o, ": ");
        html_time(o, in->first);
        out_str(o, " \xE2\x80\x93 ");
        html_time(o, in->last);
        out_str(o, " UTC</title></g></a>\n");
    }
}

/* Numbered markers linked to their cards: <a href="#F3">. */
static void markers(struct pic *g)
{
    struct out *o = &g->p->o;
    const struct cb_view *v = &g->p->v;
    for (size_t i = 0; i < g->nmarks; i++) {
        const struct item *it = &g->marks[i];
        const struct cb_finding *f = &v->find[it->what];
        const struct lane *l = &g->lanes[it->lane];
        int y = l->y + 2 + it->row * SVG_MROW;
        out_str(o, "<a href=\"#F");
        out_u64(o, it->what + 1);
        out_str(o, "\"><g class=\"fm ");
        out_str(o, cb_severity_name(f->severity));
        out_str(o, "\"><rect x=\"");
        out_u64(o, (uint64_t)it->x0);
        out_str(o, "\" y=\"");
        out_u64(o, (uint64_t)y);
        out_str(o, "\" width=\"");
        out_u64(o, (uint64_t)(it->x1 - it->x0));
        out_str(o, "\" height=\"");
        out_u64(o, SVG_MROW - 3);
        out_str(o, "\" rx=\"7\"/><text x=\"");
        out_u64(o, (uint64_t)(it->x0 + (it->x1 - it->x0) / 2));
        out_str(o, "\" y=\"");
        out_u64(o, (uint64_t)(y + 11));
        out_str(o, "\" text-anchor=\"middle\">F");
        out_u64(o, it->what + 1);
        out_str(o, "</text><title>F");
        out_u64(o, it->what + 1);
        out_char(o, ' ');
        out_html(o, f->title);
        out_str(o, " (");
        out_html(o, l->name[0] ? l->name : "no host");
        out_str(o, ", ");
        html_time(o, f->first);
        out_str(o, " UTC)</title></g></a>\n");
    }
}

/* ---- the pictures --------------------------------------------------------- */

int html_incident_window(const struct cb_incident *in, cb_time *from,
                         cb_time *to)
{
    if (in->first == CB_TIME_NONE || in->last == CB_TIME_NONE ||
        in->last < in->first)
        return 0;
    uint64_t pad = ((uint64_t)in->last - (uint64_t)in->first) / 10;
    uint64_t min_pad = 60ULL * CB_TICKS_PER_SEC;
    if (pad < min_pad)
        pad = min_pad;
    *from = in->first - (cb_time)pad;
    *to = in->last + (cb_time)pad;
    return 1;
}

static int lane_cmp(const void *a, const void *b)
{
    const struct lane *x = a, *y = b;
    return strcasecmp(x->name, y->name);
}

/* Sorts lanes and drops a name met twice (case aside); returns how many
 * are left. */
static size_t lanes_sorted(struct lane *ln, size_t n)
{
    qsort(ln, n, sizeof *ln, lane_cmp);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (!u || strcasecmp(ln[u - 1].name, ln[i].name) != 0)
            ln[u++] = ln[i];
    }
    return u;
}

/* Lanes of the whole window: every host up to the cap, and "(no host)"
 * when evidence, or an error of the window, has no host. */
static size_t window_lanes(const struct html_page *p, struct lane *out)
{
    const struct cb_view *v = &p->v;
    size_t n = v->nnames < CB_LIMIT_REPORT_LANES ? v->nnames
                                                 : CB_LIMIT_REPORT_LANES;
    for (size_t i = 0; i < n; i++)
        out[i] = (struct lane){.name = v->names[i]};
    n = lanes_sorted(out, n);
    int unknown = 0;
    for (size_t f = 0; f < v->nfind && !unknown; f++) {
        for (size_t k = 0; k < v->find[f].nevidence; k++)
            unknown |= !v->find[f].evidence[k].ev->host[0];
    }
    for (size_t i = v->lo; i < v->hi && !unknown; i++) {
        const struct cb_event *e = v->tl->events[i];
        unknown = html_row_class(e) == 0 && !e->host[0];
    }
    if (unknown || !n) /* never a picture without a lane */
        out[n++] = (struct lane){.name = ""};
    return n;
}

/* Lanes of an incident: its hosts and the nodes it names. */
static size_t incident_lanes(const struct cb_incident *in, struct lane *out)
{
    size_t n = 0;
    for (size_t i = 0; i < in->nhosts && n < CB_LIMIT_REPORT_LANES; i++) {
        if (in->hosts[i][0])
            out[n++] = (struct lane){.name = in->hosts[i]};
    }
    n = lanes_sorted(out, n);
    if (!n) /* an incident of events that name no host */
        out[n++] = (struct lane){.name = ""};
    return n;
}

static void open_svg(struct pic *g, const char *label_text)
{
    struct out *o = &g->p->o;
    out_str(o, "<figure>\n<svg class=\"tl\" viewBox=\"0 0 ");
    out_u64(o, SVG_W);
    out_char(o, ' ');
    out_u64(o, (uint64_t)g->height);
    out_str(o, "\" role=\"img\" aria-label=\"");
    out_html(o, label_text);
    out_str(o, "\">\n");
}

/* One picture over [from, to] with the given lanes. */
static void draw(struct html_page *p, long zoom, cb_time from, cb_time to,
                 struct lane *ln, size_t nl, const char *label_text)
{
    struct pic g = {.p = p, .zoom = zoom, .from = from, .to = to,
                    .lanes = ln, .nlanes = nl};
    if (g.to <= g.from) {
        g.from -= 30 * CB_TICKS_PER_SEC;
        g.to = g.from + 60 * CB_TICKS_PER_SEC;
    }
    g.span = (uint64_t)g.to - (uint64_t)g.from;
    g.lo = cb_view_bound(p->v.tl, g.from, 0);
    g.hi = cb_view_bound(p->v.tl, g.to, 1);
    if (g.hi < g.lo)
        g.hi = g.lo;
    if (layout(&g) != 0) {
        p->nomem = 1;
    } else {
        open_svg(&g, label_text);
        lanes(&g);
        axis(&g);
        if (density(&g) != 0 || error_marks(&g) != 0)
            p->nomem = 1;
        outages(&g);
        spans(&g);
        markers(&g);
        out_str(&p->o, "</svg>\n");
    }
    cb_free(g.marks);
    cb_free(g.spans);
}

static void legend(struct html_page *p)
{
    struct out *o = &p->o;
    out_str(o, "<figcaption class=\"legend\">");
    if (p->v.nfind)
        out_str(o, "<i class=\"fm\"></i>finding (links to its card) "
                   "<i class=\"inc\"></i>incident (links to its story) ");
    if (p->v.noutages)
        out_str(o, "<i class=\"down\"></i>machine down ");
    out_str(o, "<i class=\"dens\"></i>events logged "
               "<i class=\"bar m1\"></i>critical "
               "<i class=\"bar m2\"></i>error. Times UTC.");
    if (p->v.nnames > CB_LIMIT_REPORT_LANES) {
        out_str(o, " Only the first ");
        out_u64(o, CB_LIMIT_REPORT_LANES);
        out_str(o, " of ");
        html_num(o, p->v.nnames);
        out_str(o, " hosts are drawn.");
    }
    out_str(o, "</figcaption>\n</figure>\n");
}

static void window_sentence(struct html_page *p, cb_time from)
{
    struct out *o = &p->o;
    out_str(o, "<p class=\"mut small\">");
    if (p->v.nfind) {
        out_str(o, "The window of the findings: from the earliest evidence "
                   "minus 10 % to the latest plus 10 % (at least ");
        out_u64(o, CB_LIMIT_REPORT_WINDOW_PAD_SEC);
        out_str(o, " s either side)");
        out_str(o, from < p->v.wfrom ? ", widened to the start of the "
                                       "outages and incidents before it, "
                                     : ", ");
    } else {
        out_str(o, "No findings: nothing to mark. The lanes show how many "
                   "events each host logged over the whole timeline, ");
    }
    html_time(o, from);
    out_str(o, " \xE2\x80\x93 ");
    html_time(o, p->v.wto);
    out_str(o, " UTC (");
    html_duration(o, from, p->v.wto);
    out_str(o, ").</p>\n");
}

int html_has_zoom(const struct html_page *p, size_t i)
{
    cb_time from, to;
    return p->v.window && i < p->v.incidents.count &&
           i < CB_LIMIT_REPORT_ZOOMS &&
           html_incident_window(&p->v.incidents.items[i], &from, &to);
}

static void zooms(struct html_page *p, struct lane *ln)
{
    struct out *o = &p->o;
    const struct cb_incidents *is = &p->v.incidents;
    size_t n = is->count < CB_LIMIT_REPORT_ZOOMS ? is->count
                                                 : CB_LIMIT_REPORT_ZOOMS;
    for (size_t i = 0; i < n; i++) {
        const struct cb_incident *in = &is->items[i];
        cb_time from, to;
        if (!html_has_zoom(p, i) || !html_incident_window(in, &from, &to))
            continue;
        size_t nl = incident_lanes(in, ln);
        out_str(o, "<h3 id=\"zoom-");
        out_str(o, in->ref);
        out_str(o, "\"><a href=\"#incident-");
        out_str(o, in->ref);
        out_str(o, "\">");
        out_str(o, in->ref);
        out_str(o, "</a> ");
        out_html(o, in->title);
        out_str(o, "</h3>\n<p class=\"mut small\">");
        html_time(o, from);
        out_str(o, " \xE2\x80\x93 ");
        html_time(o, to);
        out_str(o, " UTC (");
        html_duration(o, from, to);
        out_str(o, "): the incident and ");
        out_str(o, "a tenth of its span either side.</p>\n");
        draw(p, (long)i, from, to, ln, nl, "Timeline of one incident");
        out_str(o, "</figure>\n");
    }
    if (is->count > n) {
        out_str(o, "<p class=\"mut small\">");
        html_num(o, is->count - n);
        out_str(o, " more incidents have no picture of their own.</p>\n");
    }
}

void html_timeline_svg(struct html_page *p)
{
    struct out *o = &p->o;
    out_str(o, "<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    if (!p->v.window) {
        out_str(o, "<p class=\"mut\">No events to draw.</p>\n</section>\n");
        return;
    }
    struct lane *ln = cb_calloc(SVG_MAXLANES, sizeof *ln);
    if (!ln) {
        p->nomem = 1;
        out_str(o, "</section>\n");
        return;
    }
    cb_time from = p->v.wfrom;
    for (size_t i = 0; i < p->v.noutages; i++) {
        const struct cb_view_outage *d = &p->v.outages[i];
        if (d->to >= p->v.wfrom && d->from < from)
            from = d->from;
    }
    for (size_t i = 0; i < p->v.incidents.count; i++) {
        const struct cb_incident *in = &p->v.incidents.items[i];
        if (in->first != CB_TIME_NONE && in->first < from)
            from = in->first;
    }
    if (from < p->v.wfrom) /* a margin before what starts before */
        from -= (cb_time)(((uint64_t)p->v.wto - (uint64_t)from) / 50);
    window_sentence(p, from);
    size_t nl = window_lanes(p, ln);
    draw(p, -1, from, p->v.wto, ln, nl,
         "Timeline: one lane per host with its events, outages and "
         "findings; the incidents above");
    legend(p);
    if (p->v.incidents.count) {
        out_str(o, "<h3 class=\"zooms\">Each incident up close</h3>\n");
        zooms(p, ln);
    }
    cb_free(ln);
    out_str(o, "</section>\n");
}
