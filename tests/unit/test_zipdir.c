/*
 * test_zipdir.c - a zip whose central directory and local file headers
 * disagree (zipdir.c): a member renamed in one of them, listed by only one,
 * two entries over one local header, an entry pointing past the file. The
 * zips are written by libarchive, then their central directory is patched
 * here (names of equal length, offsets, a dropped entry), as an attacker
 * would; each case is read both from disk (libarchive walks the directory)
 * and from memory (libarchive follows the local headers).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "zipdir.h"

#define REAL "HV-REAL_cluster.log"
#define FAKE "HV-FAKE_cluster.log" /* same length: lengths stay valid */
#define GOOD "HV-GOOD_cluster.log"
#define LINES 4

static uint16_t rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void wr16(unsigned char *p, size_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void wr32(unsigned char *p, uint32_t v)
{
    wr16(p, v & 0xFFFF);
    wr16(p + 2, v >> 16);
}

/* Two stored members, GOOD then REAL, each LINES cluster.log lines. */
static unsigned char *two_member_zip(size_t *len)
{
    size_t l1, l2;
    char *a = clusterlog_lines(9, LINES, &l1);
    char *b = clusterlog_lines(10, LINES, &l2);
    struct member m[] = {{GOOD, a, l1, 0}, {REAL, b, l2, 0}};
    unsigned char *z =
        make_archive("zip", NULL, "zip:compression=store", NULL, m, 2, len);
    cr_assert_not_null(z);
    free(a);
    free(b);
    return z;
}

/* The central directory header naming name (by its own length field). */
static unsigned char *cd_entry(unsigned char *z, size_t len, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + 46 + nl <= len; i++) {
        unsigned char *h = z + i;
        if (memcmp(h, "PK\1\2", 4) == 0 && rd16(h + 28) == nl &&
            memcmp(h + 46, name, nl) == 0)
            return h;
    }
    cr_assert_fail("no central directory entry for %s", name);
    return NULL;
}

static unsigned char *eocd(unsigned char *z, size_t len)
{
    for (size_t i = len - 22 + 1; i-- > 0;)
        if (memcmp(z + i, "PK\5\6", 4) == 0)
            return z + i;
    cr_assert_fail("no end of central directory");
    return NULL;
}

/* Remove name's entry from the directory (the local header stays). */
static void cd_drop(unsigned char *z, size_t *len, const char *name)
{
    unsigned char *h = cd_entry(z, *len, name);
    size_t n = 46 + (size_t)rd16(h + 28) + rd16(h + 30) + rd16(h + 32);
    memmove(h, h + n, (size_t)(z + *len - (h + n)));
    *len -= n;
    unsigned char *e = eocd(z, *len);
    wr16(e + 8, rd16(e + 8) - 1u);
    wr16(e + 10, rd16(e + 10) - 1u);
    uint32_t size =
        (uint32_t)(e[12] | e[13] << 8 | e[14] << 16 | (uint32_t)e[15] << 24);
    wr32(e + 12, size - (uint32_t)n);
}

/* Analyse z as case.zip, from memory (streamed) or from a file on disk. */
static struct cb_analysis *ingest(const unsigned char *z, size_t len,
                                  int on_disk)
{
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    if (!on_disk) {
        cr_assert_eq(cb_ingest_memory(an, "case.zip", z, len, NULL), CB_OK);
        return an;
    }
    char dir[] = "/tmp/cb-zipdir-XXXXXX";
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    cr_assert_eq(chdir(dir), 0);
    FILE *f = fopen("case.zip", "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(z, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(cb_ingest_path(an, "case.zip", NULL), CB_OK);
    unlink("case.zip");
    cr_assert_eq(chdir("/"), 0);
    rmdir(dir);
    return an;
}

/* The bundle warning from source whose message holds every needle. */
static const struct cb_warning *warning(const struct cb_analysis *an,
                                        const char *source, const char *n1,
                                        const char *n2)
{
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        if (w->source && strcmp(w->source, source) == 0 && strstr(w->msg, n1) &&
            (!n2 || strstr(w->msg, n2)))
            return w;
    return NULL;
}

static size_t directory_warnings(const struct cb_analysis *an)
{
    size_t n = 0;
    for (const struct cb_warning *w = an->warnings; w; w = w->next)
        n += strstr(w->msg, "central directory") != NULL;
    return n;
}

static void expect_events(const struct cb_analysis *an, const char *path)
{
    const struct cb_source *s = find_source(an, path);
    cr_assert_not_null(s, "no source %s", path);
    cr_expect_str_eq(s->format, "clusterlog");
    cr_expect_eq(s->nevents, LINES, "%s: %llu events", path,
                 (unsigned long long)s->nevents);
}

Test(zipdir, names_agreeing_give_no_warning)
{
    size_t len;
    unsigned char *z = two_member_zip(&len);
    for (int disk = 0; disk < 2; disk++) {
        struct cb_analysis *an = ingest(z, len, disk);
        cr_expect_eq(directory_warnings(an), 0, "disk=%d", disk);
        expect_events(an, "case.zip!" GOOD);
        expect_events(an, "case.zip!" REAL);
        cb_analysis_destroy(&an);
    }
    free(z);
}

Test(zipdir, a_member_renamed_in_the_directory_is_named_both_ways)
{
    size_t len;
    unsigned char *z = two_member_zip(&len);
    memcpy(cd_entry(z, len, REAL) + 46, FAKE, strlen(FAKE));
    for (int disk = 0; disk < 2; disk++) {
        struct cb_analysis *an = ingest(z, len, disk);
        const struct cb_warning *w = warning(
            an, "case.zip!" REAL, "central directory names it '" FAKE "'",
            "local header '" REAL "'; read as '" REAL "'");
        cr_expect_not_null(w, "disk=%d: no warning naming both names", disk);
        cr_expect_eq(directory_warnings(an), 1, "disk=%d", disk);
        /* read under the local name, events and all */
        expect_events(an, "case.zip!" REAL);
        cr_expect_null(find_source(an, "case.zip!" FAKE));
        expect_events(an, "case.zip!" GOOD);
        cb_analysis_destroy(&an);
    }
    free(z);
}

Test(zipdir, a_member_the_directory_does_not_list_is_named)
{
    size_t len;
    unsigned char *z = two_member_zip(&len);
    cd_drop(z, &len, REAL);
    for (int disk = 0; disk < 2; disk++) {
        struct cb_analysis *an = ingest(z, len, disk);
        const struct cb_warning *w =
            warning(an, "case.zip", "names '" REAL "'",
                    "the central directory does not list");
        cr_expect_not_null(w, "disk=%d: hidden member not named", disk);
        if (disk) { /* libarchive walks the directory: never read */
            cr_expect(w && strstr(w->msg, "not read"), "%s", w ? w->msg : "");
            cr_expect_null(find_source(an, "case.zip!" REAL));
        } else { /* it follows the local headers: read */
            cr_expect(w && strstr(w->msg, "read from its local header"));
            expect_events(an, "case.zip!" REAL);
        }
        expect_events(an, "case.zip!" GOOD);
        cb_analysis_destroy(&an);
    }
    free(z);
}

Test(zipdir, two_entries_over_one_local_header)
{
    size_t len;
    unsigned char *z = two_member_zip(&len);
    unsigned char *good = cd_entry(z, len, GOOD);
    memcpy(cd_entry(z, len, REAL) + 42, good + 42, 4);
    for (int disk = 0; disk < 2; disk++) {
        struct cb_analysis *an = ingest(z, len, disk);
        cr_expect_not_null(warning(an, "case.zip",
                                   "lists '" GOOD "' and '" REAL "'",
                                   "at one local file header"),
                           "disk=%d", disk);
        /* REAL's entry now names GOOD's local header otherwise */
        cr_expect_not_null(
            warning(an, "case.zip!" GOOD, "names it '" REAL "'", NULL),
            "disk=%d", disk);
        expect_events(an, "case.zip!" GOOD);
        cb_analysis_destroy(&an);
    }
    free(z);
}

Test(zipdir, offsets_outside_the_file_never_crash)
{
    static const uint32_t offs[] = {0xFFFFFFF0u, 0xFFFFFFFFu, 1u, 0x7FFFFFFFu};
    for (size_t k = 0; k < sizeof offs / sizeof *offs; k++) {
        size_t len;
        unsigned char *z = two_member_zip(&len);
        wr32(cd_entry(z, len, REAL) + 42, offs[k]);
        for (int disk = 0; disk < 2; disk++) {
            struct cb_analysis *an = ingest(z, len, disk);
            cr_expect_not_null(warning(an, "case.zip",
                                       "lists '" REAL "' at offset",
                                       "no local file header: not read"),
                               "offset %#x disk=%d", offs[k], disk);
            expect_events(an, "case.zip!" GOOD);
            cb_analysis_destroy(&an);
        }
        free(z);
    }
}

Test(zipdir, a_directory_larger_than_the_file_is_left_to_libarchive)
{
    size_t len;
    unsigned char *z = two_member_zip(&len);
    unsigned char *e = eocd(z, len);
    wr32(e + 12, 0x7FFFFFF0u); /* directory size */
    wr16(e + 10, 0xFFFF);      /* asks for Zip64, which is not there */
    struct cb_analysis *an = ingest(z, len, 0);
    cr_expect_eq(directory_warnings(an), 0);
    expect_events(an, "case.zip!" GOOD);
    cb_analysis_destroy(&an);
    free(z);
}

/* Directories mutated at random (bytes flipped, 16- and 32-bit fields set
 * to extremes, the file cut) checked directly, many times: no crash, no
 * read outside the file (the sanitizer build runs this too). */
Test(zipdir, mutated_directories_never_crash, .timeout = 120)
{
    size_t len;
    unsigned char *z = two_member_zip(&len);
    cd_drop(z, &len, GOOD); /* a gap, so the layout walk runs too */
    unsigned char *m = malloc(len);
    cr_assert_not_null(m);
    static const uint32_t extreme[] = {
        0, 1, 0xFFFF, 0xFFFFFFFFu, 0xFFFFFFF0u, 0x7FFFFFFFu, 46, 22};
    uint32_t seed = 12345;
    size_t warnings = 0;
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    for (int it = 0; it < 20000; it++) {
        memcpy(m, z, len);
        size_t n = len;
        for (int k = 0; k < 1 + it % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            /* mostly the directory and its end, sometimes anywhere */
            size_t at = (seed >> 8) % (it % 3 ? 120 : len);
            at = it % 3 ? len - 1 - at : at;
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 4) % 3 == 0 && at + 4 <= n)
                wr32(m + at, extreme[(seed >> 12) % 8]);
            else
                m[at] = (unsigned char)(seed >> 16);
        }
        if (it % 7 == 0)
            n -= (seed >> 8) % 64;
        cr_assert_eq(cb_zipdir_check_mem(an, "case.zip", m, n), CB_OK);
        if (it % 1000 == 999) { /* keep the warnings' memory bounded */
            warnings += an->nwarnings;
            cb_analysis_destroy(&an);
            an = cb_analysis_create_all(NULL);
        }
    }
    /* the mutations reached the comparison, not only the end record */
    cr_expect_gt(warnings, 1000, "%zu warnings", warnings);
    cb_analysis_destroy(&an);
    free(m);
    free(z);
}
