/*
 * helpers.c - see helpers.h.
 */
#include <archive.h>
#include <criterion/criterion.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"

unsigned char *make_archive(const char *format, const char *filter,
                            const char *options, const char *passphrase,
                            const struct member *m, size_t n, size_t *len)
{
    size_t cap = 1 << 20;
    for (size_t i = 0; i < n; i++)
        cap += m[i].len + 1024;
    cap += cap / 4; /* room for stored zips and headers */
    unsigned char *buf = malloc(cap);
    if (!buf)
        return NULL;
    struct archive *a = archive_write_new();
    if (archive_write_set_format_by_name(a, format) != ARCHIVE_OK)
        goto fail;
    if (filter && archive_write_add_filter_by_name(a, filter) != ARCHIVE_OK)
        goto fail;
    if (options && archive_write_set_options(a, options) != ARCHIVE_OK)
        goto fail;
    if (passphrase && archive_write_set_passphrase(a, passphrase) != ARCHIVE_OK)
        goto fail;
    size_t used = 0;
    if (archive_write_open_memory(a, buf, cap, &used) != ARCHIVE_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_mtime(e, 1731628800, 0);
        if (m[i].symlink) {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, (const char *)m[i].data);
            archive_entry_set_perm(e, 0777);
            archive_entry_set_size(e, 0);
        } else {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 0644);
            archive_entry_set_size(e, (la_int64_t)m[i].len);
        }
        if (archive_write_header(a, e) != ARCHIVE_OK) {
            archive_entry_free(e);
            goto fail;
        }
        if (!m[i].symlink && m[i].len &&
            archive_write_data(a, m[i].data, m[i].len) < 0) {
            archive_entry_free(e);
            goto fail;
        }
        archive_entry_free(e);
    }
    if (archive_write_close(a) != ARCHIVE_OK)
        goto fail;
    archive_write_free(a);
    *len = used;
    return buf;
fail:
    fprintf(stderr, "make_archive(%s, %s): %s\n", format, filter ? filter : "-",
            archive_error_string(a));
    archive_write_free(a);
    free(buf);
    return NULL;
}

char *clusterlog_lines(int hour, int count, size_t *len)
{
    size_t cap = (size_t)count * 128 + 1;
    char *buf = malloc(cap);
    size_t n = 0;
    for (int i = 0; i < count; i++)
        n += (size_t)snprintf(buf + n, cap - n,
                              "00000a1c.00001f04::2024/11/15-%02d:%02d:%02d."
                              "%03d INFO  [RCM] line %d\r\n",
                              hour, i / 60 % 60, i % 60, i % 1000, i);
    *len = n;
    return buf;
}

struct cb_analysis *analysis(const struct cb_limits *lim)
{
    return cb_analysis_create_all(lim);
}

const struct cb_source *find_source(const struct cb_analysis *an,
                                    const char *path)
{
    for (size_t i = 0; i < an->nsources; i++) {
        if (strcmp(an->sources[i]->path, path) == 0)
            return an->sources[i];
    }
    return NULL;
}

int has_warning(const struct cb_analysis *an, const char *needle)
{
    for (const struct cb_warning *w = an->warnings; w; w = w->next) {
        if ((w->source && strstr(w->source, needle)) || strstr(w->msg, needle))
            return 1;
    }
    return 0;
}

const char *corpus_dir(void)
{
    /* CASEBRIEF_CORPUS at run time wins over the configure-time default */
    const char *c = getenv("CASEBRIEF_CORPUS");
    if (!c)
        c = getenv("CB_CORPUS_DEFAULT");
    struct stat sb;
    if (c && stat(c, &sb) == 0 && S_ISDIR(sb.st_mode))
        return c;
    return NULL;
}

const struct cb_event *source_event(const struct cb_source *src, size_t i)
{
    cr_assert_lt(i, src->nevents, "event %zu of %llu", i,
                 (unsigned long long)src->nevents);
    return src->events[i];
}

const char *event_field(const struct cb_event *e, const char *name)
{
    for (uint32_t i = 0; i < e->nfields; i++) {
        if (strcmp(e->fields[i].name, name) == 0)
            return e->fields[i].value;
    }
    return NULL;
}

void expect_event_field(const struct cb_event *e, const char *name,
                        const char *want)
{
    const char *v = event_field(e, name);
    cr_assert_not_null(v, "no field %s", name);
    cr_assert_str_eq(v, want, "field %s", name);
}

const char *msg_of(const struct cb_event *e)
{
    static struct cb_msgbuf bufs[8];
    static unsigned next;
    next = (next + 1) % 8;
    return cb_event_message(e, &bufs[next]);
}
