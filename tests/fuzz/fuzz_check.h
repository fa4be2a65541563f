/*
 * fuzz_check.h - output checks shared by the renderer harnesses, and the
 * way they turn fuzz bytes into a bundle. Every breach aborts.
 */
#ifndef CB_FUZZ_CHECK_H
#define CB_FUZZ_CHECK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casebrief/casebrief.h"
/* the internal headers the harnesses reach into */
#include "alloc.h"
#include "mta.h"
#include "registry.h"
#include "stream.h"

/* Valid UTF-8 (no overlong form, surrogate or code point past U+10FFFF);
 * with strict, no C0 control but '\n' and '\t', no DEL and no C1; with
 * strict 2 (HTML), no U+FFFE or U+FFFF either. */
static inline void check_utf8(const unsigned char *s, size_t n, int strict)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (strict && ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f))
                abort();
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0)
            len = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0)
            len = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0)
            len = 4, cp = c & 0x07, min = 0x10000;
        else
            abort();
        if (i + len > n)
            abort();
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                abort();
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
            (strict && cp >= 0x80 && cp <= 0x9F) ||
            (strict > 1 && (cp == 0xFFFE || cp == 0xFFFF)))
            abort();
        i += len;
    }
}

/* ---- a small JSON validator (RFC 8259), depth-capped ------------------ */

struct jv {
    const char *s;
    size_t n, i;
};

static inline void jv_ws(struct jv *j)
{
    while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' ||
                           j->s[j->i] == '\n' || j->s[j->i] == '\r'))
        j->i++;
}

static inline int jv_lit(struct jv *j, const char *lit)
{
    size_t k = strlen(lit);
    if (j->n - j->i < k || memcmp(j->s + j->i, lit, k) != 0)
        return 0;
    j->i += k;
    return 1;
}

static inline int jv_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

static inline unsigned jv_u4(const char *p)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        v = v << 4 | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static inline int jv_string(struct jv *j)
{
    if (j->i >= j->n || j->s[j->i] != '"')
        return 0;
    j->i++;
    while (j->i < j->n) {
        unsigned char c = (unsigned char)j->s[j->i];
        if (c == '"') {
            j->i++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c != '\\') {
            j->i++;
            continue;
        }
        if (++j->i >= j->n)
            return 0;
        c = (unsigned char)j->s[j->i++];
        if (c == 'u') {
            if (j->n - j->i < 4)
                return 0;
            for (int k = 0; k < 4; k++) {
                if (!jv_hex(j->s[j->i + (size_t)k]))
                    return 0;
            }
            unsigned u = jv_u4(j->s + j->i);
            j->i += 4;
            /* a lone surrogate escape is valid JSON but not a string any
             * consumer can decode to UTF-8: casebrief must not write one */
            if (u >= 0xDC00 && u <= 0xDFFF)
                return 0;
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (j->n - j->i < 6 || j->s[j->i] != '\\' ||
                    j->s[j->i + 1] != 'u')
                    return 0;
                for (int k = 2; k < 6; k++) {
                    if (!jv_hex(j->s[j->i + (size_t)k]))
                        return 0;
                }
                unsigned lo = jv_u4(j->s + j->i + 2);
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return 0;
                j->i += 6;
            }
        } else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
            return 0;
        }
    }
    return 0;
}

static inline int jv_number(struct jv *j)
{
    size_t st = j->i;
    if (j->i < j->n && j->s[j->i] == '-')
        j->i++;
    if (j->i >= j->n)
        return 0;
    if (j->s[j->i] == '0') {
        j->i++;
    } else if (j->s[j->i] >= '1' && j->s[j->i] <= '9') {
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
            j->i++;
    } else {
        return 0;
    }
    if (j->i < j->n && j->s[j->i] == '.') {
        j->i++;
        size_t d = j->i;
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
            j->i++;
        if (j->i == d)
            return 0;
    }
    if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
            j->i++;
        size_t d = j->i;
        while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
            j->i++;
        if (j->i == d)
            return 0;
    }
    return j->i > st;
}

static inline int jv_value(struct jv *j, int depth)
{
    if (depth > 200)
        return 0;
    jv_ws(j);
    if (j->i >= j->n)
        return 0;
    char c = j->s[j->i];
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->i++;
        jv_ws(j);
        if (j->i < j->n && j->s[j->i] == close) {
            j->i++;
            return 1;
        }
        for (;;) {
            if (c == '{') {
                jv_ws(j);
                if (!jv_string(j))
                    return 0;
                jv_ws(j);
                if (j->i >= j->n || j->s[j->i] != ':')
                    return 0;
                j->i++;
            }
            if (!jv_value(j, depth + 1))
                return 0;
            jv_ws(j);
            if (j->i >= j->n)
                return 0;
            if (j->s[j->i] == ',') {
                j->i++;
                continue;
            }
            if (j->s[j->i] != close)
                return 0;
            j->i++;
            return 1;
        }
    }
    if (c == '"')
        return jv_string(j);
    if (c == 't')
        return jv_lit(j, "true");
    if (c == 'f')
        return jv_lit(j, "false");
    if (c == 'n')
        return jv_lit(j, "null");
    return jv_number(j);
}

/* s[0..n) is exactly one JSON text (valid UTF-8 checked separately). */
static inline int json_valid(const char *s, size_t n)
{
    struct jv j = {s, n, 0};
    if (!jv_value(&j, 0))
        return 0;
    jv_ws(&j);
    return j.i == n;
}

/* ---- fuzz bytes to a bundle --------------------------------------------- */

/* Rules that turn most events into findings whose summary starts with a
 * word of the event's message, and entities taken from the data. */
static const char fuzz_rules_xml[] =
    "<rules>"
    "<rule id='F.any' pattern='P1' severity='high' confidence='50'>"
    "<title>Anything &lt;b&gt; &amp; \"q\" [x](y) `c` |t| *e* _u_</title>"
    "<summary>{word} on {hosts} {count}x from {first} to {last}</summary>"
    "<match name='m'><message>(?'word'\\S+)</message></match>"
    "<correlate type='single' window='10m' group='entity:word'>"
    "<step match='m'/></correlate>"
    "<cause>C &lt;script&gt;</cause>"
    "<remediation><step><do>D</do><powershell>Get-X \"a\" | b &gt; c"
    "</powershell><warning>W</warning></step></remediation>"
    "<collect><item>logs</item></collect>"
    "<references><ref>ref</ref></references>"
    "</rule>"
    "<rule id='F.err' pattern='P6' severity='critical' confidence='90'>"
    "<title>Errors</title>"
    "<summary>{text}</summary>"
    "<match name='e'><message>(?'text'.+)</message><level>error</level></match>"
    "<correlate type='single' window='1m' group='host'>"
    "<step match='e'/></correlate>"
    "<cause>C</cause>"
    "<remediation><step><do>D</do></step></remediation>"
    "</rule>"
    "</rules>";

static inline struct cb_rules *fuzz_rules(void)
{
    static struct cb_rules *rules;
    if (!rules) {
        struct cb_rule_error *errs = NULL;
        if (cb_rules_load_memory(&rules, "fuzz.xml", fuzz_rules_xml,
                                 sizeof fuzz_rules_xml - 1, &errs) != CB_OK ||
            errs || cb_rules_count(rules) != 2)
            abort();
    }
    return rules;
}

/* The first byte picks the parser (any registered one, so new parsers are
 * covered when they land), the rest is the file it reads. */
static inline void fuzz_bundle(struct cb_analysis *an, const char *name,
                        const uint8_t *data, size_t size)
{
    size_t np = 0;
    const struct cb_parser_ops *const *ps = cb_parsers(&np);
    if (size == 0 || np == 0)
        return;
    cb_ingest_leaf_memory(an, name, data + 1, size - 1, ps[data[0] % np]);
}

#endif
