/*
 * stream.h - a buffered byte stream that parsers read from. The bytes come
 * from a file or an archive member through a pull callback; nothing is
 * ever written to disk and a member is never held whole in memory.
 */
#ifndef CASEBRIEF_STREAM_H
#define CASEBRIEF_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "casebrief/error.h"

/* Pull up to n bytes into buf: >0 bytes, 0 end of data, <0 failure (the
 * callback has described it in *err). */
typedef long (*cb_stream_read_fn)(void *ctx, void *buf, size_t n,
                                  struct cb_error *err);

struct cb_stream {
    cb_stream_read_fn read; /* REQUIRED */
    void *ctx;
    unsigned char *buf;
    size_t cap, pos, len;
    uint64_t base;   /* stream offset of buf[0] */
    int eof;         /* the callback said end of data */
    int failed;      /* the callback failed; err holds why */
    int failure_told; /* ingestion has reported that failure */
    int skipping;    /* discarding the rest of a cut line */
    struct cb_error err;
    const unsigned char *mem; /* memory streams: the caller's bytes */
    size_t mem_len, mem_pos;
    struct cb_prefetch *pf;   /* read-ahead thread, or NULL */
    void *owned;              /* freed by cb_stream_fini */
};

/* buf_size: working buffer; also the longest line cb_stream_line returns
 * whole. Returns CB_E_NOMEM. */
enum cb_status cb_stream_init(struct cb_stream *s, cb_stream_read_fn read,
                              void *ctx, size_t buf_size);
/* Stops a read-ahead thread if there is one, then frees the buffer. */
void cb_stream_fini(struct cb_stream *s);

/*
 * The same, but read runs on a thread of its own, a few blocks ahead of
 * the consumer: decompression of an archive member overlaps its parsing.
 * read and ctx are then used by that thread only, until cb_stream_fini
 * (which stops and joins it). Falls back to a plain stream when no thread
 * can be started.
 */
enum cb_status cb_stream_init_prefetch(struct cb_stream *s,
                                       cb_stream_read_fn read, void *ctx,
                                       size_t buf_size);

/* Up to n bytes ahead of the read position without consuming them; *avail
 * gets how many there are (less than n only at end or failure). */
const unsigned char *cb_stream_peek(struct cb_stream *s, size_t n,
                                    size_t *avail);

/* Copy up to n bytes; returns the count (0 at end or failure). */
size_t cb_stream_read(struct cb_stream *s, void *dst, size_t n);

/*
 * Next line without its terminator (LF or CRLF), valid until the next call.
 * Returns NULL at end of data. A line longer than the buffer is cut: *cut
 * is set and the rest of it is skipped.
 */
const char *cb_stream_line(struct cb_stream *s, size_t *len, int *cut);

/* Stream offset of the next unread byte. */
static inline uint64_t cb_stream_tell(const struct cb_stream *s)
{
    return s->base + s->pos;
}

/* ---- text -------------------------------------------------------------- */

/* What the first bytes of a text file say about its encoding. */
enum cb_text_enc {
    CB_TEXT_PLAIN,       /* no BOM: UTF-8, ASCII or an 8-bit code page */
    CB_TEXT_UTF8_BOM,    /* EF BB BF */
    CB_TEXT_UTF16LE,     /* no BOM, but two units with a NUL high byte */
    CB_TEXT_UTF16LE_BOM, /* FF FE */
    CB_TEXT_UTF16BE,     /* no BOM, but two units with a NUL high byte */
    CB_TEXT_UTF16BE_BOM, /* FE FF */
};

/* The encoding of a text file that starts with head[0..len); 4 bytes are
 * enough to tell. Never allocates (bidders call it). */
enum cb_text_enc cb_text_sniff(const unsigned char *head, size_t len);

static inline int cb_text_is_utf16(enum cb_text_enc e)
{
    return e >= CB_TEXT_UTF16LE;
}

static inline int cb_text_is_utf16be(enum cb_text_enc e)
{
    return e == CB_TEXT_UTF16BE || e == CB_TEXT_UTF16BE_BOM;
}

/*
 * For bidders, which may not allocate: the head of a text file as one byte
 * a character, after its BOM. UTF-8 and 8-bit text is the head itself;
 * UTF-16 is narrowed into buf (up to size units; a unit above 0xFF
 * becomes '?'). *text gets where it is; returns its length.
 */
size_t cb_text_narrow(const unsigned char *head, size_t len, char *buf,
                      size_t size, const char **text);

/* A text file opened for reading as UTF-8, whatever its encoding. */
struct cb_text {
    struct cb_stream *in;  /* read the text from here: raw, or &conv */
    struct cb_stream *raw; /* the stream opened */
    enum cb_text_enc enc;  /* what the first bytes said */
    struct cb_stream conv; /* UTF-16 converted; in points into the struct,
                            * so it must not be copied once open */
};

/*
 * Sniff raw (cb_text_sniff) and consume its BOM; for UTF-16 of either
 * byte order set t->in to a UTF-8 conversion of the rest (buf_size as in
 * cb_stream_init; lone surrogates and an odd final byte become U+FFFD),
 * otherwise to raw. Offsets read from t->in count converted bytes for
 * UTF-16 and raw bytes (BOM included) otherwise. raw must outlive t.
 * Returns CB_E_NOMEM; t is then closed.
 */
enum cb_status cb_stream_open_text(struct cb_text *t, struct cb_stream *raw,
                                   size_t buf_size);
/* Frees the conversion; t->in is then NULL. Accepts a zeroed t (an open
 * never made) and a closed one. */
void cb_stream_close_text(struct cb_text *t);

/* A stream over a memory buffer (tests, fuzzers). */
enum cb_status cb_stream_init_mem(struct cb_stream *s, const void *data,
                                  size_t len);

#endif
