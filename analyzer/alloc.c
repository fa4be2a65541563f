/*
 * alloc.c - the allocation function pair, with failure injection for
 * tests (cb_alloc_fail_after).
 */
#include <stdlib.h>

#include "alloc.h"
#include "platform.h"

/* Countdown to the injected failure; 0 means never. Tests only, so not
 * thread-safe by design. */
static unsigned long fail_countdown;

static int should_fail(void)
{
    if (fail_countdown == 0)
        return 0;
    if (--fail_countdown == 0)
        return 1;
    return 0;
}

void cb_alloc_fail_after(unsigned long nth)
{
    fail_countdown = nth;
}

void *cb_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *cb_calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *cb_realloc(void *p, size_t size)
{
    if (should_fail())
        return NULL;
    return realloc(p, size ? size : 1);
}

void cb_free(void *p)
{
    free(p);
}

void *cb_alloc_pages(size_t size)
{
    if (should_fail())
        return NULL;
    return cb_pages_map(size);
}

void cb_free_pages(void *p, size_t size)
{
    cb_pages_unmap(p, size);
}
