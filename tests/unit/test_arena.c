#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "helpers.h"
#include "casebrief/casebrief.h"

Test(arena, interning_returns_one_pointer_per_string)
{
    struct cb_arena *a = cb_arena_create();
    struct cb_intern *in = cb_intern_create(a);
    const char *x = cb_intern_cstr(in, "HV-NODE1");
    char copy[] = "HV-NODE1";
    cr_assert_eq(x, cb_intern_cstr(in, copy));
    cr_assert_neq(x, cb_intern_cstr(in, "HV-NODE2"));
    cr_assert_str_eq(x, "HV-NODE1");
    cb_intern_destroy(&in);
    cb_arena_destroy(&a);
    cr_assert_null(a);
}

/* Byte pattern of allocation i, so that overlaps show up as wrong bytes. */
static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 31u + 7u);
}

Test(arena, allocations_are_8_aligned_distinct_and_stay_valid)
{
    struct cb_arena *a = cb_arena_create();
    cr_assert_not_null(a);
    enum { N = 30000 };
    unsigned char **p = calloc(N, sizeof *p);
    size_t *sz = calloc(N, sizeof *sz);
    cr_assert(p && sz);
    size_t total = 0;
    /* sizes 1..257: about 3.9 MB, many times the first 64 KiB block */
    for (size_t i = 0; i < N; i++) {
        sz[i] = i % 257 + 1;
        p[i] = cb_arena_alloc(a, sz[i]);
        cr_assert_not_null(p[i]);
        cr_assert_eq((uintptr_t)p[i] % 8, 0u, "allocation %zu misaligned", i);
        memset(p[i], pattern(i), sz[i]);
        total += sz[i];
    }
    cr_assert_geq(cb_arena_used(a), total);
    for (size_t i = 0; i < N; i++) {
        for (size_t k = 0; k < sz[i]; k++)
            cr_assert_eq(p[i][k], pattern(i), "allocation %zu overwritten", i);
    }
    free(p);
    free(sz);
    cb_arena_destroy(&a);
}

Test(arena, zero_size_allocation_is_a_usable_distinct_pointer)
{
    struct cb_arena *a = cb_arena_create();
    void *x = cb_arena_alloc(a, 0);
    void *y = cb_arena_alloc(a, 0);
    cr_assert_not_null(x);
    cr_assert_not_null(y);
    cr_assert_neq(x, y);
    cb_arena_destroy(&a);
}

Test(arena, calloc_zero_fills_and_rejects_overflow)
{
    struct cb_arena *a = cb_arena_create();
    /* dirty the block first so zeroes are not just fresh memory */
    memset(cb_arena_alloc(a, 4096), 0xAB, 4096);
    unsigned char *z = cb_arena_calloc(a, 100, 7);
    cr_assert_not_null(z);
    for (size_t i = 0; i < 700; i++)
        cr_assert_eq(z[i], 0);
    cr_assert_null(cb_arena_calloc(a, SIZE_MAX / 2, 4));
    cb_arena_destroy(&a);
}

Test(arena, large_allocations_over_1_mib_are_whole_and_disturb_nothing)
{
    struct cb_arena *a = cb_arena_create();
    char *before = cb_arena_strdup(a, "before");
    /* 3 MiB + 5 and 9 MiB + 3: a block of its own at any threshold
     * between 1 and 8 MiB, or a grown block below it */
    const size_t lens[] = {(3u << 20) + 5, (9u << 20) + 3};
    unsigned char *big[2];
    char *after[2];
    size_t total = 0;
    for (size_t i = 0; i < 2; i++) {
        big[i] = cb_arena_alloc(a, lens[i]);
        cr_assert_not_null(big[i]);
        cr_assert_eq((uintptr_t)big[i] % 8, 0u);
        memset(big[i], pattern(i), lens[i]);
        total += lens[i];
        after[i] = cb_arena_printf(a, "after %zu", i);
        cr_assert_not_null(after[i]);
    }
    for (size_t i = 0; i < 2; i++) {
        for (size_t j = 0; j < 2; j++)
            cr_assert((unsigned char *)after[j] >= big[i] + lens[i] ||
                          (unsigned char *)after[j] + 8 <= big[i],
                      "small allocation %zu inside large one %zu", j, i);
        cr_assert(big[1 - i] >= big[i] + lens[i] ||
                  big[1 - i] + lens[1 - i] <= big[i]);
        for (size_t k = 0; k < lens[i]; k += 65521)
            cr_assert_eq(big[i][k], pattern(i));
        cr_assert_eq(big[i][lens[i] - 1], pattern(i));
    }
    cr_assert_str_eq(before, "before");
    cr_assert_str_eq(after[0], "after 0");
    cr_assert_str_eq(after[1], "after 1");
    cr_assert_geq(cb_arena_used(a), total);
    cb_arena_destroy(&a);
}

Test(arena, allocation_larger_than_the_current_block_gets_enough_room)
{
    /* Between the first block size (64 KiB) and the dedicated-block
     * threshold (1 MiB): must still get all the bytes it asked for. */
    static const size_t sizes[] = {65 << 10, 200000, 1u << 20, 700000};
    struct cb_arena *a = cb_arena_create();
    unsigned char *p[4];
    for (size_t i = 0; i < 4; i++) {
        p[i] = cb_arena_alloc(a, sizes[i]);
        cr_assert_not_null(p[i]);
        memset(p[i], pattern(i), sizes[i]);
    }
    char *tail = cb_arena_strdup(a, "tail");
    for (size_t i = 0; i < 4; i++) {
        cr_assert((unsigned char *)tail >= p[i] + sizes[i] ||
                      (unsigned char *)tail + 5 <= p[i],
                  "later allocation overlaps allocation %zu", i);
        for (size_t k = 0; k < sizes[i]; k += 4093)
            cr_assert_eq(p[i][k], pattern(i));
        cr_assert_eq(p[i][sizes[i] - 1], pattern(i));
    }
    cr_assert_str_eq(tail, "tail");
    cb_arena_destroy(&a);
}

Test(arena, strndup_strdup_and_printf_copy_and_terminate)
{
    struct cb_arena *a = cb_arena_create();
    const char *src = "abcdef";
    char *s3 = cb_arena_strndup(a, src, 3);
    cr_assert_str_eq(s3, "abc");
    cr_assert_neq((const char *)s3, src);
    char *s0 = cb_arena_strndup(a, src, 0);
    cr_assert_str_eq(s0, "");
    /* embedded NUL: strndup copies len bytes, not up to the NUL */
    char *emb = cb_arena_strndup(a, "ab\0cd", 5);
    cr_assert_eq(memcmp(emb, "ab\0cd\0", 6), 0);
    char *d = cb_arena_strdup(a, "HV-NODE1");
    cr_assert_str_eq(d, "HV-NODE1");
    char *f = cb_arena_printf(a, "%s-%d:%04x", "node", 42, 0xbeefu);
    cr_assert_str_eq(f, "node-42:beef");
    char *e = cb_arena_printf(a, "%s", "");
    cr_assert_str_eq(e, "");
    /* longer than any small block tail, across a block boundary */
    char *lng = cb_arena_printf(a, "%0*d|", 100000, 7);
    cr_assert_eq(strlen(lng), 100001u);
    cr_assert_eq(lng[0], '0');
    cr_assert_eq(lng[99999], '7');
    cr_assert_eq(lng[100000], '|');
    cr_assert_str_eq(s3, "abc", "earlier strings untouched");
    cr_assert_str_eq(f, "node-42:beef");
    cb_arena_destroy(&a);
}

Test(arena, interning_many_strings_keeps_identity_across_growth)
{
    struct cb_arena *a = cb_arena_create();
    struct cb_intern *in = cb_intern_create(a);
    enum { N = 5000 }; /* the table starts at 256 slots */
    const char **first = calloc(N, sizeof *first);
    cr_assert_not_null(first);
    char buf[32];
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof buf, "host-%d", i);
        first[i] = cb_intern_cstr(in, buf);
        cr_assert_not_null(first[i]);
        cr_assert_str_eq(first[i], buf);
        cr_assert_neq((const char *)first[i], (const char *)buf);
    }
    cr_assert_eq(cb_intern_count(in), (size_t)N);
    for (int i = N - 1; i >= 0; i--) {
        snprintf(buf, sizeof buf, "host-%d", i);
        cr_assert_eq(cb_intern_cstr(in, buf), first[i], "string %d moved", i);
    }
    cr_assert_eq(cb_intern_count(in), (size_t)N, "no new entries");
    cr_assert_neq(first[1], first[10]);
    cr_assert_neq(first[12], first[120]);
    /* length decides, not the NUL: "host-12" + "3" is "host-123" */
    cr_assert_eq(cb_intern(in, "host-1234", 8), first[123]);
    cr_assert_eq(cb_intern(in, "host-1234", 7), first[12]);
    /* the empty string is a string too */
    const char *empty = cb_intern(in, "", 0);
    cr_assert_not_null(empty);
    cr_assert_str_eq(empty, "");
    cr_assert_eq(cb_intern_cstr(in, ""), empty);
    free(first);
    cb_intern_destroy(&in);
    cr_assert_null(in);
    cb_arena_destroy(&a);
}

Test(arena, intern_refuses_strings_over_the_limit)
{
    struct cb_arena *a = cb_arena_create();
    struct cb_intern *in = cb_intern_create(a);
    static char s[CB_LIMIT_INTERN_STRING + 2];
    memset(s, 'q', sizeof s - 1);
    cr_assert_null(cb_intern(in, s, CB_LIMIT_INTERN_STRING + 1));
    cr_assert_null(cb_intern_cstr(in, s));
    const char *at = cb_intern(in, s, CB_LIMIT_INTERN_STRING);
    cr_assert_not_null(at, "exactly the limit is still interned");
    cr_assert_eq(strlen(at), (size_t)CB_LIMIT_INTERN_STRING);
    cr_assert_eq(cb_intern_count(in), 1u);
    cb_intern_destroy(&in);
    cb_arena_destroy(&a);
}

Test(arena, failed_allocation_makes_create_return_null)
{
    cb_alloc_fail_after(1);
    struct cb_arena *a = cb_arena_create();
    cr_assert_null(a);
    cb_alloc_fail_after(0);
    a = cb_arena_create();
    cr_assert_not_null(a, "failure injection switched off again");

    /* intern table: the second allocation (its slots) fails */
    cb_alloc_fail_after(2);
    struct cb_intern *in = cb_intern_create(a);
    cb_alloc_fail_after(0);
    cr_assert_null(in);

    /* a new block that cannot be had is NULL, not a crash */
    cb_alloc_fail_after(1);
    cr_assert_null(cb_arena_alloc(a, 16));
    cb_alloc_fail_after(0);
    cr_assert_not_null(cb_arena_alloc(a, 16));
    cb_arena_destroy(&a);
    cb_arena_destroy(&a); /* NULL is accepted */
    cb_arena_destroy(NULL);
}

Test(arena, analysis_create_survives_every_failed_allocation)
{
    /* fail the 1st, 2nd, ... allocation: NULL or a whole analysis */
    int ok = 0;
    for (unsigned long n = 1; n <= 8; n++) {
        cb_alloc_fail_after(n);
        struct cb_analysis *an = cb_analysis_create_all(NULL);
        cb_alloc_fail_after(0);
        if (an) {
            cr_assert_not_null(an->arena);
            cr_assert_not_null(an->strings);
            ok = 1;
        }
        cb_analysis_destroy(&an);
        cr_assert_null(an);
    }
    cr_assert(ok, "with enough allocations, create succeeds");
}

Test(arena, impossible_sizes_return_null_instead_of_a_small_block)
{
    struct cb_arena *a = cb_arena_create();
    /* rounding SIZE_MAX - 3 up to a multiple of 8 must not wrap to 0 */
    cr_assert_null(cb_arena_alloc(a, SIZE_MAX - 3));
    cr_assert_null(cb_arena_alloc(a, SIZE_MAX - 7));
    cr_assert_null(cb_arena_calloc(a, 1, SIZE_MAX - 1));
    cr_assert_null(cb_arena_strndup(a, "x", SIZE_MAX - 1));
    cr_assert_not_null(cb_arena_alloc(a, 8), "arena still usable");
    cb_arena_destroy(&a);
}

Test(arena, adopted_blocks_stay_valid_until_the_new_owner_goes)
{
    struct cb_arena *dst = cb_arena_create(), *src = cb_arena_create();
    cr_assert(dst && src);
    char *keep[64];
    for (int i = 0; i < 64; i++) { /* several geometric blocks, one large */
        size_t n = i == 63 ? (size_t)9 << 20 : 40000;
        keep[i] = cb_arena_alloc(src, n);
        cr_assert_not_null(keep[i]);
        memset(keep[i], i, n);
    }
    char *mine = cb_arena_strdup(dst, "dst's own");
    size_t used = cb_arena_used(dst) + cb_arena_used(src);
    cb_arena_adopt(dst, &src);
    cr_assert_null(src);
    cr_assert_eq(cb_arena_used(dst), used);
    /* dst goes on allocating in its own current block */
    char *more = cb_arena_strdup(dst, "after");
    cr_assert_str_eq(more, "after");
    cr_assert_str_eq(mine, "dst's own");
    for (int i = 0; i < 64; i++)
        cr_assert_eq(keep[i][i == 63 ? ((size_t)9 << 20) - 1 : 39999],
                     (char)i);
    cb_arena_adopt(dst, &src); /* nothing to take: no effect */
    cb_arena_destroy(&dst);    /* frees both (ASan: no leak) */
}

Test(arena, rewind_gives_back_what_came_after_the_mark)
{
    struct cb_arena *a = cb_arena_create();
    char *keep = cb_arena_strdup(a, "kept");
    size_t used = cb_arena_used(a);
    struct cb_arena_mark m = cb_arena_mark(a);
    char *gone = cb_arena_alloc(a, 100);
    cr_assert_not_null(gone);
    cb_arena_rewind(a, m);
    cr_assert_eq(cb_arena_used(a), used);
    /* the next allocation reuses the same bytes; earlier data intact */
    cr_assert_eq(cb_arena_alloc(a, 100), gone);
    cr_assert_str_eq(keep, "kept");
    /* a block started after the mark stays: its data is not reused */
    m = cb_arena_mark(a);
    char *big = cb_arena_alloc(a, 1 << 20); /* past the 64 KiB block */
    cr_assert_not_null(big);
    memset(big, 7, 1 << 20);
    cb_arena_rewind(a, m);
    char *after = cb_arena_alloc(a, 16);
    cr_assert(after < big || after >= big + (1 << 20),
              "rewind must not hand out a newer block's bytes");
    cr_assert_eq(big[(1 << 20) - 1], 7);
    cb_arena_destroy(&a);
}
