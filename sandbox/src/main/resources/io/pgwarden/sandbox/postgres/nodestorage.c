/*
 * What a node's storage does to its PostgreSQL processes' volume I/O (files under SANDBOX_VOLUMES, or under a
 * claim's mountPath of SANDBOX_MOUNTS), preloaded into them. Files elsewhere (the server log) are not touched.
 *
 * A fence: once the node's client is blocklisted (the file named by SANDBOX_BLOCKLISTED exists), every read and
 * write of a volume file fails with EIO, as an RBD image's I/O fails for a blocklisted client.
 *
 * Durability: before a write reaches a volume file, the bytes it overwrites (and the file's size) are appended
 * to an undo journal of that file in SANDBOX_JOURNAL, one per node; a successful fsync or fdatasync of the file
 * drops its journal, since what it wrote is now durable. A power cut undoes what the journals hold (the writes
 * no fsync covered, as a page cache loses them), and a snapshot is taken without them (UnsyncedWrites).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/*
 * The checks and journaling around a call must leave errno as the call leaves it: a successful call keeps the
 * caller's errno, and PostgreSQL reads errno after some successful calls (timeline.c writeTimeLineHistory: a read
 * that returns bytes with errno set fails the promotion with "could not read file ...: No such file or directory").
 */
static int blocklisted(void) {
    int saved = errno;
    const char *flag = getenv("SANDBOX_BLOCKLISTED");
    int listed = flag != NULL && access(flag, F_OK) == 0;
    errno = saved;
    return listed;
}

/*
 * A path as the server sees it, on the machine: a server in a pod of its own sees each volume at its claim's
 * mountPath (SANDBOX_MOUNTS, "mountPath=directory:..."; the longest mountPath holding the path wins), and the
 * journal must name the file the machine has.
 */
static void on_machine(const char *seen, char *out) {
    const char *mounts = getenv("SANDBOX_MOUNTS");
    const char *dir = NULL;
    size_t best = 0, dir_len = 0;
    for (const char *entry = mounts; entry != NULL && *entry != '\0';) {
        const char *end = strchr(entry, ':');
        const char *eq = strchr(entry, '=');
        if (end == NULL) {
            end = entry + strlen(entry);
        }
        if (eq == NULL || eq > end) {
            break;
        }
        size_t len = (size_t) (eq - entry);
        if (len > best && strncmp(seen, entry, len) == 0 && (seen[len] == '/' || seen[len] == '\0')) {
            best = len;
            dir = eq + 1;
            dir_len = (size_t) (end - dir);
        }
        entry = *end == ':' ? end + 1 : end;
    }
    if (dir == NULL) {
        snprintf(out, PATH_MAX, "%s", seen);
    } else {
        snprintf(out, PATH_MAX, "%.*s%s", (int) dir_len, dir, seen + best);
    }
}

/* Whether a path the server sees is a volume's file; machine receives its path on the machine. */
static int on_volume(const char *seen, char *machine) {
    const char *volumes = getenv("SANDBOX_VOLUMES");
    on_machine(seen, machine);
    return volumes != NULL && strncmp(machine, volumes, strlen(volumes)) == 0;
}

static int fd_path(int fd, char *path) {
    char link[64], seen[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, seen, PATH_MAX - 1);
    if (n < 0) {
        return 0;
    }
    seen[n] = '\0';
    return on_volume(seen, path);
}

static int fd_on_volume(int fd) {
    char path[PATH_MAX];
    return fd_path(fd, path);
}

static int path_on_volume(int dirfd, const char *path) {
    char machine[PATH_MAX];
    if (path[0] == '/') {
        return on_volume(path, machine);
    }
    if (dirfd != AT_FDCWD) {
        return fd_on_volume(dirfd);
    }
    char cwd[PATH_MAX];
    return getcwd(cwd, sizeof cwd) != NULL && on_volume(cwd, machine);
}

/* The journal of one file: <journal dir>/<device>-<inode>. */
static int journal_path(const struct stat *st, char *out, const char *suffix) {
    const char *dir = getenv("SANDBOX_JOURNAL");
    if (dir == NULL) {
        return 0;
    }
    snprintf(out, PATH_MAX, "%s/%llx-%llx%s", dir, (unsigned long long) st->st_dev,
             (unsigned long long) st->st_ino, suffix);
    return 1;
}

/*
 * Appends one undo record before a write of len bytes at offset (-1: the file position): offset, length of the
 * overwritten bytes, size before the write, path length, path, overwritten bytes; little-endian, one append.
 */
static void journal_record(int fd, off_t offset, size_t len);

static void journal_write(int fd, off_t offset, size_t len) {
    int saved = errno;
    journal_record(fd, offset, len);
    errno = saved;
}

static void journal_record(int fd, off_t offset, size_t len) {
    char path[PATH_MAX], journal[PATH_MAX];
    struct stat st;
    if (getenv("SANDBOX_JOURNAL") == NULL || !fd_path(fd, path) || syscall(SYS_fstat, fd, &st) != 0
        || !S_ISREG(st.st_mode) || !journal_path(&st, journal, "")) {
        return;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags & O_DSYNC) {
        return; /* O_SYNC and O_DSYNC writes are durable when they return */
    }
    if (offset < 0) {
        offset = (flags & O_APPEND) ? st.st_size : (off_t) syscall(SYS_lseek, fd, 0, SEEK_CUR);
    }
    off_t after_offset = offset < st.st_size ? st.st_size - offset : 0;
    int64_t overwritten = after_offset < (off_t) len ? after_offset : (off_t) len;
    int32_t path_len = (int32_t) strlen(path);
    size_t header = 3 * sizeof(int64_t) + sizeof(int32_t);
    char *record = malloc(header + path_len + overwritten);
    if (record == NULL) {
        return;
    }
    int64_t fields[3] = {(int64_t) offset, overwritten, (int64_t) st.st_size};
    memcpy(record, fields, sizeof fields);
    memcpy(record + sizeof fields, &path_len, sizeof path_len);
    memcpy(record + header, path, path_len);
    if (overwritten > 0) {
        int readable = (int) syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
        ssize_t got = readable < 0 ? -1 : (ssize_t) syscall(SYS_pread64, readable, record + header + path_len,
                                                              (size_t) overwritten, offset);
        if (readable >= 0) {
            syscall(SYS_close, readable);
        }
        if (got != overwritten) {
            free(record);
            return;
        }
    }
    int out = (int) syscall(SYS_openat, AT_FDCWD, journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (out >= 0) {
        syscall(SYS_write, out, record, header + path_len + overwritten);
        syscall(SYS_close, out);
    }
    free(record);
}

static size_t iov_length(const struct iovec *v, int c) {
    size_t n = 0;
    for (int i = 0; i < c; i++) {
        n += v[i].iov_len;
    }
    return n;
}

/* fsync or fdatasync: what the journal held is durable once the call succeeds. */
static int sync_and_forget(int fd, int (*sync)(int)) {
    char path[PATH_MAX], journal[PATH_MAX], syncing[PATH_MAX], suffix[32];
    struct stat st;
    int saved = errno;
    if (!fd_path(fd, path) || syscall(SYS_fstat, fd, &st) != 0 || !journal_path(&st, journal, "")) {
        errno = saved;
        return sync(fd);
    }
    snprintf(suffix, sizeof suffix, ".s%ld", (long) getpid());
    journal_path(&st, syncing, suffix);
    int moved = syscall(SYS_renameat2, AT_FDCWD, journal, AT_FDCWD, syncing, 0) == 0;
    errno = saved;
    int result = sync(fd);
    if (moved && result == 0) {
        syscall(SYS_unlinkat, AT_FDCWD, syncing, 0);
        errno = saved;
    }
    return result;
}

/* A file that is gone takes its dirty pages with it: its journal must not undo a later file of that name. */
static int stat_path(int dirfd, const char *path, struct stat *st) {
    return getenv("SANDBOX_JOURNAL") != NULL && path_on_volume(dirfd, path)
           && syscall(SYS_newfstatat, dirfd, path, st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st->st_mode)
           && st->st_nlink == 1;
}

static void forget(const struct stat *st) {
    char journal[PATH_MAX];
    if (journal_path(st, journal, "")) {
        syscall(SYS_unlinkat, AT_FDCWD, journal, 0);
    }
}

#define REAL(name) static __typeof__(name) *real; if (!real) real = (__typeof__(name) *) dlsym(RTLD_NEXT, #name)
#define FAIL_FD(fd, failure) if (blocklisted() && fd_on_volume(fd)) { errno = EIO; return failure; }
#define FAIL_PATH(dirfd, path) if (blocklisted() && path_on_volume(dirfd, path)) { errno = EIO; return -1; }

ssize_t write(int fd, const void *buf, size_t n) {
    REAL(write);
    FAIL_FD(fd, -1);
    journal_write(fd, -1, n);
    return real(fd, buf, n);
}
ssize_t pwrite(int fd, const void *buf, size_t n, off_t o) {
    REAL(pwrite);
    FAIL_FD(fd, -1);
    journal_write(fd, o, n);
    return real(fd, buf, n, o);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t o) {
    REAL(pwrite64);
    FAIL_FD(fd, -1);
    journal_write(fd, o, n);
    return real(fd, buf, n, o);
}
ssize_t writev(int fd, const struct iovec *v, int c) {
    REAL(writev);
    FAIL_FD(fd, -1);
    journal_write(fd, -1, iov_length(v, c));
    return real(fd, v, c);
}
ssize_t pwritev(int fd, const struct iovec *v, int c, off_t o) {
    REAL(pwritev);
    FAIL_FD(fd, -1);
    journal_write(fd, o, iov_length(v, c));
    return real(fd, v, c, o);
}
ssize_t pwritev64(int fd, const struct iovec *v, int c, off_t o) {
    REAL(pwritev64);
    FAIL_FD(fd, -1);
    journal_write(fd, o, iov_length(v, c));
    return real(fd, v, c, o);
}
ssize_t read(int fd, void *buf, size_t n) { REAL(read); FAIL_FD(fd, -1); return real(fd, buf, n); }
ssize_t pread(int fd, void *buf, size_t n, off_t o) { REAL(pread); FAIL_FD(fd, -1); return real(fd, buf, n, o); }
ssize_t pread64(int fd, void *buf, size_t n, off_t o) { REAL(pread64); FAIL_FD(fd, -1); return real(fd, buf, n, o); }
ssize_t readv(int fd, const struct iovec *v, int c) { REAL(readv); FAIL_FD(fd, -1); return real(fd, v, c); }
ssize_t preadv(int fd, const struct iovec *v, int c, off_t o) {
    REAL(preadv);
    FAIL_FD(fd, -1);
    return real(fd, v, c, o);
}
ssize_t preadv64(int fd, const struct iovec *v, int c, off_t o) {
    REAL(preadv64);
    FAIL_FD(fd, -1);
    return real(fd, v, c, o);
}
int fsync(int fd) { REAL(fsync); FAIL_FD(fd, -1); return sync_and_forget(fd, real); }
int fdatasync(int fd) { REAL(fdatasync); FAIL_FD(fd, -1); return sync_and_forget(fd, real); }
int sync_file_range(int fd, off_t o, off_t n, unsigned int f) {
    REAL(sync_file_range);
    FAIL_FD(fd, -1);
    return real(fd, o, n, f);
}
int ftruncate(int fd, off_t n) { REAL(ftruncate); FAIL_FD(fd, -1); return real(fd, n); }
int ftruncate64(int fd, off_t n) { REAL(ftruncate64); FAIL_FD(fd, -1); return real(fd, n); }
int fallocate(int fd, int m, off_t o, off_t n) { REAL(fallocate); FAIL_FD(fd, -1); return real(fd, m, o, n); }
int fallocate64(int fd, int m, off_t o, off_t n) { REAL(fallocate64); FAIL_FD(fd, -1); return real(fd, m, o, n); }
int posix_fallocate(int fd, off_t o, off_t n) {
    REAL(posix_fallocate);
    if (blocklisted() && fd_on_volume(fd)) return EIO;
    return real(fd, o, n);
}
int posix_fallocate64(int fd, off_t o, off_t n) {
    REAL(posix_fallocate64);
    if (blocklisted() && fd_on_volume(fd)) return EIO;
    return real(fd, o, n);
}
#define FORGETTING(dirfd, path, call) \
    int saved = errno; struct stat gone; int dies = stat_path(dirfd, path, &gone); errno = saved; \
    int result = call; \
    if (result == 0 && dies) { forget(&gone); errno = saved; } \
    return result;

int rename(const char *a, const char *b) {
    REAL(rename);
    FAIL_PATH(AT_FDCWD, a);
    FORGETTING(AT_FDCWD, b, real(a, b))
}
int renameat(int da, const char *a, int db, const char *b) {
    REAL(renameat);
    FAIL_PATH(da, a);
    FORGETTING(db, b, real(da, a, db, b))
}
int unlink(const char *p) { REAL(unlink); FAIL_PATH(AT_FDCWD, p); FORGETTING(AT_FDCWD, p, real(p)) }
int unlinkat(int d, const char *p, int f) { REAL(unlinkat); FAIL_PATH(d, p); FORGETTING(d, p, real(d, p, f)) }
int mkdir(const char *p, mode_t m) { REAL(mkdir); FAIL_PATH(AT_FDCWD, p); return real(p, m); }
int rmdir(const char *p) { REAL(rmdir); FAIL_PATH(AT_FDCWD, p); return real(p); }
int link(const char *a, const char *b) { REAL(link); FAIL_PATH(AT_FDCWD, b); return real(a, b); }
int symlink(const char *a, const char *b) { REAL(symlink); FAIL_PATH(AT_FDCWD, b); return real(a, b); }
int truncate(const char *p, off_t n) { REAL(truncate); FAIL_PATH(AT_FDCWD, p); return real(p, n); }

/* Opening works (the inode is known to the node); creating or truncating a file is a write. */
#define OPEN_BODY(name, dirfd, path, ...) \
    mode_t mode = 0; \
    if (flags & (O_CREAT | O_TMPFILE)) { va_list ap; va_start(ap, flags); mode = va_arg(ap, mode_t); va_end(ap); } \
    REAL(name); \
    if ((flags & (O_CREAT | O_TRUNC)) != 0) { FAIL_PATH(dirfd, path); } \
    return real(__VA_ARGS__, flags, mode);

int open(const char *path, int flags, ...) { OPEN_BODY(open, AT_FDCWD, path, path) }
int open64(const char *path, int flags, ...) { OPEN_BODY(open64, AT_FDCWD, path, path) }
int openat(int dirfd, const char *path, int flags, ...) { OPEN_BODY(openat, dirfd, path, dirfd, path) }
int openat64(int dirfd, const char *path, int flags, ...) { OPEN_BODY(openat64, dirfd, path, dirfd, path) }
