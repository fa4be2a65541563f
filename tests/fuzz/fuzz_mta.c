/*
 * fuzz_mta.c - Event Viewer locale metadata (.MTA): arbitrary bytes either
 * fail to load cleanly or give tables whose every message and publisher
 * name is valid UTF-8 no longer than the UTF-16 it came from allows; then
 * the same bytes as a LocaleMetaData member through ingest and the pairing
 * pass (which finds no log and warns).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mta.h"
#include "registry.h"
#include "casebrief/casebrief.h"

/* Valid UTF-8 without surrogates or overlongs, at most max bytes. */
static void check_text(const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    if (n > max)
        abort();
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t k = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (k == 0 || i + k > n)
            abort();
        uint32_t v = k == 1 ? c : c & (0x7Fu >> k);
        for (size_t j = 1; j < k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                abort();
            v = v << 6 | (p[i + j] & 0x3Fu);
        }
        if ((k == 2 && v < 0x80) || (k == 3 && v < 0x800) ||
            (k == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
            (v >= 0xD800 && v < 0xE000))
            abort();
        i += k;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cb_arena *arena = cb_arena_create();
    if (!arena)
        return 0;
    struct cb_mta *m = NULL;
    struct cb_mta_stats st;
    struct cb_error err = {0};
    enum cb_status s = cb_mta_load(arena, data, size, &m, &st, &err);
    if (s == CB_OK) {
        if (!m || st.records > size / 8) /* a record needs a slot */
            abort();
        size_t max = size / 2 * 3;
        /* ids the input itself spells at every 8-byte step, and small ones */
        for (size_t off = 0; off + 8 <= size; off += 8) {
            uint64_t id;
            memcpy(&id, data + off, 8);
            const char *msg = cb_mta_message(m, id);
            if (msg)
                check_text(msg, max);
        }
        for (uint64_t id = 0; id < 300; id++) {
            const char *msg = cb_mta_message(m, id);
            if (msg)
                check_text(msg, max);
        }
        for (size_t i = 0; i < cb_mta_publisher_count(m); i++)
            check_text(cb_mta_publisher(m, i), max);
        (void)cb_mta_has_publisher(m, "Microsoft-Windows-Servicing");
    } else if (m || (s != CB_E_CORRUPT && s != CB_E_NOMEM)) {
        abort();
    }
    cb_arena_destroy(&arena);

    struct cb_analysis *an = cb_analysis_create_all(NULL);
    if (!an)
        return 0;
    cb_ingest_leaf_memory(an, "x/LocaleMetaData/FUZZ_1033.MTA", data, size,
                          cb_parser_find("mta"));
    struct cb_timeline tl;
    if (cb_analysis_finish(an) == CB_OK && cb_timeline_build(an, &tl) == CB_OK)
        cb_timeline_fini(&tl);
    cb_analysis_destroy(&an);
    return 0;
}
