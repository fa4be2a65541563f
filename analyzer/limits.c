/*
 * limits.c - defaults of the caps in limits.h.
 */
#include "casebrief/limits.h"

void cb_limits_default(struct cb_limits *lim)
{
    lim->total_bytes = CB_LIMIT_TOTAL_BYTES;
    lim->members = CB_LIMIT_MEMBERS;
    lim->depth = CB_LIMIT_DEPTH;
    lim->member_bytes = CB_LIMIT_MEMBER_BYTES;
    lim->ratio = CB_LIMIT_RATIO;
    lim->ratio_min_bytes = CB_LIMIT_RATIO_MIN_BYTES;
    lim->memory_bytes = 0; /* none; the command line sets its default */
}
