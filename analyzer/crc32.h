/*
 * crc32.h - CRC-32 of RFC 1952 (zlib's crc32(), the EVTX checksums).
 *
 * cb_crc32 folds with carry-less multiplication (PCLMULQDQ) on x86-64
 * CPUs that have it and falls back to cb_crc32_portable elsewhere; both
 * give the same value for any input (tests/unit/test_crc32.c).
 */
#ifndef CASEBRIEF_CRC32_H
#define CASEBRIEF_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* The CRC of p[0..n) continuing crc (0 to start), as zlib's crc32(). */
uint32_t cb_crc32(uint32_t crc, const void *p, size_t n);
/* The same, eight bytes at a time from tables, on any CPU. */
uint32_t cb_crc32_portable(uint32_t crc, const void *p, size_t n);
/* 1 when cb_crc32 uses the carry-less multiply. */
int cb_crc32_accelerated(void);

#endif
