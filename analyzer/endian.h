/*
 * endian.h - little-endian integers read from input, byte by byte: never a
 * cast over the input, so neither alignment nor the host's byte order
 * matters. Internal to casebrief.
 */
#ifndef CASEBRIEF_ENDIAN_H
#define CASEBRIEF_ENDIAN_H

#include <stdint.h>

static inline uint16_t cb_le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t cb_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t cb_le64(const unsigned char *p)
{
    return (uint64_t)cb_le32(p) | (uint64_t)cb_le32(p + 4) << 32;
}

#endif
