/*
 * arena.c - block arena and string interning.
 *
 * Blocks grow geometrically up to 32 MiB; an allocation larger than a
 * quarter of that gets a block of its own so that big strings do not waste
 * the tail of the current block. Blocks of 2 MiB and more are mapped with
 * transparent huge pages advised: a bundle of millions of events otherwise
 * spends a third of its time in page faults.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "casebrief/arena.h"
#include "casebrief/limits.h"

#define BLOCK_MIN ((size_t)64 << 10)
#define BLOCK_MAX ((size_t)32 << 20)
/* Blocks from this size on are page-mapped with huge pages advised;
 * never under AddressSanitizer, which cannot see into mmap'd memory. */
#if defined(__SANITIZE_ADDRESS__)
#define BLOCK_PAGES SIZE_MAX
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BLOCK_PAGES SIZE_MAX
#endif
#endif
#ifndef BLOCK_PAGES
#define BLOCK_PAGES ((size_t)2 << 20)
#endif

struct block {
    struct block *next;
    size_t size, used;
    /* data follows, 8-aligned */
};

struct cb_arena {
    struct block *head;   /* current block (bump allocation) */
    struct block *large;  /* dedicated blocks */
    size_t next_size;
    size_t used;
};

#define HDR ((sizeof(struct block) + 15u) & ~(size_t)15u)

struct cb_arena *cb_arena_create(void)
{
    struct cb_arena *a = cb_calloc(1, sizeof *a);
    if (a)
        a->next_size = BLOCK_MIN;
    return a;
}

static void free_block(struct block *b)
{
    if (HDR + b->size >= BLOCK_PAGES)
        cb_free_pages(b, HDR + b->size);
    else
        cb_free(b);
}

static void free_chain(struct block *b)
{
    while (b) {
        struct block *n = b->next;
        free_block(b);
        b = n;
    }
}

void cb_arena_destroy(struct cb_arena **arena)
{
    if (!arena || !*arena)
        return;
    free_chain((*arena)->head);
    free_chain((*arena)->large);
    cb_free(*arena);
    *arena = NULL;
}

struct cb_arena_mark cb_arena_mark(const struct cb_arena *a)
{
    return (struct cb_arena_mark){a->head, a->head ? a->head->used : 0,
                                  a->used};
}

void cb_arena_rewind(struct cb_arena *a, struct cb_arena_mark m)
{
    if (!a->head || a->head != m.block || a->head->used < m.used)
        return; /* a new block was started: keep it */
    a->head->used = m.used;
    a->used = m.total;
}

void cb_arena_adopt(struct cb_arena *dst, struct cb_arena **src)
{
    if (!src || !*src)
        return;
    struct cb_arena *s = *src;
    struct block *chains[2] = {s->head, s->large};
    for (int c = 0; c < 2; c++) {
        for (struct block *b = chains[c], *n; b; b = n) {
            n = b->next;
            b->next = dst->large; /* dst keeps bump-allocating in its head */
            dst->large = b;
        }
    }
    dst->used += s->used;
    cb_free(s);
    *src = NULL;
}

static struct block *new_block(size_t size)
{
    if (size > SIZE_MAX - HDR)
        return NULL;
    struct block *b = HDR + size >= BLOCK_PAGES ? cb_alloc_pages(HDR + size)
                                                : cb_malloc(HDR + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void *cb_arena_alloc(struct cb_arena *a, size_t size)
{
    if (size > SIZE_MAX - 7u)
        return NULL; /* rounding up would wrap to a tiny size */
    size = (size + 7u) & ~(size_t)7u;
    if (size == 0)
        size = 8;
    struct block *b = a->head;
    if (b && b->size - b->used >= size) {
        void *p = (char *)b + HDR + b->used;
        b->used += size;
        a->used += size;
        return p;
    }
    if (size > BLOCK_MAX / 4) {
        struct block *big = new_block(size);
        if (!big)
            return NULL;
        big->used = size;
        big->next = a->large;
        a->large = big;
        a->used += size;
        return (char *)big + HDR;
    }
    /* size may exceed a young arena's block size (64 KiB) while still
     * under the dedicated-block threshold: the block must hold it. */
    struct block *nb = new_block(size > a->next_size ? size : a->next_size);
    if (!nb)
        return NULL;
    if (a->next_size < BLOCK_MAX)
        a->next_size *= 2;
    nb->next = a->head;
    a->head = nb;
    nb->used = size;
    a->used += size;
    return (char *)nb + HDR;
}

void *cb_arena_calloc(struct cb_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = cb_arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *cb_arena_strndup(struct cb_arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = cb_arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *cb_arena_strdup(struct cb_arena *a, const char *s)
{
    return cb_arena_strndup(a, s, strlen(s));
}

char *cb_arena_printf(struct cb_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = cb_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t cb_arena_used(const struct cb_arena *a)
{
    return a->used;
}

/* FNV-1a, 64-bit: short keys, no adversarial concern beyond table growth,
 * which is bounded by CB_LIMIT_INTERN_STRING and input size. */
uint64_t cb_hash_bytes(const void *p, size_t len, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

struct slot {
    uint64_t hash;
    const char *str;
    size_t len;
};

struct cb_intern {
    struct cb_arena *arena;
    struct slot *slots;
    size_t cap, count;
};

struct cb_intern *cb_intern_create(struct cb_arena *arena)
{
    struct cb_intern *in = cb_calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->arena = arena;
    in->cap = 256;
    in->slots = cb_calloc(in->cap, sizeof *in->slots);
    if (!in->slots) {
        cb_free(in);
        return NULL;
    }
    return in;
}

void cb_intern_destroy(struct cb_intern **in)
{
    if (!in || !*in)
        return;
    cb_free((*in)->slots);
    cb_free(*in);
    *in = NULL;
}

static int grow(struct cb_intern *in)
{
    size_t ncap = in->cap * 2;
    struct slot *ns = cb_calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < in->cap; i++) {
        if (!in->slots[i].str)
            continue;
        size_t j = in->slots[i].hash & (ncap - 1);
        while (ns[j].str)
            j = (j + 1) & (ncap - 1);
        ns[j] = in->slots[i];
    }
    cb_free(in->slots);
    in->slots = ns;
    in->cap = ncap;
    return 0;
}

const char *cb_intern(struct cb_intern *in, const char *s, size_t len)
{
    if (len > CB_LIMIT_INTERN_STRING)
        return NULL;
    uint64_t h = cb_hash_bytes(s, len, 0);
    size_t mask = in->cap - 1;
    size_t i = h & mask;
    while (in->slots[i].str) {
        struct slot *sl = &in->slots[i];
        if (sl->hash == h && sl->len == len && memcmp(sl->str, s, len) == 0)
            return sl->str;
        i = (i + 1) & mask;
    }
    if ((in->count + 1) * 4 > in->cap * 3) {
        if (grow(in) != 0)
            return NULL;
        return cb_intern(in, s, len);
    }
    char *copy = cb_arena_strndup(in->arena, s, len);
    if (!copy)
        return NULL;
    in->slots[i].hash = h;
    in->slots[i].str = copy;
    in->slots[i].len = len;
    in->count++;
    return copy;
}

const char *cb_intern_cstr(struct cb_intern *in, const char *s)
{
    return cb_intern(in, s, strlen(s));
}

size_t cb_intern_count(const struct cb_intern *in)
{
    return in->count;
}
