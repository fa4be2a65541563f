/*
 * html.h - what the parts of report.html share: the page being written
 * (its view and the rows of its event table) and the small writers every
 * part uses. html.c writes the page, svg.c its timeline picture.
 */
#ifndef CASEBRIEF_REPORTS_HTML_H
#define CASEBRIEF_REPORTS_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "out.h"
#include "view.h"

struct html_page {
    struct out o;
    struct cb_view v;
    size_t *rows; /* timeline indices shown in the event table, ascending */
    size_t nrows;
    size_t omitted; /* events of the window not shown */
    int nomem;      /* a part could not allocate: the page is incomplete */
    size_t mark_titles; /* error marks of the pictures given a tooltip */
};

/* "2024-11-15 01:58:12.905", or an em dash for CB_TIME_NONE. */
void html_time(struct out *o, cb_time t);
/* "3 h 12 min" from..to. */
void html_duration(struct out *o, cb_time from, cb_time to);
/* At most max bytes of s (NULL: none), cut on a character boundary and
 * then an ellipsis; returns how many bytes were left out. */
size_t html_cut(struct out *o, const char *s, size_t max);
/* An event's message, "[COMP] text" for cluster.log lines, the text cut
 * as html_cut does; returns how many bytes were left out. */
size_t html_message(struct out *o, const struct cb_event *e, size_t max);
/* 12345 as "12,345". */
void html_num(struct out *o, uint64_t v);
/* Priority of an event for the capped table and the picture's marks:
 * 0 critical and error, 1 warning, 2 the rest. */
int html_row_class(const struct cb_event *e);
/* Whether timeline index idx has a row (an anchor #ev-idx) in the
 * event table. */
int html_row_shown(const struct html_page *p, size_t idx);

/* The window of incident in's own picture and of the event table's
 * incident filter: its span and a tenth of it either side (at least a
 * minute); 0 when it has no time. */
int html_incident_window(const struct cb_incident *in, cb_time *from,
                         cb_time *to);

/* Whether incident i has a picture of its own (#zoom-I<n>). */
int html_has_zoom(const struct html_page *p, size_t i);

/* The "Timeline" section: one lane per host over the view's window
 * with its event density, error and critical marks, outages and finding
 * markers linked to the cards (#F1 ...); the incidents as spans; then a
 * zoomed picture per incident (svg.c). */
void html_timeline_svg(struct html_page *p);

#endif
