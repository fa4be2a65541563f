/*
 * platform.h - everything casebrief asks of the operating system that
 * POSIX and Windows answer differently, behind one small interface.
 *
 * Two implementations: platform/posix.c and platform/win32.c; the build
 * compiles one. They are the only files that test _WIN32. Paths are
 * UTF-8 on both (on Windows the manifest makes UTF-8 the ANSI code page,
 * so the C library's narrow calls take UTF-8 too). Every function sets
 * errno on failure. Memory a function hands back is malloc'd; the caller
 * frees it with the matching *_free.
 */
#ifndef CASEBRIEF_PLATFORM_H
#define CASEBRIEF_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Once, first thing in main. On Windows: every file and stdin, stdout
 * and stderr in binary mode (no CRLF, no ^Z), UTF-8 console output, and
 * argv rebuilt in UTF-8 from the wide command line with '\\' turned
 * into '/' (casebrief's paths use '/'; Windows takes both). */
void cb_platform_init(int *argc, char ***argv);

/* ---- strings: GNU extensions Windows' C library lacks ------------------ */

void *cb_memmem(const void *hay, size_t hn, const void *needle, size_t nn);
void *cb_memrchr(const void *s, int c, size_t n);
char *cb_strcasestr(const char *hay, const char *needle); /* ASCII case */

/* ---- memory ------------------------------------------------------------ */

/* Page-aligned zeroed memory straight from the system (and advised for
 * huge pages where there are any); NULL when there is none. */
void *cb_pages_map(size_t size);
void cb_pages_unmap(void *p, size_t size);

/* ---- files ------------------------------------------------------------- */

enum cb_file_kind { CB_KIND_OTHER, CB_KIND_FILE, CB_KIND_DIR, CB_KIND_LINK };

struct cb_stat {
    enum cb_file_kind kind;
    uint64_t size;
    int64_t mtime_ns;  /* modification time, ns since 1970 */
    uint32_t mode;     /* st_mode as the system gives it */
    uint64_t dev, ino; /* identity: same pair, same file (0, 0: unknown) */
};

int cb_stat(const char *path, struct cb_stat *st);
int cb_lstat(const char *path, struct cb_stat *st); /* a link not followed */
int cb_fstat(int fd, struct cb_stat *st);
/* a and b are the same file or directory (both identities known). */
int cb_same_file(const struct cb_stat *a, const struct cb_stat *b);

/* Read-only, not inherited by children, no controlling terminal. */
int cb_open_read(const char *path);
/* Write-only, created (0644 before umask) or truncated, not inherited;
 * refuses a symbolic link at path (O_NOFOLLOW). */
int cb_open_create(const char *path);
long cb_read(int fd, void *buf, size_t n);  /* read(2); retries EINTR */
/* Up to n bytes at offset off (the file position may move). */
long cb_pread(int fd, void *buf, size_t n, uint64_t off);
long cb_write(int fd, const void *buf, size_t n);
int cb_close(int fd);
/* A hint that [off, off + len) is read soon; harmless when ignored. */
void cb_readahead(int fd, uint64_t off, uint64_t len);
int cb_mkdir(const char *path); /* 0777 before umask */
/* Swap two paths in one atomic step; -1 with ENOSYS where the system has
 * no such step (the caller then renames twice). */
int cb_rename_exchange(const char *a, const char *b);
/* rename(2): replaces a file at to; a directory at to must be empty. */
int cb_rename(const char *from, const char *to);
/* Remove path and everything under it, links not followed; 0 when it is
 * gone (or was never there). */
int cb_remove_tree(const char *path);

/* The entries of a directory but "." and "..", sorted by strcmp. kind is
 * CB_KIND_OTHER when the directory listing does not say. */
struct cb_dirent {
    char *name;
    enum cb_file_kind kind;
};
int cb_dir_scan(const char *dir, struct cb_dirent **list, size_t *n);
void cb_dir_scan_free(struct cb_dirent **list, size_t n);

/* ---- this program and this machine --------------------------------------- */

/* The path of the running executable; -1 when the system will not say. */
int cb_self_exe(char *buf, size_t size);
unsigned cb_cpu_count(void);                 /* online CPUs, at least 1 */
uint64_t cb_physical_memory(void);           /* bytes; 0 when unknown */
void cb_host_name(char *buf, size_t size);   /* "" when unknown */
long cb_host_id(void);
long cb_pid(void);
int cb_stderr_is_terminal(void);
uint64_t cb_monotonic_ns(void);
void cb_sleep_ms(unsigned ms);
/* fn(signal) on Ctrl-C / SIGINT and SIGTERM. */
void cb_on_interrupt(void (*fn)(int));

/* ---- a child process with limits (batch mode: one case each) ------------- */

struct cb_child;

struct cb_child_end {
    int code;         /* exit status; -1 when killed by a signal/exception */
    int signal;       /* POSIX signal that ended it, 0 when none */
    int crash_oomish; /* the way it died is how a memory cap kills */
    char why[96];     /* "signal 11 (Segmentation fault)", "exception ..." */
    uint64_t peak_kb; /* peak memory of the child (and its children) */
};

/* Start exe with argv (argv[0] first, NULL-terminated): stdin and stdout
 * on the null device, stderr to err_fd; memory (bytes, 0: none) caps its
 * address space / committed memory. A child and whatever it starts are
 * killed together (a process group; a Job Object). */
int cb_child_start(struct cb_child **c, const char *exe,
                   const char *const *argv, int err_fd, uint64_t memory);
/* 1 when it has ended (end filled in), 0 while it runs, -1 on error. */
int cb_child_poll(struct cb_child *c, struct cb_child_end *end);
/* Kill it and everything it started. */
void cb_child_kill(struct cb_child *c);
/* Wait for it to end (after a kill), then free; accepts NULL. */
void cb_child_free(struct cb_child **c);

#endif
