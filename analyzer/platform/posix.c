/*
 * platform/posix.c - platform.h on Linux (and other POSIX systems with the
 * GNU extensions glibc has). The build compiles this or win32.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"

void cb_platform_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

void *cb_memmem(const void *hay, size_t hn, const void *needle, size_t nn)
{
    return memmem(hay, hn, needle, nn);
}

void *cb_memrchr(const void *s, int c, size_t n)
{
    return memrchr(s, c, n);
}

char *cb_strcasestr(const char *hay, const char *needle)
{
    return strcasestr(hay, needle);
}

void *cb_pages_map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE); /* advisory: failure is harmless */
#endif
    return p;
}

void cb_pages_unmap(void *p, size_t size)
{
    if (p)
        munmap(p, size);
}

static void from_stat(const struct stat *sb, struct cb_stat *st)
{
    st->kind = S_ISREG(sb->st_mode)   ? CB_KIND_FILE
               : S_ISDIR(sb->st_mode) ? CB_KIND_DIR
               : S_ISLNK(sb->st_mode) ? CB_KIND_LINK
                                      : CB_KIND_OTHER;
    st->size = sb->st_size > 0 ? (uint64_t)sb->st_size : 0;
    st->mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 +
                   sb->st_mtim.tv_nsec;
    st->mode = (uint32_t)sb->st_mode;
    st->dev = (uint64_t)sb->st_dev;
    st->ino = (uint64_t)sb->st_ino;
}

int cb_stat(const char *path, struct cb_stat *st)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return -1;
    from_stat(&sb, st);
    return 0;
}

int cb_lstat(const char *path, struct cb_stat *st)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return -1;
    from_stat(&sb, st);
    return 0;
}

int cb_fstat(int fd, struct cb_stat *st)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return -1;
    from_stat(&sb, st);
    return 0;
}

int cb_same_file(const struct cb_stat *a, const struct cb_stat *b)
{
    return a->dev == b->dev && a->ino == b->ino;
}

int cb_open_read(const char *path)
{
    return open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

int cb_open_create(const char *path)
{
    return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                0644);
}

long cb_read(int fd, void *buf, size_t n)
{
    ssize_t got;
    do {
        got = read(fd, buf, n);
    } while (got < 0 && errno == EINTR);
    return (long)got;
}

long cb_pread(int fd, void *buf, size_t n, uint64_t off)
{
    ssize_t got;
    do {
        got = pread(fd, buf, n, (off_t)off);
    } while (got < 0 && errno == EINTR);
    return (long)got;
}

long cb_write(int fd, const void *buf, size_t n)
{
    return (long)write(fd, buf, n);
}

int cb_close(int fd)
{
    return close(fd);
}

void cb_readahead(int fd, uint64_t off, uint64_t len)
{
    posix_fadvise(fd, (off_t)off, (off_t)len, POSIX_FADV_WILLNEED);
}

int cb_mkdir(const char *path)
{
    return mkdir(path, 0777);
}

int cb_rename_exchange(const char *a, const char *b)
{
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

int cb_rename(const char *from, const char *to)
{
    return rename(from, to);
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int cb_remove_tree(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ||
                   errno == ENOENT
               ? 0
               : -1;
}

static int not_dots(const struct dirent *d)
{
    return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int cb_dir_scan(const char *dir, struct cb_dirent **list, size_t *n)
{
    struct dirent **ents;
    int k = scandir(dir, &ents, not_dots, by_name);
    *list = NULL;
    *n = 0;
    if (k < 0)
        return -1;
    struct cb_dirent *l = calloc(k ? (size_t)k : 1, sizeof *l);
    int i = 0;
    for (; l && i < k; i++) {
        l[i].name = strdup(ents[i]->d_name);
        if (!l[i].name)
            break;
        l[i].kind = ents[i]->d_type == DT_REG   ? CB_KIND_FILE
                    : ents[i]->d_type == DT_DIR ? CB_KIND_DIR
                    : ents[i]->d_type == DT_LNK ? CB_KIND_LINK
                                                : CB_KIND_OTHER;
    }
    for (int j = 0; j < k; j++)
        free(ents[j]);
    free(ents);
    if (!l || i < k) {
        cb_dir_scan_free(&l, l ? (size_t)i : 0);
        errno = ENOMEM;
        return -1;
    }
    *list = l;
    *n = (size_t)k;
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

int cb_self_exe(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

unsigned cb_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4096 ? 4096 : (unsigned)n;
}

uint64_t cb_physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return 0;
    return (uint64_t)pages * (uint64_t)page;
}

void cb_host_name(char *buf, size_t size)
{
    if (gethostname(buf, size) != 0)
        buf[0] = '\0';
    buf[size - 1] = '\0';
}

long cb_host_id(void)
{
    return gethostid();
}

long cb_pid(void)
{
    return (long)getpid();
}

int cb_stderr_is_terminal(void)
{
    return isatty(STDERR_FILENO);
}

uint64_t cb_monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void cb_sleep_ms(unsigned ms)
{
    struct timespec nap = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
    nanosleep(&nap, NULL);
}

void cb_on_interrupt(void (*fn)(int))
{
    struct sigaction sa = {.sa_handler = fn};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- children ------------------------------------------------------------ */

struct cb_child {
    pid_t pid;
    int reaped;
};

/* In the child, between fork and exec: a process group of its own (so a
 * kill reaches whatever it starts), default signals, the descriptors,
 * the address-space cap. Only async-signal-safe calls. */
static void child_exec(const char *exe, const char *const *argv, int err_fd,
                       uint64_t memory)
{
    setpgid(0, 0);
    struct sigaction sa = {.sa_handler = SIG_DFL};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (err_fd >= 0)
        dup2(err_fd, STDERR_FILENO);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
    }
    if (memory) {
        struct rlimit rl = {.rlim_cur = memory, .rlim_max = memory};
        setrlimit(RLIMIT_AS, &rl);
    }
    execv(exe, (char *const *)argv);
    fprintf(stderr, "casebrief batch: cannot run %s: %s\n", exe,
            strerror(errno));
    _exit(127);
}

int cb_child_start(struct cb_child **c, const char *exe,
                   const char *const *argv, int err_fd, uint64_t memory)
{
    *c = calloc(1, sizeof **c);
    if (!*c)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        child_exec(exe, argv, err_fd, memory);
    if (pid < 0) {
        int e = errno;
        free(*c);
        *c = NULL;
        errno = e;
        return -1;
    }
    setpgid(pid, pid); /* also done in the child: no race */
    (*c)->pid = pid;
    return 0;
}

int cb_child_poll(struct cb_child *c, struct cb_child_end *end)
{
    int status;
    struct rusage ru;
    pid_t p = wait4(c->pid, &status, WNOHANG, &ru);
    if (p == 0)
        return 0;
    if (p < 0)
        return -1;
    c->reaped = 1;
    memset(end, 0, sizeof *end);
    end->peak_kb = (uint64_t)ru.ru_maxrss;
    end->code = -1;
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        end->signal = sig;
        end->crash_oomish = sig == SIGSEGV || sig == SIGABRT ||
                            sig == SIGBUS || sig == SIGKILL;
        snprintf(end->why, sizeof end->why, "signal %d (%s)", sig,
                 strsignal(sig));
    } else if (WIFEXITED(status)) {
        end->code = WEXITSTATUS(status);
    }
    return 1;
}

void cb_child_kill(struct cb_child *c)
{
    if (c && !c->reaped)
        kill(-c->pid, SIGKILL);
}

void cb_child_free(struct cb_child **c)
{
    if (!*c)
        return;
    if (!(*c)->reaped)
        waitpid((*c)->pid, NULL, 0);
    free(*c);
    *c = NULL;
}
