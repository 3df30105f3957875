/*
 * The storage side of a fence, seen from the node: once the node's client is blocklisted (the file named by
 * SANDBOX_BLOCKLISTED exists), every read and write of a file on the volumes (under SANDBOX_VOLUMES) fails with
 * EIO, as an RBD image's I/O fails for a blocklisted client. Preloaded into the node's PostgreSQL processes.
 * Files elsewhere (the server log) are not touched; nothing is checked while the node is not blocklisted but
 * whether the file exists.
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
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static int blocklisted(void) {
    const char *flag = getenv("SANDBOX_BLOCKLISTED");
    return flag != NULL && access(flag, F_OK) == 0;
}

static int under_volumes(const char *path) {
    const char *volumes = getenv("SANDBOX_VOLUMES");
    return volumes != NULL && strncmp(path, volumes, strlen(volumes)) == 0;
}

static int fd_on_volume(int fd) {
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 0) {
        return 0;
    }
    path[n] = '\0';
    return under_volumes(path);
}

static int path_on_volume(int dirfd, const char *path) {
    if (path[0] == '/') {
        return under_volumes(path);
    }
    if (dirfd != AT_FDCWD) {
        return fd_on_volume(dirfd);
    }
    char cwd[PATH_MAX];
    return getcwd(cwd, sizeof cwd) != NULL && under_volumes(cwd);
}

#define REAL(name) static __typeof__(name) *real; if (!real) real = (__typeof__(name) *) dlsym(RTLD_NEXT, #name)
#define FAIL_FD(fd, failure) if (blocklisted() && fd_on_volume(fd)) { errno = EIO; return failure; }
#define FAIL_PATH(dirfd, path) if (blocklisted() && path_on_volume(dirfd, path)) { errno = EIO; return -1; }

ssize_t write(int fd, const void *buf, size_t n) { REAL(write); FAIL_FD(fd, -1); return real(fd, buf, n); }
ssize_t pwrite(int fd, const void *buf, size_t n, off_t o) { REAL(pwrite); FAIL_FD(fd, -1); return real(fd, buf, n, o); }
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t o) { REAL(pwrite64); FAIL_FD(fd, -1); return real(fd, buf, n, o); }
ssize_t writev(int fd, const struct iovec *v, int c) { REAL(writev); FAIL_FD(fd, -1); return real(fd, v, c); }
ssize_t pwritev(int fd, const struct iovec *v, int c, off_t o) { REAL(pwritev); FAIL_FD(fd, -1); return real(fd, v, c, o); }
ssize_t pwritev64(int fd, const struct iovec *v, int c, off_t o) { REAL(pwritev64); FAIL_FD(fd, -1); return real(fd, v, c, o); }
ssize_t read(int fd, void *buf, size_t n) { REAL(read); FAIL_FD(fd, -1); return real(fd, buf, n); }
ssize_t pread(int fd, void *buf, size_t n, off_t o) { REAL(pread); FAIL_FD(fd, -1); return real(fd, buf, n, o); }
ssize_t pread64(int fd, void *buf, size_t n, off_t o) { REAL(pread64); FAIL_FD(fd, -1); return real(fd, buf, n, o); }
ssize_t readv(int fd, const struct iovec *v, int c) { REAL(readv); FAIL_FD(fd, -1); return real(fd, v, c); }
ssize_t preadv(int fd, const struct iovec *v, int c, off_t o) { REAL(preadv); FAIL_FD(fd, -1); return real(fd, v, c, o); }
ssize_t preadv64(int fd, const struct iovec *v, int c, off_t o) { REAL(preadv64); FAIL_FD(fd, -1); return real(fd, v, c, o); }
int fsync(int fd) { REAL(fsync); FAIL_FD(fd, -1); return real(fd); }
int fdatasync(int fd) { REAL(fdatasync); FAIL_FD(fd, -1); return real(fd); }
int sync_file_range(int fd, off_t o, off_t n, unsigned int f) { REAL(sync_file_range); FAIL_FD(fd, -1); return real(fd, o, n, f); }
int ftruncate(int fd, off_t n) { REAL(ftruncate); FAIL_FD(fd, -1); return real(fd, n); }
int ftruncate64(int fd, off_t n) { REAL(ftruncate64); FAIL_FD(fd, -1); return real(fd, n); }
int fallocate(int fd, int m, off_t o, off_t n) { REAL(fallocate); FAIL_FD(fd, -1); return real(fd, m, o, n); }
int fallocate64(int fd, int m, off_t o, off_t n) { REAL(fallocate64); FAIL_FD(fd, -1); return real(fd, m, o, n); }
int posix_fallocate(int fd, off_t o, off_t n) { REAL(posix_fallocate); if (blocklisted() && fd_on_volume(fd)) return EIO; return real(fd, o, n); }
int posix_fallocate64(int fd, off_t o, off_t n) { REAL(posix_fallocate64); if (blocklisted() && fd_on_volume(fd)) return EIO; return real(fd, o, n); }
int rename(const char *a, const char *b) { REAL(rename); FAIL_PATH(AT_FDCWD, a); return real(a, b); }
int renameat(int da, const char *a, int db, const char *b) { REAL(renameat); FAIL_PATH(da, a); return real(da, a, db, b); }
int unlink(const char *p) { REAL(unlink); FAIL_PATH(AT_FDCWD, p); return real(p); }
int unlinkat(int d, const char *p, int f) { REAL(unlinkat); FAIL_PATH(d, p); return real(d, p, f); }
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
