/*
 * crc32.c - CRC-32 (reflected polynomial 0xEDB88320), as zlib computes it.
 *
 * The portable path reads eight bytes at a time through eight tables
 * ("slicing by 8"). On x86-64 with PCLMULQDQ, blocks of 64 bytes and more
 * are folded 128 bits at a time with carry-less multiplies by constants
 * x^k mod P (the method of Gopal et al., "Fast CRC Computation for Generic
 * Polynomials Using PCLMULQDQ", Intel, 2009), reduced to 32 bits by a
 * Barrett reduction, and what is left over goes through the tables.
 */
#include <pthread.h>
#include <string.h>

#include "crc32.h"
#include "endian.h"

static uint32_t tab[8][256];
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

static void tab_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        tab[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            tab[t][i] = tab[t - 1][i] >> 8 ^ tab[0][tab[t - 1][i] & 0xFF];
}

/* On the working (inverted) value. */
static uint32_t slice8(uint32_t crc, const unsigned char *p, size_t n)
{
    while (n >= 8) {
        uint32_t a = cb_le32(p) ^ crc, b = cb_le32(p + 4);
        crc = tab[7][a & 0xFF] ^ tab[6][a >> 8 & 0xFF] ^
              tab[5][a >> 16 & 0xFF] ^ tab[4][a >> 24] ^ tab[3][b & 0xFF] ^
              tab[2][b >> 8 & 0xFF] ^ tab[1][b >> 16 & 0xFF] ^ tab[0][b >> 24];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = crc >> 8 ^ tab[0][(crc ^ *p++) & 0xFF];
    return crc;
}

uint32_t cb_crc32_portable(uint32_t crc, const void *p, size_t n)
{
    pthread_once(&tab_once, tab_init);
    return ~slice8(~crc, p, n);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define TARGET __attribute__((target("pclmul,sse4.1")))

/* x^(4*128+32), x^(4*128-32) mod P: fold four lanes 512 bits on */
static const uint64_t K1 = 0x154442bd4ULL, K2 = 0x1c6e41596ULL;
/* x^(128+32), x^(128-32) mod P: fold one lane 128 bits on */
static const uint64_t K3 = 0x1751997d0ULL, K4 = 0x0ccaa009eULL;
/* x^64 mod P: 64 -> 32 bits */
static const uint64_t K5 = 0x163cd6124ULL;
/* P (bit-reflected, with x^32) and floor(x^64 / P) for Barrett */
static const uint64_t POLY = 0x1db710641ULL, MU = 0x1f7011641ULL;

/* x folded by k (k.lo times x.lo, k.hi times x.hi) onto d. */
TARGET static inline __m128i fold(__m128i x, __m128i k, __m128i d)
{
    __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
    __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), d);
}

/* The working value over n bytes, n >= 64 and a multiple of 16. */
TARGET static uint32_t clmul_blocks(uint32_t crc, const unsigned char *p,
                                    size_t n)
{
    __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
    x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)crc));
    p += 64;
    n -= 64;
    __m128i k = _mm_set_epi64x((long long)K2, (long long)K1);
    while (n >= 64) {
        x0 = fold(x0, k, _mm_loadu_si128((const __m128i *)(const void *)p));
        x1 = fold(x1, k,
                  _mm_loadu_si128((const __m128i *)(const void *)(p + 16)));
        x2 = fold(x2, k,
                  _mm_loadu_si128((const __m128i *)(const void *)(p + 32)));
        x3 = fold(x3, k,
                  _mm_loadu_si128((const __m128i *)(const void *)(p + 48)));
        p += 64;
        n -= 64;
    }
    k = _mm_set_epi64x((long long)K4, (long long)K3);
    x0 = fold(x0, k, x1);
    x0 = fold(x0, k, x2);
    x0 = fold(x0, k, x3);
    while (n >= 16) {
        x0 = fold(x0, k, _mm_loadu_si128((const __m128i *)(const void *)p));
        p += 16;
        n -= 16;
    }
    /* 128 -> 64 bits: the low half times x^(128-32), onto the high half
     * (which also appends 32 zero bits) */
    __m128i t = _mm_clmulepi64_si128(k, x0, 0x01);
    x0 = _mm_xor_si128(_mm_srli_si128(x0, 8), t);
    /* 64 -> 32 bits */
    __m128i mask = _mm_set_epi32(0, 0, 0, -1);
    t = _mm_and_si128(x0, mask);
    x0 = _mm_srli_si128(x0, 4);
    t = _mm_clmulepi64_si128(t, _mm_set_epi64x(0, (long long)K5), 0x00);
    x0 = _mm_xor_si128(x0, t);
    /* Barrett reduction to the 32-bit remainder */
    __m128i pm = _mm_set_epi64x((long long)MU, (long long)POLY);
    t = _mm_and_si128(x0, mask);
    t = _mm_clmulepi64_si128(t, pm, 0x10);
    t = _mm_and_si128(t, mask);
    t = _mm_clmulepi64_si128(t, pm, 0x00);
    x0 = _mm_xor_si128(x0, t);
    return (uint32_t)_mm_extract_epi32(x0, 1);
}

static int have_clmul = -1;

static void detect(void)
{
    __builtin_cpu_init();
    have_clmul = __builtin_cpu_supports("pclmul") &&
                 __builtin_cpu_supports("sse4.1");
}

static pthread_once_t detect_once = PTHREAD_ONCE_INIT;

int cb_crc32_accelerated(void)
{
    pthread_once(&detect_once, detect);
    return have_clmul;
}

uint32_t cb_crc32(uint32_t crc, const void *p, size_t n)
{
    pthread_once(&tab_once, tab_init);
    if (n < 64 || !cb_crc32_accelerated())
        return ~slice8(~crc, p, n);
    size_t whole = n & ~(size_t)15;
    uint32_t c = clmul_blocks(~crc, p, whole);
    return ~slice8(c, (const unsigned char *)p + whole, n - whole);
}

#else

int cb_crc32_accelerated(void)
{
    return 0;
}

uint32_t cb_crc32(uint32_t crc, const void *p, size_t n)
{
    return cb_crc32_portable(crc, p, n);
}

#endif
