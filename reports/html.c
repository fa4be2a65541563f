/*
 * html.c - report.html: one self-contained page for a support engineer.
 * Header, the ranked findings, each finding with its evidence, cause and
 * remediation, a timeline picture (inline SVG, one lane per host), the
 * event table of the relevant window, evidence gaps, and the inventory of
 * every source.
 *
 * Self-contained: inline CSS and a little inline JS (copy buttons, table
 * filter), nothing loaded from anywhere; with JS off every row shows.
 * Every customer string goes through out_html(): HTML-escaped, invalid UTF-8
 * and control characters replaced, and "://" broken so that no URL
 * appears in the file. The markup is XHTML-compatible (every element
 * closed, attributes quoted, only the XML entities) so that an XML parser
 * can check it. Same input, same bytes: no clock, no locale.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "timefmt.h"
#include "casebrief/casebrief.h"
#include "html.h"
#include "shutdown.h"

/* ---- escaping ----------------------------------------------------------- */

size_t html_cut(struct out *o, const char *s, size_t max)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    if (n <= max) {
        out_html_n(o, s, n);
        return 0;
    }
    size_t cut = out_utf8_cut(s, max);
    out_html_n(o, s, cut);
    out_str(o, "\xE2\x80\xA6");
    return n - cut;
}

/* " (N more bytes)" after text cut short. */
static void more_note(struct out *o, size_t more)
{
    if (!more)
        return;
    out_str(o, " <span class=\"mut\">(");
    out_u64(o, more);
    out_str(o, " more bytes)</span>");
}

/* At most max bytes, then a note of how many more there were. */
static void esc_cut(struct out *o, const char *s, size_t max)
{
    more_note(o, html_cut(o, s, max));
}

void html_num(struct out *o, uint64_t v)
{
    char tmp[32];
    size_t i = sizeof tmp, digits = 0;
    do {
        if (digits && digits % 3 == 0)
            tmp[--i] = ',';
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
        digits++;
    } while (v);
    out_bytes(o, tmp + i, sizeof tmp - i);
}

/* ---- time --------------------------------------------------------------- */

void html_time(struct out *o, cb_time t)
{
    if (t == CB_TIME_NONE) {
        out_str(o, "\xE2\x80\x94");
        return;
    }
    char buf[CB_TIMEFMT_MAX];
    cb_timefmt_ms(t, ' ', buf, sizeof buf);
    out_str(o, buf);
}

void html_duration(struct out *o, cb_time from, cb_time to)
{
    char buf[CB_TIMEFMT_MAX];
    cb_timefmt_duration(from, to, buf, sizeof buf);
    out_str(o, buf);
}

/* ---- data the page is built from --------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

int html_row_class(const struct cb_event *e)
{
    if (e->level == CB_LEVEL_CRITICAL || e->level == CB_LEVEL_ERROR)
        return 0;
    return e->level == CB_LEVEL_WARNING ? 1 : 2;
}

struct frontier {
    size_t pos;  /* next candidate (window index) */
    size_t stop; /* exclusive bound, in the direction of travel */
    int left;    /* moves toward lower indices */
    int done;
    cb_time anchor; /* the evidence time it grows from */
};

/* Move f to its next unmarked event of class cls; sel: 1 taken by an
 * earlier class or as evidence, 2 taken in this class. */
static void frontier_seek(struct frontier *f, const struct html_page *r,
                          const unsigned char *sel, int cls)
{
    while (!f->done) {
        if (f->pos == f->stop || f->pos == CB_VIEW_NOT_FOUND) {
            f->done = 1;
            return;
        }
        if (sel[f->pos] == 2) { /* met the frontier coming the other way */
            f->done = 1;
            return;
        }
        if (!sel[f->pos] && html_row_class(r->v.tl->events[r->v.lo + f->pos]) == cls)
            return;
        f->pos = f->left ? f->pos - 1 : f->pos + 1;
    }
}

/*
 * Take budget events of class cls, those nearest in time to an evidence
 * event first (ties: the earlier); without evidence, the latest first.
 * Each evidence event grows a frontier left and right up to the next
 * evidence event, so every event is visited at most twice.
 */
static int take_nearest(const struct html_page *r, unsigned char *sel,
                        const size_t *anchors, size_t nanchors, int cls,
                        size_t budget)
{
    size_t n = r->v.hi - r->v.lo;
    size_t nf = nanchors ? 2 * nanchors : 1;
    struct frontier *fr = cb_calloc(nf, sizeof *fr);
    if (!fr)
        return -1;
    if (!nanchors) {
        fr[0] = (struct frontier){n - 1, CB_VIEW_NOT_FOUND, 1, 0,
                                  r->v.tl->events[r->v.hi - 1]->ts};
    }
    for (size_t k = 0; k < nanchors; k++) {
        size_t p = anchors[k];
        cb_time t = r->v.tl->events[r->v.lo + p]->ts;
        size_t prev = k ? anchors[k - 1] : CB_VIEW_NOT_FOUND;
        size_t next = k + 1 < nanchors ? anchors[k + 1] : n;
        fr[2 * k] =
            (struct frontier){p ? p - 1 : CB_VIEW_NOT_FOUND, prev, 1, p == 0, t};
        fr[2 * k + 1] = (struct frontier){p + 1, next, 0, 0, t};
    }
    for (size_t k = 0; k < nf; k++)
        frontier_seek(&fr[k], r, sel, cls);
    while (budget) {
        size_t best = CB_VIEW_NOT_FOUND;
        uint64_t bestd = 0;
        for (size_t k = 0; k < nf; k++) {
            if (fr[k].done)
                continue;
            cb_time t = r->v.tl->events[r->v.lo + fr[k].pos]->ts;
            uint64_t d = t > fr[k].anchor
                             ? (uint64_t)t - (uint64_t)fr[k].anchor
                             : (uint64_t)fr[k].anchor - (uint64_t)t;
            if (best == CB_VIEW_NOT_FOUND || d < bestd ||
                (d == bestd && fr[k].pos < fr[best].pos)) {
                best = k;
                bestd = d;
            }
        }
        if (best == CB_VIEW_NOT_FOUND)
            break;
        sel[fr[best].pos] = 2;
        budget--;
        fr[best].pos = fr[best].left ? fr[best].pos - 1 : fr[best].pos + 1;
        /* the one coming the other way may stand on the same event */
        for (size_t k = 0; k < nf; k++)
            frontier_seek(&fr[k], r, sel, cls);
    }
    cb_free(fr);
    return 0;
}

/* The rows of the event table: every event of the window up to
 * CB_LIMIT_REPORT_ROWS; past it, evidence first, then by row_class, then nearest the
 * evidence. Evidence outside the window (only if the timeline was not in
 * time order) is added so that every evidence link has a target. */
static int select_rows(struct html_page *r)
{
    size_t n = r->v.window ? r->v.hi - r->v.lo : 0;
    size_t nev = r->v.evoff[r->v.nfind];
    r->rows =
        cb_calloc((n < CB_LIMIT_REPORT_ROWS ? n : CB_LIMIT_REPORT_ROWS) + nev + 1, sizeof *r->rows);
    if (!r->rows)
        return -1;
    size_t m = 0;
    if (n <= CB_LIMIT_REPORT_ROWS) {
        for (size_t i = 0; i < n; i++)
            r->rows[m++] = r->v.lo + i;
    } else {
        unsigned char *sel = cb_calloc(n, 1);
        size_t *anchors = cb_calloc(nev + 1, sizeof *anchors);
        if (!sel || !anchors) {
            cb_free(sel);
            cb_free(anchors);
            return -1;
        }
        size_t na = 0, budget = CB_LIMIT_REPORT_ROWS;
        for (size_t k = 0; k < nev; k++) {
            size_t i = r->v.evidx[k];
            if (i == CB_VIEW_NOT_FOUND || i < r->v.lo || i >= r->v.hi || sel[i - r->v.lo])
                continue;
            sel[i - r->v.lo] = 1;
            anchors[na++] = i - r->v.lo;
            if (budget)
                budget--;
        }
        qsort(anchors, na, sizeof *anchors, cmp_size);
        for (int cls = 0; cls < 3 && budget; cls++) {
            size_t cnt = 0;
            for (size_t i = 0; i < n; i++)
                cnt += !sel[i] && html_row_class(r->v.tl->events[r->v.lo + i]) == cls;
            if (cnt <= budget) {
                for (size_t i = 0; i < n; i++) {
                    if (!sel[i] && html_row_class(r->v.tl->events[r->v.lo + i]) == cls)
                        sel[i] = 1;
                }
                budget -= cnt;
                continue;
            }
            if (take_nearest(r, sel, anchors, na, cls, budget) != 0) {
                cb_free(sel);
                cb_free(anchors);
                return -1;
            }
            budget = 0;
        }
        for (size_t i = 0; i < n; i++) {
            if (sel[i])
                r->rows[m++] = r->v.lo + i;
        }
        cb_free(sel);
        cb_free(anchors);
    }
    r->omitted = n - m;
    for (size_t k = 0; k < nev; k++) {
        size_t i = r->v.evidx[k];
        if (i != CB_VIEW_NOT_FOUND && (!r->v.window || i < r->v.lo || i >= r->v.hi))
            r->rows[m++] = i;
    }
    qsort(r->rows, m, sizeof *r->rows, cmp_size);
    size_t u = 0;
    for (size_t i = 0; i < m; i++) {
        if (!u || r->rows[u - 1] != r->rows[i])
            r->rows[u++] = r->rows[i];
    }
    r->nrows = u;
    return 0;
}

int html_row_shown(const struct html_page *r, size_t idx)
{
    return idx != CB_VIEW_NOT_FOUND &&
           bsearch(&idx, r->rows, r->nrows, sizeof *r->rows, cmp_size) != NULL;
}

/* ---- page parts --------------------------------------------------------- */

static const char css[] =
    ":root{--crit:#8b0000;--high:#c0392b;--med:#b9770e;--low:#2874a6;"
    "--info:#6c757d;--bd:#d0d7de;--mut:#57606a;--bg2:#f6f8fa;--acc:#0969da}"
    "*{box-sizing:border-box}"
    "html{color-scheme:light}"
    "body{margin:0 auto;max-width:1400px;padding:0 24px 48px;color:#1f2328;"
    "background:#fff;font:14px/1.45 system-ui,-apple-system,\"Segoe UI\","
    "Roboto,\"Helvetica Neue\",Arial,sans-serif}"
    "code,pre,.mono{font-family:ui-monospace,\"Cascadia Mono\",Consolas,"
    "\"SFMono-Regular\",Menlo,monospace;font-size:12.5px}"
    "a{color:var(--acc);text-decoration:none}a:hover{text-decoration:underline}"
    "header{border-bottom:3px solid #24292f;padding:20px 0 "
    "12px;margin-bottom:8px}"
    "h1{font-size:24px;margin:0 0 10px}h1 .case{font-weight:400}"
    "h2{font-size:19px;margin:32px 0 10px;padding-bottom:4px;"
    "border-bottom:1px solid var(--bd)}"
    "h3{font-size:16px;margin:18px 0 8px}h4{font-size:14px;margin:14px 0 6px}"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;"
    "margin:0}dl.meta dt{color:var(--mut)}dl.meta dd{margin:0}"
    "nav.toc{margin:10px 0 0;font-size:13px}nav.toc a{margin-right:14px}"
    ".mut{color:var(--mut)}.small{font-size:12px}"
    "table{border-collapse:collapse;width:100%;margin:6px 0 12px}"
    "th,td{border:1px solid var(--bd);padding:3px 6px;text-align:left;"
    "vertical-align:top}"
    "th{background:var(--bg2);font-weight:600}"
    "td.n,th.n{text-align:right;white-space:nowrap}"
    "td.t{white-space:nowrap;font-variant-numeric:tabular-nums}"
    ".msg{white-space:pre-wrap;overflow-wrap:anywhere}"
    ".path{overflow-wrap:anywhere}"
    ".sev{display:inline-block;min-width:64px;padding:1px "
    "7px;border-radius:10px;"
    "color:#fff;font-size:11px;font-weight:700;text-align:center;"
    "text-transform:uppercase;letter-spacing:.03em}"
    ".sev.critical{background:var(--crit)}.sev.high{background:var(--high)}"
    ".sev.medium{background:var(--med)}.sev.low{background:var(--low)}"
    ".sev.info{background:var(--info)}"
    ".conf{font-variant-numeric:tabular-nums;white-space:nowrap}"
    "table.sum td{vertical-align:middle}table.sum .sm{color:var(--mut);"
    "font-size:12.5px}"
    "section.finding{border:1px solid var(--bd);border-left:6px solid "
    "var(--info);"
    "border-radius:6px;padding:4px 16px 10px;margin:16px 0}"
    "section.finding.critical{border-left-color:var(--crit)}"
    "section.finding.high{border-left-color:var(--high)}"
    "section.finding.medium{border-left-color:var(--med)}"
    "section.finding.low{border-left-color:var(--low)}"
    "section.finding h3{margin-top:12px}"
    ".facts{color:var(--mut);font-size:13px;margin:4px 0 8px}"
    ".facts span{margin-right:14px}"
    ".narr{font-size:15px;margin:8px 0}"
    "ol.steps{padding-left:22px}ol.steps li{margin:0 0 12px}"
    ".code{position:relative;margin:6px 0}"
    "pre.ps{background:#0d1117;color:#e6edf3;padding:10px "
    "12px;border-radius:6px;"
    "overflow-x:auto;margin:0;white-space:pre-wrap}"
    "button.copy{position:absolute;top:6px;right:6px;font-size:11px;"
    "padding:2px 8px;border:1px solid #57606a;border-radius:4px;"
    "background:#24292f;color:#e6edf3;cursor:pointer}"
    ".warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:4px;"
    "padding:4px 8px;margin:6px 0}"
    "#story .incident{border:1px solid var(--bd);border-left:6px solid "
    "#cf222e;border-radius:6px;padding:6px 14px;margin:10px 0}"
    "#story .incident.high{border-left-color:#bc4c00}"
    "#story .incident.medium,#story .incident.low,#story .incident.info"
    "{border-left-color:#9a6700}"
    "#story h2{font-size:1.25em;margin:6px 0}"
    ".scope-note{background:#ddf4ff;border:1px solid #54aeff;"
    "border-radius:4px;padding:4px 10px;margin:6px 0}"
    "#story h2#outside{margin-top:18px;color:#57606a}"
    "#story .incident.apart{border-left-color:#8c959f;opacity:.85}"
    ".mini-tl{font-size:.9em;margin:4px 0}"
    "table.ov tr.differs{background:#fff8c5}"
    "table.ov td.diff{font-weight:600}"
    "table.ov .says{font-weight:400;font-size:.9em;color:#9a6700}"
    ".diffnote{color:#9a6700}"
    ".kind{font-size:.8em;padding:0 5px;border-radius:3px;margin-right:4px}"
    ".kind.diag{background:#ddf4ff;color:#0969da}"
    ".kind.fix{background:#fff1e5;color:#bc4c00}"
    ".note{background:var(--bg2);border:1px solid var(--bd);border-radius:4px;"
    "padding:6px 10px;margin:8px 0}"
    "figure{margin:8px 0 4px}"
    "svg.tl{width:100%;height:auto;display:block;border:1px solid var(--bd);"
    "border-radius:6px;background:#fff}"
    "svg.tl text{font:11px system-ui,sans-serif;fill:#1f2328}"
    "svg.tl text.ax{fill:#57606a}"
    "svg.tl .ln0{fill:#f6f8fa}svg.tl .ln1{fill:#fff}"
    "svg.tl .grid{stroke:#d0d7de;stroke-width:1}"
    "svg.tl .m1{fill:#6e0000}svg.tl .m2{fill:#e8590c}"
    "svg.tl .dens{fill:#afb8c1}"
    "svg.tl .down rect{fill:#24292f;fill-opacity:.16;stroke:#24292f;"
    "stroke-dasharray:4 2}svg.tl .down text{font-weight:600}"
    "svg.tl .inc rect{fill:#f6f8fa;stroke:var(--info)}"
    "svg.tl .inc.critical rect{fill:#fbe3e4;stroke:var(--crit)}"
    "svg.tl .inc.high rect{fill:#fdecea;stroke:var(--high)}"
    "svg.tl .inc.medium rect{fill:#fff8c5;stroke:var(--med)}"
    "svg.tl .inc.low rect{fill:#ddf4ff;stroke:var(--low)}"
    "svg.tl .inc.cur rect{stroke-width:2}"
    "svg.tl .fm rect{fill:var(--info)}"
    "svg.tl .fm.critical rect{fill:var(--crit)}"
    "svg.tl .fm.high rect{fill:var(--high)}"
    "svg.tl .fm.medium rect{fill:var(--med)}svg.tl .fm.low rect{fill:var(--low)}"
    "svg.tl .fm text{fill:#fff;font-weight:700}"
    "svg.tl a:hover rect,svg.tl a:focus rect{stroke:var(--acc);stroke-width:2}"
    "h3.zooms{margin-top:22px}"
    ".legend{font-size:12px;color:var(--mut);margin:4px 0 8px}"
    ".legend i{display:inline-block;width:10px;height:10px;border-radius:50%;"
    "margin:0 4px 0 12px;vertical-align:-1px}"
    ".legend i.bar{border-radius:0;width:3px;height:12px}"
    ".legend i.critical{background:var(--crit)}.legend "
    "i.high{background:var(--high)}"
    ".legend i.medium{background:var(--med)}.legend "
    "i.low{background:var(--low)}"
    ".legend i.info{background:var(--info)}.legend i.m1{background:#6e0000}"
    ".legend i.m2{background:#e8590c}"
    ".legend i.fm{width:18px;border-radius:6px;background:var(--high)}"
    ".legend i.inc{width:18px;border-radius:2px;background:#fbe3e4;"
    "border:1px solid var(--crit)}"
    ".legend i.down{width:18px;border-radius:0;background:#24292f29;"
    "border:1px dashed #24292f}"
    ".legend i.dens{width:8px;border-radius:0;background:#afb8c1}"
    ".filter{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;"
    "background:var(--bg2);border:1px solid var(--bd);border-radius:6px;"
    "padding:6px 10px;margin:8px 0;position:sticky;top:0;z-index:2}"
    ".filter input{width:200px}"
    ".filter [hidden]{display:none}"
    ".fr{position:absolute;opacity:0;width:1px;height:1px;margin:0}"
    ".fg{display:inline-flex;flex-wrap:wrap;gap:4px;align-items:center}"
    ".fg label[for]{padding:0 8px;border:1px solid var(--bd);"
    "border-radius:10px;background:#fff;cursor:pointer;font-size:12.5px}"
    "table.ev{font-size:12.5px}"
    "table.ev td:nth-child(-n+3){white-space:nowrap;"
    "font-variant-numeric:tabular-nums}"
    "table.evid td:nth-child(2){white-space:nowrap}"
    "table.ev thead th{position:sticky;top:0;z-index:1}"
    "table.ev tr.c td{background:#fbe3e4}table.ev tr.e td{background:#fff0eb}"
    "table.ev tr.w td{background:#fffbe6}"
    "table.ev tr.x td:first-child{box-shadow:inset 4px 0 0 var(--acc);"
    "font-weight:700}"
    "table.ev tr.hide{display:none}"
    "tr:target td{background:#ddf4ff!important}"
    "section.finding:target{box-shadow:0 0 0 3px #54aeff66}"
    ".sub{color:var(--mut);font-size:11px;overflow-wrap:anywhere}"
    "details summary{cursor:pointer;color:var(--acc);font-size:12px}"
    "table.kv{width:auto;margin:4px 0}table.kv th{font-weight:400;"
    "color:var(--mut)}"
    "ul.wl{margin:0;padding-left:18px}"
    "footer{margin-top:32px;color:var(--mut);font-size:12px;"
    "border-top:1px solid var(--bd);padding-top:8px}"
    "@media print{"
    "body{max-width:none;padding:0;font-size:11px}"
    "nav.toc,.filter,button.copy{display:none!important}"
    "a{color:inherit}"
    "h2{break-after:avoid}h3,h4{break-after:avoid}"
    "tr,.code,figure{break-inside:avoid}"
    "thead{display:table-header-group}"
    "table.ev thead th,.filter{position:static}"
    "pre.ps{background:#fff;color:#000;border:1px solid #999}"
    "section.finding{break-inside:auto}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "}";

/* No '<' or '&' so that the page stays well-formed XML. */
static const char js[] =
    "(function () {\n"
    "  var d = document;\n"
    "  function shown(b, text) {\n"
    "    b.textContent = text;\n"
    "    setTimeout(function () { b.textContent = 'Copy'; }, 1500);\n"
    "  }\n"
    "  function select(p, b) {\n"
    "    var r = d.createRange(), s = window.getSelection(), ok = false;\n"
    "    r.selectNodeContents(p);\n"
    "    s.removeAllRanges();\n"
    "    s.addRange(r);\n"
    "    try { ok = d.execCommand('copy'); } catch (e) { ok = false; }\n"
    "    shown(b, ok ? 'Copied' : 'Selected: press Ctrl+C');\n"
    "  }\n"
    "  function wire(p) {\n"
    "    var b = d.createElement('button');\n"
    "    b.type = 'button';\n"
    "    b.className = 'copy';\n"
    "    b.textContent = 'Copy';\n"
    "    b.addEventListener('click', function () {\n"
    "      var text = p.textContent;\n"
    "      if (navigator.clipboard) {\n"
    "        navigator.clipboard.writeText(text).then(\n"
    "          function () { shown(b, 'Copied'); },\n"
    "          function () { select(p, b); });\n"
    "      } else {\n"
    "        select(p, b);\n"
    "      }\n"
    "    });\n"
    "    p.parentNode.insertBefore(b, p);\n"
    "  }\n"
    "  var pres = d.querySelectorAll('pre.ps');\n"
    "  for (var i = 0; i !== pres.length; i++) wire(pres[i]);\n"
    "\n"
    "  var tab = d.getElementById('evtab'), box = d.getElementById('fxt');\n"
    "  if (!tab || !box) return;\n"
    "  box.removeAttribute('hidden');\n"
    "  var q = d.getElementById('fq'), fn = d.getElementById('fn'),\n"
    "      rows = tab.tBodies[0].rows;\n"
    "  function count() {\n"
    "    var n = 0;\n"
    "    for (var i = 0; i !== rows.length; i++)\n"
    "      if (rows[i].offsetParent !== null) n++;\n"
    "    fn.textContent = n + ' of ' + rows.length + ' rows shown';\n"
    "  }\n"
    "  function apply() {\n"
    "    var t = q.value.toLowerCase();\n"
    "    for (var i = 0; i !== rows.length; i++) {\n"
    "      var r = rows[i], ok = t === '' ||\n"
    "          r.textContent.toLowerCase().indexOf(t) !== -1;\n"
    "      r.className = r.className.replace(/ ?\\bhide\\b/g, '') +\n"
    "          (ok ? '' : ' hide');\n"
    "    }\n"
    "    count();\n"
    "  }\n"
    "  q.addEventListener('input', apply);\n"
    "  var rs = d.querySelectorAll('input.fr');\n"
    "  for (var k = 0; k !== rs.length; k++)\n"
    "    rs[k].addEventListener('change', count);\n"
    "  count();\n"
    "})();\n";

static void head(struct html_page *r)
{
    struct out *o = &r->o;
    out_str(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
               "<meta charset=\"utf-8\"/>\n"
               "<meta name=\"viewport\" content=\"width=device-width, "
               "initial-scale=1\"/>\n"
               "<meta name=\"generator\" content=\"casebrief " CASEBRIEF_VERSION
               "\"/>\n<title>casebrief: ");
    out_html(o, r->v.in->case_name ? r->v.in->case_name : "report");
    out_str(o, "</title>\n<style>\n");
    out_str(o, css);
    out_str(o, "\n</style>\n</head>\n<body>\n");
}

static void host_list(struct out *o, const char *const *h, size_t n)
{
    if (!n) {
        out_str(o, "<span class=\"mut\">none named</span>");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i)
            out_str(o, ", ");
        out_html(o, h[i]);
    }
}

static void header(struct html_page *r)
{
    struct out *o = &r->o;
    const struct cb_timeline *tl = r->v.tl;
    out_str(
        o, "<header>\n<h1>casebrief report <span class=\"case\">\xE2\x80\x94 ");
    out_html(o, r->v.in->case_name ? r->v.in->case_name : "(unnamed case)");
    out_str(o, "</span></h1>\n<dl class=\"meta\">\n<dt>Hosts</dt><dd>");
    host_list(o, r->v.names, r->v.nnames);
    out_str(o, "</dd>\n<dt>Time span (UTC)</dt><dd>");
    if (r->v.first != CB_TIME_NONE) {
        html_time(o, r->v.first);
        out_str(o, " \xE2\x80\x93 ");
        html_time(o, r->v.last);
        out_str(o, " <span class=\"mut\">(");
        html_duration(o, r->v.first, r->v.last);
        out_str(o, ")</span>");
    } else {
        out_str(o, "<span class=\"mut\">no events</span>");
    }
    out_str(o, "</dd>\n<dt>Input</dt><dd>");
    html_num(o, r->v.an ? r->v.an->nsources : 0);
    out_str(o, " sources, ");
    html_num(o, r->v.events_read);
    out_str(o, " events");
    if (tl->duplicates) {
        out_str(o, " (");
        html_num(o, tl->duplicates);
        out_str(o, " duplicates dropped)");
    }
    if (r->v.not_kept) {
        out_str(o, "; ");
        html_num(o, r->v.not_kept);
        out_str(o, " routine cluster.log lines counted, not shown "
                   "(no rule reads them: <code>casebrief timeline</code> "
                   "lists every line, <code>--keep-all</code> keeps them "
                   "here)");
    }
    out_str(o, ", ");
    html_num(o, r->v.nfind);
    out_str(o, r->v.nfind == 1 ? " finding" : " findings");
    out_str(o, "</dd>\n<dt>Analyzer</dt><dd>casebrief " CASEBRIEF_VERSION
               ", rules: ");
    out_html(o, r->v.in->rules_version ? r->v.in->rules_version : "unknown");
    out_str(o, "</dd>\n</dl>\n<nav class=\"toc\"><a href=\"#summary\">"
               "Summary</a>");
    const struct cb_overview *ov = &r->v.overview;
    if (ov->nrows || ov->cluster || ov->ncuts) /* cb_overview_html's test */
        out_str(o, "<a href=\"#overview\">Overview</a>");
    out_str(o, "<a href=\"#findings\">Findings</a>"
               "<a href=\"#timeline\">Timeline</a><a href=\"#events\">Events"
               "</a><a href=\"#gaps\">Gaps and assumptions</a>"
               "<a href=\"#inventory\">Inventory</a></nav>\n</header>\n");
}

/* The first thing on the page when the upload could not be read
 * completely: what was damaged and why, before the title, unmissable on
 * the first screen (inline style: it stands on its own). */
static void damage_banner(struct html_page *r)
{
    const struct cb_view *v = &r->v;
    struct out *o = &r->o;
    if (v->complete)
        return;
    char headline[256];
    cb_view_damage_headline(v, headline, sizeof headline);
    out_str(o, "<div id=\"damaged\" role=\"alert\" style=\"border:2px "
               "solid #c0392b;background:#fdecea;border-radius:6px;"
               "padding:10px 16px;margin:16px 0\">\n<p style=\"margin:0 0 "
               "6px;font-size:1.15em\"><strong>");
    out_html(o, headline);
    out_str(o, ".</strong></p>\n<ul style=\"margin:0;padding-left:20px\">"
               "\n");
    size_t n = v->ndamaged < CB_LIMIT_REPORT_DAMAGED ? v->ndamaged
                                                     : CB_LIMIT_REPORT_DAMAGED;
    for (size_t i = 0; i < n; i++) {
        const struct cb_damage *d = &v->damaged[i];
        out_str(o, "<li><code style=\"word-break:break-all\">");
        out_html(o, d->source);
        out_str(o, "</code> <span class=\"mut\">(");
        out_str(o, cb_damage_kind_name(d->kind));
        out_str(o, ")</span>: ");
        esc_cut(o, d->detail, CB_LIMIT_REPORT_TEXT);
        if (d->count > 1) {
            out_str(o, " <span class=\"mut\">(");
            html_num(o, d->count);
            out_str(o, " problems in it)</span>");
        }
        out_str(o, "</li>\n");
    }
    if (v->ndamaged > n) {
        out_str(o, "<li>and ");
        html_num(o, v->ndamaged - n);
        out_str(o, " more</li>\n");
    }
    out_str(o, "</ul>\n<p style=\"margin:6px 0 0\">Every warning is in the "
               "<a href=\"#inventory\">inventory</a>; ask the customer for "
               "the upload again.</p>\n</div>\n");
}

static void sev_badge(struct out *o, enum cb_severity s)
{
    const char *name = cb_severity_name(s);
    out_str(o, "<span class=\"sev ");
    out_str(o, name);
    out_str(o, "\">");
    out_str(o, name);
    out_str(o, "</span>");
}

static void entities(struct out *o, const struct cb_finding *f)
{
    for (size_t k = 0; k < f->nentities; k++) {
        if (k)
            out_str(o, ", ");
        out_html(o, f->entities[k].name);
        out_char(o, ' ');
        out_str(o, "<b>");
        out_html(o, f->entities[k].value);
        out_str(o, "</b>");
    }
}

static void summary(struct html_page *r)
{
    struct out *o = &r->o;
    out_str(o, "<section id=\"summary\">\n<h2>Summary</h2>\n");
    if (r->v.nothing_read) {
        out_str(o, "<p class=\"note\"><strong>Nothing readable:</strong> "
                   "no input yielded an event, so no rule could run. The "
                   "<a href=\"#inventory\">inventory</a> says what each "
                   "file is and why nothing was read from it.</p>\n"
                   "</section>\n");
        return;
    }
    if (!r->v.nfind) {
        int focus = r->v.an && cb_scope_active(&r->v.an->scope);
        out_str(o, "<p class=\"note\">No rule matched: no known problem "
                   "pattern was found in these logs");
        out_str(o, focus ? " within the focus above (--window, --host): "
                           "the events outside it were not analysed"
                         : "");
        out_str(o, ". See the evidence gaps below for what the bundle could "
                   "not show.</p>\n</section>\n");
        return;
    }
    out_str(o, "<table class=\"sum\">\n<thead><tr><th class=\"n\">#</th>"
               "<th>Severity</th><th>Confidence</th><th>Finding</th>"
               "<th>Affected</th><th>First seen (UTC)</th></tr></thead>\n"
               "<tbody>\n");
    for (size_t i = 0; i < r->v.nfind; i++) {
        const struct cb_finding *f = &r->v.find[i];
        out_str(o, "<tr><td class=\"n\">");
        out_u64(o, i + 1);
        out_str(o, "</td><td>");
        sev_badge(o, f->severity);
        out_str(o, "</td><td class=\"conf\">");
        out_u64(o, (uint64_t)(f->confidence < 0 ? 0 : f->confidence));
        out_str(o, " %</td><td><a href=\"#F");
        out_u64(o, i + 1);
        out_str(o, "\">");
        out_html(o, f->title);
        out_str(o, "</a><div class=\"sm\">");
        esc_cut(o, f->summary, CB_LIMIT_REPORT_TEXT);
        out_str(o, "</div></td><td>");
        host_list(o, f->hosts, f->nhosts);
        if (f->nentities) {
            out_str(o, "<div class=\"sm\">");
            entities(o, f);
            out_str(o, "</div>");
        }
        out_str(o, "</td><td class=\"t\">");
        html_time(o, f->first);
        out_str(o, "</td></tr>\n");
    }
    out_str(o, "</tbody>\n</table>\n</section>\n");
}

/* "[RCM] message" as in the other renderers */
size_t html_message(struct out *o, const struct cb_event *e, size_t max)
{
    if (e->component) {
        out_char(o, '[');
        out_html(o, e->component);
        out_str(o, "] ");
    }
    struct cb_msgbuf mb;
    return html_cut(o, cb_event_message(e, &mb), max);
}

static void where(struct out *o, const struct cb_event *e)
{
    char b[48];
    cb_view_where(e, b, sizeof b);
    out_str(o, b);
}

/* The node's local time of an event, when the bundle or --tz tells the
 * node's offset (timebasis.h). */
static void local_time(struct html_page *r, const struct cb_event *e)
{
    struct out *o = &r->o;
    int32_t off;
    if (!cb_view_utc_offset(&r->v, e->host, &off))
        return;
    out_str(o, "<div class=\"sub\">local ");
    html_time(o, cb_timefmt_local(e->ts, off));
    char z[16];
    cb_timefmt_offset(off, z, sizeof z);
    out_str(o, " (UTC");
    out_str(o, z);
    out_char(o, ')');
    out_str(o, "</div>");
}

static void evidence_table(struct html_page *r, size_t fi)
{
    struct out *o = &r->o;
    const struct cb_finding *f = &r->v.find[fi];
    out_str(o, "<h4>Evidence</h4>\n");
    if (!f->nevidence) {
        out_str(o, "<p class=\"mut\">No evidence events were kept.</p>\n");
        return;
    }
    out_str(o, "<table class=\"evid\">\n<thead><tr><th>Time (UTC; node "
               "local where known)</th>"
               "<th>Host</th><th>Source</th><th>Role</th><th>Message</th>"
               "</tr></thead>\n<tbody>\n");
    for (size_t k = 0; k < f->nevidence; k++) {
        const struct cb_evidence *x = &f->evidence[k];
        const struct cb_event *e = x->ev;
        size_t idx = r->v.evidx[r->v.evoff[fi] + k];
        out_str(o, "<tr><td class=\"t\">");
        if (html_row_shown(r, idx)) {
            out_str(o, "<a href=\"#ev-");
            out_u64(o, idx);
            out_str(o, "\" title=\"Show in the event table\">");
            html_time(o, e->ts);
            out_str(o, "</a>");
        } else {
            html_time(o, e->ts);
        }
        local_time(r, e);
        out_str(o, "</td><td>");
        out_html(o, e->host[0] ? e->host : "\xE2\x80\x94");
        out_str(o, "</td><td class=\"path\">");
        if (e->source)
            out_html(o, e->source->path);
        out_str(o, "<div class=\"sub\">");
        where(o, e);
        if (e->flags & CB_EV_HAS_EVENT_ID) {
            out_str(o, ", event ");
            out_u64(o, e->event_id);
        }
        out_str(o, "</div></td><td>");
        out_html(o, x->role);
        out_str(o, "</td><td class=\"msg\">");
        more_note(o, html_message(o, e, CB_LIMIT_REPORT_TEXT));
        out_str(o, "</td></tr>\n");
    }
    out_str(o, "</tbody>\n</table>\n");
}

/* The first sentence of a text, for the story. */
static void first_sentence(struct out *o, const char *s)
{
    const char *dot = s ? strstr(s, ". ") : NULL;
    if (!s)
        return;
    if (dot) {
        char buf[1024];
        size_t n = (size_t)(dot - s) + 1;
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), s);
        out_html(o, buf);
    } else {
        out_html(o, s);
    }
}

static int any_apart(const struct cb_incidents *is);
static void outside_heading(struct html_page *r, int findings);

/* Under the header: the run's focus (--window, --host) and the hosts
 * outside the cluster, one line each (and who they are, when no
 * incident of theirs will). */
static void scope_note(struct html_page *r)
{
    struct out *o = &r->o;
    char line[1400];
    cb_view_focus_line(&r->v, line, sizeof line);
    if (line[0]) {
        out_str(o, "<p id=\"focus\" class=\"scope-note\"><b>Focus:</b> ");
        out_html(o, line);
        out_str(o, "</p>\n");
    }
    cb_view_outside_line(&r->v, line, sizeof line);
    if (line[0]) {
        out_str(o, "<p id=\"scope\" class=\"scope-note\"><b>Scope:</b> ");
        out_html(o, line);
        out_str(o, " (<a href=\"#outside\">why</a>)</p>\n");
        if (!any_apart(&r->v.incidents)) /* no incident heads the list */
            outside_heading(r, 0);
    }
}

/* Where the incidents of hosts outside the cluster start. */
static void outside_heading(struct html_page *r, int findings)
{
    struct out *o = &r->o;
    out_str(o, "<h2 id=\"outside\">Outside this cluster</h2>\n<p>");
    out_str(o, findings ? "These findings are of hosts that are not part of "
                          "this case; they are kept out of the cluster's "
                          "incidents."
                        : "These hosts are not part of this case; no "
                          "finding is of them alone.");
    out_str(o, "</p>\n<ul class=\"outside\">\n");
    size_t shown = 0;
    for (size_t i = 0; i < r->v.scope.nhosts; i++) {
        const struct cb_scope_host *h = &r->v.scope.hosts[i];
        if (!h->outside || shown++ == CB_SCOPE_LIST_HOSTS)
            continue; /* report.json lists them all */
        char why[512];
        cb_scope_reason(&r->v.scope, h, why, sizeof why);
        out_str(o, "<li><b>");
        out_html(o, h->name);
        out_str(o, "</b>: ");
        out_html(o, why);
        out_str(o, "</li>\n");
    }
    if (shown > CB_SCOPE_LIST_HOSTS) {
        out_str(o, "<li>and ");
        html_num(o, shown - CB_SCOPE_LIST_HOSTS);
        out_str(o, " more (report.json lists them all)</li>\n");
    }
    out_str(o, "</ul>\n");
}

/* The first screen: per incident, its headline, its own timeline, the
 * cause with its confidence and the first three things to do, linked to
 * the finding cards below (which link back). */
static void story(struct html_page *r)
{
    struct out *o = &r->o;
    const struct cb_incidents *is = &r->v.incidents;
    if (!is->count)
        return;
    out_str(o, "<section id=\"story\">\n");
    for (size_t i = 0; i < is->count; i++) {
        const struct cb_incident *in = &is->items[i];
        const struct cb_finding *root = &r->v.find[in->root];
        if (in->apart && (i == 0 || !is->items[i - 1].apart))
            outside_heading(r, 1);
        out_str(o, "<article class=\"incident ");
        out_str(o, cb_severity_name(in->severity));
        out_str(o, in->apart ? " apart" : "");
        out_str(o, "\" id=\"incident-");
        out_str(o, in->ref);
        out_str(o, "\">\n<h2>");
        sev_badge(o, in->severity);
        out_str(o, " <span class=\"ref\">");
        out_str(o, in->ref);
        out_str(o, "</span> ");
        out_html(o, in->title);
        out_str(o, "</h2>\n<p class=\"cause\"><b>Cause</b> (");
        out_u64(o, (uint64_t)root->confidence);
        out_str(o, " % confidence): ");
        first_sentence(o, root->cause);
        out_str(o, "</p>\n");
        size_t lead = in->lead;
        size_t ns = r->v.stepoff[lead + 1] - r->v.stepoff[lead];
        if (ns) {
            out_str(o, "<p class=\"todo\"><b>First things to do</b></p>"
                       "<ol class=\"first-steps\">\n");
            for (size_t k = 0; k < ns && k < 3; k++) {
                const struct cb_view_step *st =
                    &r->v.steps[r->v.stepoff[lead] + k];
                out_str(o, st->kind == CB_STEP_DIAGNOSE
                               ? "<li><span class=\"kind diag\">diagnose"
                                 "</span> "
                               : "<li><span class=\"kind fix\">fix</span> ");
                out_html(o, st->text);
                out_str(o, "</li>\n");
            }
            out_str(o, "</ol>\n");
        }
        out_str(o, "<ul class=\"mini-tl\">\n");
        for (size_t k = 0; k < in->nmembers; k++) {
            size_t fi = in->members[k];
            const struct cb_finding *f = &r->v.find[fi];
            out_str(o, "<li>");
            html_time(o, r->v.went_down[fi] != CB_TIME_NONE ? r->v.went_down[fi]
                                                            : f->first);
            out_str(o, " <a href=\"#F");
            out_u64(o, fi + 1);
            out_str(o, "\">F");
            out_u64(o, fi + 1);
            out_str(o, "</a> ");
            out_str(o, k == 0 ? "<b>cause:</b> " : "");
            out_html(o, f->title);
            for (size_t d = 0; d < f->noutages; d++) {
                const struct cb_outage *x = &f->outages[d];
                out_str(o, d ? ", " : ": ");
                out_html(o, x->host);
                out_str(o, " <b>down</b> ");
                html_time(o, x->from);
                out_str(o, " to ");
                html_time(o, x->to);
                out_str(o, " (");
                out_html(o, x->from_by);
                out_str(o, ")");
            }
            if (!f->noutages && r->v.went_down[fi] != CB_TIME_NONE)
                out_str(o, ": <b>went down</b> (EventLog 6008)");
            if (cb_stop_kind_text((enum cb_stop_kind)r->v.stop_kind[fi])) {
                out_str(o, "; Kernel-Power 41 says ");
                out_str(o, cb_stop_kind_text(
                               (enum cb_stop_kind)r->v.stop_kind[fi]));
            }
            if (f->nhosts) {
                out_str(o, " <span class=\"mut\">(logged on ");
                host_list(o, f->hosts, f->nhosts);
                out_str(o, ")</span>");
            }
            out_str(o, "</li>\n");
        }
        if (html_has_zoom(r, i)) {
            out_str(o, "<li class=\"mut\"><a href=\"#zoom-");
            out_str(o, in->ref);
            out_str(o, "\">On the timeline</a>: the nodes, outages and "
                       "findings of ");
            out_str(o, in->ref);
            out_str(o, "</li>\n");
        }
        out_str(o, "</ul>\n</article>\n");
    }
    out_str(o, "</section>\n");
}

/* Whether any incident is of hosts outside the cluster (story() then
 * heads them with outside_heading). */
static int any_apart(const struct cb_incidents *is)
{
    for (size_t i = 0; i < is->count; i++) {
        if (is->items[i].apart)
            return 1;
    }
    return 0;
}

static void finding_section(struct html_page *r, size_t fi)
{
    struct out *o = &r->o;
    const struct cb_finding *f = &r->v.find[fi];
    const char *sev = cb_severity_name(f->severity);
    out_str(o, "<section class=\"finding ");
    out_str(o, sev);
    out_str(o, "\" id=\"F");
    out_u64(o, fi + 1);
    out_str(o, "\">\n<h3>");
    out_u64(o, fi + 1);
    out_str(o, ". ");
    out_html(o, f->title);
    out_str(o, "</h3>\n");
    if (fi < r->v.incidents.nfindings) {
        const struct cb_incident *in =
            &r->v.incidents.items[r->v.incidents.of_finding[fi]];
        out_str(o, "<p class=\"part\">F");
        out_u64(o, fi + 1);
        out_str(o, in->root == fi ? ", the probable cause of incident "
                                  : ", part of incident ");
        out_str(o, "<a href=\"#incident-");
        out_str(o, in->ref);
        out_str(o, "\">");
        out_str(o, in->ref);
        out_str(o, "</a></p>\n");
    }
    out_str(o, "<div class=\"facts\">");
    sev_badge(o, f->severity);
    out_str(o, " <span>confidence <b>");
    out_u64(o, (uint64_t)(f->confidence < 0 ? 0 : f->confidence));
    out_str(o, " %</b></span><span>rule <code>");
    out_html(o, f->id);
    out_str(o, "</code>");
    if (f->pattern) {
        out_str(o, " (pattern ");
        out_html(o, f->pattern);
        out_char(o, ')');
    }
    out_str(o, "</span><span>");
    html_num(o, f->count);
    out_str(o, f->count == 1 ? " occurrence" : " occurrences");
    out_str(o, "</span><span>");
    html_time(o, f->first);
    if (f->last != f->first) {
        out_str(o, " \xE2\x80\x93 ");
        html_time(o, f->last);
    }
    out_str(o, " UTC</span><span>hosts: ");
    host_list(o, f->hosts, f->nhosts);
    out_str(o, "</span>");
    if (f->nentities) {
        out_str(o, "<span>");
        entities(o, f);
        out_str(o, "</span>");
    }
    out_str(o, "</div>\n<p class=\"narr\">");
    esc_cut(o, f->summary, CB_LIMIT_REPORT_TEXT);
    out_str(o, "</p>\n");
    evidence_table(r, fi);
    if (f->cause) {
        out_str(o, "<h4>Cause</h4>\n<p>");
        out_html(o, f->cause);
        out_str(o, "</p>\n");
    }
    size_t ns = r->v.stepoff[fi + 1] - r->v.stepoff[fi];
    if (ns) {
        out_str(o, "<h4>Remediation</h4>\n<ol class=\"steps\">\n");
        for (size_t k = 0; k < ns; k++) {
            const struct cb_view_step *rm = &r->v.steps[r->v.stepoff[fi] + k];
            out_str(o, rm->kind == CB_STEP_DIAGNOSE
                           ? "<li><div><span class=\"kind diag\">diagnose"
                             "</span> "
                           : "<li><div><span class=\"kind fix\">fix</span> ");
            out_html(o, rm->text);
            out_str(o, "</div>");
            if (rm->powershell) {
                out_str(o, "<div class=\"code\"><pre class=\"ps\"><code>");
                out_html(o, rm->powershell);
                out_str(o, "</code></pre></div>");
            }
            if (rm->warning) {
                out_str(o, "<div class=\"warn\"><b>Warning:</b> ");
                out_html(o, rm->warning);
                out_str(o, "</div>");
            }
            out_str(o, "</li>\n");
        }
        out_str(o, "</ol>\n");
    }
    if (f->ncollect) {
        out_str(o, "<h4>What to collect next</h4>\n<ul>\n");
        for (size_t k = 0; k < f->ncollect; k++) {
            out_str(o, "<li>");
            out_html(o, f->collect[k]);
            out_str(o, "</li>\n");
        }
        out_str(o, "</ul>\n");
    }
    if (f->nreferences) {
        out_str(o, "<h4>References</h4>\n<ul>\n");
        for (size_t k = 0; k < f->nreferences; k++) {
            out_str(o, "<li>");
            out_html(o, f->references[k]);
            out_str(o, "</li>\n");
        }
        out_str(o, "</ul>\n");
    }
    out_str(o, "</section>\n");
}

static void findings(struct html_page *r)
{
    struct out *o = &r->o;
    out_str(o, "<section id=\"findings\">\n<h2>Findings</h2>\n");
    if (!r->v.nfind)
        out_str(o, "<p class=\"mut\">None.</p>\n");
    for (size_t i = 0; i < r->v.nfind; i++)
        finding_section(r, i);
    out_str(o, "</section>\n");
}

/* ---- the event table ---------------------------------------------------- */

/* The event table's filters work without script: radio inputs ahead of
 * the table, and CSS rules that hide the rows the checked one leaves
 * out. Level: rows carry c, e, w or r (routine: information and below)
 * and x (evidence, never hidden by level); host and incident: h<k> and
 * i<k>, k counting from 1 in the order of the filter's labels. */
struct evfilter {
    const char **hosts; /* distinct hosts of the rows, sorted */
    size_t nhosts;
    int hosts_cut;
    uint64_t *inc;  /* per row: bit i set when the row is in incident i */
    size_t ninc;    /* incidents offered (at most 64) */
    size_t shown;   /* rows the default filter shows */
    int all;        /* the default is any level: no row is a warning or
                     * worse, or evidence */
};

static const char *row_host(const struct cb_event *e)
{
    return e->host[0] ? e->host : "\xE2\x80\x94";
}

static int filter_hosts(struct html_page *r, struct evfilter *fl)
{
    fl->hosts = cb_calloc(CB_LIMIT_REPORT_FILTER + 1, sizeof *fl->hosts);
    if (!fl->hosts)
        return -1;
    const char *prev = NULL;
    for (size_t i = 0; i < r->nrows; i++) {
        const char *h = row_host(r->v.tl->events[r->rows[i]]);
        if (h == prev)
            continue;
        prev = h;
        size_t k = 0;
        while (k < fl->nhosts && strcmp(fl->hosts[k], h) != 0)
            k++;
        if (k < fl->nhosts)
            continue;
        if (fl->nhosts == CB_LIMIT_REPORT_FILTER) {
            fl->hosts_cut = 1;
            continue;
        }
        fl->hosts[fl->nhosts++] = h;
    }
    qsort(fl->hosts, fl->nhosts, sizeof *fl->hosts, cmp_str);
    return 0;
}

static int is_evidence(size_t idx, const size_t *evsorted, size_t nev)
{
    return bsearch(&idx, evsorted, nev, sizeof *evsorted, cmp_size) != NULL;
}

/* Rows of each incident: its evidence, and the events of its hosts in
 * its picture's window (html_incident_window). */
static int filter_incidents(struct html_page *r, struct evfilter *fl)
{
    const struct cb_view *v = &r->v;
    const struct cb_incidents *is = &v->incidents;
    fl->ninc = is->count < CB_LIMIT_REPORT_FILTER ? is->count
                                                  : CB_LIMIT_REPORT_FILTER;
    if (fl->ninc > 64)
        fl->ninc = 64;
    fl->inc = cb_calloc(r->nrows + 1, sizeof *fl->inc);
    if (!fl->inc)
        return -1;
    for (size_t i = 0; i < fl->ninc; i++) {
        const struct cb_incident *in = &is->items[i];
        uint64_t bit = (uint64_t)1 << i;
        for (size_t m = 0; m < in->nmembers; m++) {
            size_t f = in->members[m];
            for (size_t k = v->evoff[f]; k < v->evoff[f + 1]; k++) {
                size_t idx = v->evidx[k];
                size_t *row = idx == CB_VIEW_NOT_FOUND
                                  ? NULL
                                  : bsearch(&idx, r->rows, r->nrows,
                                            sizeof *r->rows, cmp_size);
                if (row)
                    fl->inc[row - r->rows] |= bit;
            }
        }
        cb_time from, to;
        if (!html_incident_window(in, &from, &to))
            continue;
        for (size_t j = 0; j < r->nrows; j++) {
            const struct cb_event *e = v->tl->events[r->rows[j]];
            if (e->ts < from || e->ts > to || (fl->inc[j] & bit))
                continue;
            for (size_t h = 0; h < in->nhosts; h++) {
                if (strcmp(in->hosts[h], e->host) == 0) {
                    fl->inc[j] |= bit;
                    break;
                }
            }
        }
    }
    return 0;
}

static void radio(struct out *o, const char *group, size_t k, int checked)
{
    out_str(o, "<input type=\"radio\" class=\"fr\" name=\"");
    out_str(o, group);
    out_str(o, "\" id=\"");
    out_str(o, group);
    out_char(o, '-');
    out_u64(o, k);
    out_str(o, checked ? "\" checked=\"checked\"/>" : "\"/>");
}

static void choice(struct out *o, const char *group, size_t k,
                   const char *text, const char *title)
{
    out_str(o, "<label for=\"");
    out_str(o, group);
    out_char(o, '-');
    out_u64(o, k);
    if (title) {
        out_str(o, "\" title=\"");
        out_html(o, title);
    }
    out_str(o, "\">");
    out_html(o, text);
    out_str(o, "</label>");
}

/* "#fh-2:checked~table tr:not(.h2){display:none}" and the label of the
 * checked input marked, for k in 1..n of a group. */
static void group_css(struct out *o, const char *group, char cls, size_t n)
{
    for (size_t k = 0; k <= n; k++) {
        out_char(o, '#');
        out_str(o, group);
        out_char(o, '-');
        out_u64(o, k);
        out_str(o, ":checked~.filter label[for=");
        out_str(o, group);
        out_char(o, '-');
        out_u64(o, k);
        out_str(o, "]{background:var(--acc);color:#fff;border-color:"
                   "var(--acc)}");
        if (!k)
            continue;
        out_char(o, '#');
        out_str(o, group);
        out_char(o, '-');
        out_u64(o, k);
        out_str(o, ":checked~table tr:not(.");
        out_char(o, cls);
        out_u64(o, k);
        out_str(o, "){display:none}");
    }
    out_char(o, '\n');
}

/* The inputs, their rules and the bar of labels. */
static void filter_bar(struct html_page *r, const struct evfilter *fl)
{
    struct out *o = &r->o;
    static const char *const levels[] = {"critical", "error",
                                         "warning", "any level"};
    for (size_t k = 0; k < 4; k++)
        radio(o, "fl", k + 1, k == (fl->all ? 3u : 2u));
    for (size_t k = 0; k <= fl->nhosts; k++)
        radio(o, "fh", k, k == 0);
    for (size_t k = 0; fl->ninc && k <= fl->ninc; k++)
        radio(o, "fi", k, k == 0);
    out_str(o, "\n<style>\n");
    for (size_t k = 1; k <= 4; k++) {
        out_str(o, "#fl-");
        out_u64(o, k);
        out_str(o, ":checked~.filter label[for=fl-");
        out_u64(o, k);
        out_str(o, "]{background:var(--acc);color:#fff;border-color:"
                   "var(--acc)}");
    }
    out_str(o, "\n#fl-1:checked~table tr:not(.c):not(.x),"
               "#fl-2:checked~table tr.w:not(.x),"
               "#fl-2:checked~table tr.r:not(.x),"
               "#fl-3:checked~table tr.r:not(.x){display:none}\n");
    group_css(o, "fh", 'h', fl->nhosts);
    if (fl->ninc)
        group_css(o, "fi", 'i', fl->ninc);
    out_str(o, "</style>\n<div id=\"evfilter\" class=\"filter\">"
               "<span class=\"fg\"><b>Level at least</b>");
    for (size_t k = 0; k < 4; k++)
        choice(o, "fl", k + 1, levels[k], NULL);
    out_str(o, "<span class=\"mut small\">(evidence always)</span></span>"
               "<span class=\"fg\"><b>Host</b>");
    choice(o, "fh", 0, "all", NULL);
    for (size_t k = 0; k < fl->nhosts; k++)
        choice(o, "fh", k + 1, fl->hosts[k], NULL);
    if (fl->hosts_cut)
        out_str(o, "<span class=\"mut small\">(list cut)</span>");
    out_str(o, "</span>");
    if (fl->ninc) {
        out_str(o, "<span class=\"fg\"><b>Incident</b>");
        choice(o, "fi", 0, "all", NULL);
        for (size_t k = 0; k < fl->ninc; k++)
            choice(o, "fi", k + 1, r->v.incidents.items[k].ref,
                   r->v.incidents.items[k].title);
        out_str(o, "</span>");
    }
    out_str(o, "<span id=\"fxt\" class=\"fg\" hidden=\"hidden\"><label>"
               "<b>Text</b> <input type=\"search\" id=\"fq\" "
               "placeholder=\"any text\"/></label></span>"
               "<span id=\"fn\" class=\"mut small\">");
    html_num(o, fl->shown);
    out_str(o, " of ");
    html_num(o, r->nrows);
    out_str(o, " rows shown</span></div>\n");
}

static void event_row(struct html_page *r, size_t j, const size_t *evsorted,
                      size_t nev, const struct evfilter *fl)
{
    struct out *o = &r->o;
    size_t idx = r->rows[j];
    const struct cb_event *e = r->v.tl->events[idx];
    const char *cls = e->level == CB_LEVEL_CRITICAL  ? "c"
                      : e->level == CB_LEVEL_ERROR   ? "e"
                      : e->level == CB_LEVEL_WARNING ? "w"
                                                     : "r";
    out_str(o, "<tr id=\"ev-");
    out_u64(o, idx);
    out_str(o, "\" class=\"");
    out_str(o, cls);
    if (is_evidence(idx, evsorted, nev))
        out_str(o, " x");
    const char *h = row_host(e);
    const char **hp = bsearch(&h, fl->hosts, fl->nhosts, sizeof *fl->hosts,
                              cmp_str);
    if (hp) {
        out_str(o, " h");
        out_u64(o, (uint64_t)(hp - fl->hosts) + 1);
    }
    for (size_t i = 0; i < fl->ninc; i++) {
        if (fl->inc[j] >> i & 1) {
            out_str(o, " i");
            out_u64(o, i + 1);
        }
    }
    out_str(o, "\"><td>");
    html_time(o, e->ts);
    out_str(o, "</td><td>");
    out_html(o, h);
    out_str(o, "</td><td>");
    out_str(o, cb_level_name(e->level));
    out_str(o, "</td><td>");
    out_html(o, e->channel);
    out_str(o, "</td><td>");
    if (e->flags & CB_EV_HAS_EVENT_ID)
        out_u64(o, e->event_id);
    if (e->component) {
        if (e->flags & CB_EV_HAS_EVENT_ID)
            out_char(o, ' ');
        out_html(o, e->component);
    }
    if (e->provider) {
        out_str(o, "<div class=\"sub\">");
        out_html(o, e->provider);
        out_str(o, "</div>");
    }
    out_str(o, "</td><td class=\"msg\">");
    struct cb_msgbuf mb;
    esc_cut(o, cb_event_message(e, &mb), CB_LIMIT_REPORT_TEXT);
    if (e->nfields && e->fields) {
        out_str(o, "<details><summary>");
        out_u64(o, e->nfields);
        out_str(o, e->nfields == 1 ? " field" : " fields");
        out_str(o, "</summary><table class=\"kv\">");
        for (uint32_t k = 0; k < e->nfields; k++) {
            out_str(o, "<tr><th>");
            esc_cut(o, e->fields[k].name, 256);
            out_str(o, "</th><td>");
            esc_cut(o, e->fields[k].value, CB_LIMIT_REPORT_TEXT);
            out_str(o, "</td></tr>");
        }
        out_str(o, "<tr><th>source</th><td class=\"path\">");
        if (e->source)
            out_html(o, e->source->path);
        out_str(o, ", ");
        where(o, e);
        out_str(o, "</td></tr></table></details>");
    }
    out_str(o, "</td></tr>\n");
}

static void table_note(struct html_page *r)
{
    struct out *o = &r->o;
    out_str(o, "<p class=\"mut small\">Events of the timeline window above, "
               "in time order (UTC; the nodes' local time is not shown). "
               "Shown at first: warnings and worse, and every row that is "
               "evidence of a finding (marked at the left); the filters "
               "below show the rest, and work without script.</p>\n");
    if (r->omitted) {
        out_str(o, "<p class=\"note\">");
        html_num(o, r->omitted);
        out_str(o, " of the ");
        html_num(o, r->v.hi - r->v.lo);
        out_str(o, " events of this window are not shown (at most ");
        html_num(o, CB_LIMIT_REPORT_ROWS);
        out_str(o, " rows): evidence first, then critical and error events, "
                   "then warnings, then the events ");
        out_str(o, r->v.nfind ? "nearest the evidence in time"
                            : "at the end of the timeline");
        out_str(o, ". For every event: <code>casebrief timeline --format "
                   "jsonl</code> on the same input.</p>\n");
    }
}

static void event_table(struct html_page *r)
{
    struct out *o = &r->o;
    out_str(o, "<section id=\"events\">\n<h2>Events</h2>\n");
    if (!r->nrows) {
        out_str(o, "<p class=\"mut\">No events.</p>\n</section>\n");
        return;
    }
    table_note(r);
    size_t nev = r->v.evoff[r->v.nfind];
    struct evfilter fl = {0};
    size_t *evs = cb_calloc(nev + 1, sizeof *evs);
    if (!evs || filter_hosts(r, &fl) != 0 || filter_incidents(r, &fl) != 0) {
        r->nomem = 1;
        cb_free(evs);
        cb_free(fl.hosts);
        cb_free(fl.inc);
        out_str(o, "</section>\n");
        return;
    }
    memcpy(evs, r->v.evidx, nev * sizeof *evs);
    qsort(evs, nev, sizeof *evs, cmp_size);
    for (size_t i = 0; i < r->nrows; i++) {
        const struct cb_event *e = r->v.tl->events[r->rows[i]];
        fl.shown += html_row_class(e) < 2 || is_evidence(r->rows[i], evs, nev);
    }
    if (!fl.shown) { /* rather than an empty table */
        fl.all = 1;
        fl.shown = r->nrows;
    }
    filter_bar(r, &fl);
    out_str(o, "<table class=\"ev\" id=\"evtab\">\n<thead><tr>"
               "<th>Time (UTC)</th><th>Host</th><th>Level</th>"
               "<th>Channel</th><th>Event ID / component</th>"
               "<th>Message</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < r->nrows; i++)
        event_row(r, i, evs, nev, &fl);
    out_str(o, "</tbody>\n</table>\n</section>\n");
    cb_free(evs);
    cb_free(fl.hosts);
    cb_free(fl.inc);
}

/* ---- gaps and inventory ------------------------------------------------- */

static size_t count_kind(const struct cb_gaps *g, enum cb_gap_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; g && i < g->count; i++)
        n += g->items[i].kind == kind;
    return n;
}

static void missing_channels(struct out *o, const struct cb_gaps *g)
{
    out_str(o, "<h3>Missing channels</h3>\n<p class=\"mut small\">No "
               "source holds these channels, so the rules that read "
               "them could not judge.</p>\n<table>\n<thead><tr>"
               "<th>Channel</th><th>Rules that need it</th>"
               "<th>How to collect it</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < g->count; i++) {
        const struct cb_gap *x = &g->items[i];
        if (x->kind != CB_GAP_MISSING_CHANNEL)
            continue;
        out_str(o, "<tr><td>");
        out_html(o, x->subject);
        out_str(o, "</td><td>");
        for (size_t k = 0; k < x->nrules; k++) {
            if (k)
                out_str(o, ", ");
            out_str(o, "<code>");
            out_html(o, x->rules[k]);
            out_str(o, "</code>");
        }
        out_str(o, "</td><td>");
        if (x->collect) {
            out_str(o, "<code>");
            out_html(o, x->collect);
            out_str(o, "</code>");
        }
        out_str(o, "</td></tr>\n");
    }
    out_str(o, "</tbody>\n</table>\n");
}

static void assumed_times(struct out *o, const struct cb_gaps *g)
{
    out_str(o, "<h3>Assumed time</h3>\n<table>\n<thead><tr>"
               "<th>Source</th><th>What was assumed</th>"
               "<th>How to confirm it</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < g->count; i++) {
        const struct cb_gap *x = &g->items[i];
        if (x->kind != CB_GAP_TIME_ASSUMED)
            continue;
        out_str(o, "<tr><td class=\"path\">");
        out_html(o, x->subject);
        out_str(o, "</td><td>");
        out_html(o, x->detail);
        out_str(o, "</td><td>");
        out_html(o, x->collect);
        out_str(o, "</td></tr>\n");
    }
    out_str(o, "</tbody>\n</table>\n");
}

static void silent_periods(struct out *o, const struct cb_gaps *g)
{
    out_str(o, "<h3>Silent periods</h3>\n<table>\n<thead><tr>"
               "<th>Host</th><th>From (UTC)</th><th>To (UTC)</th>"
               "<th class=\"n\">Length</th><th>Source</th>"
               "<th>What it may mean</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < g->count; i++) {
        const struct cb_gap *x = &g->items[i];
        if (x->kind != CB_GAP_SILENT)
            continue;
        out_str(o, "<tr><td>");
        out_html(o, x->host && x->host[0] ? x->host : "\xE2\x80\x94");
        out_str(o, "</td><td class=\"t\">");
        html_time(o, x->from);
        out_str(o, "</td><td class=\"t\">");
        html_time(o, x->to);
        out_str(o, "</td><td class=\"n\">");
        html_duration(o, x->from, x->to);
        out_str(o, "</td><td class=\"path\">");
        out_html(o, x->subject);
        out_str(o, "</td><td>");
        out_html(o, x->detail);
        out_str(o, "</td></tr>\n");
    }
    out_str(o, "</tbody>\n</table>\n");
}

static void lost_evidence(struct out *o, const struct cb_gaps *g)
{
    out_str(o, "<h3>Evidence lost after the outage</h3>\n<ul>\n");
    for (size_t i = 0; i < g->count; i++) {
        const struct cb_gap *x = &g->items[i];
        if (x->kind != CB_GAP_LOST)
            continue;
        out_str(o, "<li><b>");
        out_html(o, x->host && x->host[0] ? x->host : "\xE2\x80\x94");
        out_str(o, "</b>, <span class=\"path\">");
        out_html(o, x->subject);
        out_str(o, "</span>: ");
        out_html(o, x->detail);
        out_str(o, ". <span class=\"sub\">Collect: ");
        out_html(o, x->collect);
        out_str(o, "</span></li>\n");
    }
    out_str(o, "</ul>\n");
}

static void time_bases(struct out *o, const struct cb_analysis *an)
{
    out_str(o, "<h3>Time basis of every source</h3>\n");
    if (!an || !an->nsources) {
        out_str(o, "<p class=\"mut\">No sources.</p>\n");
        return;
    }
    out_str(o, "<table>\n<thead><tr><th>Source</th><th>Host</th>"
               "<th>Time basis</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < an->nsources; i++) {
        const struct cb_source *s = an->sources[i];
        out_str(o, "<tr><td class=\"path\">");
        out_html(o, s->path);
        out_str(o, "</td><td>");
        out_html(o, s->host && s->host[0] ? s->host : "\xE2\x80\x94");
        out_str(o, "</td><td>");
        if (s->time_basis && s->time_basis[0]) {
            out_html(o, s->time_basis);
            if (s->time_basis_detail && s->time_basis_detail[0] &&
                strcmp(s->time_basis_detail, s->time_basis) != 0) {
                out_str(o, "<div class=\"sub\">");
                out_html(o, s->time_basis_detail);
                out_str(o, "</div>");
            }
        } else
            out_str(o, "<span class=\"mut\">none (no events)</span>");
        out_str(o, "</td></tr>\n");
    }
    out_str(o, "</tbody>\n</table>\n");
}

static void gaps(struct html_page *r)
{
    struct out *o = &r->o;
    const struct cb_gaps *g = r->v.in->gaps;
    out_str(o, "<section id=\"gaps\">\n<h2>Evidence gaps and assumptions"
               "</h2>\n");
    if (!g) {
        out_str(o, "<p class=\"mut\">Evidence gaps were not computed.</p>\n");
    } else if (!g->count) {
        out_str(o, "<p>No evidence gaps: every channel the rules read is "
                   "in the bundle and no time basis was assumed.</p>\n");
    }
    if (count_kind(g, CB_GAP_MISSING_CHANNEL))
        missing_channels(o, g);
    if (count_kind(g, CB_GAP_TIME_ASSUMED))
        assumed_times(o, g);
    if (count_kind(g, CB_GAP_LOST))
        lost_evidence(o, g);
    if (count_kind(g, CB_GAP_SILENT))
        silent_periods(o, g);
    time_bases(o, r->v.an);
    out_str(o, "</section>\n");
}

static void warning_where(struct out *o, const struct cb_warning *w)
{
    char b[48];
    cb_view_warning_where(w, b, sizeof b);
    out_str(o, b);
}

/* Row n of the inventory: a source, what it held, its warnings. */
static void source_row(struct out *o, const struct cb_source *s, size_t n)
{
    out_str(o, "<tr><td class=\"n\">");
    out_u64(o, n);
    out_str(o, "</td><td class=\"path\">");
    out_html(o, s->path);
    out_str(o, "<div class=\"sub\">");
    html_num(o, s->bytes);
    out_str(o, " bytes");
    out_str(o, "</div></td><td>");
    out_html(o, s->format);
    if (s->note) {
        out_str(o, "<div class=\"sub\">");
        esc_cut(o, s->note, CB_LIMIT_REPORT_TEXT);
        out_str(o, "</div>");
    }
    out_str(o, "</td><td>");
    out_html(o, s->host && s->host[0] ? s->host : "\xE2\x80\x94");
    if (s->host_rule && s->host && s->host[0]) {
        out_str(o, "<div class=\"sub\">from ");
        out_html(o, s->host_rule);
        out_str(o, "</div>");
    }
    out_str(o, "</td><td class=\"n\">");
    html_num(o, cb_view_source_events(s));
    if (s->scope_out + s->scope_out_nk) {
        out_str(o, "<div class=\"sub\">");
        html_num(o, s->scope_out + s->scope_out_nk);
        out_str(o, " left out</div>");
    }
    if (s->not_kept) {
        out_str(o, "<div class=\"sub\">");
        html_num(o, s->not_kept);
        out_str(o, " counted only</div>");
    }
    if (s->duplicates) {
        out_str(o, "<div class=\"sub\">+");
        html_num(o, s->duplicates);
        out_str(o, " dup.</div>");
    }
    out_str(o, "</td><td class=\"t\">");
    html_time(o, s->first);
    out_str(o, "</td><td class=\"t\">");
    html_time(o, s->last);
    out_str(o, "</td><td>");
    if (s->warnings) {
        out_str(o, "<ul class=\"wl\">");
        for (const struct cb_warning *w = s->warnings; w; w = w->next) {
            out_str(o, "<li>");
            warning_where(o, w);
            esc_cut(o, w->msg, CB_LIMIT_REPORT_TEXT);
            out_str(o, "</li>");
        }
        out_str(o, "</ul>");
    }
    if (cb_view_warnings_suppressed(s)) {
        out_str(o, "<div class=\"sub\">");
        html_num(o, cb_view_warnings_suppressed(s));
        out_str(o, " more not kept</div>");
    }
    out_str(o, "</td></tr>\n");
}

static void bundle_warnings(struct out *o, const struct cb_analysis *an)
{
    out_str(o, "<h3>Bundle warnings</h3>\n");
    if (!an->warnings) {
        out_str(o, "<p class=\"mut\">None.</p>\n");
    } else {
        out_str(o, "<ul>\n");
        for (const struct cb_warning *w = an->warnings; w; w = w->next) {
            out_str(o, "<li>");
            if (w->source) {
                out_str(o, "<span class=\"path\">");
                out_html(o, w->source);
                out_str(o, "</span>: ");
            }
            warning_where(o, w);
            esc_cut(o, w->msg, CB_LIMIT_REPORT_TEXT);
            out_str(o, "</li>\n");
        }
        out_str(o, "</ul>\n");
    }
}

static void inventory(struct html_page *r)
{
    struct out *o = &r->o;
    const struct cb_analysis *an = r->v.an;
    out_str(o, "<section id=\"inventory\">\n<h2>Inventory</h2>\n");
    if (!an) {
        out_str(o, "<p class=\"mut\">No analysis.</p>\n</section>\n");
        return;
    }
    out_str(o, "<p>");
    html_num(o, an->nsources);
    out_str(o, " sources from ");
    html_num(o, an->members);
    out_str(o, " files and members, ");
    html_num(o, an->total_bytes);
    out_str(o, " bytes read, ");
    html_num(o, cb_analysis_event_count(an));
    out_str(o, " events kept, ");
    html_num(o, r->v.tl->duplicates);
    out_str(o, " duplicates dropped.");
    if (an->total_exhausted)
        out_str(o, " <b>The total byte budget ran out: the bundle was not "
                   "read to the end.</b>");
    out_str(o, "</p>\n");
    char focus[1400];
    cb_view_focus_line(&r->v, focus, sizeof focus);
    if (focus[0]) {
        out_str(o, "<p><b>Focus:</b> ");
        out_html(o, focus);
        out_str(o, " (every source is still listed)</p>\n");
    }
    if (an->nsources) {
        out_str(o, "<table class=\"inv\">\n<thead><tr><th class=\"n\">#</th>"
                   "<th>Source</th><th>Format</th><th>Host</th>"
                   "<th class=\"n\">Events</th><th>First (UTC)</th>"
                   "<th>Last (UTC)</th><th>Warnings</th></tr></thead>\n"
                   "<tbody>\n");
        for (size_t i = 0; i < an->nsources; i++)
            source_row(o, an->sources[i], i + 1);
        out_str(o, "</tbody>\n</table>\n");
    }
    bundle_warnings(o, an);
    out_str(o, "</section>\n");
}

static void foot(struct html_page *r)
{
    struct out *o = &r->o;
    out_str(o, "<footer>Written by casebrief " CASEBRIEF_VERSION
               " from the bundle alone; every time is UTC. This page "
               "loads nothing from anywhere.</footer>\n<script>\n");
    out_str(o, js);
    out_str(o, "</script>\n</body>\n</html>\n");
}

static void rep_free(struct html_page *r)
{
    cb_view_fini(&r->v);
    cb_free(r->rows);
    cb_free(r);
}

enum cb_status cb_report_html(FILE *f, const struct cb_report_input *in)
{
    if (!f || !in)
        return CB_E_USAGE;
    struct html_page *r = cb_calloc(1, sizeof *r);
    if (!r)
        return CB_E_NOMEM;
    if (cb_view_build(&r->v, in) != CB_OK || select_rows(r) != 0) {
        rep_free(r);
        return CB_E_NOMEM;
    }
    out_init(&r->o, f);
    head(r);
    damage_banner(r);
    header(r);
    scope_note(r);
    story(r);
    cb_overview_html(&r->o, &r->v.overview);
    summary(r);
    findings(r);
    html_timeline_svg(r);
    event_table(r);
    gaps(r);
    inventory(r);
    foot(r);
    int rc = out_finish(&r->o);
    int nomem = r->nomem;
    rep_free(r);
    if (nomem)
        return CB_E_NOMEM;
    return rc == 0 ? CB_OK : CB_E_IO;
}
