/*
 * mutcheck.c - fuzz_evtx_struct's mutator, run without libFuzzer (ctest,
 * every build, the ASan one too): ROUNDS mutations and crossovers of each
 * seed, each fed to the harness. It fails when a mutation kind never
 * applied (its pattern finder is broken: the fuzzer would silently lose
 * it) or when a mutation said it re-fixed the CRCs and the parser's own
 * cb_crc32 disagrees with a file or chunk header CRC.
 *
 *     mutcheck ROUNDS SEED_DIR
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"

#define MAX_LEN (4096u + 8u * 65536u)
extern unsigned long cb_fuzz_evtx_kinds[];
extern const int cb_fuzz_evtx_nkinds;
extern int cb_fuzz_evtx_fixed;
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
                                 const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size,
                                 unsigned int seed);

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* 0 when every header CRC agrees with cb_crc32. */
static int crcs_wrong(const uint8_t *d, size_t n)
{
    int bad = 0;
    size_t base = 4096;
    if (n >= 8 && memcmp(d, "ElfChnk\0", 8) == 0)
        base = 0;
    else if (n >= 4096 && memcmp(d, "ElfFile\0", 8) == 0)
        bad |= le32(d + 124) != cb_crc32(0, d, 120);
    for (size_t off = base; off + 512 <= n; off += 65536) {
        const uint8_t *c = d + off;
        if (memcmp(c, "ElfChnk\0", 8) != 0)
            continue;
        bad |= le32(c + 124) !=
               cb_crc32(cb_crc32(0, c, 120), c + 128, 512 - 128);
        size_t len = n - off < 65536 ? n - off : 65536;
        uint32_t fso = le32(c + 48);
        if (fso >= 512 && fso <= len)
            bad |= le32(c + 52) != cb_crc32(0, c + 512, fso - 512);
    }
    return bad;
}

static uint8_t *load(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(MAX_LEN);
    if (!f || !buf) {
        if (f)
            fclose(f);
        free(buf);
        return NULL;
    }
    *n = fread(buf, 1, MAX_LEN, f);
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mutcheck ROUNDS SEED_DIR\n");
        return 2;
    }
    unsigned rounds = (unsigned)atoi(argv[1]);
    DIR *dir = opendir(argv[2]);
    if (!dir) {
        perror(argv[2]);
        return 1;
    }
    uint8_t *seeds[64];
    size_t sizes[64], nseeds = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL && nseeds < 64) {
        char path[4096];
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", argv[2], de->d_name);
        if ((seeds[nseeds] = load(path, &sizes[nseeds])) != NULL)
            nseeds++;
    }
    closedir(dir);
    if (nseeds == 0) {
        fprintf(stderr, "no seeds in %s\n", argv[2]);
        return 1;
    }
    uint8_t *buf = malloc(MAX_LEN);
    if (!buf)
        return 1;
    unsigned fixed = 0, wrong = 0, runs = 0;
    for (unsigned r = 0; r < rounds; r++) {
        for (size_t s = 0; s < nseeds; s++) {
            size_t n;
            if (r % 4 == 3) {
                const uint8_t *other = seeds[(s + r) % nseeds];
                n = LLVMFuzzerCustomCrossOver(seeds[s], sizes[s], other,
                                              sizes[(s + r) % nseeds], buf,
                                              MAX_LEN, r * 131 + (unsigned)s);
            } else {
                memcpy(buf, seeds[s], sizes[s]);
                n = sizes[s];
                /* stacked: a mutation of a mutation */
                for (unsigned k = 0; k <= r % 3; k++)
                    n = LLVMFuzzerCustomMutator(buf, n, MAX_LEN,
                                                r * 977 + (unsigned)s * 31 + k);
            }
            if (n > MAX_LEN) {
                fprintf(stderr, "mutation grew past the maximum\n");
                return 1;
            }
            if (cb_fuzz_evtx_fixed) {
                fixed++;
                if (crcs_wrong(buf, n)) {
                    wrong++;
                    fprintf(stderr, "round %u seed %zu: CRCs not re-fixed\n",
                            r, s);
                }
            }
            LLVMFuzzerTestOneInput(buf, n);
            runs++;
        }
    }
    int missing = 0;
    for (int k = 0; k < cb_fuzz_evtx_nkinds; k++) {
        if (!cb_fuzz_evtx_kinds[k]) {
            fprintf(stderr, "mutation kind %d never applied\n", k);
            missing++;
        }
    }
    printf("%u inputs, %u with CRCs re-fixed, %u wrong, %d kinds unused\n",
           runs, fixed, wrong, missing);
    for (size_t s = 0; s < nseeds; s++)
        free(seeds[s]);
    free(buf);
    return wrong || missing || fixed == 0 ? 1 : 0;
}
