/*
 * arena.h - per-bundle memory and string interning.
 *
 * Ownership: everything allocated from an arena belongs to it, never moves,
 * and is freed at once by cb_arena_destroy; nothing in it is freed alone.
 */
#ifndef CASEBRIEF_ARENA_H
#define CASEBRIEF_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct cb_arena;

struct cb_arena *cb_arena_create(void);
/* Frees every block; accepts NULL and clears the pointer. */
void cb_arena_destroy(struct cb_arena **arena);

/* Aligned to 8; NULL on out of memory. Zero-filled only by calloc. */
void *cb_arena_alloc(struct cb_arena *arena, size_t size);
void *cb_arena_calloc(struct cb_arena *arena, size_t n, size_t size);
/* Copy of s[0..len) with a terminating NUL. */
char *cb_arena_strndup(struct cb_arena *arena, const char *s, size_t len);
char *cb_arena_strdup(struct cb_arena *arena, const char *s);
char *cb_arena_printf(struct cb_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A point to go back to: what is allocated after cb_arena_mark can be
 * given back with cb_arena_rewind, when nothing allocated since must
 * live on (one arena per kind of data). Only the current block is
 * reclaimed; a block started since stays allocated (and in use). */
struct cb_arena_mark {
    const void *block;
    size_t used, total;
};
struct cb_arena_mark cb_arena_mark(const struct cb_arena *arena);
void cb_arena_rewind(struct cb_arena *arena, struct cb_arena_mark m);

/* Move every block of *src into dst, to be freed with dst, and free the
 * emptied *src (cleared). What src handed out stays valid. */
void cb_arena_adopt(struct cb_arena *dst, struct cb_arena **src);
/* Bytes handed out so far (for reports and benchmarks). */
size_t cb_arena_used(const struct cb_arena *arena);

/*
 * Interning: equal strings get the same pointer, so comparing hosts or
 * channels is a pointer comparison. Strings live in the given arena.
 */
struct cb_intern;

struct cb_intern *cb_intern_create(struct cb_arena *arena);
void cb_intern_destroy(struct cb_intern **in);
/* NULL on out of memory or when len exceeds CB_LIMIT_INTERN_STRING. */
const char *cb_intern(struct cb_intern *in, const char *s, size_t len);
const char *cb_intern_cstr(struct cb_intern *in, const char *s);
size_t cb_intern_count(const struct cb_intern *in);

uint64_t cb_hash_bytes(const void *p, size_t len, uint64_t seed);

#endif
