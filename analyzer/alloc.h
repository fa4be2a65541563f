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

/* Large page-aligned regions for arenas: mmap'd and advised for
 * transparent huge pages, which cuts page faults on big bundles. Size
 * must be given back to cb_free_pages. */
void *cb_alloc_pages(size_t size);
void cb_free_pages(void *p, size_t size);

/* Test hook: make the nth allocation from now on fail (0 disables). */
void cb_alloc_fail_after(unsigned long nth);

#endif
