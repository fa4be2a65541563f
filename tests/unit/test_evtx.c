/*
 * test_evtx.c - the binary EVTX parser (parsers/evtx.c).
 *
 * Two kinds of input. Files built here, byte by byte, by a small writer
 * that follows the libyal format document (file header, chunk header with
 * CRC32s, records, Binary XML with templates): they pin down each rule of
 * the parser. And the shared corpus (CASEBRIEF_CORPUS), whose documented
 * facts (shared/corpus/PROVENANCE.md: record counts, channels, computers,
 * time ranges, stale chunks, damage) the parser must reproduce; corpus
 * files are read in place and only ever modified in memory.
 *
 * With CB_EVTX_WRITE_SEEDS=DIR, the test "writes_fuzz_seeds" saves the
 * built files into DIR: that is how tests/fuzz/corpus/evtx/ was made.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

/* This file is built twice: the tests on files made here (test_evtx) and,
 * with CB_EVTX_CORPUS_ONLY, those on the shared corpus (test_corpus_evtx,
 * reported by ctest as skipped when the corpus is absent). Each build
 * leaves the other's helpers unused. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* ---- a writer of EVTX files ------------------------------------------ */

#define CHUNK 65536u

static uint32_t crc32_of(const unsigned char *p, size_t n, uint32_t crc)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
    }
    return ~crc;
}

static void w16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void w32(unsigned char *p, uint32_t v)
{
    w16(p, (uint16_t)v);
    w16(p + 2, (uint16_t)(v >> 16));
}

static void w64(unsigned char *p, uint64_t v)
{
    w32(p, (uint32_t)v);
    w32(p + 4, (uint32_t)(v >> 32));
}

/* One chunk being written. */
struct cw {
    unsigned char c[CHUNK];
    uint32_t pos;
    uint64_t first_id, last_id, nrec;
    uint32_t last_rec;
};

static void cw_init(struct cw *w)
{
    memset(w, 0, sizeof *w);
    w->pos = 512;
}

static void u8_(struct cw *w, unsigned v)
{
    w->c[w->pos++] = (unsigned char)v;
}

static void u16_(struct cw *w, unsigned v)
{
    w16(w->c + w->pos, (uint16_t)v);
    w->pos += 2;
}

static void u32_(struct cw *w, uint32_t v)
{
    w32(w->c + w->pos, v);
    w->pos += 4;
}

static void u64_(struct cw *w, uint64_t v)
{
    w64(w->c + w->pos, v);
    w->pos += 8;
}

static void bytes_(struct cw *w, const void *d, size_t n)
{
    if (n) /* d may be NULL for an empty value */
        memcpy(w->c + w->pos, d, n);
    w->pos += (uint32_t)n;
}

/* ASCII as UTF-16LE, no terminator. */
static void utf16_(struct cw *w, const char *s)
{
    for (; *s; s++)
        u16_(w, (unsigned char)*s);
}

/* A name structure stored where it is referenced: the offset field
 * points right past itself. */
static void name_(struct cw *w, const char *name)
{
    u32_(w, w->pos + 4);
    u32_(w, 0); /* next name in the hash chain */
    u16_(w, 0); /* hash: not checked by readers */
    u16_(w, (unsigned)strlen(name));
    utf16_(w, name);
    u16_(w, 0);
}

static void frag_(struct cw *w)
{
    u8_(w, 0x0f);
    u8_(w, 1);
    u8_(w, 1);
    u8_(w, 0);
}

/* Open an element: dep says whether the dependency id is written (not
 * inside Binary XML values that start with an element). */
static void open_dep(struct cw *w, const char *name, int attrs, int dep)
{
    u8_(w, attrs ? 0x41 : 0x01);
    if (dep)
        u16_(w, 0xFFFF);
    u32_(w, 0); /* data size: not used by readers that walk tokens */
    name_(w, name);
    if (attrs)
        u32_(w, 0); /* attribute list size */
}

static void open_(struct cw *w, const char *name, int attrs)
{
    open_dep(w, name, attrs, 1);
}

static void attr_(struct cw *w, const char *name)
{
    u8_(w, 0x06);
    name_(w, name);
}

static void text_(struct cw *w, const char *s)
{
    u8_(w, 0x05);
    u8_(w, 0x01);
    u16_(w, (unsigned)strlen(s));
    utf16_(w, s);
}

static void subst_(struct cw *w, unsigned idx, unsigned type, int optional)
{
    u8_(w, optional ? 0x0e : 0x0d);
    u16_(w, idx);
    u8_(w, type);
}

static void content_(struct cw *w) { u8_(w, 0x02); }
static void empty_(struct cw *w) { u8_(w, 0x03); }
static void end_(struct cw *w) { u8_(w, 0x04); }
static void eof_(struct cw *w) { u8_(w, 0x00); }

/* <name>%idx</name> */
static void elem_subst(struct cw *w, const char *name, unsigned idx,
                       unsigned type, int optional)
{
    open_(w, name, 0);
    content_(w);
    subst_(w, idx, type, optional);
    end_(w);
}

/* A template instance whose definition is stored here; returns the
 * definition's chunk offset for later references. The caller writes the
 * fragment, then calls tpl_end. */
static uint32_t tpl_begin(struct cw *w)
{
    u8_(w, 0x0c);
    u8_(w, 0x01);
    u32_(w, 0x1234);
    uint32_t def = w->pos + 4;
    u32_(w, def);
    u32_(w, 0); /* next template */
    for (int i = 0; i < 16; i++)
        u8_(w, (unsigned)(0xA0 + i)); /* GUID */
    u32_(w, 0);                       /* size, patched */
    return def;
}

static void tpl_end(struct cw *w, uint32_t def)
{
    w32(w->c + def + 20, w->pos - (def + 24));
}

/* A template instance that refers to a definition stored before. */
static void tpl_ref(struct cw *w, uint32_t def)
{
    u8_(w, 0x0c);
    u8_(w, 0x01);
    u32_(w, 0x1234);
    u32_(w, def);
}

struct tv {
    unsigned type;
    const void *data;
    size_t size;
};

static void values_(struct cw *w, const struct tv *v, size_t n)
{
    u32_(w, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        u16_(w, (unsigned)v[i].size);
        u8_(w, v[i].type);
        u8_(w, 0);
    }
    for (size_t i = 0; i < n; i++)
        bytes_(w, v[i].data, v[i].size);
}

static uint32_t rec_begin(struct cw *w, uint64_t id, uint64_t filetime)
{
    uint32_t start = w->pos;
    bytes_(w, "**\0\0", 4);
    u32_(w, 0);
    u64_(w, id);
    u64_(w, filetime);
    return start;
}

static void rec_end(struct cw *w, uint32_t start, uint64_t id)
{
    uint32_t size = w->pos + 4 - start;
    u32_(w, size);
    w32(w->c + start + 4, size);
    if (!w->nrec++)
        w->first_id = id;
    w->last_id = id;
    w->last_rec = start;
}

static void chunk_finish(struct cw *w)
{
    memcpy(w->c, "ElfChnk\0", 8);
    w64(w->c + 8, 1);
    w64(w->c + 16, w->nrec);
    w64(w->c + 24, w->first_id);
    w64(w->c + 32, w->last_id);
    w32(w->c + 40, 128);
    w32(w->c + 44, w->last_rec);
    w32(w->c + 48, w->pos);
    w32(w->c + 52, crc32_of(w->c + 512, w->pos - 512, 0));
    w32(w->c + 120, 1);
    w32(w->c + 124, crc32_of(w->c + 128, 384, crc32_of(w->c, 120, 0)));
}

/* A whole file: header + the given chunks. Returns malloc'd bytes. */
static unsigned char *file_of(struct cw **chunks, size_t n, uint64_t first,
                              uint64_t last, uint32_t flags, size_t *len)
{
    *len = 4096 + n * CHUNK;
    unsigned char *f = calloc(1, *len);
    memcpy(f, "ElfFile\0", 8);
    w64(f + 8, first);
    w64(f + 16, last);
    w64(f + 24, 1000);
    w32(f + 32, 128);
    w16(f + 36, 1);
    w16(f + 38, 3);
    w16(f + 40, 4096);
    w16(f + 42, (uint16_t)n);
    w32(f + 120, flags);
    w32(f + 124, crc32_of(f, 120, 0));
    for (size_t i = 0; i < n; i++) {
        chunk_finish(chunks[i]);
        memcpy(f + 4096 + i * CHUNK, chunks[i]->c, CHUNK);
    }
    return f;
}

/* ---- the standard Event template ------------------------------------ */

/*
 * <Event xmlns=...><System><Provider Name=%0/><EventID Qualifiers=%2?>%1
 * </EventID><Level>%3</Level><TimeCreated SystemTime=%4/>
 * <EventRecordID>%5</EventRecordID><Execution ProcessID=%6 ThreadID=%7/>
 * <Channel>%8</Channel><Computer>%9</Computer></System><EventData>
 * <Data Name="A">%10</Data><Data Name="B">%11</Data><Data>%12</Data>
 * <Binary>%13?</Binary></EventData></Event>
 */
static uint32_t event_template(struct cw *w)
{
    uint32_t def = tpl_begin(w);
    frag_(w);
    open_(w, "Event", 1);
    attr_(w, "xmlns");
    text_(w, "http://schemas.microsoft.com/win/2004/08/events/event");
    content_(w);
    open_(w, "System", 0);
    content_(w);
    open_(w, "Provider", 1);
    attr_(w, "Name");
    subst_(w, 0, 0x01, 1);
    empty_(w);
    open_(w, "EventID", 1);
    attr_(w, "Qualifiers");
    subst_(w, 2, 0x06, 1);
    content_(w);
    subst_(w, 1, 0x06, 0);
    end_(w);
    elem_subst(w, "Level", 3, 0x04, 0);
    open_(w, "TimeCreated", 1);
    attr_(w, "SystemTime");
    subst_(w, 4, 0x11, 0);
    empty_(w);
    elem_subst(w, "EventRecordID", 5, 0x0a, 0);
    open_(w, "Execution", 1);
    attr_(w, "ProcessID");
    subst_(w, 6, 0x08, 0);
    attr_(w, "ThreadID");
    subst_(w, 7, 0x08, 0);
    empty_(w);
    elem_subst(w, "Channel", 8, 0x01, 0);
    elem_subst(w, "Computer", 9, 0x01, 0);
    end_(w); /* System */
    open_(w, "EventData", 0);
    content_(w);
    open_(w, "Data", 1);
    attr_(w, "Name");
    text_(w, "A");
    content_(w);
    subst_(w, 10, 0x01, 1);
    end_(w);
    open_(w, "Data", 1);
    attr_(w, "Name");
    text_(w, "B");
    content_(w);
    subst_(w, 11, 0x08, 1);
    end_(w);
    elem_subst(w, "Data", 12, 0x01, 1);
    elem_subst(w, "Binary", 13, 0x0e, 1);
    end_(w); /* EventData */
    end_(w); /* Event */
    eof_(w);
    tpl_end(w, def);
    return def;
}

/* UTF-16LE of ASCII into a static ring of buffers (for values). */
static const void *u16s(const char *s, size_t *n)
{
    static unsigned char ring[16][512];
    static int k;
    unsigned char *b = ring[k++ & 15];
    size_t i = 0;
    for (; s[i]; i++)
        w16(b + 2 * i, (unsigned char)s[i]);
    *n = 2 * i;
    return b;
}

/* Values of the standard template, with the usual choices. */
struct evspec {
    const char *provider, *channel, *computer, *a, *c;
    uint16_t eid, qualifiers;
    int has_qualifiers;
    uint8_t level;
    uint64_t ft, rid;
    uint32_t pid, tid, b;
    const unsigned char *bin;
    size_t binlen;
};

#define FT_2024_11_15 133761024000000000ULL /* 2024-11-15T00:00:00Z */

static struct evspec spec_default(void)
{
    struct evspec s = {
        .provider = "Microsoft-Windows-FailoverClustering",
        .channel = "System",
        .computer = "node1.contoso.local",
        .a = "alpha",
        .c = "third",
        .eid = 1135,
        .level = 2,
        .ft = FT_2024_11_15 + 123456789ULL,
        .rid = 42,
        .pid = 1234,
        .tid = 5678,
        .b = 7,
    };
    return s;
}

static void event_values(struct cw *w, const struct evspec *s)
{
    size_t n0, n8, n9, n10, n12;
    const void *p0 = u16s(s->provider, &n0), *p8 = u16s(s->channel, &n8);
    const void *p9 = u16s(s->computer, &n9), *p10 = u16s(s->a, &n10);
    const void *p12 = u16s(s->c, &n12);
    unsigned char eid[2], q[2], lvl[1], ft[8], rid[8], pid[4], tid[4], b[4];
    w16(eid, s->eid);
    w16(q, s->qualifiers);
    lvl[0] = s->level;
    w64(ft, s->ft);
    w64(rid, s->rid);
    w32(pid, s->pid);
    w32(tid, s->tid);
    w32(b, s->b);
    struct tv v[14] = {
        {0x01, p0, n0},
        {0x06, eid, 2},
        {s->has_qualifiers ? 0x06u : 0u, q, s->has_qualifiers ? 2u : 0u},
        {0x04, lvl, 1},
        {0x11, ft, 8},
        {0x0a, rid, 8},
        {0x08, pid, 4},
        {0x08, tid, 4},
        {0x01, p8, n8},
        {0x01, p9, n9},
        {0x01, p10, n10},
        {0x08, b, 4},
        {0x01, p12, n12},
        {s->bin ? 0x0eu : 0u, s->bin, s->binlen},
    };
    values_(w, v, 14);
}

/* A record of the standard template: the definition is written in the
 * first record of the chunk, referenced by the later ones. */
static void event_record(struct cw *w, uint32_t *def, const struct evspec *s)
{
    uint32_t r = rec_begin(w, s->rid, s->ft);
    frag_(w);
    if (*def)
        tpl_ref(w, *def);
    else
        *def = event_template(w);
    event_values(w, s);
    eof_(w);
    rec_end(w, r, s->rid);
}

/* ---- parsing and looking ---------------------------------------------- */

static struct cb_analysis *an;

static void teardown(void)
{
    cb_analysis_destroy(&an);
}

TestSuite(evtx, .fini = teardown);
TestSuite(evtx_corpus, .fini = teardown);

/* -j of the parses below (cb_parse_opts.jobs) */
static unsigned jobs_ = 1;

static const struct cb_source *parse_mem(const void *data, size_t len)
{
    cb_analysis_destroy(&an);
    an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    an->opts.jobs = jobs_;
    cr_assert_eq(cb_ingest_leaf_memory(an, "test.evtx", data, len,
                                       cb_parser_find("evtx")),
                 CB_OK);
    cr_assert_eq(an->nsources, 1u);
    return an->sources[0];
}

static const struct cb_event *ev_at(const struct cb_source *src, size_t i)
{
    cr_assert_lt(i, src->nevents, "event %zu of %llu", i,
                 (unsigned long long)src->nevents);
    return src->events[i];
}

static const char *field(const struct cb_event *e, const char *name)
{
    for (uint32_t i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].name, name) == 0)
            return e->fields[i].value;
    return NULL;
}

/* Does a warning of the source contain every one of the needles? */
static int warned(const struct cb_source *src, const char *a, const char *b)
{
    for (const struct cb_warning *w = src->warnings; w; w = w->next)
        if (strstr(w->msg, a) && (!b || strstr(w->msg, b)))
            return 1;
    return 0;
}

static void dump_warnings(const struct cb_source *src)
{
    for (const struct cb_warning *w = src->warnings; w; w = w->next)
        fprintf(stderr, "  warning [%llu]: %s\n",
                (unsigned long long)w->where, w->msg);
}

static size_t count_recovered(const struct cb_source *src)
{
    size_t n = 0;
    for (size_t i = 0; i < src->nevents; i++)
        n += (src->events[i]->flags & CB_EV_RECOVERED) != 0;
    return n;
}

/*
 * Everything a parse of the file gives, one line per event (in parse
 * order: every field of it) and per warning, then the counts; malloc'd
 * lines in *out. The interned strings must be the analysis' own: a line
 * says whether they are.
 */
static size_t source_lines(const struct cb_source *src, char ***out);

static size_t parse_lines(const void *data, size_t len, unsigned jobs,
                          char ***out)
{
    jobs_ = jobs;
    const struct cb_source *src = parse_mem(data, len);
    jobs_ = 1;
    return source_lines(src, out);
}

static size_t source_lines(const struct cb_source *src, char ***out)
{
    size_t n = 0, cap = src->nevents + 64;
    char **l = malloc(cap * sizeof *l);
    for (size_t i = 0; i < src->nevents; i++) {
        const struct cb_event *e = src->events[i];
        char *buf = NULL;
        size_t blen = 0;
        FILE *m = open_memstream(&buf, &blen);
        const char *h = e->host ? e->host : "(null)";
        const char *c = e->channel ? e->channel : "(null)";
        const char *p = e->provider ? e->provider : "(null)";
        int interned =
            (!e->host || e->host == cb_intern_cstr(an->strings, e->host)) &&
            (!e->channel ||
             e->channel == cb_intern_cstr(an->strings, e->channel)) &&
            (!e->provider ||
             e->provider == cb_intern_cstr(an->strings, e->provider));
        fprintf(m,
                "ev %zu ts=%lld flags=%u eid=%u rid=%llu lvl=%u pid=%u "
                "tid=%u host=%s ch=%s prov=%s interned=%d origin=%llu "
                "msg=%s",
                i, (long long)e->ts, e->flags, e->event_id,
                (unsigned long long)e->record_id, e->level, e->pid, e->tid,
                h, c, p, interned, (unsigned long long)e->origin,
                msg_of(e));
        for (uint32_t k = 0; k < e->nfields; k++)
            fprintf(m, " |%s=%s", e->fields[k].name, e->fields[k].value);
        fclose(m);
        l[n++] = buf;
    }
    for (const struct cb_warning *w = src->warnings; w; w = w->next) {
        if (n == cap)
            l = realloc(l, (cap *= 2) * sizeof *l);
        char *buf = NULL;
        size_t blen = 0;
        FILE *m = open_memstream(&buf, &blen);
        fprintf(m, "warning %d %llu %s", w->where_kind,
                (unsigned long long)w->where, w->msg);
        fclose(m);
        l[n++] = buf;
    }
    if (n == cap)
        l = realloc(l, (cap + 1) * sizeof *l);
    char *buf = NULL;
    size_t blen = 0;
    FILE *m = open_memstream(&buf, &blen);
    fprintf(m, "events %llu warnings %u first %lld last %lld runs %zu",
            (unsigned long long)src->nevents, src->nwarnings,
            (long long)src->first, (long long)src->last, src->runs);
    fclose(m);
    l[n++] = buf;
    *out = l;
    return n;
}

static void free_lines(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

/* -j 2 and -j 4 give exactly what -j 1 gives: the same events in the same
 * order, the same warnings. Returns the number of events and warnings. */
static size_t expect_same_for_jobs(const char *what, const void *data,
                                   size_t len)
{
    char **one;
    size_t n1 = parse_lines(data, len, 1, &one);
    for (unsigned jobs = 2; jobs <= 4; jobs += 2) {
        char **par;
        size_t n = parse_lines(data, len, jobs, &par);
        size_t i = 0;
        while (i < n && i < n1 && strcmp(one[i], par[i]) == 0)
            i++;
        if (i < n || i < n1)
            cr_expect_fail("%s, -j %u: line %zu of %zu/%zu differs:\n"
                           "  -j 1: %s\n  -j %u: %s",
                           what, jobs, i, n1, n, i < n1 ? one[i] : "(end)",
                           jobs, i < n ? par[i] : "(end)");
        free_lines(par, n);
    }
    free_lines(one, n1);
    return n1;
}

/* Several files in one analysis: with -j, the workers are kept from one
 * file to the next (cb_parse.pool), whatever state the last one left
 * (damage, a file cut short mid-chunk, held-back chunks). Every file gives
 * what it gives alone with -j 1. */
static void expect_same_across_files(const unsigned char *const *data,
                                     const size_t *lens, size_t k)
{
    for (size_t i = 0; i < k; i++) { /* each alone, -j 1 */
        char **one, **pooled;
        size_t n1 = parse_lines(data[i], lens[i], 1, &one);
        for (unsigned jobs = 2; jobs <= 4; jobs += 2) {
            /* then all of them, in one analysis, -j jobs */
            cb_analysis_destroy(&an);
            an = cb_analysis_create_all(NULL);
            cr_assert_not_null(an);
            an->opts.jobs = jobs;
            for (size_t f = 0; f < k; f++) {
                char name[32];
                snprintf(name, sizeof name, "f%zu.evtx", f);
                cr_assert_eq(cb_ingest_leaf_memory(an, name, data[f],
                                                   lens[f],
                                                   cb_parser_find("evtx")),
                             CB_OK);
            }
            cr_assert_eq(an->nsources, k);
            size_t n = source_lines(an->sources[i], &pooled);
            size_t j = 0;
            while (j < n && j < n1 && strcmp(one[j], pooled[j]) == 0)
                j++;
            if (j < n || j < n1)
                cr_expect_fail("file %zu of %zu, -j %u in one analysis: "
                               "line %zu differs:\n  alone: %s\n  pooled: %s",
                               i, k, jobs, j, j < n1 ? one[j] : "(end)",
                               j < n ? pooled[j] : "(end)");
            free_lines(pooled, n);
        }
        free_lines(one, n1);
    }
}

/* One chunk of n standard records, ids from first. */
static unsigned char *simple_file(unsigned n, uint64_t first, size_t *len)
{
    static struct cw w;
    cw_init(&w);
    uint32_t def = 0;
    for (unsigned i = 0; i < n; i++) {
        struct evspec s = spec_default();
        s.rid = first + i;
        s.ft += i * 10000000ULL;
        event_record(&w, &def, &s);
    }
    struct cw *c[] = {&w};
    return file_of(c, 1, 0, 0, 0, len);
}

/* ---- the event ------------------------------------------------------- */

#ifndef CB_EVTX_CORPUS_ONLY
Test(evtx, template_record_fills_every_event_field)
{
    static struct cw w;
    cw_init(&w);
    uint32_t def = 0;
    struct evspec s = spec_default();
    s.has_qualifiers = 1;
    s.qualifiers = 16384;
    s.eid = 7036;
    unsigned char bin[] = {0xDE, 0xAD, 0x01};
    s.bin = bin;
    s.binlen = 3;
    event_record(&w, &def, &s);
    struct cw *c[] = {&w};
    size_t len;
    unsigned char *f = file_of(c, 1, 0, 0, 0, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_assert_str_eq(src->format, "evtx");
    cr_assert_str_eq(src->data_type, "windows:evtx:record");
    cr_assert_str_eq(src->time_basis, "UTC (EVTX FILETIME)");
    cr_assert_eq(src->origin_is_line, 0);
    cr_assert_eq(src->nevents, 1u);
    const struct cb_event *e = ev_at(src, 0);
    cr_expect_eq(e->ts, (cb_time)(FT_2024_11_15 + 123456789ULL));
    cr_expect_eq(e->event_id, 7036u);
    cr_expect(e->flags & CB_EV_HAS_EVENT_ID);
    cr_expect_eq(e->record_id, 42u);
    cr_expect(e->flags & CB_EV_HAS_RECORD_ID);
    cr_expect_eq(e->level, CB_LEVEL_ERROR);
    cr_expect(e->flags & CB_EV_HAS_PID);
    cr_expect_eq(e->pid, 1234u);
    cr_expect_eq(e->tid, 5678u);
    cr_expect_not(e->flags & CB_EV_RECOVERED);
    cr_expect_str_eq(e->provider, "Microsoft-Windows-FailoverClustering");
    cr_expect_str_eq(e->channel, "System");
    cr_expect_str_eq(e->host, "NODE1");
    cr_expect_eq(e->origin, 4096u + 512u, "origin is the record's offset");
    cr_expect_str_eq(field(e, "A"), "alpha");
    cr_expect_str_eq(field(e, "B"), "7");
    cr_expect_str_eq(field(e, "1"), "third");
    cr_expect_str_eq(field(e, "Binary"), "DEAD01");
    cr_expect_str_eq(field(e, "Qualifiers"), "16384");
    cr_expect_str_eq(field(e, "Computer"), "node1.contoso.local");
    cr_expect_str_eq(msg_of(e), "A: alpha; B: 7; 1: third; Binary: DEAD01");
    /* interned: same pointer as any other interned copy */
    cr_expect_eq(e->provider,
                 cb_intern_cstr(an->strings,
                                "Microsoft-Windows-FailoverClustering"));
}

Test(evtx, event_id_keeps_the_low_16_bits_and_levels_map)
{
    static struct cw w;
    cw_init(&w);
    uint32_t def = 0;
    uint8_t levels[] = {0, 1, 3, 4, 5, 6, 15};
    uint8_t want[] = {CB_LEVEL_INFO, CB_LEVEL_CRITICAL, CB_LEVEL_WARNING,
                      CB_LEVEL_INFO, CB_LEVEL_VERBOSE, CB_LEVEL_INFO,
                      CB_LEVEL_INFO};
    for (unsigned i = 0; i < sizeof levels; i++) {
        struct evspec s = spec_default();
        s.rid = 100 + i;
        s.level = levels[i];
        event_record(&w, &def, &s);
    }
    struct cw *c[] = {&w};
    size_t len;
    unsigned char *f = file_of(c, 1, 0, 0, 0, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_assert_eq(src->nevents, sizeof levels);
    for (unsigned i = 0; i < sizeof levels; i++)
        cr_expect_eq(ev_at(src, i)->level, want[i], "level %u", levels[i]);
}

Test(evtx, template_is_compiled_once_and_reused_by_reference)
{
    size_t len;
    unsigned char *f = simple_file(50, 1, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_assert_eq(src->nevents, 50u);
    cr_expect_eq(src->nwarnings, 0u);
    for (unsigned i = 0; i < 50; i++) {
        const struct cb_event *e = ev_at(src, i);
        cr_expect_eq(e->record_id, 1u + i);
        cr_expect_str_eq(field(e, "A"), "alpha");
        cr_expect_eq(e->channel, ev_at(src, 0)->channel);
    }
}

Test(evtx, time_and_record_id_fall_back_to_the_record_header)
{
    static struct cw w;
    cw_init(&w);
    /* <Event><System><Channel>Application</Channel></System></Event> */
    uint32_t r = rec_begin(&w, 77, FT_2024_11_15);
    frag_(&w);
    open_(&w, "Event", 0);
    content_(&w);
    open_(&w, "System", 0);
    content_(&w);
    open_(&w, "Channel", 0);
    content_(&w);
    text_(&w, "Application");
    end_(&w);
    end_(&w);
    end_(&w);
    eof_(&w);
    rec_end(&w, r, 77);
    struct cw *c[] = {&w};
    size_t len;
    unsigned char *f = file_of(c, 1, 0, 0, 0, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    const struct cb_event *e = ev_at(src, 0);
    cr_expect_eq(e->ts, (cb_time)FT_2024_11_15);
    cr_expect_eq(e->record_id, 77u);
    cr_expect(e->flags & CB_EV_HAS_RECORD_ID);
    cr_expect_not(e->flags & CB_EV_HAS_EVENT_ID);
    cr_expect_not(e->flags & CB_EV_HAS_PID);
    cr_expect_eq(e->level, CB_LEVEL_INFO);
    cr_expect_str_eq(e->channel, "Application");
    cr_expect_null(e->provider);
    cr_expect_str_eq(msg_of(e), "");
}

Test(evtx, channel_missing_takes_the_source_default_and_empty_stays_empty)
{
    static struct cw w;
    cw_init(&w);
    uint32_t r = rec_begin(&w, 1, FT_2024_11_15);
    frag_(&w);
    open_(&w, "Event", 0);
    content_(&w);
    open_(&w, "System", 0);
    content_(&w);
    open_(&w, "Channel", 0);
    empty_(&w); /* <Channel/> as ETW traces saved as .evtx have */
    end_(&w);
    end_(&w);
    eof_(&w);
    rec_end(&w, r, 1);
    r = rec_begin(&w, 2, FT_2024_11_15);
    frag_(&w);
    open_(&w, "Event", 0);
    empty_(&w);
    eof_(&w);
    rec_end(&w, r, 2);
    struct cw *c[] = {&w};
    size_t len;
    unsigned char *f = file_of(c, 1, 0, 0, 0, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_assert_eq(src->nevents, 2u);
    cr_expect_str_eq(ev_at(src, 0)->channel, "");
    cr_expect_str_eq(ev_at(src, 1)->channel, "evtx", "ingest's default");
}

/* ---- values ------------------------------------------------------------ */

/* <Event><EventData><Data Name=names[i]>%i</Data>...</EventData></Event>
 * as a template stored in the record, with the given values. */
static unsigned char *data_file(const char *const *names, const struct tv *v,
                                size_t n, size_t *len)
{
    static struct cw w;
    cw_init(&w);
    uint32_t r = rec_begin(&w, 1, FT_2024_11_15);
    frag_(&w);
    uint32_t def = tpl_begin(&w);
    frag_(&w);
    open_(&w, "Event", 0);
    content_(&w);
    open_(&w, "EventData", 0);
    content_(&w);
    for (size_t i = 0; i < n; i++) {
        if (names[i]) {
            open_(&w, "Data", 1);
            attr_(&w, "Name");
            text_(&w, names[i]);
        } else {
            open_(&w, "Data", 0);
        }
        content_(&w);
        subst_(&w, (unsigned)i, v[i].type, 1);
        end_(&w);
    }
    end_(&w);
    end_(&w);
    eof_(&w);
    tpl_end(&w, def);
    values_(&w, v, n);
    eof_(&w);
    rec_end(&w, r, 1);
    struct cw *c[] = {&w};
    return file_of(c, 1, 0, 0, 0, len);
}

static const char *const type_names[] = {
    "str", "ansi", "i8", "u8", "i16", "u16", "i32", "u32",
    "i64", "u64", "f32", "f64", "true", "false", "guid", "sid",
    "filetime", "systemtime", "binary", "size4", "size8", "hex32",
    "hex64"};

/* One Data element per value type, named after it. */
static unsigned char *types_file(size_t *len)
{
    size_t ns;
    const void *str = u16s("hello", &ns);
    unsigned char i8[] = {0xFE}, u8[] = {200}, i16[2], u16v[2], i32[4],
                  u32v[4], i64[8], u64v[8], f32[4], f64[8], t[4], f0[4],
                  guid[16], sid[12], ft[8], st[16], bin[] = {0x00, 0xAB, 0x7F},
                  sz4[4], sz8[8], h32[4], h64[8];
    w16(i16, (uint16_t)-300);
    w16(u16v, 65000);
    w32(i32, (uint32_t)-2147188641);
    w32(u32v, 4000000000u);
    w64(i64, (uint64_t)-5);
    w64(u64v, 18000000000000000000ULL);
    float fv = 1.5f;
    double dv = -0.25;
    memcpy(f32, &fv, 4);
    memcpy(f64, &dv, 8);
    w32(t, 2); /* irregular: any non-zero is true */
    w32(f0, 0);
    w32(guid, 0x54849625);
    w16(guid + 4, 0x5478);
    w16(guid + 6, 0x4994);
    memcpy(guid + 8, "\xA5\xBA\x3E\x3B\x03\x28\xC3\x0D", 8);
    memcpy(sid, "\x01\x01\x00\x00\x00\x00\x00\x05\x12\x00\x00\x00", 12);
    w64(ft, FT_2024_11_15 + 19 * 36000000000ULL + 3456789);
    w16(st, 2024);
    w16(st + 2, 11);
    w16(st + 4, 5);
    w16(st + 6, 15);
    w16(st + 8, 1);
    w16(st + 10, 58);
    w16(st + 12, 12);
    w16(st + 14, 345);
    w32(sz4, 0x2f4);
    w64(sz8, 0x1cc);
    w32(h32, 0xc000006a);
    w64(h64, 0x3e7);
    struct tv v[] = {
        {0x01, str, ns},  {0x02, "caf\xe9", 4}, {0x03, i8, 1},
        {0x04, u8, 1},    {0x05, i16, 2},       {0x06, u16v, 2},
        {0x07, i32, 4},   {0x08, u32v, 4},      {0x09, i64, 8},
        {0x0a, u64v, 8},  {0x0b, f32, 4},       {0x0c, f64, 8},
        {0x0d, t, 4},     {0x0d, f0, 4},        {0x0f, guid, 16},
        {0x13, sid, 12},  {0x11, ft, 8},        {0x12, st, 16},
        {0x0e, bin, 3},   {0x10, sz4, 4},       {0x10, sz8, 8},
        {0x14, h32, 4},   {0x15, h64, 8},
    };
    return data_file(type_names, v, sizeof v / sizeof *v, len);
}

Test(evtx, every_value_type_renders_as_windows_shows_it)
{
    size_t n = sizeof type_names / sizeof *type_names, len;
    const char *const *names = type_names;
    unsigned char *f = types_file(&len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    dump_warnings(src);
    const struct cb_event *e = ev_at(src, 0);
    cr_assert_eq(e->nfields, n);
    const char *want[] = {
        "hello", "caf\xc3\xa9", "-2", "200", "-300", "65000",
        "-2147188641", "4000000000", "-5", "18000000000000000000", "1.5",
        "-0.25", "true", "false", "{54849625-5478-4994-A5BA-3E3B0328C30D}",
        "S-1-5-18", "2024-11-15T19:00:00.3456789Z",
        "2024-11-15T01:58:12.3450000Z", "00AB7F", "0x000002f4",
        "0x00000000000001cc", "0xc000006a", "0x00000000000003e7"};
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(field(e, names[i]), want[i], "%s", names[i]);
}

Test(evtx, arrays_repeat_the_data_element_and_join_elsewhere)
{
    /* string array "a","","c" in an unnamed Data: three fields 1, 2, 3 as
     * Windows repeats <Data>; a uint16 array in a named Data: the name
     * repeated; then an unnamed Data continues at position 4 */
    unsigned char sa[] = {'a', 0, 0, 0, 0, 0, 'c', 0, 0, 0};
    unsigned char ua[6];
    w16(ua, 1);
    w16(ua + 2, 2);
    w16(ua + 4, 65535);
    size_t nx;
    const void *x = u16s("x", &nx);
    const char *names[] = {NULL, "N", NULL};
    struct tv v[] = {{0x81, sa, sizeof sa}, {0x86, ua, 6}, {0x01, x, nx}};
    size_t len;
    unsigned char *f = data_file(names, v, 3, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    const struct cb_event *e = ev_at(src, 0);
    cr_assert_eq(e->nfields, 7u);
    const char *wn[] = {"1", "2", "3", "N", "N", "N", "4"};
    const char *wv[] = {"a", "", "c", "1", "2", "65535", "x"};
    for (int i = 0; i < 7; i++) {
        cr_expect_str_eq(e->fields[i].name, wn[i], "field %d", i);
        cr_expect_str_eq(e->fields[i].value, wv[i], "field %d", i);
    }
}

Test(evtx, optional_substitution_without_value_omits_the_element)
{
    size_t n1;
    const void *s1 = u16s("kept", &n1);
    const char *names[] = {NULL, "Gone", NULL, "Empty"};
    struct tv v[] = {{0x00, NULL, 0}, {0x00, NULL, 0}, {0x01, s1, n1},
                     {0x01, "", 0}};
    size_t len;
    unsigned char *f = data_file(names, v, 4, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    const struct cb_event *e = ev_at(src, 0);
    cr_assert_eq(e->nfields, 2u);
    cr_expect_str_eq(e->fields[0].name, "1", "positions count kept ones");
    cr_expect_str_eq(e->fields[0].value, "kept");
    cr_expect_str_eq(e->fields[1].name, "Empty", "an empty string stays");
    cr_expect_str_eq(e->fields[1].value, "");
}

Test(evtx, field_names_from_the_data_are_cut_not_fatal)
{
    /* a Data whose Name is a 5000-character substitution */
    static struct cw w;
    cw_init(&w);
    uint32_t r = rec_begin(&w, 1, FT_2024_11_15);
    frag_(&w);
    uint32_t def = tpl_begin(&w);
    frag_(&w);
    open_(&w, "Event", 0);
    content_(&w);
    open_(&w, "EventData", 0);
    content_(&w);
    open_(&w, "Data", 1);
    attr_(&w, "Name");
    subst_(&w, 0, 0x01, 0);
    content_(&w);
    text_(&w, "v");
    end_(&w);
    end_(&w);
    end_(&w);
    eof_(&w);
    tpl_end(&w, def);
    static unsigned char longname[10000];
    for (int i = 0; i < 5000; i++)
        w16(longname + 2 * i, 'n');
    struct tv v[] = {{0x01, longname, sizeof longname}};
    values_(&w, v, 1);
    eof_(&w);
    rec_end(&w, r, 1);
    struct cw *c[] = {&w};
    size_t len;
    unsigned char *f = file_of(c, 1, 0, 0, 0, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    const struct cb_event *e = ev_at(src, 0);
    cr_assert_eq(e->nfields, 1u);
    cr_expect_eq(strlen(e->fields[0].name), CB_LIMIT_INTERN_STRING);
    cr_expect_str_eq(e->fields[0].value, "v");
}

Test(evtx, invalid_utf16_becomes_replacement_characters)
{
    /* lone high surrogate before 'A', lone low surrogate, a valid pair
     * (U+1F600), a high surrogate at the very end */
    unsigned char s[] = {0x3D, 0xD8, 'A', 0, 0x00, 0xDE, 'B', 0,
                         0x3D, 0xD8, 0x00, 0xDE, 0x3D, 0xD8};
    const char *names[] = {"s"};
    struct tv v[] = {{0x01, s, sizeof s}};
    size_t len;
    unsigned char *f = data_file(names, v, 1, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_expect_str_eq(field(ev_at(src, 0), "s"),
                     "\xEF\xBF\xBD" "A" "\xEF\xBF\xBD" "B"
                     "\xF0\x9F\x98\x80" "\xEF\xBF\xBD");
}

/* ---- structure ---------------------------------------------------------- */

/* A 104 "log cleared": UserData holds another channel's name. */
static unsigned char *userdata_file(size_t *len)
{
    static struct cw w;
    cw_init(&w);
    uint32_t r = rec_begin(&w, 9, FT_2024_11_15);
    frag_(&w);
    open_(&w, "Event", 0);
    content_(&w);
    open_(&w, "System", 0);
    content_(&w);
    open_(&w, "Channel", 0);
    content_(&w);
    text_(&w, "System");
    end_(&w);
    end_(&w);
    open_(&w, "UserData", 0);
    content_(&w);
    open_(&w, "LogFileCleared", 1);
    attr_(&w, "xmlns");
    text_(&w, "http://manifests.microsoft.com/win/2004/08/windows/eventlog");
    content_(&w);
    open_(&w, "SubjectUserName", 0);
    content_(&w);
    text_(&w, "tony");
    end_(&w);
    open_(&w, "Channel", 0);
    content_(&w);
    text_(&w, "Microsoft-Windows-Sysmon/Operational");
    end_(&w);
    open_(&w, "BackupPath", 0);
    empty_(&w);
    open_(&w, "Error", 1);
    attr_(&w, "Code");
    text_(&w, "15007");
    empty_(&w);
    end_(&w); /* LogFileCleared */
    end_(&w); /* UserData */
    end_(&w); /* Event */
    eof_(&w);
    rec_end(&w, r, 9);
    struct cw *c[] = {&w};
    return file_of(c, 1, 0, 0, 0, len);
}

Test(evtx, userdata_leaves_are_fields_and_their_channel_is_data)
{
    size_t len;
    unsigned char *f = userdata_file(&len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    const struct cb_event *e = ev_at(src, 0);
    cr_expect_str_eq(e->channel, "System");
    cr_assert_eq(e->nfields, 4u);
    cr_expect_str_eq(field(e, "SubjectUserName"), "tony");
    cr_expect_str_eq(field(e, "Channel"),
                     "Microsoft-Windows-Sysmon/Operational");
    cr_expect_str_eq(field(e, "BackupPath"), "");
    cr_expect_str_eq(field(e, "Error@Code"), "15007");
    cr_expect_null(field(e, "LogFileCleared"), "not a leaf");
}

/* UserData is substitution %0 of type 0x21 whose value starts with an
 * element: no dependency ids inside, as CAPI2 logs have it. */
static unsigned char *nested_file(size_t *len)
{
    static struct cw w;
    cw_init(&w);
    uint32_t r = rec_begin(&w, 3, FT_2024_11_15);
    frag_(&w);
    uint32_t def = tpl_begin(&w);
    frag_(&w);
    open_(&w, "Event", 0);
    content_(&w);
    open_(&w, "UserData", 0);
    content_(&w);
    subst_(&w, 0, 0x21, 0);
    end_(&w);
    end_(&w);
    eof_(&w);
    tpl_end(&w, def);
    /* the instance data: one value, written in place */
    u32_(&w, 1);
    uint32_t desc = w.pos;
    u16_(&w, 0);
    u8_(&w, 0x21);
    u8_(&w, 0);
    uint32_t start = w.pos;
    open_dep(&w, "WinVerifyTrustStart", 0, 0);
    content_(&w);
    open_dep(&w, "EventAuxInfo", 1, 0);
    attr_(&w, "ProcessName");
    text_(&w, "Setup.exe");
    empty_(&w);
    open_dep(&w, "Result", 0, 0);
    content_(&w);
    text_(&w, "0");
    end_(&w);
    end_(&w);
    eof_(&w);
    w16(w.c + desc, (uint16_t)(w.pos - start));
    eof_(&w);
    rec_end(&w, r, 3);
    struct cw *c[] = {&w};
    return file_of(c, 1, 0, 0, 0, len);
}

Test(evtx, binary_xml_value_is_walked_in_place)
{
    size_t len;
    unsigned char *f = nested_file(&len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    dump_warnings(src);
    const struct cb_event *e = ev_at(src, 0);
    cr_expect_str_eq(field(e, "EventAuxInfo@ProcessName"), "Setup.exe");
    cr_expect_str_eq(field(e, "Result"), "0");
}

/* A record without template: PI, CDATA, character and entity
 * references. */
static unsigned char *markup_file(size_t *len)
{
    static struct cw w;
    cw_init(&w);
    uint32_t r = rec_begin(&w, 5, FT_2024_11_15);
    frag_(&w);
    u8_(&w, 0x0a); /* PI target, then PI data: not part of any field */
    name_(&w, "xml-stylesheet");
    u8_(&w, 0x0b);
    u16_(&w, 4);
    utf16_(&w, "a=b!");
    open_(&w, "Event", 0);
    content_(&w);
    open_(&w, "EventData", 0);
    content_(&w);
    open_(&w, "Data", 1);
    attr_(&w, "Name");
    text_(&w, "Script");
    content_(&w);
    u8_(&w, 0x07); /* CDATA */
    u16_(&w, 5);
    utf16_(&w, "if (a");
    u8_(&w, 0x49); /* &lt; */
    name_(&w, "lt");
    u8_(&w, 0x48); /* &#98; */
    u16_(&w, 'b');
    u8_(&w, 0x49);
    name_(&w, "nbsp"); /* unknown: kept as written */
    u8_(&w, 0x08);
    u16_(&w, 0xD800); /* a surrogate as a character: U+FFFD */
    end_(&w);
    end_(&w);
    end_(&w);
    eof_(&w);
    rec_end(&w, r, 5);
    struct cw *c[] = {&w};
    return file_of(c, 1, 0, 0, 0, len);
}

Test(evtx, cdata_character_and_entity_references_and_pi)
{
    size_t len;
    unsigned char *f = markup_file(&len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    dump_warnings(src);
    cr_expect_str_eq(field(ev_at(src, 0), "Script"),
                     "if (a<b&nbsp;\xEF\xBF\xBD");
}

/* ---- chunks: live, stale, continuing ----------------------------------- */

/* Three chunks of two records each; the caller decides the header. */
static unsigned char *three_chunks(uint64_t ids[3][2], uint64_t fts[3][2],
                                   uint64_t first, uint64_t last,
                                   uint32_t flags, size_t *len)
{
    static struct cw w[3];
    struct cw *c[3];
    for (int k = 0; k < 3; k++) {
        cw_init(&w[k]);
        uint32_t def = 0;
        for (int i = 0; i < 2; i++) {
            struct evspec s = spec_default();
            s.rid = ids[k][i];
            s.ft = fts[k][i];
            event_record(&w[k], &def, &s);
        }
        c[k] = &w[k];
    }
    return file_of(c, 3, first, last, flags, len);
}

#define T(s) (FT_2024_11_15 + (uint64_t)(s) * 10000000ULL)

Test(evtx, stale_chunk_records_are_recovered_and_live_copies_dropped)
{
    /* header: chunks 0..1 live; chunk 2 holds a copy of record 3 (same
     * time: dropped) and record 1 of an older generation (other time:
     * kept, flagged) */
    uint64_t ids[3][2] = {{1, 2}, {3, 4}, {3, 1}};
    uint64_t fts[3][2] = {{T(1), T(2)}, {T(3), T(4)}, {T(3), T(-100)}};
    size_t len;
    unsigned char *f = three_chunks(ids, fts, 0, 1, 0, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    dump_warnings(src);
    cr_assert_eq(src->nevents, 5u);
    cr_expect_eq(count_recovered(src), 1u);
    const struct cb_event *e = ev_at(src, 4);
    cr_expect_eq(e->record_id, 1u);
    cr_expect(e->flags & CB_EV_RECOVERED);
    cr_expect_gt(e->origin, 4096u + 2 * CHUNK + 512u, "its own offset");
    cr_expect_lt(e->origin, 4096u + 3 * CHUNK);
    cr_expect(warned(src, "1 records recovered from 1 stale chunks",
                     "1 stale copies of live records dropped"));
}

Test(evtx, stale_chunk_before_the_live_ones_is_held_back_for_dedup)
{
    /* header: chunks 1..2 live; chunk 0 (read first) holds a copy of
     * record 5 and an old record 9 */
    uint64_t ids[3][2] = {{5, 9}, {5, 6}, {7, 8}};
    uint64_t fts[3][2] = {{T(5), T(-9)}, {T(5), T(6)}, {T(7), T(8)}};
    size_t len;
    unsigned char *f = three_chunks(ids, fts, 1, 2, 0, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_assert_eq(src->nevents, 5u);
    cr_expect_eq(ev_at(src, 0)->record_id, 5u, "live records first");
    cr_expect_not(ev_at(src, 0)->flags & CB_EV_RECOVERED);
    const struct cb_event *e = ev_at(src, 4);
    cr_expect_eq(e->record_id, 9u);
    cr_expect(e->flags & CB_EV_RECOVERED);
    cr_expect(warned(src, "1 stale copies of live records dropped", NULL));
}

Test(evtx, wrapped_header_range_reads_every_chunk_as_live)
{
    uint64_t ids[3][2] = {{7, 8}, {1, 2}, {3, 4}}; /* oldest in chunk 1 */
    uint64_t fts[3][2] = {{T(7), T(8)}, {T(1), T(2)}, {T(3), T(4)}};
    size_t len;
    unsigned char *f = three_chunks(ids, fts, 1, 0, 0, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_assert_eq(src->nevents, 6u);
    cr_expect_eq(count_recovered(src), 0u);
    cr_expect_eq(src->nwarnings, 0u);
}

Test(evtx, dirty_header_chunks_that_continue_the_ids_are_live)
{
    /* header says chunk 0 only, but it is dirty and chunks 1 and 2 go on
     * with ids 3.. : the header was not rewritten (as omer__system.evtx) */
    uint64_t ids[3][2] = {{1, 2}, {3, 4}, {5, 6}};
    uint64_t fts[3][2] = {{T(1), T(2)}, {T(3), T(4)}, {T(5), T(6)}};
    size_t len;
    unsigned char *f = three_chunks(ids, fts, 0, 0, 1, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_assert_eq(src->nevents, 6u);
    cr_expect_eq(count_recovered(src), 0u);
    cr_expect(warned(src, "chunks 1..2 continue the record ids", NULL));
    /* the same file, clean: the header is believed */
    f = three_chunks(ids, fts, 0, 0, 0, &len);
    src = parse_mem(f, len);
    free(f);
    cr_expect_eq(count_recovered(src), 4u);
}

Test(evtx, file_without_header_signature_reads_every_chunk)
{
    size_t len;
    unsigned char *f = simple_file(3, 1, &len);
    memcpy(f, "NotAFile", 8);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_expect_eq(src->nevents, 3u);
    cr_expect(warned(src, "no ElfFile signature", NULL));
}

/* ---- damage ------------------------------------------------------------ */

Test(evtx, bad_chunk_magic_warns_with_chunk_index_and_offset)
{
    uint64_t ids[3][2] = {{1, 2}, {3, 4}, {5, 6}};
    uint64_t fts[3][2] = {{T(1), T(2)}, {T(3), T(4)}, {T(5), T(6)}};
    size_t len;
    unsigned char *f = three_chunks(ids, fts, 0, 2, 0, &len);
    f[4096 + CHUNK + 3] = 'X';
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_expect_eq(src->nevents, 4u);
    cr_expect(warned(src, "chunk 1 at file offset 69632",
                     "no ElfChnk signature"));
}

Test(evtx, header_and_chunk_crc_mismatches_warn_and_parse_anyway)
{
    size_t len;
    unsigned char *f = simple_file(2, 1, &len);
    f[125] ^= 0x01;              /* file header CRC */
    f[4096 + 100] ^= 0xFF;       /* inside the chunk header's CRC range */
    f[4096 + 512 + 300] ^= 0x00; /* nothing */
    w32(f + 4096 + 52, 0x12345678); /* records CRC */
    const struct cb_source *src = parse_mem(f, len);
    cr_expect_eq(src->nevents, 2u);
    cr_expect(warned(src, "file header CRC32", "read anyway"));
    cr_expect(warned(src, "chunk 0: header CRC32", NULL));
    cr_expect(warned(src, "chunk 0: records CRC32", NULL));
    /* format 3.2's "no CRC" flag: no CRC is checked */
    w32(f + 120, 4);
    src = parse_mem(f, len);
    free(f);
    cr_expect_eq(src->nevents, 2u);
    cr_expect_eq(src->nwarnings, 0u);
}

Test(evtx, bad_record_is_skipped_by_searching_the_next_signature)
{
    size_t len;
    unsigned char *f = simple_file(4, 1, &len);
    /* break the size copy of record 2 */
    unsigned char *c = f + 4096;
    uint32_t off = 512;
    off += (uint32_t)(c[off + 4] | c[off + 5] << 8 | c[off + 6] << 16);
    uint32_t size = (uint32_t)(c[off + 4] | c[off + 5] << 8);
    w32(c + off + size - 4, 1);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_assert_eq(src->nevents, 3u);
    cr_expect_eq(ev_at(src, 1)->record_id, 3u);
    cr_expect(ev_at(src, 1)->flags & CB_EV_RECOVERED,
              "found by scanning past damage");
    char where[64];
    snprintf(where, sizeof where, "chunk offset 0x%x", off);
    cr_expect(warned(src, "record size and its copy differ", where));
}

Test(evtx, broken_template_skips_only_the_records_that_use_it)
{
    size_t len;
    unsigned char *f = simple_file(3, 1, &len);
    /* the template definition of record 1 claims to run past the chunk:
     * records 1..3 all use it, so all are skipped with a warning each;
     * then a good file shows the count is not an accident */
    unsigned char *c = f + 4096;
    uint32_t def = 512 + 24 + 4 + 10;
    w32(c + def + 20, 0x7FFFFFF0);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_expect_eq(src->nevents, 0u);
    cr_expect(warned(src, "record 1 skipped", "runs past the chunk"));
    cr_expect(warned(src, "record 2 skipped", "broken"));
}

Test(evtx, template_that_refers_to_itself_does_not_loop)
{
    static struct cw w;
    cw_init(&w);
    uint32_t r = rec_begin(&w, 1, FT_2024_11_15);
    frag_(&w);
    uint32_t def = tpl_begin(&w);
    frag_(&w);
    open_(&w, "Event", 0);
    content_(&w);
    tpl_ref(&w, def); /* a template instance inside its own definition */
    u32_(&w, 0);
    end_(&w);
    eof_(&w);
    tpl_end(&w, def);
    values_(&w, NULL, 0);
    eof_(&w);
    rec_end(&w, r, 1);
    struct cw *c[] = {&w};
    size_t len;
    unsigned char *f = file_of(c, 1, 0, 0, 0, &len);
    const struct cb_source *src = parse_mem(f, len);
    free(f);
    cr_expect_eq(src->nevents, 0u);
    cr_expect(warned(src, "record 1 skipped", "template"));
}

Test(evtx, nesting_deeper_than_the_cap_is_refused)
{
    static struct cw w;
    for (int depth = CB_LIMIT_BINXML_DEPTH - 1;
         depth <= CB_LIMIT_BINXML_DEPTH + 1; depth++) {
        cw_init(&w);
        uint32_t r = rec_begin(&w, 1, FT_2024_11_15);
        frag_(&w);
        for (int i = 0; i < depth; i++) {
            open_(&w, i ? "D" : "Event", 0);
            content_(&w);
        }
        for (int i = 0; i < depth; i++)
            end_(&w);
        eof_(&w);
        rec_end(&w, r, 1);
        struct cw *c[] = {&w};
        size_t len;
        unsigned char *f = file_of(c, 1, 0, 0, 0, &len);
        const struct cb_source *src = parse_mem(f, len);
        free(f);
        if (depth <= CB_LIMIT_BINXML_DEPTH) {
            cr_expect_eq(src->nevents, 1u, "depth %d", depth);
        } else {
            cr_expect_eq(src->nevents, 0u, "depth %d", depth);
            cr_expect(warned(src, "nested deeper than 64", NULL));
        }
    }
}

Test(evtx, absurd_sizes_and_counts_end_in_warnings)
{
    size_t len;
    unsigned char *good = simple_file(3, 1, &len);
    unsigned char *f = malloc(len);
    struct {
        uint32_t off; /* in chunk 0 */
        uint32_t value;
        const char *warning;
    } cases[] = {
        {512 + 4, 0xFFFFFFF0u, "record size out of bounds"},
        {512 + 4, 0, "record size out of bounds"},
        {48, 0xFFFFFFFFu, "free space offset"},
        /* value count of record 1's instance, after the definition */
        {0, 0x40000000u, "template values"},
    };
    /* where record 1's values start: past the inline definition */
    uint32_t def = 512 + 24 + 4 + 10;
    uint32_t dsize = (uint32_t)(good[4096 + def + 20] |
                                good[4096 + def + 21] << 8);
    cases[3].off = def + 24 + dsize;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        memcpy(f, good, len);
        w32(f + 4096 + cases[i].off, cases[i].value);
        const struct cb_source *src = parse_mem(f, len);
        cr_expect(warned(src, cases[i].warning, NULL), "case %zu", i);
        cr_expect_leq(src->nevents, 3u);
    }
    /* an element name of 65535 characters */
    memcpy(f, good, len);
    uint32_t name = def + 24 + 4 + 11; /* Event's inline name */
    w16(f + 4096 + name + 6, 0xFFFF);
    const struct cb_source *src = parse_mem(f, len);
    cr_expect(warned(src, "skipped", NULL));
    free(f);
    free(good);
}

Test(evtx, truncated_file_at_every_offset_ends_with_warnings)
{
    size_t len;
    unsigned char *f = simple_file(20, 1, &len);
    for (size_t cut = 0; cut < len; cut += cut < 8192 ? 37 : 997) {
        const struct cb_source *src = parse_mem(f, cut);
        cr_expect_leq(src->nevents, 20u);
        if (cut > 0 && cut < 4096 + 512)
            cr_expect_gt(src->nwarnings, 0u, "cut at %zu", cut);
    }
    free(f);
}

Test(evtx, bid_wants_the_signature_or_the_name)
{
    const struct cb_parser_ops *p = cb_parser_find("evtx");
    cr_assert_not_null(p);
    cr_expect_gt(p->bid((const unsigned char *)"ElfFile\0", 8, "x.bin"), 32);
    cr_expect_gt(p->bid((const unsigned char *)"ElfFile\0", 8, "x.evtx"),
                 p->bid((const unsigned char *)"ElfFile\0", 8, "x.bin"));
    cr_expect_gt(p->bid((const unsigned char *)"junk", 4, "a.EVTX"), 0);
    cr_expect_eq(p->bid((const unsigned char *)"junk", 4, "a.log"), 0);
}

/* Many chunks (the worker ring wraps several times), with damage in
 * some: -j N must give what -j 1 gives. */
static unsigned char *many_chunks(size_t n, uint64_t first, uint64_t last,
                                  uint32_t flags, size_t *len)
{
    static struct cw w[40];
    struct cw *c[40];
    cr_assert_leq(n, 40u);
    uint64_t rid = 1;
    for (size_t k = 0; k < n; k++) {
        cw_init(&w[k]);
        uint32_t def = 0;
        for (unsigned i = 0; i < 1 + k % 5; i++) {
            struct evspec s = spec_default();
            s.rid = rid++;
            s.ft += s.rid * 10000000ULL;
            event_record(&w[k], &def, &s);
        }
        c[k] = &w[k];
    }
    return file_of(c, n, first, last, flags, len);
}

Test(evtx, parallel_chunks_give_what_one_thread_gives)
{
    size_t len;
    /* stale chunks after the live ones, before them (held back), a
     * wrapped range, a dirty header continued by later chunks */
    uint64_t ids[4][3][2] = {{{1, 2}, {3, 4}, {3, 1}},
                             {{5, 9}, {5, 6}, {7, 8}},
                             {{7, 8}, {1, 2}, {3, 4}},
                             {{1, 2}, {3, 4}, {5, 6}}};
    uint64_t fts[4][3][2] = {{{T(1), T(2)}, {T(3), T(4)}, {T(3), T(-100)}},
                             {{T(5), T(-9)}, {T(5), T(6)}, {T(7), T(8)}},
                             {{T(7), T(8)}, {T(1), T(2)}, {T(3), T(4)}},
                             {{T(1), T(2)}, {T(3), T(4)}, {T(5), T(6)}}};
    uint64_t range[4][3] = {{0, 1, 0}, {1, 2, 0}, {1, 0, 0}, {0, 0, 1}};
    for (int i = 0; i < 4; i++) {
        unsigned char *f = three_chunks(ids[i], fts[i], range[i][0],
                                        range[i][1], (uint32_t)range[i][2],
                                        &len);
        char what[32];
        snprintf(what, sizeof what, "three chunks, case %d", i);
        cr_expect_gt(expect_same_for_jobs(what, f, len), 5u);
        free(f);
    }
    /* 37 chunks: live, then stale ones before the range's start */
    unsigned char *f = many_chunks(37, 0, 36, 0, &len);
    cr_expect_gt(expect_same_for_jobs("37 chunks", f, len), 100u);
    free(f);
    f = many_chunks(37, 9, 36, 0, &len); /* 9 held back */
    expect_same_for_jobs("37 chunks, 9 held back", f, len);
    free(f);
    f = many_chunks(37, 0, 20, 1, &len); /* dirty: 21.. continue */
    expect_same_for_jobs("37 chunks, dirty", f, len);
    free(f);
    f = many_chunks(37, 30, 12, 0, &len); /* wrapped */
    expect_same_for_jobs("37 chunks, wrapped", f, len);
    /* damage in several chunks: magic, CRCs, a record size, a template */
    unsigned char *g = malloc(len);
    memcpy(g, f, len);
    g[4096 + 3 * CHUNK + 3] = 'X';
    g[4096 + 5 * CHUNK + 100] ^= 0xFF;
    w32(g + 4096 + 7 * CHUNK + 52, 0x12345678);
    w32(g + 4096 + 11 * CHUNK + 512 + 4, 0xFFFFFFF0u);
    w32(g + 4096 + 13 * CHUNK + 512 + 24 + 4 + 10 + 20, 0x7FFFFFF0);
    expect_same_for_jobs("37 chunks, damaged", g, len);
    /* cut short at several places */
    for (size_t cut = 4096 + 512 + 100; cut < len; cut += 5 * CHUNK + 977)
        expect_same_for_jobs("37 chunks, cut short", g, cut);
    /* one after the other in one analysis: damaged, cut mid-chunk, held
     * back, wrapped, a small one the workers never see, dirty */
    size_t hl, sl, dl;
    unsigned char *held = many_chunks(37, 9, 36, 0, &hl);
    unsigned char *small = simple_file(20, 1, &sl);
    unsigned char *dirty = many_chunks(37, 0, 20, 1, &dl);
    const unsigned char *files[] = {g, g, held, f, small, dirty};
    const size_t lens[] = {len, 4096 + 9 * CHUNK + 1234, hl, len, sl, dl};
    expect_same_across_files(files, lens, 6);
    free(held);
    free(small);
    free(dirty);
    free(g);
    free(f);
}

/* Save the files built above as fuzz seeds (see the file's header). */
Test(evtx, writes_fuzz_seeds)
{
    const char *dir = getenv("CB_EVTX_WRITE_SEEDS");
    if (!dir)
        cr_skip_test("set CB_EVTX_WRITE_SEEDS=DIR to write the fuzz seeds");
    struct {
        const char *name;
        unsigned char *data;
        size_t len;
    } seeds[12];
    size_t n = 0, len;
    seeds[n].name = "one_chunk_three_records.evtx";
    seeds[n].data = simple_file(3, 1, &len);
    seeds[n++].len = len;
    uint64_t ids[3][2] = {{5, 9}, {5, 6}, {7, 8}};
    uint64_t fts[3][2] = {{T(5), T(-9)}, {T(5), T(6)}, {T(7), T(8)}};
    seeds[n].name = "stale_chunk_first.evtx";
    seeds[n].data = three_chunks(ids, fts, 1, 2, 0, &len);
    seeds[n++].len = len;
    uint64_t ids2[3][2] = {{1, 2}, {3, 4}, {5, 6}};
    seeds[n].name = "dirty_continuation.evtx";
    seeds[n].data = three_chunks(ids2, fts, 0, 0, 1, &len);
    seeds[n++].len = len;
    seeds[n].name = "value_types.evtx";
    seeds[n].data = types_file(&len);
    seeds[n++].len = len;
    seeds[n].name = "userdata.evtx";
    seeds[n].data = userdata_file(&len);
    seeds[n++].len = len;
    seeds[n].name = "nested_binxml.evtx";
    seeds[n].data = nested_file(&len);
    seeds[n++].len = len;
    seeds[n].name = "markup.evtx";
    seeds[n].data = markup_file(&len);
    seeds[n++].len = len;
    seeds[n].name = "bad_chunk_magic.evtx";
    seeds[n].data = three_chunks(ids2, fts, 0, 2, 0, &len);
    seeds[n].data[4096 + CHUNK + 3] = 'X';
    seeds[n++].len = len;
    seeds[n].name = "bad_size_copy.evtx";
    seeds[n].data = simple_file(3, 1, &len);
    w32(seeds[n].data + 4096 + 512 + 20, 0); /* the record's time */
    seeds[n].data[4096 + 512 + 4] ^= 0x10;   /* its size */
    seeds[n++].len = len;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, seeds[i].name);
        FILE *fp = fopen(path, "wb");
        cr_assert_not_null(fp, "%s", path);
        /* chunks past the first are mostly zeros: keep seeds small by
         * cutting the trailing zeros of the last chunk */
        size_t keep = seeds[i].len;
        while (keep > 4096 + 512 && seeds[i].data[keep - 1] == 0)
            keep--;
        fwrite(seeds[i].data, 1, keep, fp);
        fclose(fp);
        free(seeds[i].data);
    }
}

#endif /* !CB_EVTX_CORPUS_ONLY */

#ifdef CB_EVTX_CORPUS_ONLY
/* ---- the corpus -------------------------------------------------------- */

static const char *corpus_or_skip(void)
{
    const char *dir = corpus_dir();
    if (!dir)
        cr_skip_test("corpus not found (set CASEBRIEF_CORPUS): skipped");
    return dir;
}

static const struct cb_source *parse_corpus(const char *dir, const char *rel)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        cr_skip_test("%s not in the corpus: skipped", rel);
    fclose(fp);
    cb_analysis_destroy(&an);
    an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    struct cb_error err = {0};
    cr_assert_eq(cb_ingest_path(an, path, &err), CB_OK, "%s", err.msg);
    cr_assert_geq(an->nsources, 1u);
    cr_assert_str_eq(an->sources[0]->format, "evtx", "%s", rel);
    /* further sources: the LocaleMetaData (.MTA) beside the file */
    for (size_t i = 1; i < an->nsources; i++)
        cr_assert_str_eq(an->sources[i]->format, "mta", "%s", rel);
    return an->sources[0];
}

static unsigned char *read_corpus(const char *dir, const char *rel,
                                  size_t *len)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        cr_skip_test("%s not in the corpus: skipped", rel);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n);
    cr_assert_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return b;
}

/*
 * Per file: our event count and how many of them are flagged recovered.
 * Our unflagged count equals libevtx's record count in PROVENANCE.md for
 * every file but plaso__System2 (below). Where they differ:
 * - CAPI2 (both) and MSExchange: libevtx counts them (340, 459, 1) but its
 *   export stops (24, 89, 0): we read them all (nested Binary XML).
 * - records found by scanning past a damaged record in a live chunk are
 *   flagged recovered; libevtx leaves them out of its count (they are in
 *   its "recovered" number): zero-data-size +114, RdpCoreTS +41,
 *   TS-RemoteConnectionManager +21, bad chunk magic +31.
 * - stale chunks (not in the header's range, not continuing it):
 *   2-vss_7-System chunk 12, 5 records, flagged recovered; libevtx counts
 *   them as records (1160 = 1155 + 5).
 * - plaso__System2 is cut inside its third chunk: libevtx ignores that
 *   chunk (194), we read the 89 whole records in it (283).
 * Dirty files whose chunks continue past the header's last chunk
 * (omer__system, 2-vss_7-System, Shell-Core, sysmon) are read as live, as
 * libevtx does: PROVENANCE calls them stale, but their record ids and
 * times carry straight on from the header's last chunk.
 */
static const struct {
    const char *path;
    unsigned total, recovered;
} counts[] = {
    {"evtx/omer__system.evtx", 1881, 0},
    {"evtx/omer__2-vss_7-System.evtx", 1160, 5},
    {"evtx/omer__security.evtx", 2261, 0},
    {"evtx/omer__Security_short_selected.evtx", 7, 0},
    {"evtx/omer__Security_with_size_t.evtx", 636, 0},
    {"evtx/omer__post-Security.evtx", 126, 0},
    {"evtx/omer__new-user-security.evtx", 4, 0},
    {"evtx/omer__E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2"
     "%4Operational.evtx", 340, 0},
    {"evtx/omer__E_Windows_system32_winevt_logs_Microsoft-Windows-Shell-Core"
     "%4Operational.evtx", 1146, 0},
    {"evtx/omer__2-system-Microsoft-Windows-LiveId%4Operational.evtx", 399,
     0},
    {"evtx/omer__sample-with-irregular-bool-values.evtx", 3028, 0},
    {"evtx/omer__Microsoft-Windows-HelloForBusiness%4Operational.evtx", 5,
     0},
    {"evtx/omer__test.evtx", 239, 0},
    {"evtx/pyevtx__system.evtx", 1601, 0},
    {"evtx/pyevtx__issue_38.evtx", 1, 0},
    {"evtx/pyevtx__issue_39.evtx", 394, 0},
    {"evtx/plaso__System.evtx", 5009, 0},
    {"evtx/eas__WinDefender_Events_1117_1116_AtomicRedTeam.evtx", 11, 0},
    {"evtx/eas__Exec_via_cpl_Application_Experience_EventID_17_"
     "ControlPanelApplet.evtx", 4, 0},
    {"evtx/eas__RemotePowerShell_MS_Windows-Remote_Management_EventID_169"
     ".evtx", 6, 0},
    {"evtx/eas__bits_openvpn.evtx", 1537, 0},
    {"evtx/eas__rdpcorets_148_mst120_bluekeep_rpdscan_full.evtx", 733, 0},
    {"evtx/eas__exec_emotet_ps_800_get-item.evtx", 1, 0},
    {"evtx/eas__DE_WinEventLogSvc_Crash_System_7036.evtx", 6, 0},
    {"evtx/eas__LM_Remote_Service02_7045.evtx", 3, 0},
    {"evtx/eas__rogue_msi_url_1040_1042.evtx", 351, 0},
    {"evtx/eas__LM_xp_cmdshell_MSSQL_Events.evtx", 21, 0},
    {"evtx/eas__DE_1102_security_log_cleared.evtx", 112, 0},
    {"evtx/eas__ppl_bypass_ppldump_knowdll_hijack_sysmon_security.evtx", 20,
     0},
    {"evtx/eas__PanacheSysmon_vs_AtomicRedTeam01.evtx", 565, 0},
    {"evtx/eas__etw_rpc_zerologon.evtx", 415, 0},
    {"evtx-broken/omer__sample_with_a_bad_chunk_magic.evtx", 298, 31},
    {"evtx-broken/omer__Application_no_crc32.evtx", 17, 0},
    {"evtx-broken/omer__security_bad_string_cache.evtx", 2261, 0},
    {"evtx-broken/omer__sample-with-zero-data-size-event.evtx", 449, 114},
    {"evtx-broken/omer__sysmon.evtx", 358, 0},
    {"evtx-broken/omer__2-vss_0-Microsoft-Windows-RemoteDesktopServices-"
     "RdpCoreTS%4Operational.evtx", 1951, 41},
    {"evtx-broken/omer__2-vss_0-Microsoft-Windows-TerminalServices-"
     "RemoteConnectionManager%4Operational.evtx", 1795, 21},
    {"evtx-broken/omer__E_ShadowCopy6_windows_system32_winevt_logs_"
     "Microsoft-Windows-CAPI2%4Operational.evtx", 459, 0},
    {"evtx-broken/omer__Microsoft-Windows-LanguagePackSetup%4Operational"
     ".evtx", 16, 0},
    {"evtx-broken/omer__MSExchange_Management_wec.evtx", 1, 0},
    {"evtx-broken/plaso__System2.evtx", 283, 0},
    {"evtx-broken/pyevtx__dns_log_malformed.evtx", 5, 0},
    {"evtx-broken/pyevtx__issue_43.evtx", 1730, 0},
};

Test(evtx_corpus, record_counts_match_libevtx_plus_flagged_recoveries)
{
    const char *dir = corpus_or_skip();
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        const struct cb_source *src = parse_corpus(dir, counts[i].path);
        cr_expect_eq(src->nevents, counts[i].total, "%s: %llu events",
                     counts[i].path, (unsigned long long)src->nevents);
        cr_expect_eq(count_recovered(src), counts[i].recovered,
                     "%s: %zu recovered", counts[i].path,
                     count_recovered(src));
        /* every event has a record id and a time */
        for (size_t k = 0; k < src->nevents; k++)
            cr_assert(src->events[k]->flags & CB_EV_HAS_RECORD_ID);
    }
}

/* Channel counts over unflagged events, from <System><Channel> only. */
Test(evtx_corpus, channels_come_from_system_channel_only)
{
    const char *dir = corpus_or_skip();
    static const struct {
        const char *path, *channel;
        unsigned n;
    } want[] = {
        {"evtx/omer__system.evtx", "System", 1881},
        {"evtx/eas__ppl_bypass_ppldump_knowdll_hijack_sysmon_security.evtx",
         "Microsoft-Windows-Sysmon/Operational", 18},
        {"evtx/eas__ppl_bypass_ppldump_knowdll_hijack_sysmon_security.evtx",
         "Security", 2},
        {"evtx/eas__etw_rpc_zerologon.evtx", "", 415},
        {"evtx/eas__exec_emotet_ps_800_get-item.evtx", "Windows PowerShell",
         1},
        {"evtx/omer__test.evtx", "Setup", 239},
        {"evtx-broken/plaso__System2.evtx", "Security", 283},
        {"evtx-broken/omer__MSExchange_Management_wec.evtx",
         "MSExchange Management", 1},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const struct cb_source *src = parse_corpus(dir, want[i].path);
        unsigned n = 0;
        for (size_t k = 0; k < src->nevents; k++)
            n += strcmp(src->events[k]->channel, want[i].channel) == 0;
        cr_expect_eq(n, want[i].n, "%s: %u in '%s'", want[i].path, n,
                     want[i].channel);
    }
    /* omer__system.evtx record 1847: a 104 "log cleared" whose UserData
     * names the Sysmon channel */
    const struct cb_source *src = parse_corpus(dir, "evtx/omer__system.evtx");
    const struct cb_event *e = NULL;
    for (size_t k = 0; k < src->nevents; k++)
        if (src->events[k]->record_id == 1847)
            e = src->events[k];
    cr_assert_not_null(e);
    cr_expect_eq(e->event_id, 104u);
    cr_expect_str_eq(e->channel, "System");
    cr_expect_str_eq(field(e, "Channel"),
                     "Microsoft-Windows-Sysmon/Operational");
    cr_expect_str_eq(e->provider, "Microsoft-Windows-Eventlog");
}

/* First and last times (UTC, to the second) and computers, as listed in
 * PROVENANCE.md. */
Test(evtx_corpus, time_ranges_and_computers_match_provenance)
{
    const char *dir = corpus_or_skip();
    static const struct {
        const char *path, *first, *last;
        const char *computers[6];
    } want[] = {
        {"evtx/omer__system.evtx", "2017-07-12T07:18:24",
         "2018-03-06T08:13:42", {"DESKTOP-2KGM189", "WIN-P4SIAA0SQCO"}},
        {"evtx/omer__security.evtx", "2016-07-08T18:12:51",
         "2017-04-14T01:21:10", {"37L4247F27-25", "WIN-03DLIIOFRRA"}},
        {"evtx/omer__test.evtx", "2024-01-22T22:04:22", "2025-12-10T01:37:32",
         {"SPARKLE-23-1209"}},
        {"evtx/pyevtx__system.evtx", "2012-03-14T04:17:38",
         "2012-04-08T01:28:13", {"WKS-WIN764BITB.shieldbase.local"}},
        /* PROVENANCE lists four computers; evtxexport and we see a fifth,
         * WIN-NBRJP24VCHB.internal.greendale.edu, in 153 records */
        {"evtx/plaso__System.evtx", "2010-11-21T03:55:59",
         "2015-09-18T07:58:45",
         {"37L4247F27-26", "DC1", "DC1.internal.greendale.edu",
          "WIN-NBRJP24VCHB", "WIN-NBRJP24VCHB.internal.greendale.edu"}},
        {"evtx/eas__DE_WinEventLogSvc_Crash_System_7036.evtx",
         "2020-09-23T16:57:41", "2020-09-23T16:58:45",
         {"01566s-win16-ir.threebeesco.com"}},
        {"evtx/eas__etw_rpc_zerologon.evtx", "2020-09-18T14:02:36",
         "2020-09-18T14:02:56", {"LAPTOP-JU4M3I0E"}},
        {"evtx-broken/omer__sysmon.evtx", "2017-12-26T13:10:29",
         "2018-03-06T08:15:39", {"DESKTOP-2KGM189"}},
        {"evtx-broken/pyevtx__issue_43.evtx", "2017-09-03T12:53:24",
         "2017-10-23T07:39:49", {"DESKTOP-DF4ULDE"}},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const struct cb_source *src = parse_corpus(dir, want[i].path);
        char first[40], last[40];
        cb_time_format_iso(src->first, first, sizeof first);
        cb_time_format_iso(src->last, last, sizeof last);
        cr_expect(strncmp(first, want[i].first, 19) == 0, "%s: first %s",
                  want[i].path, first);
        cr_expect(strncmp(last, want[i].last, 19) == 0, "%s: last %s",
                  want[i].path, last);
        size_t nc = 0;
        while (nc < 6 && want[i].computers[nc])
            nc++;
        for (size_t k = 0; k < src->nevents; k++) {
            const char *c = field(src->events[k], "Computer");
            cr_assert_not_null(c);
            size_t j = 0;
            while (j < nc && strcmp(c, want[i].computers[j]) != 0)
                j++;
            cr_assert_lt(j, nc, "%s: unexpected computer %s", want[i].path,
                         c);
        }
        /* host: the short upper-case name */
        const struct cb_event *e = src->events[0];
        const char *c = field(e, "Computer");
        size_t k = 0;
        while (c[k] && c[k] != '.' && e->host[k] &&
               e->host[k] == (c[k] >= 'a' && c[k] <= 'z' ? c[k] - 32 : c[k]))
            k++;
        cr_expect(e->host[k] == '\0' && (c[k] == '\0' || c[k] == '.'),
                  "host %s of computer %s", e->host, c);
    }
}

Test(evtx_corpus, documented_traps_end_in_the_documented_warnings)
{
    const char *dir = corpus_or_skip();
    const struct cb_source *src = parse_corpus(
        dir, "evtx-broken/omer__sample_with_a_bad_chunk_magic.evtx");
    cr_expect(warned(src, "chunk 6 at file offset 397312", "no ElfChnk"));
    cr_expect(warned(src, "chunk 10 at file offset 659456", "no ElfChnk"));
    src = parse_corpus(dir,
                       "evtx-broken/omer__security_bad_string_cache.evtx");
    cr_expect(warned(src, "chunk 0: header CRC32", NULL));
    src = parse_corpus(dir, "evtx-broken/omer__Application_no_crc32.evtx");
    cr_expect_eq(src->nwarnings, 0u, "3.2 no-CRC flag: nothing to report");
    src = parse_corpus(
        dir, "evtx-broken/omer__sample-with-zero-data-size-event.evtx");
    cr_expect(warned(src, "record size out of bounds (size 0)", NULL));
    src = parse_corpus(dir, "evtx-broken/plaso__System2.evtx");
    cr_expect(warned(src, "chunk 2: file ends 64832 bytes into it", NULL));
    src = parse_corpus(dir, "evtx-broken/omer__sysmon.evtx");
    cr_expect(warned(src, "chunks 1..8 continue the record ids", NULL));
    cr_expect(warned(src, "chunk 16 at file offset 1052672", "no ElfChnk"));
    src = parse_corpus(dir, "evtx/omer__2-vss_7-System.evtx");
    cr_expect(warned(src, "5 records recovered from 1 stale chunks", NULL));
    /* CAPI2: templates nested as Binary XML values (libevtx stops after 24,
     * python-evtx fails) */
    src = parse_corpus(dir, "evtx/omer__E_Windows_system32_winevt_logs_"
                            "Microsoft-Windows-CAPI2%4Operational.evtx");
    cr_expect_eq(src->nwarnings, 0u);
    cr_expect_str_eq(field(src->events[0], "EventAuxInfo@ProcessName"),
                     "Setup.exe");
}

/* The same real file, damaged in memory in many ways: warnings, no
 * crash (the ASan build runs this too), never more events than records. */
Test(evtx_corpus, damaged_copies_of_a_real_file_end_in_warnings)
{
    const char *dir = corpus_or_skip();
    size_t len;
    unsigned char *orig = read_corpus(dir, "evtx/omer__security.evtx", &len);
    unsigned char *f = malloc(len);
    /* cut at several places: in the header, in a chunk header, in a
     * record, on a chunk boundary */
    size_t cuts[] = {0, 100, 4096, 4096 + 200, 4096 + 512 + 7,
                     4096 + 65536, 4096 + 3 * 65536 + 30001, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        const struct cb_source *src = parse_mem(orig, cuts[i]);
        cr_expect_leq(src->nevents, 2261u);
        if (cuts[i] && cuts[i] % 65536 != 4096)
            cr_expect_gt(src->nwarnings, 0u, "cut at %zu", cuts[i]);
    }
    /* flip bytes of every chunk header field, one chunk at a time */
    for (uint32_t fieldoff = 0; fieldoff < 512; fieldoff += 4) {
        memcpy(f, orig, len);
        size_t at = 4096 + (fieldoff % 5) * 65536 + fieldoff;
        f[at] ^= 0xFF;
        f[at + 1] ^= 0x5A;
        const struct cb_source *src = parse_mem(f, len);
        cr_expect_leq(src->nevents, 2261u);
        if (fieldoff != 120) /* the chunk flags are outside the CRC */
            cr_expect_gt(src->nwarnings, 0u, "chunk field at %u", fieldoff);
    }
    /* absurd record sizes and value counts across the first chunk */
    unsigned seed = 12345;
    for (int round = 0; round < 60; round++) {
        memcpy(f, orig, len);
        for (int k = 0; k < 20; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = 4096 + 512 + (seed >> 8) % (65536 - 520);
            uint32_t v = round % 3 == 0 ? 0xFFFFFFFFu
                         : round % 3 == 1 ? 0
                                          : seed;
            w32(f + at, v);
        }
        const struct cb_source *src = parse_mem(f, len);
        cr_expect_leq(src->nevents, 2261u + 100u);
    }
    free(f);
    free(orig);
}

/* Every corpus file, -j 2 and -j 4 against -j 1: events in the same order
 * with every field, the same warnings (a lost, added or reordered record
 * or warning fails). */
Test(evtx_corpus, parallel_chunks_give_what_one_thread_gives)
{
    const char *dir = corpus_or_skip();
    size_t total = 0;
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        size_t len;
        unsigned char *f = read_corpus(dir, counts[i].path, &len);
        size_t n = expect_same_for_jobs(counts[i].path, f, len);
        cr_expect_geq(n, counts[i].total, "%s", counts[i].path);
        total += n;
        free(f);
    }
    cr_expect_gt(total, 30000u);
}
#endif /* CB_EVTX_CORPUS_ONLY */

/* Issue 19, also seen: a file made of one live chunk repeated (the header
 * range covers every copy) gave every record once per copy, with repeated
 * record ids and no warning. A live record repeating the id and time of
 * one read before is dropped, and one warning counts them; -j 2 agrees. */
Test(evtx, repeated_live_chunks_keep_each_record_once_with_a_warning)
{
    static struct cw w;
    cw_init(&w);
    uint32_t def = 0;
    for (unsigned i = 0; i < 5; i++) {
        struct evspec s = spec_default();
        s.rid = 1 + i;
        s.ft += i * 10000000ULL;
        event_record(&w, &def, &s);
    }
    struct cw *c[30];
    for (size_t k = 0; k < 30; k++)
        c[k] = &w;
    size_t len;
    unsigned char *f = file_of(c, 30, 0, 29, 0, &len);
    const struct cb_source *src = parse_mem(f, len);
    cr_assert_eq(src->nevents, 5u, "each record once, not %llu",
                 (unsigned long long)src->nevents);
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(ev_at(src, i)->record_id, 1 + i);
    cr_expect(warned(src, "145 live records repeat the record id and time",
                     "the first record id 1: dropped"));
    cr_expect_eq(count_recovered(src), 0u);
    expect_same_for_jobs("one chunk 30 times", f, len);
    free(f);
}
