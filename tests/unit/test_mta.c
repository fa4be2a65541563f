/*
 * test_mta.c - Event Viewer locale metadata (.MTA): the loader on files
 * written here from the layout described atop parsers/mta.c (header,
 * section table, paged EVT/MSG/PUB sections), each field then truncated
 * or corrupted; the pairing pass that gives the messages to a log's
 * events.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "endian.h"
#include "helpers.h"

/* ---- a small MTA writer ------------------------------------------------ */

struct buf {
    unsigned char *p;
    size_t len, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        cr_assert_not_null(b->p);
    }
    if (d)
        memcpy(b->p + b->len, d, n);
    else
        memset(b->p + b->len, 0, n);
    b->len += n;
}

static void put32(struct buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                          (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    put(b, x, 4);
}

static void put64(struct buf *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}

static void set32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void set64(unsigned char *p, uint64_t v)
{
    set32(p, (uint32_t)v);
    set32(p + 4, (uint32_t)(v >> 32));
}

/* ASCII or UTF-16 units as UTF-16LE bytes (no NUL). */
static void put_u16(struct buf *b, const uint16_t *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x[2] = {(unsigned char)u[i], (unsigned char)(u[i] >> 8)};
        put(b, x, 2);
    }
}

static size_t ascii_u16(const char *s, uint16_t *u)
{
    size_t n = 0;
    for (; *s; s++)
        u[n++] = (unsigned char)*s;
    return n;
}

/* One entry body. */
struct body {
    unsigned char *p;
    size_t len;
};

/* Entries laid out as the real file lays them: pages of a 0x58-byte
 * header and 100 offset slots, then that page's entries. */
static void section(struct buf *b, const struct body *e, size_t n)
{
    size_t start = b->len;
    size_t page = 0, first = 0;
    do {
        size_t pg = b->len - start;
        size_t cnt = n - first < 100 ? n - first : 100;
        put32(b, 0xFFFFFFFFu);
        for (int i = 0; i < 14; i++)
            put32(b, (uint32_t)(first + cnt - 1));
        put32(b, 0xFFFFFFFFu);
        put64(b, page);
        size_t next_at = b->len;
        put64(b, 0);
        put64(b, pg);
        size_t slots = b->len;
        put(b, NULL, 800);
        for (size_t i = 0; i < cnt; i++) {
            set64(b->p + slots + 8 * i, b->len - start);
            put32(b, (uint32_t)(first + i));
            put32(b, (uint32_t)e[first + i].len);
            put(b, e[first + i].p, e[first + i].len);
        }
        first += cnt;
        set64(b->p + next_at, first < n ? b->len - start : pg);
        page++;
    } while (first < n);
}

struct rec {
    uint64_t id;
    const uint16_t *text; /* UTF-16 units */
    size_t units;
};

/* Sections' file offsets, for the tests that corrupt them. */
struct layout {
    size_t evt, msg, pub, end;
    size_t table; /* section table */
};

/*
 * An MTA with one publisher (name pub, one level named "Information")
 * after the default one, and the records' messages. MSG holds the level
 * name first, as the real file puts the publishers' names first.
 */
static unsigned char *mta_file(const struct rec *r, size_t n, const char *pub,
                               size_t *len, struct layout *lay)
{
    struct body *msg = calloc(n + 1, sizeof *msg);
    struct body *evt = calloc(n ? n : 1, sizeof *evt);
    cr_assert(msg && evt);
    uint16_t u[512];
    for (size_t i = 0; i <= n; i++) {
        struct buf m = {0};
        size_t units = i == 0 ? ascii_u16("Information", u) : r[i - 1].units;
        const uint16_t *text = i == 0 ? u : r[i - 1].text;
        put32(&m, (uint32_t)(2 * units + 2));
        put_u16(&m, text, units);
        put(&m, "\0\0", 2);
        msg[i] = (struct body){m.p, m.len};
    }
    for (size_t i = 0; i < n; i++) {
        struct buf e = {0};
        put64(&e, r[i].id);
        put64(&e, i + 1);
        evt[i] = (struct body){e.p, e.len};
    }
    struct body pubs[2];
    for (int k = 0; k < 2; k++) {
        struct buf p = {0};
        put32(&p, 1); /* levels */
        put32(&p, 4);
        put32(&p, 0);
        put32(&p, 0); /* tasks */
        put32(&p, 0); /* opcodes */
        put32(&p, 0); /* keywords */
        size_t units = ascii_u16(k == 0 ? "DEFAULT_PUBLISHER" : pub, u);
        put32(&p, (uint32_t)(2 * units));
        put_u16(&p, u, units);
        pubs[k] = (struct body){p.p, p.len};
    }

    struct buf f = {0};
    put(&f, "MTAFile\0", 8);
    put32(&f, 1);
    put32(&f, 1);
    put32(&f, 3 * 26);
    put32(&f, 3);
    size_t table = f.len;
    const char *names[3] = {"EVT", "MSG", "PUB"};
    for (int k = 0; k < 3; k++) {
        put64(&f, 0);
        put64(&f, 0);
        put32(&f, 6);
        put_u16(&f,
                (const uint16_t[]){(uint16_t)names[k][0], (uint16_t)names[k][1],
                                   (uint16_t)names[k][2]},
                3);
    }
    size_t off[4];
    off[0] = f.len;
    section(&f, evt, n);
    off[1] = f.len;
    section(&f, msg, n + 1);
    off[2] = f.len;
    section(&f, pubs, pub ? 2 : 1);
    off[3] = f.len;
    for (int k = 0; k < 3; k++) {
        set64(f.p + table + 26 * (size_t)k, off[k]);
        set64(f.p + table + 26 * (size_t)k + 8, off[k + 1] - off[k]);
    }
    for (size_t i = 0; i <= n; i++)
        free(msg[i].p);
    for (size_t i = 0; i < n; i++)
        free(evt[i].p);
    free(pubs[0].p);
    free(pubs[1].p);
    free(msg);
    free(evt);
    if (lay)
        *lay = (struct layout){off[0], off[1], off[2], off[3], table};
    *len = f.len;
    return f.p;
}

/* Records whose messages are ASCII text "message N". */
static unsigned char *simple_mta(size_t n, uint64_t first_id, size_t *len,
                                 struct layout *lay)
{
    struct rec *r = calloc(n ? n : 1, sizeof *r);
    uint16_t(*text)[32] = calloc(n ? n : 1, sizeof *text);
    cr_assert(r && text);
    for (size_t i = 0; i < n; i++) {
        char s[32];
        snprintf(s, sizeof s, "message %zu", (size_t)(first_id + i));
        r[i] = (struct rec){first_id + i, text[i], ascii_u16(s, text[i])};
    }
    unsigned char *f = mta_file(r, n, "Test-Provider", len, lay);
    free(r);
    free(text);
    return f;
}

/* ---- loading ----------------------------------------------------------- */

static struct cb_arena *arena;

static void setup(void)
{
    arena = cb_arena_create();
    cr_assert_not_null(arena);
}

static void teardown(void)
{
    cb_arena_destroy(&arena);
}

static enum cb_status load(const unsigned char *f, size_t len,
                           struct cb_mta **m, struct cb_mta_stats *st,
                           struct cb_error *err)
{
    memset(err, 0, sizeof *err);
    return cb_mta_load(arena, f, len, m, st, err);
}

TestSuite(mta, .init = setup, .fini = teardown);

Test(mta, messages_are_found_by_record_id_in_utf8)
{
    static const uint16_t e_acute[] = {'c', 'a', 'f', 0x00E9};
    static const uint16_t pair[] = {'x', 0xD83D, 0xDE00, 'y'}; /* U+1F600 */
    static const uint16_t lone[] = {0xDC00, 'a', 0xD800};      /* both lone */
    static const uint16_t crlf[] = {'a', '\r', '\n', '%', '1'};
    const struct rec r[] = {{10, e_acute, 4},
                            {11, pair, 4},
                            {12, lone, 3},
                            {4000000000ULL, crlf, 5}};
    size_t len;
    unsigned char *f =
        mta_file(r, 4, "Microsoft-Windows-Servicing", &len, NULL);
    struct cb_mta *m;
    struct cb_mta_stats st;
    struct cb_error err;
    cr_assert_eq(load(f, len, &m, &st, &err), CB_OK, "%s", err.msg);
    cr_expect_str_eq(cb_mta_message(m, 10), "caf\xC3\xA9");
    cr_expect_str_eq(cb_mta_message(m, 11), "x\xF0\x9F\x98\x80y");
    cr_expect_str_eq(cb_mta_message(m, 12), "\xEF\xBF\xBD"
                                            "a\xEF\xBF\xBD");
    /* kept as written: the text is already rendered, %1 is literal */
    cr_expect_str_eq(cb_mta_message(m, 4000000000ULL), "a\r\n%1");
    cr_expect_null(cb_mta_message(m, 13));
    cr_expect_null(cb_mta_message(m, 0));
    cr_expect_eq(st.records, 4u);
    cr_expect_eq(st.messages, 5u);
    cr_expect_eq(st.damaged, 0u);
    cr_assert_eq(cb_mta_publisher_count(m), 2u);
    cr_expect_str_eq(cb_mta_publisher(m, 0), "DEFAULT_PUBLISHER");
    cr_expect_str_eq(cb_mta_publisher(m, 1), "Microsoft-Windows-Servicing");
    cr_expect_null(cb_mta_publisher(m, 2));
    cr_expect(cb_mta_has_publisher(m, "microsoft-windows-servicing"));
    cr_expect(!cb_mta_has_publisher(m, "Microsoft-Windows-Kernel-Power"));
    cr_expect(!cb_mta_has_publisher(m, NULL));
    free(f);
}

Test(mta, records_spread_over_several_pages_are_all_found)
{
    size_t len;
    unsigned char *f = simple_mta(250, 1000, &len, NULL);
    struct cb_mta *m;
    struct cb_mta_stats st;
    struct cb_error err;
    cr_assert_eq(load(f, len, &m, &st, &err), CB_OK, "%s", err.msg);
    cr_expect_eq(st.records, 250u);
    cr_expect_eq(st.damaged, 0u);
    char want[32];
    for (uint64_t id = 1000; id < 1250; id++) {
        snprintf(want, sizeof want, "message %llu", (unsigned long long)id);
        cr_assert_str_eq(cb_mta_message(m, id), want);
    }
    cr_expect_null(cb_mta_message(m, 1250));
    free(f);
}

Test(mta, an_empty_log_loads_with_no_records)
{
    size_t len;
    unsigned char *f = simple_mta(0, 1, &len, NULL);
    struct cb_mta *m;
    struct cb_mta_stats st;
    struct cb_error err;
    cr_assert_eq(load(f, len, &m, &st, &err), CB_OK, "%s", err.msg);
    cr_expect_eq(st.records, 0u);
    cr_expect_null(cb_mta_message(m, 1));
    free(f);
}

Test(mta, every_truncation_is_refused_by_the_section_table)
{
    size_t len;
    unsigned char *f = simple_mta(3, 1, &len, NULL);
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *t = malloc(cut ? cut : 1); /* exact size for ASan */
        memcpy(t, f, cut);
        struct cb_mta *m;
        struct cb_error err;
        cr_assert_eq(load(t, cut, &m, NULL, &err), CB_E_CORRUPT, "cut at %zu",
                     cut);
        cr_assert_null(m);
        free(t);
    }
    free(f);
}

/* Load a corrupted copy: the status, and the stats when it loads. */
static enum cb_status load_copy(const unsigned char *f, size_t len,
                                struct cb_mta **m, struct cb_mta_stats *st,
                                struct cb_error *err)
{
    unsigned char *t = malloc(len);
    memcpy(t, f, len);
    enum cb_status s = load(t, len, m, st, err);
    free(t); /* nothing the MTA hands out points into its input */
    return s;
}

Test(mta, header_and_section_table_damage_is_refused)
{
    size_t len;
    struct layout L;
    unsigned char *f = simple_mta(3, 1, &len, &L);
    struct cb_mta *m;
    struct cb_error err;

    f[0] = 'X'; /* signature */
    cr_expect_eq(load_copy(f, len, &m, NULL, &err), CB_E_CORRUPT);
    cr_expect(strstr(err.msg, "MTAFile"));
    f[0] = 'M';

    set32(f + 16, 0x7FFFFFFF); /* table size */
    cr_expect_eq(load_copy(f, len, &m, NULL, &err), CB_E_CORRUPT);
    set32(f + 16, 3 * 26);

    set32(f + 20, 100000); /* section count */
    cr_expect_eq(load_copy(f, len, &m, NULL, &err), CB_E_CORRUPT);
    set32(f + 20, 4); /* one more than the table holds */
    cr_expect_eq(load_copy(f, len, &m, NULL, &err), CB_E_CORRUPT);
    set32(f + 20, 3);

    set32(f + L.table + 16, 0xFFFFFFF0u); /* name size */
    cr_expect_eq(load_copy(f, len, &m, NULL, &err), CB_E_CORRUPT);
    set32(f + L.table + 16, 6);

    set64(f + L.table + 26, UINT64_MAX - 4); /* MSG offset: wraps */
    cr_expect_eq(load_copy(f, len, &m, NULL, &err), CB_E_CORRUPT);
    set64(f + L.table + 26, L.msg);
    set64(f + L.table + 26 + 8, UINT64_MAX); /* MSG size */
    cr_expect_eq(load_copy(f, len, &m, NULL, &err), CB_E_CORRUPT);
    set64(f + L.table + 26 + 8, L.pub - L.msg);

    f[L.table + 26 + 20 + 4] = 'X'; /* "MSG" renamed "MSX" */
    cr_expect_eq(load_copy(f, len, &m, NULL, &err), CB_E_CORRUPT);
    cr_expect(strstr(err.msg, "no MSG section"), "%s", err.msg);
    f[L.table + 26 + 20 + 4] = 'G';

    f[L.table + 2 * 26 + 20] = 'Q'; /* no PUB: loads, names no publisher */
    struct cb_mta_stats st;
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK, "%s", err.msg);
    cr_expect_eq(cb_mta_publisher_count(m), 0u);
    cr_expect(cb_mta_has_publisher(m, "Anything"));
    cr_expect_str_eq(cb_mta_message(m, 2), "message 2");

    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    free(f);
}

Test(mta, damaged_pages_and_entries_are_skipped_and_counted)
{
    size_t len;
    struct layout L;
    /* 150 records: EVT has two pages, the second at a known place */
    unsigned char *f = simple_mta(150, 1, &len, &L);
    struct cb_mta *m;
    struct cb_mta_stats st;
    struct cb_error err;
    size_t page2 = (size_t)cb_le64(f + L.evt + 0x48);
    cr_assert_gt(page2, 0u);

    /* the second EVT page's mark: its 50 records are lost */
    f[L.evt + page2] ^= 1;
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.records, 100u);
    cr_expect_eq(st.damaged, 1u);
    cr_expect_eq(st.first_damage, L.evt + page2);
    cr_expect_not_null(cb_mta_message(m, 100));
    cr_expect_null(cb_mta_message(m, 101));
    f[L.evt + page2] ^= 1;

    /* a next-page pointer back to the first page: the walk ends */
    set64(f + L.evt + page2 + 0x48, 0);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.records, 150u);
    cr_expect_eq(st.damaged, 1u);
    set64(f + L.evt + 0x48, 0x10); /* first page: next inside itself */
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.records, 100u);
    set64(f + L.evt + 0x48, UINT64_MAX); /* next far past the section */
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.records, 100u);
    cr_expect_eq(st.damaged, 1u);
    set64(f + L.evt + 0x48, page2);
    set64(f + L.evt + page2 + 0x48, page2);

    /* a page that says it is elsewhere */
    set64(f + L.evt + page2 + 0x50, 8);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.records, 100u);
    set64(f + L.evt + page2 + 0x50, page2);

    /* slot 0 of EVT: offset into the page header, then past the end */
    uint64_t slot0 = cb_le64(f + L.evt + 0x58);
    set64(f + L.evt + 0x58, 0x10);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.records, 149u);
    cr_expect_null(cb_mta_message(m, 1));
    set64(f + L.evt + 0x58, L.msg - L.evt - 4);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.records, 149u);
    set64(f + L.evt + 0x58, slot0);

    /* EVT entry 0: body size past the section, then too small */
    unsigned char *e0 = f + L.evt + slot0;
    set32(e0 + 4, 0xFFFFFFFFu);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.records, 149u);
    set32(e0 + 4, 15);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.records, 149u);
    set32(e0 + 4, 16);

    /* EVT entry 0: message index out of range; then a record id twice */
    set64(e0 + 16, 1u << 20);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.records, 149u);
    cr_expect_eq(st.damaged, 1u);
    set64(e0 + 16, 1);
    set64(e0 + 8, 2); /* record 1 now says it is record 2 */
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.records, 149u);
    cr_expect_str_eq(cb_mta_message(m, 2), "message 1", "first one stays");
    set64(e0 + 8, 1);

    /* MSG entry 1 (record 1's text): string size past its body; index
     * beyond the section; an index used twice */
    unsigned char *m1 = f + L.msg + cb_le64(f + L.msg + 0x58 + 8);
    set32(m1 + 8, 1000);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_null(cb_mta_message(m, 1));
    cr_expect_eq(st.damaged, 2u, "the string, and the record using it");
    set32(m1 + 8, 2 * 9 + 2);
    set32(m1, 5000);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_null(cb_mta_message(m, 1));
    set32(m1, 0);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_str_eq(cb_mta_message(m, 2), "message 2");
    cr_expect_null(cb_mta_message(m, 1));
    set32(m1, 1);
    /* a string with an odd size: the last byte is not half a unit */
    set32(m1 + 8, 2 * 9 + 1);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_str_eq(cb_mta_message(m, 1), "message 1");
    set32(m1 + 8, 2 * 9 + 2);

    /* PUB entry 1: a list count past its body; its name size too */
    unsigned char *p1 = f + L.pub + cb_le64(f + L.pub + 0x58 + 8);
    set32(p1 + 8 + 8 + 4, 0x20000000u); /* tasks */
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(cb_mta_publisher_count(m), 1u);
    cr_expect_eq(st.records, 150u);
    set32(p1 + 8 + 8 + 4, 0);
    set32(p1 + 8 + 24, 0x7FFFFFFF);
    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(cb_mta_publisher_count(m), 1u);
    set32(p1 + 8 + 24, 26);

    cr_assert_eq(load_copy(f, len, &m, &st, &err), CB_OK);
    cr_expect_eq(st.damaged, 0u, "every field put back");
    cr_expect_eq(cb_mta_publisher_count(m), 2u);
    free(f);
}

Test(mta, every_single_byte_flip_loads_or_is_refused)
{
    size_t len;
    unsigned char *f = simple_mta(3, 7, &len, NULL);
    unsigned char *t = malloc(len);
    for (size_t i = 0; i < len; i++) {
        for (int x = 0; x < 2; x++) {
            memcpy(t, f, len);
            t[i] ^= x ? 0xFF : 0x80;
            struct cb_mta *m;
            struct cb_error err;
            enum cb_status s = load(t, len, &m, NULL, &err);
            cr_assert(s == CB_OK || s == CB_E_CORRUPT, "byte %zu", i);
            for (uint64_t id = 0; s == CB_OK && id < 12; id++) {
                const char *msg = cb_mta_message(m, id);
                if (msg)
                    cr_assert_lt(strlen(msg), 64u);
            }
        }
    }
    free(t);
    free(f);
}

/* ---- names ------------------------------------------------------------- */

Test(mta, names_pair_with_the_log_beside_localemetadata)
{
    char key[256];
    unsigned long lcid = 0;
    cr_assert(cb_mta_path_key("case.zip!logs/LocaleMetaData/System_1033.MTA",
                              key, sizeof key, &lcid));
    cr_expect_str_eq(key, "case.zip!logs/System");
    cr_expect_eq(lcid, 1033u);
    cr_assert(cb_mta_path_key("d\\localemetadata\\omer__test_1031.mta", key,
                              sizeof key, &lcid));
    cr_expect_str_eq(key, "d\\omer__test");
    cr_expect_eq(lcid, 1031u);
    cr_assert(cb_mta_path_key("x.zip!LOCALEMETADATA/a_b_7.Mta", key, sizeof key,
                              &lcid));
    cr_expect_str_eq(key, "x.zip!a_b");
    cr_assert(cb_mta_path_key("LocaleMetaData/Application_1033.MTA", key,
                              sizeof key, &lcid));
    cr_expect_str_eq(key, "Application");

    cr_expect(!cb_mta_path_key("logs/LocaleMetaData/System.MTA", key,
                               sizeof key, &lcid));
    cr_expect(!cb_mta_path_key("logs/LocaleMetaData/System_.MTA", key,
                               sizeof key, &lcid));
    cr_expect(!cb_mta_path_key("logs/LocaleMetaData/_1033.MTA", key, sizeof key,
                               &lcid));
    cr_expect(
        !cb_mta_path_key("logs/Meta/System_1033.MTA", key, sizeof key, &lcid));
    cr_expect(!cb_mta_path_key("System_1033.MTA", key, sizeof key, &lcid));
    cr_expect(!cb_mta_path_key("logs/LocaleMetaData/System_1033.evtx", key,
                               sizeof key, &lcid));
    cr_expect(!cb_mta_path_key("LocaleMetaData/S_12345678901.MTA", key,
                               sizeof key, &lcid));
    cr_expect(!cb_mta_path_key("LocaleMetaData/System_1033.MTA", key, 4, &lcid),
              "key longer than the buffer");
}

Test(mta, the_parser_bids_on_the_signature)
{
    const struct cb_parser_ops *p = cb_parser_find("mta");
    cr_assert_not_null(p);
    const unsigned char *sig = (const unsigned char *)"MTAFile\0";
    cr_expect_gt(p->bid(sig, 8, "x/LocaleMetaData/a_1033.MTA"),
                 p->bid(sig, 8, "a.bin"));
    cr_expect_gt(p->bid(sig, 8, "a.bin"), 0);
    cr_expect_eq(p->bid((const unsigned char *)"MTAFilf\0", 8, "a.MTA"), 0);
    cr_expect_eq(p->bid(sig, 7, "a.MTA"), 0);
}

/* ---- pairing ----------------------------------------------------------- */

/* A source standing for a parsed .evtx: n events with record ids
 * first.., provider prov, message "synth N" flagged synthesized. */
static struct cb_source *fake_evtx(struct cb_analysis *an, const char *path,
                                   size_t n, uint64_t first, const char *prov)
{
    if (an->nsources == an->sources_cap) {
        an->sources_cap = an->sources_cap ? an->sources_cap * 2 : 8;
        an->sources =
            cb_realloc(an->sources, an->sources_cap * sizeof *an->sources);
        cr_assert_not_null(an->sources);
    }
    struct cb_source *s = cb_arena_calloc(an->arena, 1, sizeof *s);
    s->path = cb_arena_strdup(an->arena, path);
    s->format = "evtx";
    s->data_type = "windows:evtx:record";
    s->host = cb_intern_cstr(an->strings, "");
    s->time_basis = "";
    s->index = (unsigned)an->nsources;
    s->events = cb_malloc((n ? n : 1) * sizeof *s->events);
    s->events_cap = n ? n : 1;
    for (size_t i = 0; i < n; i++) {
        struct cb_event *e = cb_arena_calloc(an->arena, 1, sizeof *e);
        e->ts = CB_TIME_UNIX_EPOCH + (cb_time)i * 10000000;
        e->flags =
            CB_EV_MESSAGE_SYNTH | CB_EV_HAS_RECORD_ID | CB_EV_HAS_EVENT_ID;
        e->record_id = first + i;
        e->event_id = 1;
        e->host = s->host;
        e->channel = cb_intern_cstr(an->strings, "Setup");
        e->provider = cb_intern_cstr(an->strings, prov);
        e->message = cb_arena_printf(an->arena, "synth %zu", i);
        e->source = s;
        s->events[i] = e;
    }
    s->nevents = n;
    s->runs = 1;
    s->first = CB_TIME_UNIX_EPOCH;
    s->last = CB_TIME_UNIX_EPOCH + (cb_time)n * 10000000;
    an->sources[an->nsources++] = s;
    return s;
}

static const struct cb_source *add_mta(struct cb_analysis *an, const char *path,
                                       size_t n, uint64_t first)
{
    size_t len;
    unsigned char *f = simple_mta(n, first, &len, NULL);
    cr_assert_eq(cb_ingest_memory(an, path, f, len, NULL), CB_OK);
    free(f);
    const struct cb_source *s = find_source(an, path);
    cr_assert_not_null(s);
    cr_assert_str_eq(s->format, "mta");
    cr_assert_not_null(s->sidecar);
    cr_assert_eq(s->nevents, 0u);
    return s;
}

Test(mta, the_log_beside_gets_the_messages_whatever_the_order)
{
    struct cb_analysis *an = analysis(NULL);
    /* the MTA first (archive order), then its log, then a log of the
     * same name elsewhere */
    const struct cb_source *mta =
        add_mta(an, "c.zip!L/LocaleMetaData/Setup_1033.MTA", 5, 10);
    struct cb_source *log =
        fake_evtx(an, "c.zip!L/SETUP.EVTX", 7, 9, "Test-Provider");
    struct cb_source *other =
        fake_evtx(an, "c.zip!M/Setup.evtx", 3, 10, "Test-Provider");
    log->events[3]->flags |= CB_EV_RECOVERED;
    log->events[4]->flags &= ~(uint32_t)CB_EV_MESSAGE_SYNTH;
    log->events[4]->message = "an export's own text";
    cr_assert_eq(cb_mta_apply(an), CB_OK);

    /* record 9 is not in the MTA; 12 is stale; 13 had its own text */
    const char *want[7] = {"synth 0", "message 10",           "message 11",
                           "synth 3", "an export's own text", "message 14",
                           "synth 6"};
    for (size_t i = 0; i < 7; i++) {
        cr_expect_str_eq(log->events[i]->message, want[i], "event %zu", i);
        int synth = strncmp(want[i], "synth", 5) == 0;
        cr_expect_eq(!!(log->events[i]->flags & CB_EV_MESSAGE_SYNTH), synth,
                     "event %zu", i);
    }
    for (size_t i = 0; i < 3; i++)
        cr_expect_eq(other->events[i]->flags & CB_EV_MESSAGE_SYNTH,
                     CB_EV_MESSAGE_SYNTH, "another folder's log");
    cr_assert_not_null(mta->note);
    cr_expect(strstr(mta->note, "c.zip!L/SETUP.EVTX: 3 of 5 events"), "%s",
              mta->note);
    cr_assert_not_null(log->note);
    cr_expect(strstr(log->note, "LocaleMetaData/Setup_1033.MTA"));
    cr_expect_null(other->note);
    cr_expect_eq(mta->nwarnings, 0u);

    /* once only: a second timeline build changes nothing */
    const char *before = mta->note;
    cr_assert_eq(cb_mta_apply(an), CB_OK);
    cr_expect_eq(mta->note, before);
    cr_expect_eq(an->nwarnings, 0u);
    cb_analysis_destroy(&an);
}

Test(mta, another_publishers_events_keep_their_rendering)
{
    struct cb_analysis *an = analysis(NULL);
    struct cb_source *log =
        fake_evtx(an, "d/System.evtx", 2, 1, "Microsoft-Windows-Other");
    add_mta(an, "d/LocaleMetaData/System_1033.MTA", 2, 1);
    cr_assert_eq(cb_mta_apply(an), CB_OK);
    cr_expect_str_eq(log->events[0]->message, "synth 0");
    cr_expect(strstr(log->note, "0 of 2 events"), "%s", log->note);
    cb_analysis_destroy(&an);
}

Test(mta, english_is_preferred_and_an_mta_without_log_is_warned_about)
{
    struct cb_analysis *an = analysis(NULL);
    const struct cb_source *de =
        add_mta(an, "d/LocaleMetaData/S_1031.MTA", 1, 1);
    const struct cb_source *en =
        add_mta(an, "d/LocaleMetaData/S_1033.MTA", 1, 1);
    const struct cb_source *lone =
        add_mta(an, "d/LocaleMetaData/Gone_1033.MTA", 1, 1);
    const struct cb_source *odd = add_mta(an, "d/stray.MTA", 1, 1);
    struct cb_source *log = fake_evtx(an, "d/S.evtx", 1, 1, "Test-Provider");
    cr_assert_eq(cb_mta_apply(an), CB_OK);
    cr_expect_str_eq(log->events[0]->message, "message 1");
    cr_expect(strstr(en->note, "messages for d/S.evtx"), "%s", en->note);
    cr_expect(strstr(de->note, "not used: d/LocaleMetaData/S_1033.MTA"), "%s",
              de->note);
    cr_expect(strstr(lone->note, "paired with no log"), "%s", lone->note);
    cr_expect_eq(lone->nwarnings, 1u);
    cr_expect(strstr(odd->note, "not named"), "%s", odd->note);
    cr_expect(has_warning(an, "Gone_1033.MTA"));
    cr_expect(has_warning(an, "d/stray.MTA"));
    cr_expect_eq(en->nwarnings, 0u);
    cb_analysis_destroy(&an);
}

Test(mta, a_damaged_mta_is_listed_with_its_warning)
{
    struct cb_analysis *an = analysis(NULL);
    size_t len;
    unsigned char *f = simple_mta(2, 1, &len, NULL);
    f[20] = 9; /* section count past the table */
    cr_assert_eq(
        cb_ingest_memory(an, "LocaleMetaData/x_1033.MTA", f, len, NULL), CB_OK);
    free(f);
    const struct cb_source *s = find_source(an, "LocaleMetaData/x_1033.MTA");
    cr_assert_not_null(s);
    cr_expect_str_eq(s->format, "mta");
    cr_expect_null(s->sidecar);
    cr_expect(has_warning(an, "not parsed as mta"));
    cb_analysis_destroy(&an);
}

/* ---- sidecars on disk: the rules of a directory walk ------------------- */

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static int mta_sources(const struct cb_analysis *an)
{
    int n = 0;
    for (size_t i = 0; i < an->nsources; i++)
        n += strcmp(an->sources[i]->format, "mta") == 0;
    return n;
}

/* issue 19 #8: a LocaleMetaData MTA linked to /dev/stdin blocked the run;
 * one linked out of the bundle was used silently. Links and devices are
 * now skipped with a warning, as a directory walk skips them, and a real
 * MTA beside them is still read. */
Test(mta, sidecars_follow_no_link_and_open_no_device, .timeout = 20)
{
    char tmp[] = "/tmp/cb-mta-XXXXXX", p[512], q[512];
    cr_assert_not_null(mkdtemp(tmp));
    size_t len;
    unsigned char *f = simple_mta(2, 1, &len, NULL);
    snprintf(p, sizeof p, "%s/Sys.evtx", tmp);
    write_file(p, "not an evtx", 11);
    snprintf(p, sizeof p, "%s/outside_1033.MTA", tmp);
    write_file(p, f, len);
    snprintf(p, sizeof p, "%s/LocaleMetaData", tmp);
    cr_assert_eq(mkdir(p, 0700), 0);
    snprintf(q, sizeof q, "%s/outside_1033.MTA", tmp);
    snprintf(p, sizeof p, "%s/LocaleMetaData/Sys_1033.MTA", tmp);
    cr_assert_eq(symlink(q, p), 0);
    snprintf(p, sizeof p, "%s/LocaleMetaData/Sys_1031.MTA", tmp);
    cr_assert_eq(mkfifo(p, 0600), 0); /* opened, it would block */
    snprintf(p, sizeof p, "%s/LocaleMetaData/Sys_1036.MTA", tmp);
    write_file(p, f, len);

    struct cb_analysis *an = analysis(NULL);
    snprintf(p, sizeof p, "%s/Sys.evtx", tmp);
    cr_assert_eq(cb_ingest_path(an, p, NULL), CB_OK);
    cr_expect_eq(mta_sources(an), 1, "only the regular file is read");
    cr_expect(has_warning(an, "symbolic link not followed"));
    cr_expect(has_warning(an, "not a regular file"));
    cb_analysis_destroy(&an);

    /* the LocaleMetaData folder itself a link: not entered */
    char tmp2[] = "/tmp/cb-mta-XXXXXX";
    cr_assert_not_null(mkdtemp(tmp2));
    snprintf(p, sizeof p, "%s/Sys.evtx", tmp2);
    write_file(p, "not an evtx", 11);
    snprintf(q, sizeof q, "%s/LocaleMetaData", tmp);
    snprintf(p, sizeof p, "%s/LocaleMetaData", tmp2);
    cr_assert_eq(symlink(q, p), 0);
    an = analysis(NULL);
    snprintf(p, sizeof p, "%s/Sys.evtx", tmp2);
    cr_assert_eq(cb_ingest_path(an, p, NULL), CB_OK);
    cr_expect_eq(mta_sources(an), 0);
    cr_expect(has_warning(an, "symbolic link not followed"));
    cb_analysis_destroy(&an);
    free(f);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", tmp, tmp2);
    cr_expect_eq(system(cmd), 0);
}
