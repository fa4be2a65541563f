/*
 * alloc.h - the one allocation function pair. Everything in the library
 * allocates through it so that tests can make the Nth call fail.
 */
#ifndef CASEBRIEF_ALLOC_H
#define CASEBRIEF_ALLOC_H

#include <stddef.h>

void *cb_malloc(size_t size);
void *cb_calloc(size_t n, size_t size);
void *cb_realloc(void *p, size_t size);
void cb_free(void *p);

/* Test hook: make the nth allocation from now on fail (0 disables). */
void cb_alloc_fail_after(unsigned long nth);

#endif
