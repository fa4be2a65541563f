/*
 * evtx_csv.c - event log exports as CSV, in the shapes collectors write
 * (shared/kb/FORMATS.md, "Bundles and host names" and "Event text
 * exports"):
 *
 *   Get-WinEvent | Export-Csv     optional "#TYPE ..." first line, quoted
 *                                 fields, any subset and order of the
 *                                 EventLogRecord properties (TimeCreated,
 *                                 Id, LevelDisplayName, ProviderName, ...);
 *                                 -UseCulture makes the delimiter ';' or
 *                                 tab and every value the culture's
 *   TSS .csv / .txt               Select LevelDisplayName,TimeCreated,
 *                                 ProviderName,ID,UserId,Message with the
 *                                 collecting machine's locale; .txt: tabs
 *   TSS cluster script .Log       MachineName,LevelDisplayName,TimeCreated,
 *                                 ProviderName,Id,LogName,Message
 *   SDP <C>_evt_<short>.csv       Date,Time,Type/Level,Computer Name,Event
 *                                 Code,Source,Task Category,Username,
 *                                 Description; trailer rows without a date
 *   Event Viewer "Save As CSV"    Level,Date and Time,Source,Event ID,Task
 *                                 Category, the message in an unnamed
 *                                 sixth column; the header localized
 *
 * Reading: RFC 4180 by a byte state machine over the stream (quoted
 * fields may hold delimiters, doubled quotes and line breaks), so a record
 * is never limited by a line buffer. A record keeps at most
 * CB_LIMIT_CSV_RECORD bytes: a longer field is cut with a warning and the
 * rest of it is read and dropped, so memory stays bounded whatever the
 * input. The delimiter (',' ';' or tab) is the one the header line uses
 * most outside quotes. Columns are mapped by their header names (English
 * property names, the SDP and Event Viewer headers, some localized
 * Event Viewer ones); unknown columns become fields, while Task, Opcode,
 * Keywords, User and Computer (the record's System part) never do. UTF-8
 * with or without BOM; UTF-16LE (BOM or not) read through a conversion to
 * UTF-8.
 *
 * Times are the exporting machine's wall clock in its culture's format:
 * d/M/yyyy, M/d/yyyy, dd.MM.yyyy, yyyy-MM-dd, yyyy/MM/dd, with a 24-hour
 * clock or a 12-hour one with AM/PM (a.m./p.m., Japanese, Korean and
 * Chinese markers too). Which of day and month comes first is decided
 * for the whole file by the first date whose first or second number is
 * over 12; rows read before that are held back and converted once it is
 * known, so no row is handed out with a guessed order that a later row
 * contradicts. A file that never decides (or holds back more than
 * CB_LIMIT_CSV_UNDECIDED_ROWS rows) takes an order from its locale hints,
 * says so in a warning and in the source's time_basis; --date-order
 * overrides all of this. The zone is not in the file: ts holds the wall
 * clock as if it were UTC, each event is flagged CB_EV_TIME_ASSUMED and
 * the source is CB_TK_LOCAL, for the time-basis pass to resolve. A time
 * with Z or an offset (ISO 8601) is used as given.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "platform.h"
#include "stream.h"
#include "casebrief/limits.h"
#include "casebrief/parser.h"
#include "export_common.h"

#define BLOCK ((size_t)64 << 10)

/* ---- columns ------------------------------------------------------------ */

enum col {
    C_DATETIME, /* date and time in one value */
    C_DATE,     /* SDP: date and time in two columns */
    C_TIME,
    C_ID,
    C_LEVELNAME, /* LevelDisplayName, Level of Event Viewer, Type/Level */
    C_LEVELNUM,  /* Get-WinEvent's numeric Level */
    C_PROVIDER,
    C_CHANNEL,
    C_HOST,
    C_RECORD,
    C_MESSAGE,
    C_PID,
    C_TID,
    C_TASK,
    C_OPCODE,
    C_KEYWORDS,
    C_USER,
    C_META, /* the record's System part with no use here: never a field */
    C_COUNT,
    C_OTHER = C_COUNT
};

/* Header names, compared after normalisation (ASCII lower case, blanks
 * and ' - _ . / ( ) dropped). Several may map to one column; the first
 * in the header wins. */
static const struct {
    const char *name;
    enum col col;
} col_names[] = {
    {"timecreated", C_DATETIME},
    {"dateandtime", C_DATETIME},
    {"datetime", C_DATETIME},
    {"timegenerated", C_DATETIME},
    {"timewritten", C_DATETIME},
    {"timestamp", C_DATETIME},
    {"datumunduhrzeit", C_DATETIME}, /* de */
    {"dateetheure", C_DATETIME},     /* fr */
    {"fechayhora", C_DATETIME},      /* es */
    {"dataeora", C_DATETIME},        /* it */
    {"\xe6\x97\xa5\xe4\xbb\x98\xe3\x81\xa8\xe6\x99\x82\xe5\x88\xbb",
     C_DATETIME}, /* ja 日付と時刻 */
    {"date", C_DATE},
    {"datum", C_DATE},
    {"fecha", C_DATE},
    {"time", C_TIME},
    {"uhrzeit", C_TIME},
    {"heure", C_TIME},
    {"hora", C_TIME},
    {"id", C_ID},
    {"eventid", C_ID},
    {"eventcode", C_ID},
    {"ereignisid", C_ID},                               /* de */
    {"iddel\xe2\x80\x99\xc3\xa9v\xc3\xa9nement", C_ID}, /* fr */
    {"iddel\xc3\xa9v\xc3\xa9nement", C_ID},
    {"iddelevento", C_ID},                                        /* es */
    {"idevento", C_ID},                                           /* it */
    {"\xe3\x82\xa4\xe3\x83\x99\xe3\x83\xb3\xe3\x83\x88id", C_ID}, /* ja */
    {"leveldisplayname", C_LEVELNAME},
    {"typelevel", C_LEVELNAME},
    {"entrytype", C_LEVELNAME},
    {"type", C_LEVELNAME},
    {"ebene", C_LEVELNAME},                                /* de */
    {"niveau", C_LEVELNAME},                               /* fr */
    {"nivel", C_LEVELNAME},                                /* es */
    {"livello", C_LEVELNAME},                              /* it */
    {"\xe3\x83\xac\xe3\x83\x99\xe3\x83\xab", C_LEVELNAME}, /* ja レベル */
    {"level", C_LEVELNUM}, /* numeric from Get-WinEvent, a name elsewhere */
    {"providername", C_PROVIDER},
    {"source", C_PROVIDER},
    {"quelle", C_PROVIDER},
    {"origen", C_PROVIDER},
    {"origine", C_PROVIDER},
    {"\xe3\x82\xbd\xe3\x83\xbc\xe3\x82\xb9", C_PROVIDER}, /* ja ソース */
    {"logname", C_CHANNEL},
    {"channel", C_CHANNEL},
    {"machinename", C_HOST},
    {"computername", C_HOST},
    {"computer", C_HOST},
    {"recordid", C_RECORD},
    {"eventrecordid", C_RECORD},
    {"message", C_MESSAGE},
    {"description", C_MESSAGE},
    {"beschreibung", C_MESSAGE},
    {"processid", C_PID},
    {"threadid", C_TID},
    {"taskdisplayname", C_TASK},
    {"taskcategory", C_TASK},
    {"aufgabenkategorie", C_TASK},
    {"cat\xc3\xa9" "goriedelat\xc3\xa2" "che", C_TASK}, /* fr */
    {"categor\xc3\xad" "adelatarea", C_TASK},        /* es */
    {"categoriaattivit\xc3\xa0", C_TASK},           /* it */
    {"\xe3\x82\xbf\xe3\x82\xb9\xe3\x82\xaf\xe3\x81\xae\xe3\x82\xab"
     "\xe3\x83\x86\xe3\x82\xb4\xe3\x83\xaa",
     C_TASK}, /* ja タスクのカテゴリ */
    {"opcodedisplayname", C_OPCODE},
    {"keywordsdisplaynames", C_KEYWORDS},
    {"userid", C_USER},
    {"username", C_USER},
    {"user", C_USER},
    /* Get-WinEvent's other properties: numbers and ids of the System
     * part ("0", "Info"-like values a rule's field match would take for
     * a name) */
    {"task", C_META},
    {"opcode", C_META},
    {"keywords", C_META},
    {"version", C_META},
    {"qualifiers", C_META},
    {"providerid", C_META},
    {"activityid", C_META},
    {"relatedactivityid", C_META},
    {"containerlog", C_META},
    {"matchedqueryids", C_META},
    {"bookmark", C_META},
    {"properties", C_META},
};

/* ---- state -------------------------------------------------------------- */

enum q { Q_START, Q_PLAIN, Q_QUOTED, Q_QUOTE_SEEN };

struct held {
    struct cb_event ev;
    struct cb_export_when w;
};

struct state {
    struct cb_text text; /* read from text.in */
    char delim;

    /* bytes */
    unsigned char *blk;
    size_t blk_len, blk_pos;
    int eof;
    uint64_t line; /* of the next byte */

    /* the record being read */
    enum q q;
    char *rec;
    size_t rec_len, rec_cap;
    uint32_t fstart[CB_LIMIT_CSV_COLUMNS + 1];
    uint32_t flen[CB_LIMIT_CSV_COLUMNS];
    unsigned nf;
    uint64_t rec_line, quote_line;
    int rec_cut, rec_cols_cut, rec_any;
    int type_line_checked;

    /* the header */
    int have_header;
    int col[C_COUNT]; /* index, or -1 */
    unsigned ncols;
    const char *names[CB_LIMIT_CSV_COLUMNS]; /* interned header names */
    int message_extra; /* the message is the column after the last */

    /* source-wide */
    const char *file_channel;
    enum cb_date_order order; /* in force; CB_DATE_AUTO: undecided */
    int order_forced, order_assumed;
    uint64_t order_line; /* the row that decided it */
    enum cb_export_lang lang;
    int saw_ampm, saw_dot_date;
    int any_unzoned, any_pair;
    struct held *held;
    size_t nheld, held_cap, held_pos;
    int flushing;
    uint64_t no_date, no_date_line, bad_dates, contradict;
    uint64_t contradict_line;
    uint64_t unknown_levels;
    char last_level[32]; /* the level name read last, and its level */
    size_t last_level_len;
    int last_level_val;
    int finished;
};

static enum cb_next nomem(struct cb_parse *p, uint64_t line)
{
    cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_LINE, line, "out of memory");
    return CB_NEXT_FAIL;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Normalised header name into out (NUL-terminated). */
static void norm_name(const char *s, size_t n, char *out, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < size; i++) {
        char c = s[i];
        if (is_blank(c) || c == '-' || c == '_' || c == '.' || c == '/' ||
            c == '(' || c == ')' || c == '"' || c == '\'')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[k++] = c;
    }
    out[k] = '\0';
}

static int col_of(const char *s, size_t n)
{
    char key[64];
    if (n >= sizeof key * 2)
        return -1;
    norm_name(s, n, key, sizeof key);
    for (size_t i = 0; i < sizeof col_names / sizeof *col_names; i++) {
        if (strcmp(key, col_names[i].name) == 0)
            return (int)col_names[i].col;
    }
    return -1;
}

/* ---- dates -------------------------------------------------------------- */

static const char *order_name(enum cb_date_order o)
{
    return o == CB_DATE_DMY   ? "day/month"
           : o == CB_DATE_MDY ? "month/day"
                              : "year first";
}

/* ---- file names --------------------------------------------------------- */

/* Channels a file name may abbreviate (SDP drops "Microsoft-Windows-"
 * and punctuation; TSS writes '/' as '_'). */
static const char *const known_channels[] = {
    "System",
    "Application",
    "Security",
    "Setup",
    "Microsoft-Windows-Hyper-V-VMMS-Admin",
    "Microsoft-Windows-Hyper-V-VMMS-Operational",
    "Microsoft-Windows-Hyper-V-Worker-Admin",
    "Microsoft-Windows-Hyper-V-High-Availability-Admin",
    "Microsoft-Windows-Hyper-V-Compute-Admin",
    "Microsoft-Windows-Hyper-V-Hypervisor-Admin",
    "Microsoft-Windows-Hyper-V-StorageVSP-Admin",
    "Microsoft-Windows-Hyper-V-VmSwitch-Operational",
    "Microsoft-Windows-Hyper-V-Config-Admin",
    "Microsoft-Windows-FailoverClustering/Operational",
    "Microsoft-Windows-FailoverClustering/Diagnostic",
    "Microsoft-Windows-FailoverClustering-Manager/Admin",
    "Microsoft-Windows-SMBClient/Connectivity",
    "Microsoft-Windows-SMBClient/Operational",
    "Microsoft-Windows-SMBServer/Operational",
};

/* Letters and digits only, lower case. */
static size_t alnum_key(const char *s, size_t n, char *out, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < size; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[k++] = c;
    }
    out[k] = '\0';
    return k;
}

static const char *channel_named(struct cb_parse *p, const char *s, size_t n)
{
    char key[160], ck[160];
    if (n == 0 || n >= sizeof key)
        return NULL;
    alnum_key(s, n, key, sizeof key);
    const char *skey = key;
    if (strncmp(skey, "microsoftwindows", 16) == 0)
        skey += 16;
    for (size_t i = 0; i < sizeof known_channels / sizeof *known_channels;
         i++) {
        alnum_key(known_channels[i], strlen(known_channels[i]), ck, sizeof ck);
        const char *c = ck;
        if (strncmp(c, "microsoftwindows", 16) == 0)
            c += 16;
        if (strcmp(c, skey) == 0)
            return cb_intern_cstr(p->strings, known_channels[i]);
    }
    /* TSS cluster script: the LogName with '/' written as '_' */
    if (n > 10 && strncasecmp(s, "Microsoft-", 10) == 0) {
        char name[160];
        memcpy(name, s, n);
        char *us = cb_memrchr(name, '_', n);
        if (us)
            *us = '/';
        return cb_intern(p->strings, name, n);
    }
    return cb_intern(p->strings, s, n);
}

/* Channel from "<C>_evt_<short>.csv" or "<C>_<LogName>.Log", else NULL. */
static const char *channel_from_path(struct cb_parse *p, const char *path)
{
    if (!path)
        return NULL;
    const char *b = path;
    for (const char *q = path; *q; q++) {
        if (*q == '/' || *q == '\\' || *q == '!')
            b = q + 1;
    }
    size_t n = strlen(b);
    const char *dot = cb_memrchr(b, '.', n);
    if (dot)
        n = (size_t)(dot - b);
    for (size_t i = 0; i + 5 <= n; i++) {
        if (strncasecmp(b + i, "_evt_", 5) == 0)
            return channel_named(p, b + i + 5, n - i - 5);
    }
    static const char *const heads[] = {"Microsoft-", "System", "Application",
                                        "Security", "Setup"};
    for (size_t i = 1; i < n; i++) {
        if (b[i - 1] != '_' && b[i - 1] != '-')
            continue;
        for (size_t h = 0; h < sizeof heads / sizeof *heads; h++) {
            size_t k = strlen(heads[h]);
            if (n - i >= k && strncasecmp(b + i, heads[h], k) == 0 &&
                (h == 0 || n - i == k))
                return channel_named(p, b + i, n - i);
        }
    }
    return NULL;
}

/* ---- records ------------------------------------------------------------ */

static int rec_put(struct state *st, char c)
{
    if (st->rec_len + 2 > st->rec_cap) {
        size_t ncap = st->rec_cap ? st->rec_cap * 2 : 4096;
        char *nr = cb_realloc(st->rec, ncap);
        if (!nr)
            return -1;
        st->rec = nr;
        st->rec_cap = ncap;
    }
    st->rec[st->rec_len++] = c;
    return 0;
}

/* A byte of the current field, unless the record is over its cap. */
static int field_byte(struct state *st, char c)
{
    if (st->rec_len + 1 >= (size_t)CB_LIMIT_CSV_RECORD) {
        st->rec_cut = 1;
        return 0;
    }
    return rec_put(st, c);
}

/* n bytes of the current field, as far as the cap allows. */
static int field_bytes(struct state *st, const unsigned char *s, size_t n)
{
    size_t room = (size_t)CB_LIMIT_CSV_RECORD - 1 - st->rec_len;
    if (n > room) {
        st->rec_cut = 1;
        n = room;
    }
    return cb_export_append(&st->rec, &st->rec_len, &st->rec_cap, s, n, 2);
}

static int end_field(struct state *st)
{
    if (st->nf == CB_LIMIT_CSV_COLUMNS) {
        st->rec_cols_cut = 1;
        /* drop what the extra column wrote */
        st->rec_len = st->fstart[st->nf];
        return 0;
    }
    uint32_t start = st->fstart[st->nf];
    st->flen[st->nf] = (uint32_t)(st->rec_len - start);
    if (rec_put(st, '\0') != 0)
        return -1;
    st->nf++;
    st->fstart[st->nf] = (uint32_t)st->rec_len;
    return 0;
}

static void begin_record(struct state *st)
{
    st->rec_len = 0;
    st->nf = 0;
    st->fstart[0] = 0;
    st->rec_cut = st->rec_cols_cut = st->rec_any = 0;
    st->rec_line = st->line;
    st->q = Q_START;
}

static int refill(struct cb_parse *p, struct state *st)
{
    (void)p;
    if (st->eof)
        return 0;
    st->blk_len = cb_stream_read(st->text.in, st->blk, BLOCK);
    st->blk_pos = 0;
    if (st->blk_len == 0)
        st->eof = 1;
    return st->blk_len > 0;
}

/*
 * The next record into st->rec / fstart / flen. Returns 1 with a record,
 * 0 at the end of the data, -1 out of memory. A record cut by the end of
 * the file inside quotes is dropped with a warning.
 */
static int read_record(struct cb_parse *p, struct state *st)
{
    begin_record(st);
    for (;;) {
        if (st->blk_pos == st->blk_len && !refill(p, st)) {
            if (st->q == Q_QUOTED) {
                cb_parse_damage(p, CB_DAMAGE_LOG, CB_WHERE_LINE,
                                st->quote_line,
                                "file ends inside the quoted field opened "
                                "at line %llu; the record from line %llu is "
                                "dropped",
                                (unsigned long long)st->quote_line,
                                (unsigned long long)st->rec_line);
                return 0;
            }
            if (st->rec_len && st->rec[st->rec_len - 1] == '\r' &&
                st->q == Q_PLAIN)
                st->rec_len--;
            if (st->nf == 0 && st->rec_len == 0 && !st->rec_any)
                return 0;
            if (end_field(st) != 0)
                return -1;
            return 1;
        }
        const unsigned char *b = st->blk;
        size_t i = st->blk_pos, n = st->blk_len;
        while (i < n) {
            char c = (char)b[i++];
            if (c == '\n')
                st->line++;
            switch (st->q) {
            case Q_START:
                if (c == '"') {
                    st->q = Q_QUOTED;
                    st->quote_line = st->line;
                    st->rec_any = 1;
                    continue;
                }
                st->q = Q_PLAIN;
                /* fall through */
            case Q_PLAIN:
                if (c == st->delim) {
                    if (end_field(st) != 0)
                        return -1;
                    st->q = Q_START;
                } else if (c == '\n') {
                    if (st->rec_len > st->fstart[st->nf] &&
                        st->rec[st->rec_len - 1] == '\r')
                        st->rec_len--;
                    st->blk_pos = i;
                    if (st->nf == 0 && st->rec_len == 0 && !st->rec_any) {
                        begin_record(st); /* blank line */
                        continue;
                    }
                    if (end_field(st) != 0)
                        return -1;
                    return 1;
                } else {
                    /* the run up to the next delimiter or line end */
                    size_t e = i;
                    while (e < n && b[e] != (unsigned char)st->delim &&
                           b[e] != '\n')
                        e++;
                    if (field_bytes(st, b + i - 1, e - i + 1) != 0)
                        return -1;
                    i = e;
                }
                break;
            case Q_QUOTED: {
                if (c == '"') {
                    st->q = Q_QUOTE_SEEN;
                    break;
                }
                /* copy a run of plain bytes at once */
                size_t e = i;
                while (e < n && b[e] != '"' && b[e] != '\n')
                    e++;
                if (field_bytes(st, b + i - 1, e - i + 1) != 0)
                    return -1;
                i = e;
                break;
            }
            case Q_QUOTE_SEEN:
                if (c == '"') {
                    if (field_byte(st, '"') != 0)
                        return -1;
                    st->q = Q_QUOTED;
                } else if (c == st->delim) {
                    if (end_field(st) != 0)
                        return -1;
                    st->q = Q_START;
                } else if (c == '\n') {
                    st->blk_pos = i;
                    if (end_field(st) != 0)
                        return -1;
                    return 1;
                } else if (c == '\r') {
                    /* before the LF */
                } else {
                    /* text after a closing quote: kept, as Excel does */
                    st->q = Q_PLAIN;
                    if (field_byte(st, c) != 0)
                        return -1;
                }
                break;
            }
        }
        st->blk_pos = i;
    }
}

static const char *fval(const struct state *st, unsigned i, size_t *n)
{
    if (i >= st->nf) {
        *n = 0;
        return NULL;
    }
    *n = st->flen[i];
    return st->rec + st->fstart[i];
}

static const char *cval(const struct state *st, enum col c, size_t *n)
{
    if (st->col[c] < 0) {
        *n = 0;
        return NULL;
    }
    const char *v = fval(st, (unsigned)st->col[c], n);
    if (v)
        v = cb_export_trim(v, n);
    return v;
}

/* The header row: map the columns. 0, or -1 out of memory, or 1 when it
 * has no date column (not an event export we can read). */
static int take_header(struct cb_parse *p, struct state *st)
{
    for (int c = 0; c < C_COUNT; c++)
        st->col[c] = -1;
    st->ncols = st->nf;
    for (unsigned i = 0; i < st->nf; i++) {
        size_t n;
        const char *s = fval(st, i, &n);
        s = cb_export_trim(s, &n);
        if (n > CB_LIMIT_EXPORT_NAME_BYTES)
            n = CB_LIMIT_EXPORT_NAME_BYTES;
        st->names[i] = n ? cb_intern(p->strings, s, n) : NULL;
        if (n && !st->names[i])
            return -1;
        int c = col_of(s, n);
        if (c >= 0 && st->col[c] < 0)
            st->col[c] = (int)i;
    }
    /* "Date" or "Time" alone holds both */
    if (st->col[C_DATETIME] < 0 &&
        (st->col[C_DATE] < 0) != (st->col[C_TIME] < 0)) {
        enum col one = st->col[C_DATE] >= 0 ? C_DATE : C_TIME;
        st->col[C_DATETIME] = st->col[one];
        st->col[one] = -1;
    }
    if (st->col[C_DATETIME] >= 0) {
        st->col[C_DATE] = st->col[C_TIME] = -1;
    }
    if (st->col[C_MESSAGE] < 0)
        st->message_extra = 1;
    st->have_header = 1;
    return st->col[C_DATETIME] < 0 && st->col[C_DATE] < 0 ? 1 : 0;
}

static int add_field(struct cb_parse *p, struct cb_field *f, uint32_t *nf,
                     const char *name, const char *v, size_t n)
{
    v = cb_export_trim(v, &n);
    if (!name || n == 0 || *nf == CB_LIMIT_CSV_FIELDS)
        return 0;
    char *val = cb_arena_strndup(p->arena, v, n);
    if (!val)
        return -1;
    f[(*nf)++] = (struct cb_field){name, val};
    return 0;
}

static const char *intern_val(struct cb_parse *p, const char *s, size_t n,
                              int *oom)
{
    if (!s || n == 0)
        return NULL;
    if (n > CB_LIMIT_EXPORT_NAME_BYTES)
        n = CB_LIMIT_EXPORT_NAME_BYTES;
    const char *r = cb_intern(p->strings, s, n);
    if (!r)
        *oom = 1;
    return r;
}

/* Decide the day/month order now (end of data, or too many rows held),
 * from the file's hints. */
static void assume_order(struct cb_parse *p, struct state *st, const char *why)
{
    const char *hint;
    if (st->saw_dot_date) {
        st->order = CB_DATE_DMY;
        hint = "dates written with '.', as in de/ru/pl cultures";
    } else if (st->lang == CB_LANG_DMY) {
        st->order = CB_DATE_DMY;
        hint = "level names of a day-first language";
    } else if (st->saw_ampm) {
        st->order = CB_DATE_MDY;
        hint = "12-hour clock, as in the en-US culture";
    } else if (st->delim == ';') {
        st->order = CB_DATE_DMY;
        hint = "';' delimiter of a day-first culture";
    } else {
        st->order = CB_DATE_MDY;
        hint = "no hint; en-US, the Windows default";
    }
    st->order_assumed = 1;
    cb_parse_warn(p, CB_WHERE_NONE, 0,
                  "%s: %s order assumed (%s); --date-order overrides", why,
                  order_name(st->order), hint);
    p->src->time_basis = cb_arena_printf(
        p->arena, "local (offset unknown; %s order of dates assumed: %s)",
        order_name(st->order), hint);
}

/* The record's date and time as one text: the date-and-time column, or
 * the date and time columns joined in buf. NULL when there is none. */
static const char *date_text(const struct state *st,
                             char buf[2 * CB_EXPORT_DATE_TEXT_MAX + 2],
                             size_t *n)
{
    if (st->col[C_DATETIME] >= 0)
        return cval(st, C_DATETIME, n);
    size_t n2;
    const char *v = cval(st, C_DATE, n);
    const char *v2 = cval(st, C_TIME, &n2);
    if (v && v2 && *n && *n <= CB_EXPORT_DATE_TEXT_MAX &&
        n2 <= CB_EXPORT_DATE_TEXT_MAX) {
        memcpy(buf, v, *n);
        buf[*n] = ' ';
        memcpy(buf + *n + 1, v2, n2);
        *n += n2 + 1;
        v = buf;
    }
    return v;
}

/* A date that cannot be read: counted, warned, the row skipped (0). */
static int bad_date(struct cb_parse *p, struct state *st, const char *v,
                    size_t n, const char *why)
{
    st->bad_dates++;
    cb_parse_warn(p, CB_WHERE_LINE, st->rec_line,
                  "line %llu: date '%.*s' %s; row skipped",
                  (unsigned long long)st->rec_line, (int)(n > 60 ? 60 : n), v,
                  why);
    return 0;
}

/* A day and month in some order (w, read from the text v): checked
 * against the order known so far, which it sets when it is the first to
 * tell. 0: the row is skipped. */
static int pair_fits(struct cb_parse *p, struct state *st,
                     const struct cb_export_when *w,
                     const char *v, size_t n)
{
    st->any_pair = 1;
    int a = w->a, b = w->b;
    if (a > 12 && b > 12)
        return bad_date(p, st, v, n, "has no month");
    enum cb_date_order says = a > 12   ? CB_DATE_DMY
                              : b > 12 ? CB_DATE_MDY
                                       : CB_DATE_AUTO;
    if (says == CB_DATE_AUTO)
        return 1;
    if (cb_export_pair_time(w, says) == CB_TIME_NONE)
        return bad_date(p, st, v, n, "not understood");
    if (st->order == CB_DATE_AUTO) {
        st->order = says;
        st->order_line = st->rec_line;
    } else if (says != st->order) {
        if (st->contradict++ == 0)
            st->contradict_line = st->rec_line;
        cb_parse_warn(p, CB_WHERE_LINE, st->rec_line,
                      "line %llu: date '%.*s' contradicts the %s order "
                      "%s; row skipped",
                      (unsigned long long)st->rec_line, (int)(n > 60 ? 60 : n),
                      v, order_name(st->order),
                      st->order_forced    ? "given by --date-order"
                      : st->order_assumed ? "assumed earlier"
                                          : "of the rows before");
        return 0;
    }
    return 1;
}

/* The record's time into h->w; 0 when the row is skipped. */
static int record_time(struct cb_parse *p, struct state *st, struct held *h)
{
    size_t n;
    char buf[2 * CB_EXPORT_DATE_TEXT_MAX + 2];
    const char *v = date_text(st, buf, &n);
    if (!v || n == 0) {
        if (st->no_date++ == 0)
            st->no_date_line = st->rec_line;
        return 0;
    }
    int dot = 0, marker = 0;
    if (!cb_export_parse_when(v, n, &h->w, &dot, &marker))
        return bad_date(p, st, v, n, "not understood");
    st->saw_dot_date |= dot;
    st->saw_ampm |= marker;
    if (h->w.kind == CB_WHEN_PAIR && !pair_fits(p, st, &h->w, v, n))
        return 0;
    if (!h->w.zoned) {
        h->ev.flags |= CB_EV_TIME_ASSUMED;
        st->any_unzoned = 1;
    }
    return 1;
}

/* The level from its name, else its number; a name not known is kept as
 * the field Level. -1 on out of memory. */
static int record_level(struct cb_parse *p, struct state *st,
                        struct cb_field *fields, uint32_t *nf, int *level)
{
    size_t n, n2;
    const char *v, *lv = cval(st, C_LEVELNAME, &n);
    *level = 0;
    if (lv && n) {
        /* a file repeats a handful of names: skip the table walk */
        if (n == st->last_level_len && memcmp(lv, st->last_level, n) == 0) {
            *level = st->last_level_val;
        } else {
            *level = cb_export_level(lv, n, &st->lang);
            if (n <= sizeof st->last_level) {
                memcpy(st->last_level, lv, n);
                st->last_level_len = n;
                st->last_level_val = *level;
            }
        }
    }
    if (!*level && (v = cval(st, C_LEVELNUM, &n2)) && n2) {
        *level = cb_export_level(v, n2, &st->lang);
        if (!lv || !n) {
            lv = v;
            n = n2;
        }
    }
    if (!*level && lv && n) {
        if (st->unknown_levels++ == 0)
            cb_parse_warn(p, CB_WHERE_LINE, st->rec_line,
                          "level '%.*s' not known (a culture not mapped?); "
                          "kept as the field Level, level unknown",
                          (int)(n > 30 ? 30 : n), lv);
        if (add_field(p, fields, nf, "Level", lv, n) != 0)
            return -1;
    }
    return 0;
}

/* Provider, channel, host, record id, process and thread; -1 on out of
 * memory. */
static int record_source(struct cb_parse *p, struct state *st,
                         struct cb_event *ev)
{
    int oom = 0;
    uint64_t u;
    size_t n;
    const char *v = cval(st, C_PROVIDER, &n);
    ev->provider = intern_val(p, v, n, &oom);
    if ((v = cval(st, C_CHANNEL, &n)) && n)
        ev->channel = intern_val(p, v, n, &oom);
    else
        ev->channel = st->file_channel;
    if ((v = cval(st, C_HOST, &n)) && n) {
        if (cb_export_host(p->strings, v, n, &ev->host) != 0)
            return -1;
    }
    if ((v = cval(st, C_RECORD, &n)) && cb_export_parse_u64(v, n, UINT64_MAX, &u)) {
        ev->record_id = u;
        ev->flags |= CB_EV_HAS_RECORD_ID;
    }
    if ((v = cval(st, C_PID, &n)) && cb_export_parse_u64(v, n, UINT32_MAX, &u)) {
        ev->pid = (uint32_t)u;
        ev->flags |= CB_EV_HAS_PID;
        if ((v = cval(st, C_TID, &n)) && cb_export_parse_u64(v, n, UINT32_MAX, &u))
            ev->tid = (uint32_t)u;
    }
    return oom ? -1 : 0;
}

/* The message: its column, else the first one past the header. -1 on
 * out of memory. */
static int record_message(struct cb_parse *p, struct state *st,
                          struct cb_event *ev)
{
    const char *v = NULL;
    size_t n = 0;
    if (st->col[C_MESSAGE] >= 0)
        v = fval(st, (unsigned)st->col[C_MESSAGE], &n);
    else if (st->message_extra && st->nf > st->ncols)
        v = fval(st, st->ncols, &n);
    if (v) {
        /* trailing line breaks and blanks only; inner ones are text */
        while (n && is_blank(v[n - 1]))
            n--;
        while (n && (v[0] == ' ' || v[0] == '\t'))
            v++, n--;
    }
    ev->message = n ? cb_arena_strndup(p->arena, v, n) : "";
    return ev->message ? 0 : -1;
}

/* Every column the header names that is no known one: data a custom
 * Select made (the Task, Opcode, Keywords, User and Computer columns are
 * the System part and never fields). -1 on out of memory. */
static int record_fields(struct cb_parse *p, struct state *st,
                         struct cb_field *fields, uint32_t *nf)
{
    size_t n;
    for (unsigned i = 0; i < st->ncols && i < st->nf; i++) {
        int known = 0;
        for (int c = 0; c < C_COUNT && !known; c++)
            known = st->col[c] == (int)i;
        if (known || !st->names[i] ||
            col_of(st->names[i], strlen(st->names[i])) >= 0)
            continue;
        const char *v = fval(st, i, &n);
        if (add_field(p, fields, nf, st->names[i], v, n) != 0)
            return -1;
    }
    return 0;
}

/* Turn the record into an event, or skip it. Returns 1 event in *h,
 * 0 skipped, -1 out of memory. */
static int convert(struct cb_parse *p, struct state *st, struct held *h)
{
    memset(h, 0, sizeof *h);
    struct cb_event *ev = &h->ev;
    ev->origin = st->rec_line;
    if (!record_time(p, st, h))
        return 0;
    size_t n;
    const char *v;
    uint64_t u;
    if ((v = cval(st, C_ID, &n)) && n) {
        if (cb_export_parse_u64(v, n, UINT32_MAX, &u)) {
            ev->event_id = (uint32_t)u;
            ev->flags |= CB_EV_HAS_EVENT_ID;
        }
    }
    struct cb_field fields[CB_LIMIT_CSV_FIELDS];
    uint32_t nf = 0;
    int level;
    if (record_level(p, st, fields, &nf, &level) != 0)
        return -1;
    ev->level = (uint8_t)level;
    if (record_source(p, st, ev) != 0 || record_message(p, st, ev) != 0 ||
        record_fields(p, st, fields, &nf) != 0)
        return -1;
    if (nf) {
        struct cb_field *f = cb_arena_alloc(p->arena, nf * sizeof *f);
        if (!f)
            return -1;
        memcpy(f, fields, nf * sizeof *f);
        ev->fields = f;
        ev->nfields = nf;
    }
    if (st->rec_cut)
        cb_parse_warn(p, CB_WHERE_LINE, st->rec_line,
                      "record at line %llu is longer than %u bytes; cut",
                      (unsigned long long)st->rec_line,
                      (unsigned)CB_LIMIT_CSV_RECORD);
    if (st->rec_cols_cut)
        cb_parse_warn(p, CB_WHERE_LINE, st->rec_line,
                      "record at line %llu has more than %u columns; the "
                      "rest dropped",
                      (unsigned long long)st->rec_line,
                      (unsigned)CB_LIMIT_CSV_COLUMNS);
    return 1;
}

static int hold(struct state *st, const struct held *h)
{
    if (st->nheld == st->held_cap) {
        size_t ncap = st->held_cap ? st->held_cap * 2 : 256;
        struct held *nh = cb_realloc(st->held, ncap * sizeof *nh);
        if (!nh)
            return -1;
        st->held = nh;
        st->held_cap = ncap;
    }
    st->held[st->nheld++] = *h;
    return 0;
}

/* Apply the order to a pair date; 0 when invalid under it. */
static int resolve(struct cb_parse *p, struct state *st, struct held *h)
{
    if (h->w.kind == CB_WHEN_READY) {
        h->ev.ts = h->w.ts;
        return 1;
    }
    cb_time t = cb_export_pair_time(&h->w, st->order);
    if (t == CB_TIME_NONE) {
        st->bad_dates++;
        cb_parse_warn(p, CB_WHERE_LINE, h->ev.origin,
                      "line %llu: %d/%d/%d is not a date in %s order; row "
                      "skipped",
                      (unsigned long long)h->ev.origin, h->w.a, h->w.b,
                      h->w.year, order_name(st->order));
        return 0;
    }
    h->ev.ts = t;
    return 1;
}

static enum cb_next next(struct cb_parse *p, void *state, struct cb_event *ev)
{
    struct state *st = state;
    for (;;) {
        /* rows held back, once the order is known */
        if (st->flushing) {
            while (st->held_pos < st->nheld) {
                struct held *h = &st->held[st->held_pos++];
                if (resolve(p, st, h)) {
                    *ev = h->ev;
                    return CB_NEXT_EVENT;
                }
            }
            st->flushing = 0;
            st->nheld = st->held_pos = 0;
        }
        if (st->finished) {
            if (st->text.in->failed) {
                p->err = st->text.in->err;
                return CB_NEXT_FAIL;
            }
            return CB_NEXT_END;
        }
        int r = read_record(p, st);
        if (r < 0)
            return nomem(p, st->line);
        if (r == 0) {
            st->finished = 1;
            if (st->nheld) {
                if (st->order == CB_DATE_AUTO)
                    assume_order(p, st,
                                 "no date in the file tells day from month "
                                 "(none is over 12)");
                st->flushing = 1;
            }
            continue;
        }
        if (!st->have_header) {
            if (!st->type_line_checked) {
                st->type_line_checked = 1;
                size_t n;
                const char *s = fval(st, 0, &n);
                if (s && n >= 5 && strncmp(s, "#TYPE", 5) == 0)
                    continue;
            }
            int h = take_header(p, st);
            if (h < 0)
                return nomem(p, st->rec_line);
            if (h > 0) {
                cb_error_set(&p->err, CB_E_UNSUPPORTED, CB_WHERE_LINE,
                             st->rec_line,
                             "no date or time column in the header at line "
                             "%llu",
                             (unsigned long long)st->rec_line);
                return CB_NEXT_FAIL;
            }
            continue;
        }
        struct held h;
        r = convert(p, st, &h);
        if (r < 0)
            return nomem(p, st->rec_line);
        if (r == 0)
            continue;
        int pending = h.w.kind == CB_WHEN_PAIR && st->order == CB_DATE_AUTO;
        if (pending || st->nheld) {
            if (hold(st, &h) != 0)
                return nomem(p, st->rec_line);
            if (st->order != CB_DATE_AUTO) {
                st->flushing = 1; /* this row decided it */
            } else if (st->nheld >= CB_LIMIT_CSV_UNDECIDED_ROWS) {
                char why[96];
                snprintf(why, sizeof why,
                         "%zu rows up to line %llu do not tell day from "
                         "month",
                         st->nheld, (unsigned long long)st->rec_line);
                assume_order(p, st, why);
                st->flushing = 1;
            }
            continue;
        }
        if (resolve(p, st, &h)) {
            *ev = h.ev;
            return CB_NEXT_EVENT;
        }
    }
}

/* ---- open / close ------------------------------------------------------- */

/* The delimiter the header line uses most outside quotes (',' on a tie). */
static char sniff_delim(const unsigned char *s, size_t n)
{
    size_t i = 0;
    /* skip a #TYPE line */
    if (n - i >= 5 && memcmp(s + i, "#TYPE", 5) == 0) {
        while (i < n && s[i] != '\n')
            i++;
        i++;
    }
    unsigned comma = 0, semi = 0, tab = 0;
    int quoted = 0;
    for (; i < n; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (s[i] == '\n')
            break;
        else if (s[i] == ',')
            comma++;
        else if (s[i] == ';')
            semi++;
        else if (s[i] == '\t')
            tab++;
    }
    if (tab > comma && tab >= semi)
        return '\t';
    if (semi > comma)
        return ';';
    return ',';
}

static void close_(struct cb_parse *p, void **state);

static enum cb_status open_(struct cb_parse *p, void **state)
{
    struct state *st = cb_calloc(1, sizeof *st);
    if (!st)
        return CB_E_NOMEM;
    *state = st;
    st->blk = cb_malloc(BLOCK);
    if (!st->blk ||
        cb_stream_open_text(&st->text, p->in, CB_LIMIT_LINE_BYTES) != CB_OK) {
        close_(p, state);
        return CB_E_NOMEM;
    }
    if (cb_text_is_utf16be(st->text.enc)) {
        close_(p, state);
        return cb_error_set(&p->err, CB_E_UNSUPPORTED, CB_WHERE_OFFSET, 0,
                            "UTF-16BE CSV is not read by this version");
    }
    size_t n;
    const unsigned char *h =
        cb_stream_peek(st->text.in, CB_LIMIT_SNIFF_BYTES, &n);
    st->delim = sniff_delim(h, n);
    st->line = 1;
    st->order = p->opts->date_order;
    if (st->order == CB_DATE_YMD) /* leaves d/m dates to the data */
        st->order = CB_DATE_AUTO;
    st->order_forced = st->order != CB_DATE_AUTO;
    st->file_channel = channel_from_path(p, p->src->path);
    p->src->time_basis = "local (offset unknown)";
    p->src->time_kind = CB_TK_LOCAL;
    p->src->origin_is_line = 1;
    return CB_OK;
}

static void close_(struct cb_parse *p, void **state)
{
    if (!state || !*state)
        return;
    struct state *st = *state;
    if (st->no_date)
        cb_parse_warn(p, CB_WHERE_LINE, st->no_date_line,
                      "%llu rows without a date skipped (trailer rows of an "
                      "SDP export?), the first at line %llu",
                      (unsigned long long)st->no_date,
                      (unsigned long long)st->no_date_line);
    if (st->contradict)
        cb_parse_warn(p, CB_WHERE_LINE, st->contradict_line,
                      "%llu rows contradict the %s order and were skipped, "
                      "the first at line %llu",
                      (unsigned long long)st->contradict, order_name(st->order),
                      (unsigned long long)st->contradict_line);
    if (st->unknown_levels > 1)
        cb_parse_warn(p, CB_WHERE_NONE, 0,
                      "%llu rows with a level name not known",
                      (unsigned long long)st->unknown_levels);
    if (p->src->nevents && !st->any_unzoned) {
        p->src->time_basis = "UTC (every time carries a zone)";
        p->src->time_kind = CB_TK_UTC;
    } else if (st->order_forced && st->any_pair) {
        p->src->time_basis =
            cb_arena_printf(p->arena,
                            "local (offset unknown; %s order of dates from "
                            "--date-order)",
                            order_name(st->order));
    } else if (!st->order_assumed && st->order_line) {
        p->src->time_basis = cb_arena_printf(
            p->arena,
            "local (offset unknown; %s order of dates from the "
            "data, line %llu)",
            order_name(st->order), (unsigned long long)st->order_line);
    }
    cb_stream_close_text(&st->text);
    cb_free(st->blk);
    cb_free(st->rec);
    cb_free(st->held);
    cb_free(st);
    *state = NULL;
}

/* ---- bid ---------------------------------------------------------------- */

static int bid(const unsigned char *head, size_t len, const char *name)
{
    char narrow[1024];
    const char *text;
    size_t n = cb_text_narrow(head, len, narrow, sizeof narrow, &text);
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    if (n >= 5 && memcmp(s, "#TYPE", 5) == 0) {
        while (i < n && s[i] != '\n')
            i++;
        i++;
    }
    if (i >= n)
        return 0;
    char delim = sniff_delim(s + i, n - i);
    /* the header's names */
    int have_time = 0, known = 0;
    int quoted = 0;
    size_t start = i;
    for (; i <= n; i++) {
        int end = i == n || (!quoted && (s[i] == '\n' || s[i] == '\r'));
        if (i < n && s[i] == '"') {
            quoted = !quoted;
            continue;
        }
        if (end || (!quoted && s[i] == (unsigned char)delim)) {
            int c = col_of((const char *)s + start, i - start);
            if (c == C_DATETIME || c == C_DATE || c == C_TIME)
                have_time = 1;
            else if (c >= 0 && c != C_META)
                known++;
            start = i + 1;
        }
        if (end)
            break;
    }
    if (!have_time || known == 0)
        return 0;
    int b = 40 + (known > 6 ? 6 : known);
    size_t nl = name ? strlen(name) : 0;
    if (nl >= 4 && strcasecmp(name + nl - 4, ".csv") == 0)
        b += 8;
    return b;
}

const struct cb_parser_ops cb_parser_evtx_csv = {
    .name = "evtx-csv",
    .description = "event CSV export (Export-Csv, Event Viewer, TSS, SDP)",
    .data_type = "windows:evtx:record",
    .bid = bid,
    .open = open_,
    .next = next,
    .close = close_,
};
