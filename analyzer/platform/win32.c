/*
 * platform/win32.c - platform.h on Windows (built with mingw-w64; the C
 * library is msvcrt). The build compiles this or posix.c.
 *
 * Paths arrive and leave as UTF-8 with '/' and are handed to the wide
 * (-W) Win32 calls, so they work whatever the ANSI code page is; the
 * manifest (cli/casebrief.manifest) also makes that code page UTF-8 for
 * the C library's own narrow calls (fopen, opendir).
 *
 * A case in batch mode runs in one Job Object: the memory cap is the
 * job's committed-memory limit, a timeout terminates the job (the case
 * and anything it started), and the peak is the job's peak commit.
 */
#include <windows.h>

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <limits.h>
#include <shellapi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "platform.h"

/* ---- UTF-8 <-> UTF-16 ------------------------------------------------- */

/* A malloc'd wide copy of UTF-8 s with '/' as '\\'; NULL (errno set). */
static wchar_t *wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    wchar_t *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;
    if (!w || MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n) != n) {
        free(w);
        errno = n > 0 ? ENOMEM : EINVAL;
        return NULL;
    }
    for (wchar_t *p = w; *p; p++)
        if (*p == L'/')
            *p = L'\\';
    return w;
}

/* A malloc'd UTF-8 copy of w with '\\' as '/'; NULL when out of memory. */
static char *narrow(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s = n > 0 ? malloc((size_t)n) : NULL;
    if (!s || WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
        free(s);
        return NULL;
    }
    for (char *p = s; *p; p++)
        if (*p == '\\')
            *p = '/';
    return s;
}

static void set_errno_from(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_NETPATH: errno = ENOENT; break;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION: errno = EACCES; break;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS: errno = EEXIST; break;
    case ERROR_DIR_NOT_EMPTY: errno = ENOTEMPTY; break;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: errno = ENOMEM; break;
    case ERROR_DISK_FULL: errno = ENOSPC; break;
    case ERROR_DIRECTORY: errno = ENOTDIR; break;
    default: errno = EIO; break;
    }
}

/* ---- start-up ------------------------------------------------------------ */

void cb_platform_init(int *argc, char ***argv)
{
    _fmode = _O_BINARY; /* every fopen/open from now on */
    _setmode(0, _O_BINARY);
    _setmode(1, _O_BINARY);
    _setmode(2, _O_BINARY);
    SetConsoleOutputCP(CP_UTF8);
    /* The wide command line, so arguments are UTF-8 whatever the code
     * page; kept for the life of the process. */
    int n;
    wchar_t **wargv = CommandLineToArgvW(GetCommandLineW(), &n);
    if (!wargv || n < 1)
        return;
    char **args = calloc((size_t)n + 1, sizeof *args);
    for (int i = 0; args && i < n; i++)
        if (!(args[i] = narrow(wargv[i])))
            return; /* out of memory: keep the C library's argv */
    LocalFree(wargv);
    if (!args)
        return;
    *argc = n;
    *argv = args;
}

/* ---- strings --------------------------------------------------------------- */

void *cb_memmem(const void *hay, size_t hn, const void *needle, size_t nn)
{
    const unsigned char *h = hay, *nd = needle;
    if (nn == 0)
        return (void *)h;
    if (hn < nn)
        return NULL;
    const unsigned char *last = h + (hn - nn);
    for (const unsigned char *p = h; p <= last; p++) {
        p = memchr(p, nd[0], (size_t)(last - p) + 1);
        if (!p)
            return NULL;
        if (memcmp(p, nd, nn) == 0)
            return (void *)p;
    }
    return NULL;
}

void *cb_memrchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    while (n--)
        if (p[n] == (unsigned char)c)
            return (void *)(p + n);
    return NULL;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

char *cb_strcasestr(const char *hay, const char *needle)
{
    size_t nn = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < nn && hay[i] &&
               lower((unsigned char)hay[i]) == lower((unsigned char)needle[i]))
            i++;
        if (i == nn)
            return (char *)hay;
    }
    return nn == 0 ? (char *)hay : NULL;
}

/* ---- memory -------------------------------------------------------------- */

void *cb_pages_map(size_t size)
{
    return VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
}

void cb_pages_unmap(void *p, size_t size)
{
    (void)size;
    if (p)
        VirtualFree(p, 0, MEM_RELEASE);
}

/* ---- files --------------------------------------------------------------- */

/* 100 ns ticks since 1601 to ns since 1970. */
static int64_t unix_ns(FILETIME ft)
{
    int64_t t = (int64_t)(((uint64_t)ft.dwHighDateTime << 32) |
                          ft.dwLowDateTime);
    return (t - 116444736000000000LL) * 100;
}

static void from_attrs(DWORD attrs, uint64_t size, FILETIME mtime,
                       int follow, struct cb_stat *st)
{
    memset(st, 0, sizeof *st);
    if (!follow && (attrs & FILE_ATTRIBUTE_REPARSE_POINT))
        st->kind = CB_KIND_LINK;
    else if (attrs & FILE_ATTRIBUTE_DIRECTORY)
        st->kind = CB_KIND_DIR;
    else if (attrs & FILE_ATTRIBUTE_DEVICE)
        st->kind = CB_KIND_OTHER;
    else
        st->kind = CB_KIND_FILE;
    st->size = st->kind == CB_KIND_DIR ? 0 : size;
    st->mtime_ns = unix_ns(mtime);
    st->mode = st->kind == CB_KIND_DIR
                   ? (uint32_t)(_S_IFDIR | 0755)
                   : (uint32_t)(_S_IFREG |
                                (attrs & FILE_ATTRIBUTE_READONLY ? 0444
                                                                 : 0644));
}

static int from_handle(HANDLE h, struct cb_stat *st)
{
    BY_HANDLE_FILE_INFORMATION fi;
    if (GetFileType(h) != FILE_TYPE_DISK) {
        memset(st, 0, sizeof *st);
        st->kind = CB_KIND_OTHER;
        return 0;
    }
    if (!GetFileInformationByHandle(h, &fi)) {
        set_errno_from(GetLastError());
        return -1;
    }
    from_attrs(fi.dwFileAttributes,
               ((uint64_t)fi.nFileSizeHigh << 32) | fi.nFileSizeLow,
               fi.ftLastWriteTime, 1, st);
    st->dev = fi.dwVolumeSerialNumber;
    st->ino = ((uint64_t)fi.nFileIndexHigh << 32) | fi.nFileIndexLow;
    return 0;
}

int cb_stat(const char *path, struct cb_stat *st)
{
    wchar_t *w = wide(path);
    if (!w)
        return -1;
    HANDLE h = CreateFileW(w, FILE_READ_ATTRIBUTES,
                           FILE_SHARE_READ | FILE_SHARE_WRITE |
                               FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS,
                           NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        set_errno_from(GetLastError());
        return -1;
    }
    int rc = from_handle(h, st);
    CloseHandle(h);
    return rc;
}

int cb_lstat(const char *path, struct cb_stat *st)
{
    wchar_t *w = wide(path);
    if (!w)
        return -1;
    WIN32_FILE_ATTRIBUTE_DATA a;
    BOOL ok = GetFileAttributesExW(w, GetFileExInfoStandard, &a);
    free(w);
    if (!ok) {
        set_errno_from(GetLastError());
        return -1;
    }
    from_attrs(a.dwFileAttributes,
               ((uint64_t)a.nFileSizeHigh << 32) | a.nFileSizeLow,
               a.ftLastWriteTime, 0, st);
    return 0;
}

int cb_fstat(int fd, struct cb_stat *st)
{
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    if (h == INVALID_HANDLE_VALUE) {
        errno = EBADF;
        return -1;
    }
    return from_handle(h, st);
}

int cb_same_file(const struct cb_stat *a, const struct cb_stat *b)
{
    return (a->dev || a->ino) && a->dev == b->dev && a->ino == b->ino;
}

int cb_open_read(const char *path)
{
    wchar_t *w = wide(path);
    if (!w)
        return -1;
    int fd = _wopen(w, _O_RDONLY | _O_BINARY | _O_NOINHERIT);
    free(w);
    return fd;
}

int cb_open_create(const char *path)
{
    struct cb_stat st;
    if (cb_lstat(path, &st) == 0 && st.kind == CB_KIND_LINK) {
        errno = ELOOP; /* as O_NOFOLLOW says it */
        return -1;
    }
    wchar_t *w = wide(path);
    if (!w)
        return -1;
    int fd = _wopen(w,
                    _O_WRONLY | _O_CREAT | _O_TRUNC | _O_BINARY | _O_NOINHERIT,
                    _S_IREAD | _S_IWRITE);
    free(w);
    return fd;
}

long cb_read(int fd, void *buf, size_t n)
{
    return _read(fd, buf, n > INT_MAX ? INT_MAX : (unsigned)n);
}

long cb_pread(int fd, void *buf, size_t n, uint64_t off)
{
    if (off > (uint64_t)INT64_MAX ||
        _lseeki64(fd, (__int64)off, SEEK_SET) < 0)
        return -1;
    return _read(fd, buf, n > INT_MAX ? INT_MAX : (unsigned)n);
}

long cb_write(int fd, const void *buf, size_t n)
{
    return _write(fd, buf, n > INT_MAX ? INT_MAX : (unsigned)n);
}

int cb_close(int fd)
{
    return _close(fd);
}

void cb_readahead(int fd, uint64_t off, uint64_t len)
{
    (void)fd; /* Windows' cache manager reads ahead sequential files */
    (void)off;
    (void)len;
}

int cb_mkdir(const char *path)
{
    wchar_t *w = wide(path);
    if (!w)
        return -1;
    BOOL ok = CreateDirectoryW(w, NULL);
    free(w);
    if (!ok)
        set_errno_from(GetLastError());
    return ok ? 0 : -1;
}

int cb_rename_exchange(const char *a, const char *b)
{
    (void)a;
    (void)b;
    errno = ENOSYS;
    return -1;
}

int cb_rename(const char *from, const char *to)
{
    wchar_t *wf = wide(from), *wt = wide(to);
    BOOL ok = wf && wt && MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING);
    DWORD e = GetLastError();
    int to_dir = 0;
    if (!ok && wt) {
        DWORD a = GetFileAttributesW(wt);
        to_dir = a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
    }
    free(wf);
    free(wt);
    if (ok)
        return 0;
    /* a directory in the way: what rename(2) says when it is not empty */
    if (to_dir)
        errno = ENOTEMPTY;
    else
        set_errno_from(e);
    return -1;
}

static int remove_w(const wchar_t *w);

/* The entries of directory w, each removed; w itself left. */
static int empty_dir_w(const wchar_t *w)
{
    size_t n = wcslen(w);
    wchar_t *pat = malloc((n + 3) * sizeof *pat);
    if (!pat)
        return -1;
    memcpy(pat, w, n * sizeof *pat);
    wcscpy(pat + n, L"\\*");
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileW(pat, &fd);
    free(pat);
    if (h == INVALID_HANDLE_VALUE)
        return 0;
    int rc = 0;
    do {
        if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
            continue;
        size_t k = wcslen(fd.cFileName);
        wchar_t *sub = malloc((n + k + 2) * sizeof *sub);
        if (!sub) {
            rc = -1;
            break;
        }
        memcpy(sub, w, n * sizeof *sub);
        sub[n] = L'\\';
        memcpy(sub + n + 1, fd.cFileName, (k + 1) * sizeof *sub);
        rc |= remove_w(sub);
        free(sub);
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    return rc;
}

static int remove_w(const wchar_t *w)
{
    DWORD a = GetFileAttributesW(w);
    if (a == INVALID_FILE_ATTRIBUTES)
        return 0;
    if (a & FILE_ATTRIBUTE_READONLY)
        SetFileAttributesW(w, a & ~(DWORD)FILE_ATTRIBUTE_READONLY);
    if (!(a & FILE_ATTRIBUTE_DIRECTORY))
        return DeleteFileW(w) ? 0 : -1;
    /* a junction or directory link: removed itself, never followed */
    if (!(a & FILE_ATTRIBUTE_REPARSE_POINT) && empty_dir_w(w) != 0)
        return -1;
    return RemoveDirectoryW(w) ? 0 : -1;
}

int cb_remove_tree(const char *path)
{
    wchar_t *w = wide(path);
    if (!w)
        return -1;
    int rc = remove_w(w);
    if (rc != 0)
        set_errno_from(GetLastError());
    free(w);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct cb_dirent *)a)->name,
                  ((const struct cb_dirent *)b)->name);
}

/* Add one entry to *list; -1 when out of memory. */
static int dir_add(struct cb_dirent **list, size_t *n, size_t *cap,
                   const WIN32_FIND_DATAW *fd)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        struct cb_dirent *nl = realloc(*list, nc * sizeof *nl);
        if (!nl)
            return -1;
        *list = nl;
        *cap = nc;
    }
    char *name = narrow(fd->cFileName);
    if (!name)
        return -1;
    DWORD a = fd->dwFileAttributes;
    (*list)[*n].name = name;
    (*list)[*n].kind = a & FILE_ATTRIBUTE_REPARSE_POINT ? CB_KIND_LINK
                       : a & FILE_ATTRIBUTE_DIRECTORY   ? CB_KIND_DIR
                       : a & FILE_ATTRIBUTE_DEVICE      ? CB_KIND_OTHER
                                                        : CB_KIND_FILE;
    (*n)++;
    return 0;
}

int cb_dir_scan(const char *dir, struct cb_dirent **list, size_t *n)
{
    *list = NULL;
    *n = 0;
    size_t dn = strlen(dir), cap = 0;
    char *pat = malloc(dn + 3);
    if (!pat) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(pat, dn + 3, "%s/*", dir);
    wchar_t *w = wide(pat);
    free(pat);
    if (!w)
        return -1;
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileW(w, &fd);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        set_errno_from(GetLastError());
        return -1;
    }
    int rc = 0;
    do {
        if (wcscmp(fd.cFileName, L".") != 0 && wcscmp(fd.cFileName, L"..") != 0)
            rc = dir_add(list, n, &cap, &fd);
    } while (rc == 0 && FindNextFileW(h, &fd));
    FindClose(h);
    if (rc != 0) {
        cb_dir_scan_free(list, *n);
        *n = 0;
        errno = ENOMEM;
        return -1;
    }
    if (*n)
        qsort(*list, *n, sizeof **list, by_name); /* names are unique */
    return 0;
}

void cb_dir_scan_free(struct cb_dirent **list, size_t n)
{
    if (!*list)
        return;
    for (size_t i = 0; i < n; i++)
        free((*list)[i].name);
    free(*list);
    *list = NULL;
}

/* ---- this program and this machine ------------------------------------- */

int cb_self_exe(char *buf, size_t size)
{
    wchar_t w[32768];
    DWORD n = GetModuleFileNameW(NULL, w, 32768);
    if (n == 0 || n >= 32768)
        return -1;
    char *s = narrow(w);
    if (!s || strlen(s) >= size) {
        free(s);
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, s, strlen(s) + 1);
    free(s);
    return 0;
}

unsigned cb_cpu_count(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwNumberOfProcessors ? (unsigned)si.dwNumberOfProcessors : 1;
}

uint64_t cb_physical_memory(void)
{
    MEMORYSTATUSEX ms;
    ms.dwLength = sizeof ms;
    return GlobalMemoryStatusEx(&ms) ? (uint64_t)ms.ullTotalPhys : 0;
}

void cb_host_name(char *buf, size_t size)
{
    wchar_t w[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD n = MAX_COMPUTERNAME_LENGTH + 1;
    char *s = GetComputerNameW(w, &n) ? narrow(w) : NULL;
    snprintf(buf, size, "%s", s ? s : "");
    free(s);
}

long cb_host_id(void)
{
    char name[64];
    cb_host_name(name, sizeof name);
    uint32_t h = 2166136261u; /* FNV-1a of the name: stable per host */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return (long)(h & 0x7fffffff);
}

long cb_pid(void)
{
    return (long)GetCurrentProcessId();
}

int cb_stderr_is_terminal(void)
{
    DWORD mode;
    return GetConsoleMode(GetStdHandle(STD_ERROR_HANDLE), &mode) != 0;
}

uint64_t cb_monotonic_ns(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER now;
    if (!freq.QuadPart)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&now);
    uint64_t t = (uint64_t)now.QuadPart, f = (uint64_t)freq.QuadPart;
    return t / f * 1000000000u + t % f * 1000000000u / f;
}

void cb_sleep_ms(unsigned ms)
{
    Sleep(ms);
}

void cb_on_interrupt(void (*fn)(int))
{
    signal(SIGINT, fn);
    signal(SIGTERM, fn);
}

/* ---- children ------------------------------------------------------------ */

struct cb_child {
    HANDLE process, job; /* job NULL when the system gave none */
    int ended;
};

/* arg appended to the wide command line at *w, quoted so that
 * CommandLineToArgvW (the C runtime's parser) gives it back unchanged. */
static wchar_t *quote_arg(wchar_t *w, const wchar_t *a)
{
    *w++ = L'"';
    for (;;) {
        size_t bs = 0;
        while (*a == L'\\') {
            a++;
            bs++;
        }
        if (!*a) { /* backslashes before the closing quote: doubled */
            for (size_t i = 0; i < bs * 2; i++)
                *w++ = L'\\';
            break;
        }
        if (*a == L'"') { /* doubled, and the quote escaped */
            for (size_t i = 0; i < bs * 2 + 1; i++)
                *w++ = L'\\';
        } else {
            for (size_t i = 0; i < bs; i++)
                *w++ = L'\\';
        }
        *w++ = *a++;
    }
    *w++ = L'"';
    return w;
}

/* The command line of argv as CreateProcessW wants it; NULL on failure. */
static wchar_t *command_line(const char *const *argv)
{
    size_t cap = 1;
    for (int i = 0; argv[i]; i++)
        cap += 4 + 2 * (size_t)MultiByteToWideChar(CP_UTF8, 0, argv[i], -1,
                                                   NULL, 0);
    wchar_t *line = malloc(cap * sizeof *line), *w = line;
    for (int i = 0; line && argv[i]; i++) {
        int n = MultiByteToWideChar(CP_UTF8, 0, argv[i], -1, NULL, 0);
        wchar_t *a = n > 0 ? malloc((size_t)n * sizeof *a) : NULL;
        if (!a) {
            free(line);
            return NULL;
        }
        MultiByteToWideChar(CP_UTF8, 0, argv[i], -1, a, n);
        if (i)
            *w++ = L' ';
        w = quote_arg(w, a);
        free(a);
    }
    if (line)
        *w = L'\0';
    return line;
}

/* A job that kills its processes when its last handle closes, with the
 * memory cap when there is one; NULL when the system has none. */
static HANDLE make_job(uint64_t memory)
{
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (!job)
        return NULL;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION li;
    memset(&li, 0, sizeof li);
    li.BasicLimitInformation.LimitFlags =
        JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE |
        JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
    if (memory) {
        li.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_JOB_MEMORY;
        li.JobMemoryLimit = (SIZE_T)memory;
    }
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &li,
                                 sizeof li)) {
        CloseHandle(job);
        return NULL;
    }
    return job;
}

static HANDLE inheritable(HANDLE h)
{
    HANDLE dup = NULL;
    if (h == INVALID_HANDLE_VALUE || h == NULL ||
        !DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &dup, 0,
                         TRUE, DUPLICATE_SAME_ACCESS))
        return NULL;
    return dup;
}

int cb_child_start(struct cb_child **c, const char *exe,
                   const char *const *argv, int err_fd, uint64_t memory)
{
    *c = calloc(1, sizeof **c);
    wchar_t *wexe = wide(exe), *line = command_line(argv);
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE null = CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE,
                              FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                              OPEN_EXISTING, 0, NULL);
    HANDLE err = err_fd >= 0 ? inheritable((HANDLE)_get_osfhandle(err_fd))
                             : inheritable(GetStdHandle(STD_ERROR_HANDLE));
    STARTUPINFOW si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = si.hStdOutput = null;
    si.hStdError = err;
    PROCESS_INFORMATION pi;
    BOOL ok = *c && wexe && line && null != INVALID_HANDLE_VALUE &&
              CreateProcessW(wexe, line, NULL, NULL, TRUE,
                             CREATE_SUSPENDED | CREATE_NO_WINDOW, NULL, NULL,
                             &si, &pi);
    DWORD e = GetLastError();
    free(wexe);
    free(line);
    if (null != INVALID_HANDLE_VALUE)
        CloseHandle(null);
    if (err)
        CloseHandle(err);
    if (!ok) {
        free(*c);
        *c = NULL;
        set_errno_from(e);
        return -1;
    }
    (*c)->process = pi.hProcess;
    (*c)->job = make_job(memory);
    if ((*c)->job && !AssignProcessToJobObject((*c)->job, pi.hProcess)) {
        CloseHandle((*c)->job);
        (*c)->job = NULL;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    return 0;
}

int cb_child_poll(struct cb_child *c, struct cb_child_end *end)
{
    DWORD w = WaitForSingleObject(c->process, 0);
    if (w == WAIT_TIMEOUT)
        return 0;
    DWORD code;
    if (w != WAIT_OBJECT_0 || !GetExitCodeProcess(c->process, &code))
        return -1;
    c->ended = 1;
    memset(end, 0, sizeof *end);
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION li;
    if (c->job && QueryInformationJobObject(c->job,
                                            JobObjectExtendedLimitInformation,
                                            &li, sizeof li, NULL))
        end->peak_kb = (uint64_t)li.PeakJobMemoryUsed / 1024;
    if (code >= 0xC0000000u) { /* an NTSTATUS error: it crashed */
        end->code = -1;
        end->crash_oomish = code == 0xC0000005u /* access violation */ ||
                            code == 0xC0000017u /* no memory */ ||
                            code == 0xC00000FDu /* stack overflow */ ||
                            code == 0xC0000409u /* abort, fail-fast */;
        snprintf(end->why, sizeof end->why, "exception 0x%08lX",
                 (unsigned long)code);
    } else {
        end->code = (int)code;
    }
    return 1;
}

void cb_child_kill(struct cb_child *c)
{
    if (!c || c->ended)
        return;
    if (!c->job || !TerminateJobObject(c->job, 0xC000013Au))
        TerminateProcess(c->process, 0xC000013Au);
}

void cb_child_free(struct cb_child **c)
{
    if (!*c)
        return;
    if (!(*c)->ended)
        WaitForSingleObject((*c)->process, INFINITE);
    CloseHandle((*c)->process);
    if ((*c)->job)
        CloseHandle((*c)->job);
    free(*c);
    *c = NULL;
}
