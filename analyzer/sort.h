/*
 * sort.h - the one sort every output-deciding order of the core goes
 * through. Its comparators must be total orders (ties broken by source,
 * parse or emission order): C libraries leave equal elements in different
 * orders, and a report must not depend on which one built it. Tests make
 * the sort reverse its input first (cb_sort_reverse_first) to prove that
 * no tie is left to the library.
 */
#ifndef CASEBRIEF_SORT_H
#define CASEBRIEF_SORT_H

#include <stddef.h>

/* qsort, except that n below 2 does nothing (base may then be NULL). */
void cb_sort(void *base, size_t n, size_t size,
             int (*cmp)(const void *, const void *));

/* Test hook: 1 = reverse every array before sorting it, so that equal
 * elements come out in the opposite order from before; 0 = off. */
void cb_sort_reverse_first(int on);

#endif
