/*
 * svg.c - the timeline picture of report.html: inline SVG over the
 * view's window, one lane per host (and one for events without a host
 * when any is drawn), an axis of six ticks, a mark for each error or
 * critical event (one per pixel, none under evidence) and a circle per
 * evidence event, coloured by its finding's severity and linked to its
 * row in the event table.
 */
#include <string.h>

#include "alloc.h"
#include "casebrief/casebrief.h"
#include "html.h"
#include "timefmt.h"

/* Geometry in user units; the picture scales to the page width. */
#define SVG_W 1000
#define SVG_X0 170 /* plot area */
#define SVG_X1 980
#define SVG_TOP 28
#define SVG_LANE 30

struct geom {
    size_t drawn;  /* host lanes drawn */
    size_t nlanes; /* drawn, and the "(no host)" lane if any */
    int unknown;   /* there is a "(no host)" lane */
    int plot;      /* pixels across the plot */
    int height;
    uint64_t span; /* of the window, in ticks */
};

static int svg_x(const struct cb_view *v, cb_time t)
{
    if (t <= v->wfrom)
        return SVG_X0;
    if (t >= v->wto)
        return SVG_X1;
    unsigned __int128 d = (uint64_t)t - (uint64_t)v->wfrom;
    uint64_t span = (uint64_t)v->wto - (uint64_t)v->wfrom;
    return SVG_X0 + (int)(d * (SVG_X1 - SVG_X0) / span);
}

/* Lane of a host: its index among the view's names, the last lane for
 * "no host", -1 when not drawn. */
static long lane_of(const struct cb_view *v, const struct geom *g,
                    const char *host)
{
    if (!host[0])
        return g->unknown ? (long)g->nlanes - 1 : -1;
    size_t lo = 0, hi = g->drawn;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v->names[mid], host);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Index of the pixel of an event in its lane's row of the plot. */
static size_t cell_of(const struct cb_view *v, const struct geom *g, long lane,
                      cb_time t)
{
    return (size_t)lane * (size_t)g->plot + (size_t)(svg_x(v, t) - SVG_X0);
}

/* An axis label as precise as the span needs. */
static void tick_label(struct out *o, cb_time t, uint64_t span)
{
    if (t == CB_TIME_NONE) {
        out_str(o, "\xE2\x80\x94");
        return;
    }
    char buf[CB_TIMEFMT_MAX];
    cb_timefmt_ms(t, ' ', buf, sizeof buf);
    const char *sp = strchr(buf, ' ');
    if (!sp) {
        out_str(o, buf);
        return;
    }
    size_t tlen = strlen(sp + 1);
    if (span < 60ULL * CB_TICKS_PER_SEC) { /* HH:MM:SS.mmm */
        out_str(o, sp + 1);
    } else if (span < 86400ULL * CB_TICKS_PER_SEC) { /* HH:MM:SS */
        out_bytes(o, sp + 1, tlen > 8 ? 8 : tlen);
    } else { /* MM-DD HH:MM */
        const char *date = sp - 5 > buf ? sp - 5 : buf;
        out_bytes(o, date, (size_t)(sp - date));
        out_char(o, ' ');
        out_bytes(o, sp + 1, tlen > 5 ? 5 : tlen);
    }
}

/* Lanes: a host lane per name up to the cap, and "(no host)" when
 * evidence, or an error of the window, has no host. */
static void measure(const struct html_page *p, struct geom *g)
{
    const struct cb_view *v = &p->v;
    int unknown = 0;
    for (size_t f = 0; f < v->nfind && !unknown; f++) {
        for (size_t k = 0; k < v->find[f].nevidence; k++)
            unknown |= !v->find[f].evidence[k].ev->host[0];
    }
    for (size_t i = v->lo; i < v->hi && !unknown; i++) {
        const struct cb_event *e = v->tl->events[i];
        unknown = html_row_class(e) == 0 && !e->host[0];
    }
    g->unknown = unknown;
    g->drawn =
        v->nnames < CB_LIMIT_REPORT_LANES ? v->nnames : CB_LIMIT_REPORT_LANES;
    g->nlanes = g->drawn + (unknown ? 1 : 0);
    g->plot = SVG_X1 - SVG_X0 + 1;
    g->height = SVG_TOP + (int)g->nlanes * SVG_LANE + 6;
    g->span = (uint64_t)v->wto - (uint64_t)v->wfrom;
}

/* The sentence above the picture and the <svg> opening. */
static void svg_open(struct html_page *p, const struct geom *g)
{
    struct out *o = &p->o;
    out_str(o, "<p class=\"mut small\">");
    if (p->v.nfind) {
        out_str(o, "The window of the findings: from the earliest evidence "
                   "minus 10 % to the latest plus 10 % (at least ");
        out_u64(o, CB_LIMIT_REPORT_WINDOW_PAD_SEC);
        out_str(o, " s either side), ");
    } else {
        out_str(o, "The whole timeline, ");
    }
    html_time(o, p->v.wfrom);
    out_str(o, " \xE2\x80\x93 ");
    html_time(o, p->v.wto);
    out_str(o, " UTC (");
    html_duration(o, p->v.wfrom, p->v.wto);
    out_str(o, ").</p>\n<figure>\n<svg class=\"tl\" viewBox=\"0 0 ");
    out_u64(o, SVG_W);
    out_char(o, ' ');
    out_u64(o, (uint64_t)g->height);
    out_str(o, "\" role=\"img\" aria-label=\"Timeline: one lane per host, "
               "evidence and error events\">\n");
}

static void svg_lanes(struct html_page *p, const struct geom *g)
{
    struct out *o = &p->o;
    for (size_t l = 0; l < g->nlanes; l++) {
        int y = SVG_TOP + (int)l * SVG_LANE;
        const char *name = l < g->drawn ? p->v.names[l] : "(no host)";
        out_str(o, "<g class=\"lane\"><rect class=\"ln");
        out_char(o, (char)('0' + (l & 1)));
        out_str(o, "\" x=\"0\" y=\"");
        out_u64(o, (uint64_t)y);
        out_str(o, "\" width=\"");
        out_u64(o, SVG_W);
        out_str(o, "\" height=\"");
        out_u64(o, SVG_LANE);
        out_str(o, "\"/><text x=\"");
        out_u64(o, SVG_X0 - 10);
        out_str(o, "\" y=\"");
        out_u64(o, (uint64_t)(y + SVG_LANE / 2 + 4));
        out_str(o, "\" text-anchor=\"end\"><title>");
        out_html(o, name);
        out_str(o, "</title>");
        html_cut(o, name, 24);
        out_str(o, "</text></g>\n");
    }
}

static void svg_axis(struct html_page *p, const struct geom *g)
{
    struct out *o = &p->o;
    for (int k = 0; k <= 5; k++) {
        int x = SVG_X0 + (SVG_X1 - SVG_X0) * k / 5;
        cb_time t = (cb_time)((uint64_t)p->v.wfrom + g->span / 5 * (uint64_t)k);
        if (k == 5)
            t = p->v.wto;
        out_str(o, "<line class=\"grid\" x1=\"");
        out_u64(o, (uint64_t)x);
        out_str(o, "\" y1=\"");
        out_u64(o, SVG_TOP - 6);
        out_str(o, "\" x2=\"");
        out_u64(o, (uint64_t)x);
        out_str(o, "\" y2=\"");
        out_u64(o, (uint64_t)g->height - 6);
        out_str(o, "\"/><text class=\"ax\" x=\"");
        out_u64(o, (uint64_t)x);
        out_str(o, "\" y=\"14\" text-anchor=\"");
        out_str(o, k == 0 ? "start" : k == 5 ? "end" : "middle");
        out_str(o, "\">");
        tick_label(o, t, g->span);
        out_str(o, "</text>\n");
    }
}

/* One error or critical mark (bit 2 or 1) at x in lane. */
static void mark(struct out *o, const struct cb_event *e, long lane, int x,
                 unsigned char bit)
{
    int y = SVG_TOP + (int)lane * SVG_LANE;
    out_str(o, "<rect class=\"m");
    out_char(o, (char)('0' + bit));
    out_str(o, "\" x=\"");
    out_u64(o, (uint64_t)(x - 1));
    out_str(o, "\" y=\"");
    out_u64(o, (uint64_t)(y + 6));
    out_str(o, "\" width=\"3\" height=\"");
    out_u64(o, SVG_LANE - 12);
    out_str(o, "\"><title>");
    out_str(o, cb_level_name(e->level));
    out_char(o, ' ');
    html_time(o, e->ts);
    out_str(o, " UTC: ");
    html_message(o, e, CB_LIMIT_REPORT_TOOLTIP);
    out_str(o, "</title></rect>\n");
}

/* Error and critical events of the window, one mark per pixel and level
 * and none under an evidence circle. used and evpix: a cell per pixel of
 * each lane. */
static void svg_marks(struct html_page *p, const struct geom *g,
                      unsigned char *used, unsigned char *evpix)
{
    const struct cb_view *v = &p->v;
    for (size_t f = 0; f < v->nfind; f++) {
        for (size_t k = 0; k < v->find[f].nevidence; k++) {
            const struct cb_event *e = v->find[f].evidence[k].ev;
            long ln = lane_of(v, g, e->host);
            if (ln >= 0)
                evpix[cell_of(v, g, ln, e->ts)] = 1;
        }
    }
    const char *prev_host = NULL;
    long lane = -1;
    for (size_t i = v->lo; i < v->hi; i++) {
        const struct cb_event *e = v->tl->events[i];
        if (html_row_class(e) != 0)
            continue;
        if (e->host != prev_host) {
            prev_host = e->host;
            lane = lane_of(v, g, e->host);
        }
        if (lane < 0)
            continue;
        unsigned char bit = e->level == CB_LEVEL_CRITICAL ? 1 : 2;
        size_t cell = cell_of(v, g, lane, e->ts);
        if ((used[cell] & bit) || evpix[cell])
            continue;
        used[cell] |= bit;
        mark(&p->o, e, lane, svg_x(v, e->ts), bit);
    }
}

/* Evidence, per finding in rank order: the higher finding keeps a pixel
 * both want. used: a cell per pixel of each lane, all clear. */
static void svg_evidence(struct html_page *p, const struct geom *g,
                         unsigned char *used)
{
    struct out *o = &p->o;
    const struct cb_view *v = &p->v;
    for (size_t f = 0; f < v->nfind; f++) {
        const struct cb_finding *fd = &v->find[f];
        for (size_t k = 0; k < fd->nevidence; k++) {
            const struct cb_event *e = fd->evidence[k].ev;
            long ln = lane_of(v, g, e->host);
            if (ln < 0 || used[cell_of(v, g, ln, e->ts)])
                continue;
            used[cell_of(v, g, ln, e->ts)] = 1;
            size_t idx = v->evidx[v->evoff[f] + k];
            int linked = html_row_shown(p, idx);
            if (linked) {
                out_str(o, "<a href=\"#ev-");
                out_u64(o, idx);
                out_str(o, "\">");
            }
            out_str(o, "<circle class=\"");
            out_str(o, cb_severity_name(fd->severity));
            out_str(o, "\" cx=\"");
            out_u64(o, (uint64_t)svg_x(v, e->ts));
            out_str(o, "\" cy=\"");
            out_u64(o, (uint64_t)(SVG_TOP + ln * SVG_LANE + SVG_LANE / 2));
            out_str(o, "\" r=\"6\"><title>#");
            out_u64(o, f + 1);
            out_char(o, ' ');
            out_html(o, fd->title);
            out_str(o, " \xE2\x80\x94 ");
            out_html(o, fd->evidence[k].role);
            out_char(o, ' ');
            html_time(o, e->ts);
            out_str(o, " UTC</title></circle>");
            if (linked)
                out_str(o, "</a>");
            out_char(o, '\n');
        }
    }
}

static void svg_legend(struct html_page *p)
{
    struct out *o = &p->o;
    out_str(o, "</svg>\n<figcaption class=\"legend\">");
    if (p->v.nfind) {
        out_str(o, "Evidence by severity of its finding:"
                   "<i class=\"critical\"></i>critical<i class=\"high\"></i>"
                   "high<i class=\"medium\"></i>medium<i class=\"low\"></i>low"
                   "<i class=\"info\"></i>info; ");
    }
    out_str(o, "events of the window:<i class=\"bar m1\"></i>critical"
               "<i class=\"bar m2\"></i>error. Times UTC.");
    if (p->v.nnames > CB_LIMIT_REPORT_LANES) {
        out_str(o, " Only the first ");
        out_u64(o, CB_LIMIT_REPORT_LANES);
        out_str(o, " of ");
        html_num(o, p->v.nnames);
        out_str(o, " hosts are drawn.");
    }
    out_str(o, "</figcaption>\n</figure>\n</section>\n");
}

void html_timeline_svg(struct html_page *p)
{
    struct out *o = &p->o;
    out_str(o, "<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    if (!p->v.window) {
        out_str(o, "<p class=\"mut\">No events to draw.</p>\n</section>\n");
        return;
    }
    struct geom g;
    measure(p, &g);
    svg_open(p, &g);
    svg_lanes(p, &g);
    svg_axis(p, &g);
    size_t cells = g.nlanes * (size_t)g.plot;
    unsigned char *used = cb_calloc(2 * cells + 1, 1);
    if (!used) {
        p->nomem = 1;
        return;
    }
    svg_marks(p, &g, used, used + cells);
    memset(used, 0, cells);
    svg_evidence(p, &g, used);
    cb_free(used);
    svg_legend(p);
}
