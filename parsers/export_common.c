/*
 * export_common.c - helpers shared by the parsers of Windows event exports
 * (evtx_xml.c, evtx_text.c, evtx_csv.c, evtx_details.c); see
 * export_common.h.
 *
 * Times: EvtRender writes SystemTime as "2020-02-18T02:52:37.1211986Z";
 * wevtutil's text format writes "2019-07-11T20:38:02.960" with no zone.
 * Both fit one ISO 8601 subset, parsed here without the C library's
 * locale-dependent functions.
 */
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "export_common.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *cb_export_trim(const char *s, size_t *n)
{
    size_t a = 0, b = *n;
    while (a < b && is_blank(s[a]))
        a++;
    while (b > a && is_blank(s[b - 1]))
        b--;
    *n = b - a;
    return s + a;
}

/* k decimal digits at s, or -1. */
static int num(const char *s, int k)
{
    int v = 0;
    for (int i = 0; i < k; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int cb_export_parse_time(const char *s, size_t n, cb_time *t, int *zoned)
{
    s = cb_export_trim(s, &n);
    /* YYYY-MM-DDTHH:MM:SS is 19 bytes */
    if (n < 19 || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':')
        return 0;
    int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
    int h = num(s + 11, 2), mi = num(s + 14, 2), sec = num(s + 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0)
        return 0;
    size_t i = 19;
    int frac = 0;
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        i++;
        int k = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (k == 9)
                return 0;
            if (k < 7)
                frac = frac * 10 + (s[i] - '0');
            k++;
            i++;
        }
        for (; k < 7; k++)
            frac *= 10;
    }
    int64_t off_min = 0;
    *zoned = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        *zoned = 1;
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1;
        i++;
        int oh = n - i >= 2 ? num(s + i, 2) : -1, om = 0;
        if (oh < 0 || oh > 14)
            return 0;
        i += 2;
        if (i < n && s[i] == ':')
            i++;
        if (n - i >= 2 && s[i] >= '0' && s[i] <= '9') {
            om = num(s + i, 2);
            if (om < 0 || om > 59)
                return 0;
            i += 2;
        }
        off_min = sign * (oh * 60 + om);
        *zoned = 1;
    }
    if (i != n)
        return 0;
    cb_time v = cb_time_from_civil(y, mo, d, h, mi, sec, frac);
    if (v == CB_TIME_NONE)
        return 0;
    /* local = UTC + offset */
    v -= off_min * 60 * 10000000LL;
    if (v < 0)
        return 0;
    *t = v;
    return 1;
}

int cb_export_host(struct cb_intern *strings, const char *s, size_t n,
                   const char **host)
{
    s = cb_export_trim(s, &n);
    *host = NULL;
    if (n == 0)
        return 0;
    int dotted_quad = 1;
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
            dotted_quad = 0;
    }
    size_t k = 0;
    char name[256];
    while (k < n && k < sizeof name && (dotted_quad || s[k] != '.')) {
        char c = s[k];
        name[k++] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    if (k == 0)
        return 0;
    *host = cb_intern(strings, name, k);
    return *host ? 0 : -1;
}

int cb_export_append(char **buf, size_t *len, size_t *cap, const void *s,
                     size_t n, size_t spare)
{
    if (*len + n + spare > *cap) {
        size_t ncap = *cap ? *cap : 1024;
        while (ncap < *len + n + spare)
            ncap *= 2;
        char *nb = cb_realloc(*buf, ncap);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = ncap;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    return 0;
}

int cb_export_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    s = cb_export_trim(s, &n);
    if (n == 0 || n > 20)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (max - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* ---- levels ------------------------------------------------------------- */


static const struct {
    const char *name;
    int level;
    enum cb_export_lang lang;
} level_names[] = {
    {"Critical", CB_LEVEL_CRITICAL, CB_LANG_EN},
    {"Error", CB_LEVEL_ERROR, CB_LANG_EN}, /* also es */
    {"Warning", CB_LEVEL_WARNING, CB_LANG_EN},
    {"Information", CB_LEVEL_INFO, CB_LANG_EN}, /* also fr */
    {"Informational", CB_LEVEL_INFO, CB_LANG_EN},
    {"Verbose", CB_LEVEL_VERBOSE, CB_LANG_EN},
    {"Audit Success", CB_LEVEL_INFO, CB_LANG_EN},
    {"Audit Failure", CB_LEVEL_INFO, CB_LANG_EN},
    {"SuccessAudit", CB_LEVEL_INFO, CB_LANG_EN},
    {"FailureAudit", CB_LEVEL_INFO, CB_LANG_EN},
    /* de */
    {"Kritisch", CB_LEVEL_CRITICAL, CB_LANG_DMY},
    {"Fehler", CB_LEVEL_ERROR, CB_LANG_DMY},
    {"Warnung", CB_LEVEL_WARNING, CB_LANG_DMY},
    {"Informationen", CB_LEVEL_INFO, CB_LANG_DMY},
    {"Ausf\xc3\xbchrlich", CB_LEVEL_VERBOSE, CB_LANG_DMY},
    {"\xc3\234berwachung erfolgreich", CB_LEVEL_INFO, CB_LANG_DMY},
    {"\xc3\234berwachung gescheitert", CB_LEVEL_INFO, CB_LANG_DMY},
    /* fr */
    {"Critique", CB_LEVEL_CRITICAL, CB_LANG_DMY},
    {"Erreur", CB_LEVEL_ERROR, CB_LANG_DMY},
    {"Avertissement", CB_LEVEL_WARNING, CB_LANG_DMY},
    {"Commentaires", CB_LEVEL_VERBOSE, CB_LANG_DMY},
    {"D\xc3\xa9taill\xc3\xa9", CB_LEVEL_VERBOSE, CB_LANG_DMY},
    /* es */
    {"Cr\xc3\xadtico", CB_LEVEL_CRITICAL, CB_LANG_DMY},
    {"Advertencia", CB_LEVEL_WARNING, CB_LANG_DMY},
    {"Informaci\xc3\xb3n", CB_LEVEL_INFO, CB_LANG_DMY},
    {"Detallado", CB_LEVEL_VERBOSE, CB_LANG_DMY},
    /* it */
    {"Critico", CB_LEVEL_CRITICAL, CB_LANG_DMY},
    {"Errore", CB_LEVEL_ERROR, CB_LANG_DMY},
    {"Avviso", CB_LEVEL_WARNING, CB_LANG_DMY}, /* also pt */
    {"Informazioni", CB_LEVEL_INFO, CB_LANG_DMY},
    {"Dettagliato", CB_LEVEL_VERBOSE, CB_LANG_DMY},
    /* pt, nl */
    {"Erro", CB_LEVEL_ERROR, CB_LANG_DMY},
    {"Aviso", CB_LEVEL_WARNING, CB_LANG_DMY},
    {"Informa\xc3\xa7\xc3\265es", CB_LEVEL_INFO, CB_LANG_DMY},
    {"Kritiek", CB_LEVEL_CRITICAL, CB_LANG_DMY},
    {"Fout", CB_LEVEL_ERROR, CB_LANG_DMY},
    {"Waarschuwing", CB_LEVEL_WARNING, CB_LANG_DMY},
    {"Informatie", CB_LEVEL_INFO, CB_LANG_DMY},
    /* ja: 重大 エラー 警告 情報 詳細 */
    {"\xe9\x87\x8d\xe5\xa4\xa7", CB_LEVEL_CRITICAL, CB_LANG_JA},
    {"\xe3\x82\xa8\xe3\x83\xa9\xe3\x83\xbc", CB_LEVEL_ERROR, CB_LANG_JA},
    {"\xe8\xad\xa6\xe5\x91\x8a", CB_LEVEL_WARNING, CB_LANG_JA},
    {"\xe6\x83\x85\xe5\xa0\xb1", CB_LEVEL_INFO, CB_LANG_JA},
    {"\xe8\xa9\xb3\xe7\xb4\xb0", CB_LEVEL_VERBOSE, CB_LANG_JA},
};

int cb_export_level(const char *s, size_t n, enum cb_export_lang *lang)
{
    s = cb_export_trim(s, &n);
    if (n == 1 && s[0] >= '0' && s[0] <= '5') {
        static const int num[] = {CB_LEVEL_INFO,  CB_LEVEL_CRITICAL,
                                  CB_LEVEL_ERROR, CB_LEVEL_WARNING,
                                  CB_LEVEL_INFO,  CB_LEVEL_VERBOSE};
        return num[s[0] - '0'];
    }
    for (size_t i = 0; i < sizeof level_names / sizeof *level_names; i++) {
        if (strlen(level_names[i].name) == n &&
            strncasecmp(s, level_names[i].name, n) == 0) {
            if (lang && (*lang == CB_LANG_NONE ||
                         level_names[i].lang == CB_LANG_DMY))
                *lang = level_names[i].lang;
            return level_names[i].level;
        }
    }
    return 0;
}


/* Skip blanks, including U+00A0 and U+202F (.NET puts the latter before
 * AM/PM since ICU 72). */
static size_t skip_sp(const char *s, size_t n, size_t i)
{
    for (;;) {
        if (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        else if (i + 1 < n && (unsigned char)s[i] == 0xC2 &&
                 (unsigned char)s[i + 1] == 0xA0)
            i += 2;
        else if (i + 2 < n && (unsigned char)s[i] == 0xE2 &&
                 (unsigned char)s[i + 1] == 0x80 &&
                 (unsigned char)s[i + 2] == 0xAF)
            i += 3;
        else
            return i;
    }
}

/* Digits at s[*i]: up to max of them; -1 when none. */
static int num_digits(const char *s, size_t n, size_t *i, int max,
                      int *count)
{
    int v = 0, k = 0;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9' && k < max) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    if (count)
        *count = k;
    return k ? v : -1;
}

/* An AM/PM marker at s[i]: 1 AM, 2 PM, 0 none; *i moves past it. */
static int ampm(const char *s, size_t n, size_t *i)
{
    static const struct {
        const char *text;
        int pm;
    } m[] = {
        {"a. m.", 1},
        {"p. m.", 2},
        {"a.m.", 1},
        {"p.m.", 2},
        {"am", 1},
        {"pm", 2},
        {"a", 1},
        {"p", 2},
        {"\xe5\x8d\x88\xe5\x89\x8d", 1}, /* 午前 */
        {"\xe5\x8d\x88\xe5\xbe\x8c", 2}, /* 午後 */
        {"\xec\x98\xa4\xec\xa0\x84", 1}, /* 오전 */
        {"\xec\x98\xa4\xed\x9b\x84", 2}, /* 오후 */
        {"\xe4\xb8\x8a\xe5\x8d\x88", 1}, /* 上午 */
        {"\xe4\xb8\x8b\xe5\x8d\x88", 2}, /* 下午 */
    };
    for (size_t k = 0; k < sizeof m / sizeof *m; k++) {
        size_t len = strlen(m[k].text);
        if (n - *i < len || strncasecmp(s + *i, m[k].text, len) != 0)
            continue;
        /* "a"/"p" alone only as a whole word */
        size_t e = *i + len;
        if (e < n &&
            ((s[e] >= 'a' && s[e] <= 'z') || (s[e] >= 'A' && s[e] <= 'Z')))
            continue;
        if (len == 1 || len == 2) {
            /* "am" may be followed by "." ("a.m" is caught above) */
            if (e < n && s[e] == '.')
                e++;
        }
        *i = e;
        return m[k].pm;
    }
    return 0;
}

/*
 * "date time" in one of the culture formats into *w. Returns 1, or 0 when
 * not understood. Sets *dot when the date used '.' separators and
 * *marker when a 12-hour marker was seen.
 */
int cb_export_parse_when(const char *s, size_t n, struct cb_export_when *w,
                         int *dot, int *marker)
{
    memset(w, 0, sizeof *w);
    s = cb_export_trim(s, &n);
    if (n == 0 || n > CB_EXPORT_DATE_TEXT_MAX)
        return 0;
    if (cb_export_parse_time(s, n, &w->ts, &w->zoned)) {
        w->kind = CB_WHEN_READY;
        return 1;
    }
    size_t i = 0;
    int pm, c1, c2, c3;
    int x = num_digits(s, n, &i, 4, &c1);
    if (x < 0 || i >= n)
        return 0;
    char sep = s[i];
    if (sep != '/' && sep != '.' && sep != '-')
        return 0;
    i = skip_sp(s, n, i + 1);
    int y = num_digits(s, n, &i, 2, &c2);
    if (y < 0 || i >= n || s[i] != sep)
        return 0;
    i = skip_sp(s, n, i + 1);
    int z = num_digits(s, n, &i, 4, &c3);
    if (z < 0)
        return 0;
    if (i < n && s[i] == '.') /* "2024. 11. 15." */
        i++;
    if (c1 == 4) {
        w->year = x;
        w->a = z; /* day */
        w->b = y; /* month */
        w->kind = CB_WHEN_READY;
    } else if (c1 <= 2 && (c3 == 4 || c3 == 2)) {
        w->year = c3 == 2 ? (z < 50 ? 2000 + z : 1900 + z) : z;
        w->a = x;
        w->b = y;
        w->kind = CB_WHEN_PAIR;
    } else {
        return 0;
    }
    *dot = sep == '.';
    /* time: [marker] H:MM[:SS[.f]] [marker] */
    size_t j = skip_sp(s, n, i);
    if (j == i && j < n)
        return 0;
    i = j;
    int h = 0, mi = 0, sec = 0, frac = 0;
    if (i < n) {
        pm = ampm(s, n, &i);
        i = skip_sp(s, n, i);
        h = num_digits(s, n, &i, 2, NULL);
        if (h < 0 || i >= n || s[i] != ':')
            return 0;
        i++;
        mi = num_digits(s, n, &i, 2, &c2);
        if (mi < 0 || c2 != 2)
            return 0;
        if (i < n && s[i] == ':') {
            i++;
            sec = num_digits(s, n, &i, 2, &c2);
            if (sec < 0 || c2 != 2)
                return 0;
            if (i < n && (s[i] == '.' || s[i] == ',') && i + 1 < n &&
                s[i + 1] >= '0' && s[i + 1] <= '9') {
                i++;
                int k = 0;
                while (i < n && s[i] >= '0' && s[i] <= '9') {
                    if (k < 7)
                        frac = frac * 10 + (s[i] - '0');
                    k++;
                    i++;
                }
                for (; k < 7; k++)
                    frac *= 10;
            }
        }
        i = skip_sp(s, n, i);
        if (!pm)
            pm = ampm(s, n, &i);
        i = skip_sp(s, n, i);
        if (i != n)
            return 0;
        if (pm) {
            if (h < 1 || h > 12)
                return 0;
            h = h % 12 + (pm == 2 ? 12 : 0);
            *marker = 1;
        }
        if (h > 23 || mi > 59 || sec > 59)
            return 0;
    }
    w->tod = ((int64_t)h * 3600 + mi * 60 + sec) * 10000000LL + frac;
    if (w->kind == CB_WHEN_READY) {
        w->ts = cb_time_from_civil(w->year, w->b, w->a, 0, 0, 0, 0);
        if (w->ts == CB_TIME_NONE)
            return 0;
        w->ts += w->tod;
    }
    return 1;
}

/* The ticks of a pair date under order; CB_TIME_NONE when invalid. */
cb_time cb_export_pair_time(const struct cb_export_when *w,
                            enum cb_date_order order)
{
    int d = order == CB_DATE_MDY ? w->b : w->a;
    int m = order == CB_DATE_MDY ? w->a : w->b;
    cb_time t = cb_time_from_civil(w->year, m, d, 0, 0, 0, 0);
    return t == CB_TIME_NONE ? t : t + w->tod;
}
