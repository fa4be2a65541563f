/*
 * stream.c - buffered pull stream with peek and line reading, and the one
 * place where a text file's encoding is sniffed (BOM, UTF-16 of either
 * byte order) and UTF-16 is converted to UTF-8 as it is read.
 *
 * The buffer holds up to cap + 2 bytes, so that a line of cap bytes is
 * seen together with its CRLF and is not mistaken for a longer one, and one
 * spare byte past that so that a line can always be NUL-terminated in place.
 */
#include <pthread.h>
#include <string.h>

#include "alloc.h"
#include "endian.h"
#include "stream.h"
#include "utf.h"

/* Bytes of data the buffer holds: cap, plus room for a CRLF after a line
 * of cap bytes. */
#define ROOM(s) ((s)->cap + 2)

enum cb_status cb_stream_init(struct cb_stream *s, cb_stream_read_fn read,
                              void *ctx, size_t buf_size)
{
    memset(s, 0, sizeof *s);
    s->read = read;
    s->ctx = ctx;
    s->cap = buf_size < 4096 ? 4096 : buf_size;
    s->buf = cb_malloc(ROOM(s) + 1);
    if (!s->buf)
        return CB_E_NOMEM;
    return CB_OK;
}

/* ---- read-ahead ---------------------------------------------------------
 * A ring of NBLOCKS blocks: the producer fills the block at tail while the
 * consumer drains the one at head; count says how many are full. A block
 * belongs to one side at a time, so data is copied outside the lock. */

#define NBLOCKS 4
#define BLOCK ((size_t)256 << 10)

struct cb_prefetch {
    cb_stream_read_fn read;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned char *blocks[NBLOCKS];
    size_t lens[NBLOCKS];
    size_t head, tail, count, head_off;
    int done, failed, stop;
    struct cb_error err;
};

static void *producer(void *arg)
{
    struct cb_prefetch *pf = arg;
    struct cb_error err = {0};
    for (;;) {
        pthread_mutex_lock(&pf->lock);
        while (pf->count == NBLOCKS && !pf->stop)
            pthread_cond_wait(&pf->cond, &pf->lock);
        int stop = pf->stop;
        size_t slot = pf->tail;
        pthread_mutex_unlock(&pf->lock);
        if (stop)
            break;
        long n = pf->read(pf->ctx, pf->blocks[slot], BLOCK, &err);
        pthread_mutex_lock(&pf->lock);
        if (n <= 0) {
            pf->done = 1;
            if (n < 0) {
                pf->failed = 1;
                pf->err = err;
            }
            pthread_cond_broadcast(&pf->cond);
            pthread_mutex_unlock(&pf->lock);
            break;
        }
        pf->lens[slot] = (size_t)n;
        pf->tail = (slot + 1) % NBLOCKS;
        pf->count++;
        pthread_cond_broadcast(&pf->cond);
        pthread_mutex_unlock(&pf->lock);
    }
    return NULL;
}

static long prefetch_read(void *ctx, void *buf, size_t n, struct cb_error *err)
{
    struct cb_prefetch *pf = ctx;
    pthread_mutex_lock(&pf->lock);
    while (pf->count == 0 && !pf->done)
        pthread_cond_wait(&pf->cond, &pf->lock);
    if (pf->count == 0) {
        long r = 0;
        if (pf->failed) {
            *err = pf->err;
            r = -1;
        }
        pthread_mutex_unlock(&pf->lock);
        return r;
    }
    size_t slot = pf->head;
    pthread_mutex_unlock(&pf->lock);
    size_t left = pf->lens[slot] - pf->head_off;
    if (n > left)
        n = left;
    memcpy(buf, pf->blocks[slot] + pf->head_off, n);
    pf->head_off += n;
    if (pf->head_off == pf->lens[slot]) {
        pthread_mutex_lock(&pf->lock);
        pf->head = (slot + 1) % NBLOCKS;
        pf->head_off = 0;
        pf->count--;
        pthread_cond_broadcast(&pf->cond);
        pthread_mutex_unlock(&pf->lock);
    }
    return (long)n;
}

static void prefetch_free(struct cb_prefetch *pf)
{
    for (int i = 0; i < NBLOCKS; i++)
        cb_free(pf->blocks[i]);
    cb_free(pf);
}

enum cb_status cb_stream_init_prefetch(struct cb_stream *s,
                                       cb_stream_read_fn read, void *ctx,
                                       size_t buf_size)
{
    enum cb_status st = cb_stream_init(s, read, ctx, buf_size);
    if (st != CB_OK)
        return st;
    struct cb_prefetch *pf = cb_calloc(1, sizeof *pf);
    if (!pf)
        return CB_OK; /* plain stream: slower, same result */
    for (int i = 0; i < NBLOCKS; i++) {
        pf->blocks[i] = cb_malloc(BLOCK);
        if (!pf->blocks[i]) {
            prefetch_free(pf);
            return CB_OK;
        }
    }
    pf->read = read;
    pf->ctx = ctx;
    pthread_mutex_init(&pf->lock, NULL);
    pthread_cond_init(&pf->cond, NULL);
    if (pthread_create(&pf->thread, NULL, producer, pf) != 0) {
        pthread_mutex_destroy(&pf->lock);
        pthread_cond_destroy(&pf->cond);
        prefetch_free(pf);
        return CB_OK;
    }
    s->pf = pf;
    s->read = prefetch_read;
    s->ctx = pf;
    return CB_OK;
}

void cb_stream_fini(struct cb_stream *s)
{
    struct cb_prefetch *pf = s->pf;
    if (pf) {
        pthread_mutex_lock(&pf->lock);
        pf->stop = 1;
        pthread_cond_broadcast(&pf->cond);
        pthread_mutex_unlock(&pf->lock);
        pthread_join(pf->thread, NULL);
        pthread_mutex_destroy(&pf->lock);
        pthread_cond_destroy(&pf->cond);
        prefetch_free(pf);
        s->pf = NULL;
    }
    cb_free(s->owned);
    s->owned = NULL;
    cb_free(s->buf);
    s->buf = NULL;
}

/* ---- UTF-16 to UTF-8 ---------------------------------------------------- */

struct utf16 {
    struct cb_stream *in;
    int big_endian;
    uint32_t high; /* pending high surrogate, or 0 */
    int ended;
    unsigned char raw[1 << 15];
    /* converted bytes not yet handed out: a code unit becomes up to 3
     * bytes (a pair 4, a lone surrogate's U+FFFD 3), so the caller's small
     * requests are served from here, never overrun */
    char out[(1 << 15) / 2 * 3 + 8];
    size_t out_len, out_pos;
};

/* The units of raw[0..n) into out, n even; returns the bytes written. A
 * pair may be split between two reads, so the high half waits in u->high:
 * that is why this does not stop at NUL as cb_utf16le_to_utf8 does. */
static size_t utf16_convert(struct utf16 *u, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i += 2) {
        const unsigned char *p = u->raw + i;
        uint32_t cu =
            u->big_endian ? (uint32_t)p[0] << 8 | (uint32_t)p[1] : cb_le16(p);
        if (u->high) {
            if (cu >= 0xDC00 && cu <= 0xDFFF) {
                k += cb_utf8_put(u->out + k, 0x10000 +
                                                 ((u->high - 0xD800) << 10) +
                                                 (cu - 0xDC00));
                u->high = 0;
                continue;
            }
            k += cb_utf8_put(u->out + k, CB_UTF_REPLACEMENT);
            u->high = 0;
        }
        if (cu >= 0xD800 && cu <= 0xDBFF)
            u->high = cu;
        else /* a lone low surrogate becomes U+FFFD */
            k += cb_utf8_put(u->out + k, cu);
    }
    return k;
}

/* Convert the next raw chunk into u->out; -1 on a failed read. */
static int utf16_refill(struct utf16 *u, struct cb_error *err)
{
    u->out_len = u->out_pos = 0;
    while (u->out_len == 0 && !u->ended) {
        size_t got = cb_stream_read(u->in, u->raw, sizeof u->raw);
        if (got == 0) {
            if (u->in->failed) {
                *err = u->in->err;
                return -1;
            }
            u->ended = 1;
            if (u->high) /* the stream ended inside a pair */
                u->out_len += cb_utf8_put(u->out, CB_UTF_REPLACEMENT);
            u->high = 0;
            break;
        }
        int odd = got & 1; /* a short read happens only at the end */
        size_t k = utf16_convert(u, got - (size_t)odd);
        if (odd)
            k += cb_utf8_put(u->out + k, CB_UTF_REPLACEMENT);
        u->out_len = k;
    }
    return 0;
}

static long utf16_read(void *ctx, void *buf, size_t n, struct cb_error *err)
{
    struct utf16 *u = ctx;
    if (u->out_pos == u->out_len && utf16_refill(u, err) != 0)
        return -1;
    size_t left = u->out_len - u->out_pos;
    if (n > left)
        n = left;
    memcpy(buf, u->out + u->out_pos, n);
    u->out_pos += n;
    return (long)n;
}

enum cb_text_enc cb_text_sniff(const unsigned char *h, size_t len)
{
    if (len >= 2 && h[0] == 0xFE && h[1] == 0xFF)
        return CB_TEXT_UTF16BE_BOM;
    if (len >= 2 && h[0] == 0xFF && h[1] == 0xFE)
        return CB_TEXT_UTF16LE_BOM;
    if (len >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF)
        return CB_TEXT_UTF8_BOM;
    /* two characters below U+0100 and not NUL: text, not binary */
    if (len >= 4 && h[0] && !h[1] && h[2] && !h[3])
        return CB_TEXT_UTF16LE;
    if (len >= 4 && !h[0] && h[1] && !h[2] && h[3])
        return CB_TEXT_UTF16BE;
    return CB_TEXT_PLAIN;
}

static size_t bom_len(enum cb_text_enc e)
{
    switch (e) {
    case CB_TEXT_UTF8_BOM:
        return 3;
    case CB_TEXT_UTF16LE_BOM:
    case CB_TEXT_UTF16BE_BOM:
        return 2;
    default:
        return 0;
    }
}

size_t cb_text_narrow(const unsigned char *head, size_t len, char *buf,
                      size_t size, const char **text)
{
    enum cb_text_enc e = cb_text_sniff(head, len);
    size_t from = bom_len(e);
    if (!cb_text_is_utf16(e)) {
        *text = (const char *)head + from;
        return len - from;
    }
    size_t lo = cb_text_is_utf16be(e), n = 0;
    for (size_t i = from; i + 1 < len && n < size; i += 2)
        buf[n++] = head[i + 1 - lo] ? '?' : (char)head[i + lo];
    *text = buf;
    return n;
}

enum cb_status cb_stream_open_text(struct cb_text *t, struct cb_stream *raw,
                                   size_t buf_size)
{
    size_t n;
    const unsigned char *h = cb_stream_peek(raw, 4, &n);
    memset(t, 0, sizeof *t);
    t->in = t->raw = raw;
    t->enc = cb_text_sniff(h, n);
    size_t bom = bom_len(t->enc);
    if (bom) {
        unsigned char skip[3];
        cb_stream_read(raw, skip, bom);
    }
    if (!cb_text_is_utf16(t->enc))
        return CB_OK;
    struct utf16 *u = cb_calloc(1, sizeof *u);
    if (!u)
        return CB_E_NOMEM;
    u->in = raw;
    u->big_endian = cb_text_is_utf16be(t->enc);
    if (cb_stream_init(&t->conv, utf16_read, u, buf_size) != CB_OK) {
        cb_free(u);
        return CB_E_NOMEM;
    }
    t->conv.owned = u;
    t->in = &t->conv;
    return CB_OK;
}

void cb_stream_close_text(struct cb_text *t)
{
    if (t->in == &t->conv)
        cb_stream_fini(&t->conv);
    t->in = NULL;
}

static long mem_read(void *ctx, void *buf, size_t n, struct cb_error *err)
{
    struct cb_stream *s = ctx;
    (void)err;
    size_t left = s->mem_len - s->mem_pos;
    if (n > left)
        n = left;
    memcpy(buf, s->mem + s->mem_pos, n);
    s->mem_pos += n;
    return (long)n;
}

enum cb_status cb_stream_init_mem(struct cb_stream *s, const void *data,
                                  size_t len)
{
    size_t cap = len < (1u << 20) ? len : (1u << 20);
    enum cb_status st = cb_stream_init(s, mem_read, NULL, cap);
    if (st != CB_OK)
        return st;
    s->ctx = s;
    s->mem = data;
    s->mem_len = len;
    return CB_OK;
}

/* Move unread bytes to the front and read once more; returns bytes added. */
static size_t fill(struct cb_stream *s)
{
    if (s->eof || s->failed)
        return 0;
    if (s->pos > 0) {
        size_t keep = s->len - s->pos;
        memmove(s->buf, s->buf + s->pos, keep);
        s->base += s->pos;
        s->pos = 0;
        s->len = keep;
    }
    if (s->len == ROOM(s))
        return 0;
    long n = s->read(s->ctx, s->buf + s->len, ROOM(s) - s->len, &s->err);
    if (n < 0) {
        s->failed = 1;
        return 0;
    }
    if (n == 0) {
        s->eof = 1;
        return 0;
    }
    s->len += (size_t)n;
    return (size_t)n;
}

const unsigned char *cb_stream_peek(struct cb_stream *s, size_t n,
                                    size_t *avail)
{
    if (n > s->cap)
        n = s->cap;
    while (s->len - s->pos < n && fill(s) > 0)
        ;
    size_t have = s->len - s->pos;
    *avail = have < n ? have : n;
    return s->buf + s->pos;
}

/* Reads of at least this much, with nothing buffered, go straight to the
 * caller's memory (an EVTX chunk: one copy instead of two). */
#define DIRECT_MIN ((size_t)32 << 10)

size_t cb_stream_read(struct cb_stream *s, void *dst, size_t n)
{
    size_t done = 0;
    unsigned char *d = dst;
    while (done < n) {
        if (s->pos == s->len && n - done >= DIRECT_MIN && !s->eof &&
            !s->failed) {
            s->base += s->len;
            s->pos = s->len = 0;
            long r = s->read(s->ctx, d + done, n - done, &s->err);
            if (r < 0) {
                s->failed = 1;
                break;
            }
            if (r == 0) {
                s->eof = 1;
                break;
            }
            s->base += (uint64_t)r;
            done += (size_t)r;
            continue;
        }
        if (s->pos == s->len && fill(s) == 0)
            break;
        size_t take = s->len - s->pos;
        if (take > n - done)
            take = n - done;
        memcpy(d + done, s->buf + s->pos, take);
        s->pos += take;
        done += take;
    }
    return done;
}

static const char *take_line(struct cb_stream *s, size_t end, size_t next,
                             size_t *len)
{
    size_t start = s->pos;
    s->pos = next;
    if (end > start && s->buf[end - 1] == '\r')
        end--;
    s->buf[end] = '\0';
    *len = end - start;
    return (const char *)s->buf + start;
}

const char *cb_stream_line(struct cb_stream *s, size_t *len, int *cut)
{
    *cut = 0;
    while (s->skipping) {
        unsigned char *nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
        if (nl) {
            s->pos = (size_t)(nl - s->buf) + 1;
            s->skipping = 0;
            break;
        }
        s->pos = s->len;
        if (fill(s) == 0)
            return NULL;
    }
    size_t scan = s->pos;
    for (;;) {
        unsigned char *nl = memchr(s->buf + scan, '\n', s->len - scan);
        if (nl) {
            size_t end = (size_t)(nl - s->buf);
            return take_line(s, end, end + 1, len);
        }
        size_t scanned = s->len - s->pos;
        if (scanned == ROOM(s)) {
            /* Longer than cap (no LF in cap + 2 bytes, so not even a line
             * of cap bytes and its CRLF): hand out cap bytes, skip the
             * rest on the next call so this view stays valid until then. */
            *cut = 1;
            s->skipping = 1;
            return take_line(s, s->pos + s->cap, s->len, len);
        }
        if (fill(s) == 0) {
            if (s->len > s->pos && (s->eof || s->failed))
                return take_line(s, s->len, s->len, len);
            if (s->len == s->pos)
                return NULL;
        }
        scan = s->pos + scanned;
    }
}
