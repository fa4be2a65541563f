/*
 * sort.c - cb_sort: qsort behind a test hook that turns the input around
 * first, so that a comparator leaving ties to the library shows up as a
 * changed output.
 */
#include <stdlib.h>
#include <string.h>

#include "sort.h"

/* Tests only, so not thread-safe by design. */
static int reverse_first;

void cb_sort_reverse_first(int on)
{
    reverse_first = on;
}

static void reverse(unsigned char *base, size_t n, size_t size)
{
    for (size_t i = 0, j = n - 1; i < j; i++, j--) {
        unsigned char *a = base + i * size, *b = base + j * size;
        for (size_t k = 0; k < size; k++) {
            unsigned char t = a[k];
            a[k] = b[k];
            b[k] = t;
        }
    }
}

void cb_sort(void *base, size_t n, size_t size,
             int (*cmp)(const void *, const void *))
{
    if (n < 2)
        return;
    if (reverse_first)
        reverse(base, n, size);
    qsort(base, n, size, cmp);
}
