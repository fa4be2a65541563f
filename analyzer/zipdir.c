/*
 * zipdir.c - a zip's two tables of contents compared. A zip names each
 * member twice: in its local file header, just before the data, and in the
 * central directory at the end. libarchive reads the name of the local
 * header (whether it walks the directory, as for a file on disk, or the
 * local headers, as for a stream), and only warns when the two disagree on
 * sizes. A member smuggled under another name, listed by one table and not
 * the other, or laid over another member's bytes is what an engineer must
 * see, so this module reads the directory itself (the end of the file, and
 * one local header per entry: no second pass over the data) and warns
 * about each disagreement.
 *
 * Format: PKWARE APPNOTE.TXT 6.3.x, sections 4.3.7 (local file header),
 * 4.3.12 (central directory header), 4.3.14-4.3.16 (Zip64 end of central
 * directory record and locator, end of central directory record), 4.5.3
 * (Zip64 extended information extra field). Every field is read with the
 * little-endian helpers and every length checked against the file.
 */
#include "zipdir.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "platform.h"
#include "endian.h"
#include "sort.h"
#include "term.h"

#define EOCD_LEN 22u
#define EOCD_SEARCH (65535u + EOCD_LEN)
#define Z64_LOCATOR_LEN 20u
#define Z64_EOCD_LEN 56u
#define CDH_LEN 46u
#define LFH_LEN 30u
#define NAME_CAP CB_LIMIT_MEMBER_NAME_BYTES
#define FLAG_DESCRIPTOR 0x0008u /* sizes follow the data (4.4.4 bit 3) */

struct zentry {
    uint64_t off;   /* local header, from the start of the file */
    uint64_t csize; /* compressed bytes */
    uint64_t end;   /* end of its data, once the local header is read */
    size_t name_at; /* its name in the directory buffer */
    size_t index;   /* directory order */
    uint16_t name_len;
    uint16_t flags;
    int local; /* a local header is at off */
};

struct zd {
    struct cb_analysis *an;
    const char *label;
    uint64_t size;
    cb_zipdir_read_fn rd;
    void *ctx;
    int streamed;
    unsigned warned;    /* warnings given */
    unsigned long more; /* disagreements past the cap, counted */
    /* a window over the file: small members' headers come a few to a
     * read, not one system call each */
    unsigned char *win;
    uint64_t win_off;
    size_t win_len;
};

#define WINDOW ((size_t)64 << 10)

/* n bytes at off, through the window when they fit in one. */
static int zread(struct zd *z, uint64_t off, void *buf, size_t n)
{
    if (!z->win || n > WINDOW)
        return z->rd(z->ctx, off, buf, n);
    if (off < z->win_off || off - z->win_off > z->win_len ||
        n > z->win_len - (off - z->win_off)) {
        if (off > z->size || n > z->size - off)
            return -1;
        size_t len = z->size - off < WINDOW ? (size_t)(z->size - off) : WINDOW;
        if (z->rd(z->ctx, off, z->win, len) != 0) {
            z->win_len = 0;
            return -1;
        }
        z->win_off = off;
        z->win_len = len;
    }
    memcpy(buf, z->win + (off - z->win_off), n);
    return 0;
}

/* The directory as declared: where it is, how long, how many entries, and
 * base, the bytes before the zip proper (a self-extractor's stub). */
struct zdir {
    uint64_t off, len, entries, base;
};

static void say(struct zd *z, const char *source, uint64_t where,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void say(struct zd *z, const char *source, uint64_t where,
                const char *fmt, ...)
{
    if (z->warned >= CB_LIMIT_WARNINGS_PER_SOURCE) {
        z->more++;
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    z->warned++;
    cb_analysis_warn(z->an, source ? source : z->label, CB_WHERE_OFFSET, where,
                     "%s", msg);
}

/* A raw name (n bytes, maybe no NUL, maybe not UTF-8) made printable. */
static void shown_name(const unsigned char *raw, size_t n, char *out,
                       size_t size)
{
    char buf[NAME_CAP + 1];
    if (n > NAME_CAP)
        n = NAME_CAP;
    memcpy(buf, raw, n);
    buf[n] = '\0';
    cb_term_clean(buf, out, size);
}

/* The member's label as ingest.c makes it: "zip!name", '!' replaced. */
static const char *member_label(struct zd *z, const unsigned char *raw,
                                size_t n)
{
    char name[NAME_CAP + 1], path[CB_LIMIT_PATH_BYTES];
    shown_name(raw, n, name, sizeof name);
    for (char *p = strchr(name, '!'); p; p = strchr(p + 1, '!'))
        *p = '?';
    if ((size_t)snprintf(path, sizeof path, "%s!%s", z->label, name) >=
        sizeof path)
        return z->label;
    const char *s = cb_arena_strdup(z->an->arena, path);
    return s ? s : z->label;
}

/* Find the end of central directory record in the file's last 64 KiB and
 * the Zip64 record it may point to. 0 when found and consistent. */
static int find_dir(struct zd *z, struct zdir *d)
{
    size_t t = z->size < EOCD_SEARCH ? (size_t)z->size : EOCD_SEARCH;
    if (t < EOCD_LEN)
        return -1;
    unsigned char *tail = cb_malloc(t);
    if (!tail || z->rd(z->ctx, z->size - t, tail, t) != 0) {
        cb_free(tail);
        return -1;
    }
    size_t i = t - EOCD_LEN + 1;
    const unsigned char *e = NULL;
    while (i-- > 0) {
        const unsigned char *p = tail + i;
        if (memcmp(p, "PK\005\006", 4) == 0 &&
            i + EOCD_LEN + cb_le16(p + 20) <= t) {
            e = p;
            break;
        }
    }
    int rc = -1;
    if (e && cb_le16(e + 4) == 0 && cb_le16(e + 6) == 0) { /* one disk */
        uint64_t at = z->size - t + i; /* where the directory ends */
        d->entries = cb_le16(e + 10);
        d->len = cb_le32(e + 12);
        d->off = cb_le32(e + 16);
        rc = 0;
        if (d->entries == 0xFFFF || d->len == 0xFFFFFFFF ||
            d->off == 0xFFFFFFFF) {
            unsigned char loc[Z64_LOCATOR_LEN], rec[Z64_EOCD_LEN];
            uint64_t z64;
            rc = -1;
            if (at >= Z64_LOCATOR_LEN &&
                z->rd(z->ctx, at - Z64_LOCATOR_LEN, loc, sizeof loc) == 0 &&
                memcmp(loc, "PK\006\007", 4) == 0 &&
                (z64 = cb_le64(loc + 8)) <= at - Z64_LOCATOR_LEN &&
                at - Z64_LOCATOR_LEN - z64 >= Z64_EOCD_LEN &&
                z->rd(z->ctx, z64, rec, sizeof rec) == 0 &&
                memcmp(rec, "PK\006\006", 4) == 0) {
                d->entries = cb_le64(rec + 32);
                d->len = cb_le64(rec + 40);
                d->off = cb_le64(rec + 48);
                at = z64;
                rc = 0;
            }
        }
        /* bytes before the zip proper shift every offset (libarchive
         * makes the same correction) */
        if (rc == 0 && (d->off > at || d->len > at - d->off))
            rc = -1;
        if (rc == 0)
            d->base = at - d->off - d->len;
    }
    cb_free(tail);
    return rc;
}

/* Zip64 extended information (4.5.3): the 64-bit values of the fields the
 * header set to 0xFFFFFFFF, in this order. */
static void zip64_extra(const unsigned char *x, size_t len, uint64_t *usize,
                        uint64_t *csize, uint64_t *off)
{
    while (len >= 4) {
        uint16_t id = cb_le16(x), n = cb_le16(x + 2);
        if ((size_t)n > len - 4)
            return;
        if (id == 0x0001) {
            const unsigned char *v = x + 4;
            size_t left = n;
            uint64_t *f[3] = {usize, csize, off};
            for (int k = 0; k < 3; k++) {
                if (*f[k] != 0xFFFFFFFF)
                    continue;
                if (left < 8)
                    return;
                *f[k] = cb_le64(v);
                v += 8;
                left -= 8;
            }
            return;
        }
        x += 4 + (size_t)n;
        len -= 4 + (size_t)n;
    }
}

/* The directory's entries, in its order; *n: how many parsed (a damaged
 * directory ends the list where it breaks, and libarchive says why). */
static struct zentry *parse_dir(const unsigned char *cd, uint64_t len,
                                uint64_t want, size_t *n)
{
    if (want > len / CDH_LEN) /* a count the bytes cannot hold */
        want = len / CDH_LEN;
    struct zentry *v = cb_calloc(want ? (size_t)want : 1, sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    size_t p = 0;
    while (*n < want && len - p >= CDH_LEN &&
           memcmp(cd + p, "PK\001\002", 4) == 0) {
        const unsigned char *h = cd + p;
        size_t nl = cb_le16(h + 28), xl = cb_le16(h + 30), cl = cb_le16(h + 32);
        if (len - p - CDH_LEN < nl + xl + cl)
            break;
        struct zentry *e = &v[*n];
        uint64_t usize = cb_le32(h + 24);
        e->csize = cb_le32(h + 20);
        e->off = cb_le32(h + 42);
        zip64_extra(h + CDH_LEN + nl, xl, &usize, &e->csize, &e->off);
        e->flags = cb_le16(h + 8);
        e->name_at = p + CDH_LEN;
        e->name_len = (uint16_t)nl;
        e->index = *n;
        (*n)++;
        p += CDH_LEN + nl + xl + cl;
    }
    return v;
}

/* Read entry e's local header; warn when it is missing or names the member
 * otherwise. */
static void check_local(struct zd *z, const struct zdir *d,
                        const unsigned char *cd, struct zentry *e)
{
    unsigned char h[LFH_LEN + NAME_CAP];
    const unsigned char *cname = cd + e->name_at;
    char cshown[256], lshown[256];
    /* the header and a name as long as the directory's: one small read
     * per member when they agree */
    size_t want = LFH_LEN + (e->name_len < NAME_CAP ? e->name_len : NAME_CAP);
    uint64_t at = e->off;
    size_t got = 0;
    if (at <= z->size && d->base <= z->size - at) {
        at += d->base;
        got = z->size - at < want ? (size_t)(z->size - at) : want;
    }
    if (got < LFH_LEN || zread(z, at, h, got) != 0 ||
        memcmp(h, "PK\003\004", 4) != 0) {
        shown_name(cname, e->name_len, cshown, sizeof cshown);
        say(z, NULL, e->off,
            "the central directory lists '%s' at offset %llu, where there "
            "is no local file header: not read",
            cshown, (unsigned long long)e->off);
        return;
    }
    size_t ln = cb_le16(h + 26), lx = cb_le16(h + 28);
    e->local = 1;
    e->off = at;
    /* its data's end, the file's at most (the gap check needs no more) */
    uint64_t hdr = LFH_LEN + ln + lx, left = z->size - at;
    e->end =
        hdr > left || e->csize > left - hdr ? z->size : at + hdr + e->csize;
    /* names over the cap are skipped by ingest.c with a warning */
    if (ln > NAME_CAP || e->name_len > NAME_CAP)
        return;
    if (LFH_LEN + ln > got && /* a longer local name: read it too */
        (z->size - at < LFH_LEN + ln ||
         zread(z, at + LFH_LEN, h + LFH_LEN, ln) != 0))
        return;
    if (ln == e->name_len && memcmp(h + LFH_LEN, cname, ln) == 0)
        return;
    shown_name(cname, e->name_len, cshown, sizeof cshown);
    shown_name(h + LFH_LEN, ln, lshown, sizeof lshown);
    say(z, member_label(z, h + LFH_LEN, ln), at,
        "the central directory names it '%s', its local header '%s'; read "
        "as '%s'",
        cshown, lshown, lshown);
}

static int by_offset(const void *a, const void *b)
{
    const struct zentry *x = a, *y = b;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Bytes between pos and next that no entry of the directory accounts for
 * (after a data descriptor, when the member before has one). */
static void check_gap(struct zd *z, uint64_t pos, uint64_t next, int desc)
{
    /* a data descriptor: optional signature, CRC-32, two 4- or 8-byte
     * sizes; when more follows, the length that lands on a local header */
    static const unsigned desc_len[] = {16, 12, 24, 20};
    unsigned char h[LFH_LEN + NAME_CAP];
    for (size_t k = 0; desc && k < sizeof desc_len / sizeof *desc_len; k++) {
        if (next - pos == desc_len[k])
            return;
        if (next - pos > desc_len[k] + 4 &&
            zread(z, pos + desc_len[k], h, 4) == 0 &&
            memcmp(h, "PK\003\004", 4) == 0) {
            pos += desc_len[k];
            break;
        }
    }
    uint64_t gap = next - pos;
    size_t got = gap < sizeof h ? (size_t)gap : sizeof h;
    if (got >= LFH_LEN && zread(z, pos, h, got) == 0 &&
        memcmp(h, "PK\003\004", 4) == 0) {
        size_t ln = cb_le16(h + 26);
        char shown[256];
        shown_name(h + LFH_LEN, ln <= got - LFH_LEN ? ln : got - LFH_LEN, shown,
                   sizeof shown);
        say(z, NULL, pos,
            "a local file header at offset %llu names '%s', which the "
            "central directory does not list (%llu bytes unlisted there): "
            "%s",
            (unsigned long long)pos, shown, (unsigned long long)gap,
            z->streamed ? "read from its local header"
                        : "not read, a tool that follows local headers "
                          "would show it");
        return;
    }
    say(z, NULL, pos,
        "%llu bytes at offset %llu are not listed in the central directory",
        (unsigned long long)gap, (unsigned long long)pos);
}

/* Walk the members by offset: entries sharing or overlapping bytes, and
 * bytes no entry covers, up to the directory. */
static void check_layout(struct zd *z, const struct zdir *d,
                         const unsigned char *cd, struct zentry *v, size_t n)
{
    cb_sort(v, n, sizeof *v, by_offset);
    uint64_t pos = d->base;
    int desc = 0;
    const struct zentry *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        struct zentry *e = &v[i];
        if (!e->local)
            continue;
        if (prev && e->off < pos) {
            char a[256], b[256];
            shown_name(cd + prev->name_at, prev->name_len, a, sizeof a);
            shown_name(cd + e->name_at, e->name_len, b, sizeof b);
            say(z, NULL, e->off,
                e->off == prev->off
                    ? "the central directory lists '%s' and '%s' at one "
                      "local file header (offset %llu): read once"
                    : "the central directory lists '%s' and '%s' over "
                      "the same bytes (from offset %llu): both read",
                a, b, (unsigned long long)e->off);
        } else if (e->off > pos) {
            check_gap(z, pos, e->off, desc);
        }
        if (e->end > pos) {
            pos = e->end;
            desc = (e->flags & FLAG_DESCRIPTOR) != 0;
        }
        prev = e;
    }
    uint64_t dir = d->off + d->base;
    if (pos < dir)
        check_gap(z, pos, dir, desc);
}

enum cb_status cb_zipdir_check(struct cb_analysis *an, const char *label,
                               uint64_t size, cb_zipdir_read_fn rd, void *ctx,
                               int streamed)
{
    struct zd z = {
        .an = an, .size = size, .rd = rd, .ctx = ctx, .streamed = streamed};
    struct zdir d;
    if (!(z.label = label = cb_arena_strdup(an->arena, label)))
        return CB_E_NOMEM;
    if (find_dir(&z, &d) != 0)
        return CB_OK; /* libarchive judges what is left */
    if (d.entries > CB_LIMIT_MEMBERS || d.len > CB_LIMIT_ZIP_DIRECTORY_BYTES) {
        cb_analysis_warn(an, label, CB_WHERE_NONE, 0,
                         "central directory of %llu entries, %llu bytes: too "
                         "large to compare with the local headers",
                         (unsigned long long)d.entries,
                         (unsigned long long)d.len);
        return CB_OK;
    }
    unsigned char *cd = cb_malloc(d.len ? (size_t)d.len : 1);
    if (!cd)
        return CB_E_NOMEM;
    if (rd(ctx, d.off + d.base, cd, (size_t)d.len) != 0) {
        cb_free(cd);
        return CB_OK;
    }
    size_t n;
    struct zentry *v = parse_dir(cd, d.len, d.entries, &n);
    if (!v) {
        cb_free(cd);
        return CB_E_NOMEM;
    }
    z.win = cb_malloc(WINDOW); /* without it, one read per header */
    for (size_t i = 0; i < n; i++)
        check_local(&z, &d, cd, &v[i]);
    check_layout(&z, &d, cd, v, n);
    if (z.more)
        cb_analysis_warn(an, label, CB_WHERE_NONE, 0,
                         "%lu more disagreements between the central "
                         "directory and the local headers not listed",
                         z.more);
    cb_free(z.win);
    cb_free(v);
    cb_free(cd);
    return CB_OK;
}

static int fd_read_at(void *ctx, uint64_t off, void *buf, size_t n)
{
    int fd = *(int *)ctx;
    unsigned char *p = buf;
    while (n) {
        long r = cb_pread(fd, p, n, off);
        if (r <= 0)
            return -1; /* EINTR: the check is skipped, never the read */
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

int cb_zipdir_ends_whole(int fd, uint64_t size)
{
    /* the record is 22 bytes plus a comment of at most 65535 */
    unsigned char tail[22 + 65535];
    size_t n = size < sizeof tail ? (size_t)size : sizeof tail;
    if (n < 22)
        return 0;
    if (fd_read_at(&fd, size - n, tail, n) != 0)
        return -1;
    for (size_t at = n - 22 + 1; at-- > 0;) {
        if (memcmp(tail + at, "PK\5\6", 4) == 0 &&
            at + 22 + cb_le16(tail + at + 20) == n)
            return 1;
    }
    return 0;
}

enum cb_status cb_zipdir_check_fd(struct cb_analysis *an, const char *label,
                                  int fd, uint64_t size)
{
    return cb_zipdir_check(an, label, size, fd_read_at, &fd, 0);
}

struct mem {
    const unsigned char *p;
    size_t len;
};

static int mem_read_at(void *ctx, uint64_t off, void *buf, size_t n)
{
    const struct mem *m = ctx;
    if (off > m->len || n > m->len - off)
        return -1;
    memcpy(buf, m->p + off, n);
    return 0;
}

enum cb_status cb_zipdir_check_mem(struct cb_analysis *an, const char *label,
                                   const void *data, size_t len)
{
    struct mem m = {data, len};
    return cb_zipdir_check(an, label, len, mem_read_at, &m, 1);
}
