/*
 * test_corpus_ingest.c - the real corpus (../shared/corpus, or
 * $CASEBRIEF_CORPUS) read as a directory and as a zip of itself: every file
 * inventoried once, and each file detected and parsed the same way inside
 * an archive as on disk. Skipped, and said so, when the corpus is absent.
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"

#define MAX_FILES 1024

static struct member files[MAX_FILES];
static char *rel_names[MAX_FILES];
static size_t nfiles;
static size_t root_len;

static int collect(const char *path, const struct stat *sb, int type,
                   struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F || !S_ISREG(sb->st_mode) || nfiles == MAX_FILES)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t len = (size_t)sb->st_size;
    unsigned char *data = malloc(len ? len : 1);
    if (fread(data, 1, len, f) != len) {
        fclose(f);
        free(data);
        return 0;
    }
    fclose(f);
    rel_names[nfiles] = strdup(path + root_len + 1);
    files[nfiles] = (struct member){rel_names[nfiles], data, len, 0};
    nfiles++;
    return 0;
}

static void release(void)
{
    for (size_t i = 0; i < nfiles; i++) {
        free((void *)files[i].data);
        free(rel_names[i]);
    }
    nfiles = 0;
}

Test(corpus, directory_and_zip_of_it_give_the_same_inventory,
     .timeout = 120)
{
    const char *dir = corpus_dir();
    if (!dir)
        cr_skip_test("corpus not found (set CASEBRIEF_CORPUS): skipped");
    root_len = strlen(dir);
    while (root_len > 1 && dir[root_len - 1] == '/')
        root_len--;
    cr_assert_eq(nftw(dir, collect, 16, FTW_PHYS), 0);
    cr_assert_gt(nfiles, 10u, "the corpus holds dozens of files");

    struct cb_analysis *on_disk = cb_analysis_create_all(NULL);
    struct cb_error err = {0};
    cr_assert_eq(cb_ingest_path(on_disk, dir, &err), CB_OK, "%s", err.msg);
    cr_assert_eq(on_disk->nsources, nfiles, "every file listed once");

    size_t zlen;
    unsigned char *zip = make_archive("zip", NULL, "zip:compression=store",
                                      NULL, files, nfiles, &zlen);
    cr_assert_not_null(zip);
    struct cb_analysis *in_zip = cb_analysis_create_all(NULL);
    cr_assert_eq(cb_ingest_memory(in_zip, "corpus.zip", zip, zlen, NULL),
                 CB_OK);
    cr_assert_eq(in_zip->nsources, nfiles);
    /* damaged logs warn the same wherever they are read from */
    cr_expect_eq(in_zip->nwarnings, on_disk->nwarnings);

    char want[4096];
    for (size_t i = 0; i < on_disk->nsources; i++) {
        const struct cb_source *d = on_disk->sources[i];
        snprintf(want, sizeof want, "corpus.zip!%s", d->path + root_len + 1);
        const struct cb_source *z = find_source(in_zip, want);
        cr_assert_not_null(z, "%s missing from the zip run", want);
        cr_expect_str_eq(z->format, d->format, "%s", want);
        cr_expect_eq(z->nevents, d->nevents, "%s", want);
        cr_expect_str_eq(z->host, d->host, "%s", want);
        cr_expect_eq(z->nwarnings, d->nwarnings, "%s", want);
    }
    cb_analysis_destroy(&in_zip);
    cb_analysis_destroy(&on_disk);
    free(zip);
    release();
}
