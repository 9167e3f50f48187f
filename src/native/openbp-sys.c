/* openbp_sys: the few POSIX calls Node lacks (exact-ns utimensat, mkfifo, mknod, xattrs, SEEK_DATA/SEEK_HOLE, SO_PEERCRED,
 * the st driver's MTIOCTOP/MTIOCGET/MTIOCPOS ioctls, shared mappings, pipes and their sizes, splice, O_DIRECT alignment), as N-API functions.
 * Paths arrive as Buffers (raw bytes, no encoding). Failures throw an Error with .code = errno name, .errno, .syscall. */
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/mtio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#define CHECK(call)                                                       \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      napi_throw_error(env, "EINVAL", "openbp_sys: N-API call failed");   \
      return NULL;                                                        \
    }                                                                     \
  } while (0)

/* Declares argv[n] and fetches the call's arguments; throws (EINVAL) when fewer than n were given. */
#define GET_ARGS(n, fname)                                                     \
  size_t argc = (n);                                                           \
  napi_value argv[(n)];                                                        \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));                 \
  if (argc < (n)) {                                                            \
    napi_throw_type_error(env, "EINVAL", fname " needs " #n " argument(s)");   \
    return NULL;                                                               \
  }

static const char *errno_name(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENOSPC: return "ENOSPC";
    case EROFS: return "EROFS";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENODATA: return "ENODATA";
    case ENOTSUP: return "ENOTSUP";
    case ERANGE: return "ERANGE";
    case E2BIG: return "E2BIG";
    case EDQUOT: return "EDQUOT";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case ENOMEM: return "ENOMEM";
    case ENXIO: return "ENXIO";
    case ENOTSOCK: return "ENOTSOCK";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EBUSY: return "EBUSY";
    case ENOMEDIUM: return "ENOMEDIUM";
    case ENOTTY: return "ENOTTY";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EPIPE: return "EPIPE";
    case EAGAIN: return "EAGAIN";
    default: return "EUNKNOWN";
  }
}

static napi_value errno_error(napi_env env, int e, const char *syscall) {
  napi_value msg, code, err, num, sc;
  char text[256];
  snprintf(text, sizeof text, "%s: %s (%s)", syscall, strerror(e), errno_name(e));
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, errno_name(e), NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &err);
  napi_create_int32(env, -e, &num);
  napi_set_named_property(env, err, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, err, "syscall", sc);
  return err;
}

static napi_value throw_errno(napi_env env, int e, const char *syscall) {
  napi_throw(env, errno_error(env, e, syscall));
  return NULL;
}

/* Copies a Buffer argument into a NUL-terminated heap string; NULL (with a pending exception) on failure. */
static char *path_arg(napi_env env, napi_value v) {
  bool is_buf = false;
  void *data;
  size_t len;
  if (napi_is_buffer(env, v, &is_buf) != napi_ok || !is_buf) {
    napi_throw_type_error(env, "EINVAL", "path must be a Buffer");
    return NULL;
  }
  napi_get_buffer_info(env, v, &data, &len);
  if (memchr(data, 0, len) != NULL) {
    napi_throw_type_error(env, "EINVAL", "path contains a NUL byte");
    return NULL;
  }
  char *s = malloc(len + 1);
  if (!s) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  memcpy(s, data, len);
  s[len] = 0;
  return s;
}

/* A Buffer argument's bytes; false (a TypeError thrown, naming `what`) when it is no Buffer. */
static bool buffer_arg(napi_env env, napi_value v, const char *what, void **data, size_t *len) {
  bool is_buf = false;
  if (napi_is_buffer(env, v, &is_buf) != napi_ok || !is_buf) {
    char msg[64];
    snprintf(msg, sizeof msg, "%s must be a Buffer", what);
    napi_throw_type_error(env, "EINVAL", msg);
    return false;
  }
  napi_get_buffer_info(env, v, data, len);
  return true;
}

static int64_t int_arg(napi_env env, napi_value v) {
  int64_t n = 0;
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_bigint) {
    bool lossless;
    napi_get_value_bigint_int64(env, v, &n, &lossless);
  } else {
    napi_get_value_int64(env, v, &n);
  }
  return n;
}

/* Four arguments (atimeSec, atimeNsec, mtimeSec, mtimeNsec) as the timespec pair utimensat and futimens take. */
static void times_arg(napi_env env, const napi_value *args, struct timespec ts[2]) {
  ts[0].tv_sec = (time_t)int_arg(env, args[0]);
  ts[0].tv_nsec = (long)int_arg(env, args[1]);
  ts[1].tv_sec = (time_t)int_arg(env, args[2]);
  ts[1].tv_nsec = (long)int_arg(env, args[3]);
}

/* utimensat(path, atimeSec, atimeNsec, mtimeSec, mtimeNsec, noFollow) */
static napi_value js_utimensat(napi_env env, napi_callback_info info) {
  GET_ARGS(6, "utimensat");
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  struct timespec ts[2];
  times_arg(env, argv + 1, ts);
  bool nofollow = false;
  napi_get_value_bool(env, argv[5], &nofollow);
  int r = utimensat(AT_FDCWD, path, ts, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
  int e = errno;
  free(path);
  if (r != 0) return throw_errno(env, e, "utimensat");
  return NULL;
}

/* mkfifo(path, mode) */
static napi_value js_mkfifo(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "mkfifo");
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  int r = mkfifo(path, (mode_t)int_arg(env, argv[1]));
  int e = errno;
  free(path);
  if (r != 0) return throw_errno(env, e, "mkfifo");
  return NULL;
}

/* mknod(path, mode incl. S_IFCHR/S_IFBLK, major, minor) */
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  GET_ARGS(4, "mknod");
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  dev_t dev = makedev((unsigned)int_arg(env, argv[2]), (unsigned)int_arg(env, argv[3]));
  int r = mknod(path, (mode_t)int_arg(env, argv[1]), dev);
  int e = errno;
  free(path);
  if (r != 0) return throw_errno(env, e, "mknod");
  return NULL;
}

/* lgetxattr(path, name) -> Buffer | null when the attribute does not exist */
static napi_value js_lgetxattr(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "lgetxattr");
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  char *name = path_arg(env, argv[1]);
  if (!name) {
    free(path);
    return NULL;
  }
  napi_value result = NULL;
  for (int tries = 0; tries < 4; tries++) {
    ssize_t n = lgetxattr(path, name, NULL, 0);
    if (n < 0) break;
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf) {
      errno = ENOMEM;
      break;
    }
    ssize_t m = lgetxattr(path, name, buf, (size_t)n);
    if (m < 0) {
      int e = errno;
      free(buf);
      if (e == ERANGE) continue;
      errno = e;
      break;
    }
    void *out;
    napi_create_buffer_copy(env, (size_t)m, buf, &out, &result);
    free(buf);
    break;
  }
  int e = errno;
  free(path);
  free(name);
  if (result) return result;
  if (e == ENODATA) {
    napi_get_null(env, &result);
    return result;
  }
  return throw_errno(env, e, "lgetxattr");
}

/* lsetxattr(path, name, valueBuffer) */
static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  GET_ARGS(3, "lsetxattr");
  bool is_buf = false;
  napi_is_buffer(env, argv[2], &is_buf);
  if (!is_buf) {
    napi_throw_type_error(env, "EINVAL", "value must be a Buffer");
    return NULL;
  }
  void *val;
  size_t vlen;
  napi_get_buffer_info(env, argv[2], &val, &vlen);
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  char *name = path_arg(env, argv[1]);
  if (!name) {
    free(path);
    return NULL;
  }
  int r = lsetxattr(path, name, val, vlen, 0);
  int e = errno;
  free(path);
  free(name);
  if (r != 0) return throw_errno(env, e, "lsetxattr");
  return NULL;
}

/* llistxattr(path) -> Buffer[] of attribute names */
static napi_value js_llistxattr(napi_env env, napi_callback_info info) {
  GET_ARGS(1, "llistxattr");
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  char *buf = NULL;
  ssize_t m = -1;
  int e = 0;
  for (int tries = 0; tries < 4; tries++) {
    ssize_t n = llistxattr(path, NULL, 0);
    if (n < 0) {
      e = errno;
      break;
    }
    if (n == 0) { /* no attributes: no second call */
      m = 0;
      break;
    }
    free(buf);
    buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf) {
      e = ENOMEM;
      break;
    }
    m = llistxattr(path, buf, (size_t)n);
    if (m >= 0) break;
    e = errno;
    if (e != ERANGE) break;
  }
  free(path);
  if (m < 0) {
    free(buf);
    if (e == ENOTSUP) m = 0;
    else return throw_errno(env, e, "llistxattr");
  }
  napi_value arr;
  napi_create_array(env, &arr);
  uint32_t idx = 0;
  ssize_t off = 0;
  while (buf && off < m) {
    size_t len = strlen(buf + off);
    if (len > 0) {
      napi_value item;
      void *out;
      napi_create_buffer_copy(env, len, buf + off, &out, &item);
      napi_set_element(env, arr, idx++, item);
    }
    off += (ssize_t)len + 1;
  }
  free(buf);
  return arr;
}

/* Fills out[0..15] from a struct stat: dev, ino, mode, nlink, uid, gid, rdev, size, blocks,
 * atime sec, nsec, mtime sec, nsec, ctime sec, nsec (doubles: ino and dev exact up to 2^53). */
#define STAT_FIELDS 15
static void put_stat(double *out, const struct stat *st) {
  out[0] = (double)st->st_dev;
  out[1] = (double)st->st_ino;
  out[2] = (double)st->st_mode;
  out[3] = (double)st->st_nlink;
  out[4] = (double)st->st_uid;
  out[5] = (double)st->st_gid;
  out[6] = (double)st->st_rdev;
  out[7] = (double)st->st_size;
  out[8] = (double)st->st_blocks;
  out[9] = (double)st->st_atim.tv_sec;
  out[10] = (double)st->st_atim.tv_nsec;
  out[11] = (double)st->st_mtim.tv_sec;
  out[12] = (double)st->st_mtim.tv_nsec;
  out[13] = (double)st->st_ctim.tv_sec;
  out[14] = (double)st->st_ctim.tv_nsec;
}

/* put_stat, and the inode's high and low 32 bits into out[16], out[17] (exact where a double is not): the
 * layout of lstatInto and of each scanDir entry. */
static void put_lstat(double *out, const struct stat *st) {
  put_stat(out, st);
  out[16] = (double)((uint64_t)st->st_ino >> 32);
  out[17] = (double)((uint64_t)st->st_ino & 0xffffffffu);
}

/* A Float64Array argument of at least `need` elements; NULL (with a pending exception) otherwise. */
static double *f64_arg(napi_env env, napi_value v, size_t need) {
  bool is_ta = false;
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_float64_array || length < need) {
    napi_throw_type_error(env, "EINVAL", "expected a Float64Array of STAT_LENGTH (18) elements");
    return NULL;
  }
  return (double *)data;
}

/* open(2) for a backup's read: with O_NOATIME, so that reading leaves the access time as it was (what NetBackup
 * does by resetting it afterwards, here without touching the ctime), where this process may (the owner, or
 * CAP_FOWNER); without it where it may not (EPERM). EINTR is retried. */
static int open_for_read(const char *path, int flags) {
  int fd;
  do fd = open(path, flags | O_NOATIME);
  while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == EPERM) {
    do fd = open(path, flags);
    while (fd < 0 && errno == EINTR);
  }
  return fd;
}

/* openForBackup(path, stat) -> fd: open(O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC, O_NOATIME where allowed), fstat into stat[0..14] and the
 * size of the attribute name list (flistxattr(fd, NULL, 0); 0 where xattrs are unsupported, -1 when it failed)
 * into stat[15]: one call where a backup of a small file needed five. */
static napi_value js_open_for_backup(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "openForBackup");
  double *out = f64_arg(env, argv[1], STAT_FIELDS + 1);
  if (!out) return NULL;
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  int fd = open_for_read(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  int e = errno;
  free(path);
  if (fd < 0) return throw_errno(env, e, "open");
  struct stat st;
  if (fstat(fd, &st) != 0) {
    e = errno;
    close(fd);
    return throw_errno(env, e, "fstat");
  }
  put_stat(out, &st);
  ssize_t n = S_ISREG(st.st_mode) ? flistxattr(fd, NULL, 0) : 0;
  out[STAT_FIELDS] = n >= 0 ? (double)n : (errno == ENOTSUP ? 0 : -1);
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

/* readAndClose(fd, buf, pos, n, stat) -> bytes read: reads up to n bytes into buf[pos..] (fewer only at end of
 * file), fstats into stat[0..14] and closes fd, which is closed also when the read fails (the error is thrown). */
static napi_value js_read_and_close(napi_env env, napi_callback_info info) {
  GET_ARGS(5, "readAndClose");
  int fd = (int)int_arg(env, argv[0]);
  void *data;
  size_t len;
  if (!buffer_arg(env, argv[1], "buf", &data, &len)) {
    close(fd);
    return NULL;
  }
  int64_t pos = int_arg(env, argv[2]);
  int64_t n = int_arg(env, argv[3]);
  double *out = f64_arg(env, argv[4], STAT_FIELDS);
  if (!out || pos < 0 || n < 0 || (uint64_t)(pos + n) > len) {
    close(fd);
    if (out) napi_throw_range_error(env, "EINVAL", "readAndClose: range outside the buffer");
    return NULL;
  }
  char *p = (char *)data + pos;
  int64_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, p + got, (size_t)(n - got));
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      int e = errno;
      close(fd);
      return throw_errno(env, e, "read");
    }
    if (r == 0) break;
    got += r;
  }
  struct stat st;
  if (fstat(fd, &st) == 0) put_stat(out, &st);
  else out[0] = -1;
  close(fd);
  napi_value r;
  napi_create_double(env, (double)got, &r);
  return r;
}

/* lstatInto(path, stat): lstat into stat[0..14] (see put_stat), and the inode's high and low 32 bits into
 * stat[16], stat[17] (exact where a double is not). Throws with .code like the others. */
static napi_value js_lstat_into(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "lstatInto");
  double *out = f64_arg(env, argv[1], STAT_FIELDS + 3);
  if (!out) return NULL;
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  struct stat st;
  int r = lstat(path, &st);
  int e = errno;
  free(path);
  if (r != 0) return throw_errno(env, e, "lstat");
  put_lstat(out, &st);
  return NULL;
}

/* dataSegments(fd, size) -> [offset, length, offset, length, ...] of the data regions below size (SEEK_DATA/SEEK_HOLE).
 * A file system without SEEK_DATA support reports one segment covering the whole file. */
static napi_value js_data_segments(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "dataSegments");
  int fd = (int)int_arg(env, argv[0]);
  off_t size = (off_t)int_arg(env, argv[1]);
  napi_value arr;
  napi_create_array(env, &arr);
  uint32_t idx = 0;
  off_t pos = 0;
  while (pos < size) {
    off_t data = lseek(fd, pos, SEEK_DATA);
    if (data < 0) {
      int e = errno;
      if (e == ENXIO) break; /* only a hole is left */
      if (e == EINVAL || e == ENOTSUP) {
        data = pos; /* no SEEK_DATA here: the rest is data */
      } else {
        return throw_errno(env, e, "lseek(SEEK_DATA)");
      }
    }
    if (data >= size) break;
    off_t hole = lseek(fd, data, SEEK_HOLE);
    if (hole < 0) {
      int e = errno;
      if (e == ENXIO) break;
      if (e == EINVAL || e == ENOTSUP) hole = size;
      else return throw_errno(env, e, "lseek(SEEK_HOLE)");
    }
    if (hole > size) hole = size;
    if (hole <= data) break;
    napi_value a, b;
    napi_create_double(env, (double)data, &a);
    napi_create_double(env, (double)(hole - data), &b);
    napi_set_element(env, arr, idx++, a);
    napi_set_element(env, arr, idx++, b);
    pos = hole;
  }
  return arr;
}

/* peerCredentials(fd) -> { pid, uid, gid } of the process at the other end of a connected UNIX socket (SO_PEERCRED):
 * the kernel's word for who connected, which the peer cannot forge. */
static napi_value js_peer_credentials(napi_env env, napi_callback_info info) {
  GET_ARGS(1, "peerCredentials");
  int fd = (int)int_arg(env, argv[0]);
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return throw_errno(env, errno, "getsockopt(SO_PEERCRED)");
  napi_value out, pid, uid, gid;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_int64(env, (int64_t)cred.pid, &pid));
  CHECK(napi_create_int64(env, (int64_t)cred.uid, &uid));
  CHECK(napi_create_int64(env, (int64_t)cred.gid, &gid));
  CHECK(napi_set_named_property(env, out, "pid", pid));
  CHECK(napi_set_named_property(env, out, "uid", uid));
  CHECK(napi_set_named_property(env, out, "gid", gid));
  return out;
}

/* ---- jobs on the libuv pool: each job struct starts with these two members. ---- */

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
} PoolJobHead;

/* Queues job (calloc'd, starting with a PoolJobHead) on the libuv pool under name; returns its promise. On failure
 * the job is freed and an error thrown (NULL returned). */
static napi_value queue_pool_job(napi_env env, void *job, const char *name, napi_async_execute_callback execute,
                                 napi_async_complete_callback complete) {
  PoolJobHead *h = job;
  napi_value promise, res;
  if (napi_create_promise(env, &h->deferred, &promise) != napi_ok || napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &res) != napi_ok ||
      napi_create_async_work(env, NULL, res, execute, complete, job, &h->work) != napi_ok) {
    free(job);
    napi_throw_error(env, "EINVAL", "openbp_sys: N-API call failed");
    return NULL;
  }
  if (napi_queue_async_work(env, h->work) != napi_ok) {
    napi_delete_async_work(env, h->work);
    free(job);
    napi_throw_error(env, "EINVAL", "openbp_sys: N-API call failed");
    return NULL;
  }
  return promise;
}

/* ---- st driver ioctls (linux/mtio.h). MTIOCTOP may take minutes (rewind, eod): it runs on the libuv pool. ---- */

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int fd;
  short op;
  int count;
  int err;
} MtOpJob;

static void mt_op_execute(napi_env env, void *data) {
  (void)env;
  MtOpJob *j = data;
  struct mtop m;
  m.mt_op = j->op;
  m.mt_count = j->count;
  j->err = ioctl(j->fd, MTIOCTOP, &m) == 0 ? 0 : errno;
}

static void mt_op_complete(napi_env env, napi_status status, void *data) {
  MtOpJob *j = data;
  if (status == napi_ok && j->err == 0) {
    napi_value u;
    napi_get_undefined(env, &u);
    napi_resolve_deferred(env, j->deferred, u);
  } else {
    napi_reject_deferred(env, j->deferred, errno_error(env, j->err ? j->err : EIO, "ioctl(MTIOCTOP)"));
  }
  napi_delete_async_work(env, j->work);
  free(j);
}

/* mtOp(fd, op, count) -> Promise<void>: ioctl(fd, MTIOCTOP, {mt_op, mt_count}). */
static napi_value js_mt_op(napi_env env, napi_callback_info info) {
  GET_ARGS(3, "mtOp");
  MtOpJob *j = calloc(1, sizeof *j);
  if (!j) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  j->fd = (int)int_arg(env, argv[0]);
  j->op = (short)int_arg(env, argv[1]);
  j->count = (int)int_arg(env, argv[2]);
  return queue_pool_job(env, j, "openbp_mtop", mt_op_execute, mt_op_complete);
}

static void set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, key, n);
}

/* mtGet(fd) -> {type, resid, dsreg, gstat, erreg, fileno, blkno}: ioctl(fd, MTIOCGET) (struct mtget). */
static napi_value js_mt_get(napi_env env, napi_callback_info info) {
  GET_ARGS(1, "mtGet");
  int fd = (int)int_arg(env, argv[0]);
  struct mtget g;
  memset(&g, 0, sizeof g);
  if (ioctl(fd, MTIOCGET, &g) != 0) return throw_errno(env, errno, "ioctl(MTIOCGET)");
  napi_value o;
  CHECK(napi_create_object(env, &o));
  set_num(env, o, "type", (double)g.mt_type);
  set_num(env, o, "resid", (double)g.mt_resid);
  set_num(env, o, "dsreg", (double)(unsigned long)g.mt_dsreg);
  set_num(env, o, "gstat", (double)(unsigned long)g.mt_gstat);
  set_num(env, o, "erreg", (double)g.mt_erreg);
  set_num(env, o, "fileno", (double)g.mt_fileno);
  set_num(env, o, "blkno", (double)g.mt_blkno);
  return o;
}

/* mtPos(fd) -> the logical block (READ POSITION): ioctl(fd, MTIOCPOS) (struct mtpos). */
static napi_value js_mt_pos(napi_env env, napi_callback_info info) {
  GET_ARGS(1, "mtPos");
  int fd = (int)int_arg(env, argv[0]);
  struct mtpos p;
  if (ioctl(fd, MTIOCPOS, &p) != 0) return throw_errno(env, errno, "ioctl(MTIOCPOS)");
  napi_value n;
  CHECK(napi_create_double(env, (double)p.mt_blkno, &n));
  return n;
}

/* ---- shared mappings: bptm's ring. A mapping is an external ArrayBuffer; munmap() detaches it (its views read as
 * empty, never as freed memory) and unmaps at once; one never unmapped is unmapped when it is collected. ---- */

typedef struct Mapping {
  void *addr;
  size_t len;
  int unmapped;
  struct Mapping *next;
} Mapping;

static Mapping *mappings = NULL; /* live mappings (the JS thread only) */

static void mapping_unlink(Mapping *m) {
  for (Mapping **p = &mappings; *p; p = &(*p)->next) {
    if (*p == m) {
      *p = m->next;
      return;
    }
  }
}

static void mapping_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  Mapping *m = hint;
  if (!m->unmapped) munmap(m->addr, m->len);
  mapping_unlink(m);
  free(m);
}

/* mmapShared(fd, length) -> ArrayBuffer over mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, fd, 0). */
static napi_value js_mmap_shared(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "mmapShared");
  int fd = (int)int_arg(env, argv[0]);
  int64_t len = int_arg(env, argv[1]);
  if (len <= 0) return throw_errno(env, EINVAL, "mmap");
  void *addr = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (addr == MAP_FAILED) return throw_errno(env, errno, "mmap");
  Mapping *m = calloc(1, sizeof *m);
  if (!m) {
    munmap(addr, (size_t)len);
    return throw_errno(env, ENOMEM, "mmap");
  }
  m->addr = addr;
  m->len = (size_t)len;
  napi_value ab;
  if (napi_create_external_arraybuffer(env, addr, (size_t)len, mapping_finalize, m, &ab) != napi_ok) {
    munmap(addr, (size_t)len);
    free(m);
    napi_throw_error(env, "EINVAL", "openbp_sys: cannot wrap the mapping");
    return NULL;
  }
  m->next = mappings;
  mappings = m;
  return ab;
}

/* munmap(arrayBuffer) -> true when this call unmapped it, false when it was no live mapping (or was unmapped already). */
static napi_value js_munmap(napi_env env, napi_callback_info info) {
  GET_ARGS(1, "munmap");
  bool is_ab = false;
  napi_value result;
  CHECK(napi_is_arraybuffer(env, argv[0], &is_ab));
  if (!is_ab) {
    napi_throw_type_error(env, "EINVAL", "munmap needs the ArrayBuffer mmapShared returned");
    return NULL;
  }
  void *data = NULL;
  size_t len = 0;
  CHECK(napi_get_arraybuffer_info(env, argv[0], &data, &len));
  Mapping *m = mappings;
  while (m && !(m->addr == data && !m->unmapped)) m = m->next;
  if (!m) {
    CHECK(napi_get_boolean(env, false, &result));
    return result;
  }
  /* Unmap first and mark it (the finalizer may run inside the detach and free m). */
  munmap(m->addr, m->len);
  m->unmapped = 1;
  CHECK(napi_detach_arraybuffer(env, argv[0]));
  CHECK(napi_get_boolean(env, true, &result));
  return result;
}

/* [fds[0], fds[1]] as a JS array. */
static napi_value fd_pair(napi_env env, const int fds[2]) {
  napi_value arr, a, b;
  CHECK(napi_create_array_with_length(env, 2, &arr));
  CHECK(napi_create_int32(env, fds[0], &a));
  CHECK(napi_create_int32(env, fds[1], &b));
  CHECK(napi_set_element(env, arr, 0, a));
  CHECK(napi_set_element(env, arr, 1, b));
  return arr;
}

/* pipe() -> [readFd, writeFd], both close-on-exec (a spawn passes them on explicitly). */
static napi_value js_pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return throw_errno(env, errno, "pipe2");
  return fd_pair(env, fds);
}

/* reserveFile(fd, length) -> true: posix_fallocate(fd, 0, length), the blocks (tmpfs: pages) reserved without writing
 * them; false when the file system cannot (EOPNOTSUPP, EINVAL), for the caller to write the file through instead.
 * Throws ENOSPC and the like. */
static napi_value js_reserve_file(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "reserveFile");
  int fd = (int)int_arg(env, argv[0]);
  int64_t length = int_arg(env, argv[1]);
  if (length <= 0) {
    napi_throw_range_error(env, "EINVAL", "reserveFile: length must be positive");
    return NULL;
  }
  int e;
  do e = posix_fallocate(fd, 0, (off_t)length);
  while (e == EINTR);
  if (e != 0 && e != EOPNOTSUPP && e != EINVAL) return throw_errno(env, e, "posix_fallocate");
  napi_value b;
  CHECK(napi_get_boolean(env, e == 0, &b));
  return b;
}

/* setPipeSize(fd, bytes) -> the pipe's capacity now (fcntl F_SETPIPE_SZ; the kernel rounds up to pages). */
static napi_value js_set_pipe_size(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "setPipeSize");
  int fd = (int)int_arg(env, argv[0]);
  int size = (int)int_arg(env, argv[1]);
  int r = fcntl(fd, F_SETPIPE_SZ, size);
  if (r < 0) return throw_errno(env, errno, "fcntl(F_SETPIPE_SZ)");
  napi_value n;
  CHECK(napi_create_int32(env, r, &n));
  return n;
}

/* pipeSize(fd) -> the pipe's capacity (fcntl F_GETPIPE_SZ). */
static napi_value js_pipe_size(napi_env env, napi_callback_info info) {
  GET_ARGS(1, "pipeSize");
  int fd = (int)int_arg(env, argv[0]);
  int r = fcntl(fd, F_GETPIPE_SZ);
  if (r < 0) return throw_errno(env, errno, "fcntl(F_GETPIPE_SZ)");
  napi_value n;
  CHECK(napi_create_int32(env, r, &n));
  return n;
}

/* alignedTo(buffer, align) -> true when the buffer's address and length are both multiples of align (O_DIRECT's rule). */
static napi_value js_aligned_to(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "alignedTo");
  void *data = NULL;
  size_t len = 0;
  bool is_ta = false;
  CHECK(napi_is_typedarray(env, argv[0], &is_ta));
  if (!is_ta) {
    napi_throw_type_error(env, "EINVAL", "alignedTo needs a Buffer or Uint8Array");
    return NULL;
  }
  napi_typedarray_type type;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &len, &data, NULL, NULL));
  int64_t align = int_arg(env, argv[1]);
  napi_value r;
  bool ok = align > 0 && ((uintptr_t)data % (uint64_t)align) == 0 && (len % (uint64_t)align) == 0 && type == napi_uint8_array;
  CHECK(napi_get_boolean(env, ok, &r));
  return r;
}

/* Waits until a full non-blocking pipe takes bytes again: 0, or -1 with errno when poll fails (EINTR: try again). */
static int wait_writable(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLOUT, .revents = 0};
  return poll(&p, 1, -1) < 0 && errno != EINTR ? -1 : 0;
}

/*
 * spliceToPipe(fileFd, pipeFd, position, length) -> bytes moved: splice(2) from the file at position into the pipe
 * until length bytes went, the file ended or a call failed after some bytes moved (fewer then; a failure with
 * nothing moved throws). A full non-blocking pipe is waited for with poll.
 */
static napi_value js_splice_to_pipe(napi_env env, napi_callback_info info) {
  GET_ARGS(4, "spliceToPipe");
  int in = (int)int_arg(env, argv[0]);
  int out = (int)int_arg(env, argv[1]);
  loff_t pos = (loff_t)int_arg(env, argv[2]);
  int64_t left = int_arg(env, argv[3]);
  int64_t moved = 0;
  while (left > 0) {
    size_t want = left > (1 << 30) ? (size_t)1 << 30 : (size_t)left;
    ssize_t n = splice(in, &pos, out, NULL, want, SPLICE_F_MOVE | SPLICE_F_MORE);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        if (wait_writable(out) != 0) return throw_errno(env, errno, "poll");
        continue;
      }
      if (moved > 0) break; /* the bytes moved count; the next call reports the error */
      return throw_errno(env, errno, "splice");
    }
    if (n == 0) break;
    moved += n;
    left -= n;
  }
  napi_value r;
  CHECK(napi_create_int64(env, moved, &r));
  return r;
}

/* writeToPipe(pipeFd, buf, offset, length): writes the bytes whole, waiting with poll while a non-blocking pipe is
 * full (Node makes a piped stdout non-blocking); throws (EPIPE, ...) on the first failure. For the staged bytes that
 * go before a spliced body. */
static napi_value js_write_to_pipe(napi_env env, napi_callback_info info) {
  GET_ARGS(4, "writeToPipe");
  int out = (int)int_arg(env, argv[0]);
  void *data;
  size_t len;
  if (!buffer_arg(env, argv[1], "data", &data, &len)) return NULL;
  int64_t off = int_arg(env, argv[2]);
  int64_t n = int_arg(env, argv[3]);
  if (off < 0 || n < 0 || (uint64_t)(off + n) > len) return throw_errno(env, EINVAL, "write");
  const char *p = (const char *)data + off;
  while (n > 0) {
    ssize_t w = write(out, p, (size_t)n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        if (wait_writable(out) != 0) return throw_errno(env, errno, "poll");
        continue;
      }
      return throw_errno(env, errno, "write");
    }
    p += w;
    n -= w;
  }
  return NULL;
}

/* ==== restore data path (rpath): move a pipe's bytes straight into a file with splice(2). Kept in its own block,
 * with its own property table (init_restore_path), so that other additions to this file merge without conflict. ==== */

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int in_fd;
  int out_fd;
  int64_t want;
  int64_t moved;
  int err;
} SpliceJob;

/* Moves up to want bytes; stops early at end of input (splice returns 0) or on an error after some bytes moved
 * (the error comes back on the next call, with nothing moved). */
static void splice_execute(napi_env env, void *data) {
  (void)env;
  SpliceJob *j = data;
  while (j->moved < j->want) {
    int64_t left = j->want - j->moved;
    /* At most 256 KiB per call: splice holds the pipe lock while it writes the file, and the writer spins on it. */
    ssize_t n = splice(j->in_fd, NULL, j->out_fd, NULL, (size_t)(left > (256 << 10) ? (256 << 10) : left), SPLICE_F_MOVE);
    if (n > 0) {
      j->moved += n;
      continue;
    }
    if (n == 0) break;
    if (errno == EINTR) continue;
    if (j->moved == 0) j->err = errno;
    break;
  }
}

static void splice_complete(napi_env env, napi_status status, void *data) {
  SpliceJob *j = data;
  if (status == napi_ok && j->err == 0) {
    napi_value n;
    napi_create_double(env, (double)j->moved, &n);
    napi_resolve_deferred(env, j->deferred, n);
  } else {
    napi_reject_deferred(env, j->deferred, errno_error(env, j->err ? j->err : EIO, "splice"));
  }
  napi_delete_async_work(env, j->work);
  free(j);
}

/* spliceToFile(pipeFd, fileFd, n) -> Promise<number>: splice(2) from a pipe to a file at its file position, on the
 * libuv pool (a blocking pipe waits for its writer there). Resolves with the bytes moved: n, fewer only at the end of
 * input or before an error; rejects (.code = errno name) when the first splice fails. */
static napi_value js_splice_to_file(napi_env env, napi_callback_info info) {
  GET_ARGS(3, "spliceToFile");
  int64_t want = int_arg(env, argv[2]);
  if (want < 0) return throw_errno(env, EINVAL, "splice");
  SpliceJob *j = calloc(1, sizeof *j);
  if (!j) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  j->in_fd = (int)int_arg(env, argv[0]);
  j->out_fd = (int)int_arg(env, argv[1]);
  j->want = want;
  return queue_pool_job(env, j, "openbp_splice", splice_execute, splice_complete);
}

/* Removes a half-made temp file and throws the errno of the step that failed. */
static napi_value discard_temp(napi_env env, int fd, const char *tmp, int e, const char *syscall) {
  if (fd >= 0) close(fd);
  if (tmp) unlink(tmp);
  return throw_errno(env, e, syscall);
}

/* Whether files can be made unnamed (O_TMPFILE) and named when whole (linkat): 0 not tried yet, 1 yes, -1 not
 * here (a file system without O_TMPFILE, or no way to name one: no CAP_DAC_READ_SEARCH and no /proc). */
static int unnamed_files = 0;

/* Gives the unnamed file fd the name `to`; -1 with errno (EEXIST: something is there). */
static int name_unnamed(int fd, const char *to) {
  if (linkat(fd, "", AT_FDCWD, to, AT_EMPTY_PATH) == 0) return 0;
  if (errno != ENOENT) return -1;
  char proc[64]; /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH: other users name it through /proc */
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  return linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW);
}

/* An unnamed file (O_TMPFILE) in the directory of `dest`; -1 with errno. */
static int open_unnamed(const char *dest) {
  const char *slash = strrchr(dest, '/');
  char *dir = slash == NULL ? strdup(".") : slash == dest ? strdup("/") : strndup(dest, (size_t)(slash - dest));
  if (!dir) {
    errno = ENOMEM;
    return -1;
  }
  int fd;
  do fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  while (fd < 0 && errno == EINTR);
  int e = errno;
  free(dir);
  errno = e;
  return fd;
}

/* writeNewFile(tmp, dest, data, uid, gid, mode, atimeSec, atimeNsec, mtimeSec, mtimeNsec): a restored file whose body
 * is in memory, in one call where it took seven: made unnamed in dest's directory (O_TMPFILE), the data written
 * whole, fchown(uid, gid) unless uid < 0, fchmod(mode), futimens (exact ns), then named dest (linkat) when nothing
 * is there, else named tmp and renamed over dest; close. A file that stops half-way never has a name. Where files
 * cannot be made unnamed it is created as tmp (O_EXCL, no symlink followed) and renamed. On ext4 the rename of
 * every file was a third of the call's time; linkat costs a quarter of that.
 * When tmp is taken it throws EEXIST (syscall open) having made nothing: try another temp name. A later failure
 * removes what it made first. */
static napi_value js_write_new_file(napi_env env, napi_callback_info info) {
  GET_ARGS(10, "writeNewFile");
  void *data;
  size_t len;
  if (!buffer_arg(env, argv[2], "data", &data, &len)) return NULL;
  int64_t uid = int_arg(env, argv[3]);
  int64_t gid = int_arg(env, argv[4]);
  mode_t mode = (mode_t)int_arg(env, argv[5]);
  struct timespec ts[2];
  times_arg(env, argv + 6, ts);
  char *tmp = path_arg(env, argv[0]);
  if (!tmp) return NULL;
  char *dest = path_arg(env, argv[1]);
  if (!dest) {
    free(tmp);
    return NULL;
  }
  napi_value result = NULL;
  bool unnamed = false;
  int fd = -1;
again:
  if (unnamed_files >= 0) {
    fd = open_unnamed(dest);
    if (fd >= 0) unnamed = true;
    else if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) unnamed_files = -1;
    else {
      result = throw_errno(env, errno, "open");
      goto out;
    }
  }
  if (!unnamed) {
    do fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      result = throw_errno(env, errno, "open");
      goto out;
    }
  }
  const char *made = unnamed ? NULL : tmp; /* what a failure removes */
  for (size_t done = 0; done < len;) {
    ssize_t n = write(fd, (const char *)data + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = discard_temp(env, fd, made, errno, "write");
      goto out;
    }
    done += (size_t)n;
  }
  if (uid >= 0 && fchown(fd, (uid_t)uid, (gid_t)gid) != 0) {
    result = discard_temp(env, fd, made, errno, "fchown");
    goto out;
  }
  if (fchmod(fd, mode) != 0) {
    result = discard_temp(env, fd, made, errno, "fchmod");
    goto out;
  }
  if (futimens(fd, ts) != 0) {
    result = discard_temp(env, fd, made, errno, "futimens");
    goto out;
  }
  if (unnamed) {
    if (name_unnamed(fd, dest) == 0) {
      unnamed_files = 1;
      if (close(fd) != 0) result = discard_temp(env, -1, dest, errno, "close");
      goto out;
    }
    if (errno != EEXIST && unnamed_files == 0) {
      /* The first file, and no way to name it: named temp files from now on (this one written again). */
      unnamed_files = -1;
      close(fd);
      unnamed = false;
      goto again;
    }
    if (errno != EEXIST) {
      result = discard_temp(env, fd, NULL, errno, "linkat");
      goto out;
    }
    /* Something is at dest: the whole file goes under tmp, then over it. */
    if (name_unnamed(fd, tmp) != 0) {
      result = discard_temp(env, fd, NULL, errno, errno == EEXIST ? "open" : "linkat");
      goto out;
    }
    unnamed_files = 1;
  }
  if (close(fd) != 0) {
    result = discard_temp(env, -1, tmp, errno, "close");
    goto out;
  }
  if (rename(tmp, dest) != 0) result = discard_temp(env, -1, tmp, errno, "rename");
out:
  free(tmp);
  free(dest);
  return result;
}

static void init_restore_path(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"spliceToFile", NULL, js_splice_to_file, NULL, NULL, NULL, napi_enumerable, NULL},
    {"writeNewFile", NULL, js_write_new_file, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

/* ==== end of the restore data path block ==== */

/* ==== block checksums: the first 8 bytes of a block's sha256 (block index version 1) or BLAKE3 (version 2), as 16
 * hex digits. blockSum hashes on the thread pool, where the bytes lie (no copy), so that a bptm process checks several
 * blocks at once beside its other work; blockSumSync on the calling thread. OpenSSL's SHA256 is the one inside node
 * (its symbols are exported), weak, so that a node without them loads this addon and sha256 rejects with ENOSYS
 * (the caller falls back to node:crypto); BLAKE3 is built in (src/native/blake3). ==== */

#include "blake3/blake3.h"

extern unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md) __attribute__((weak));

enum { SUM_SHA256 = 1, SUM_BLAKE3 = 2 };

static void block_sum(int kind, const unsigned char *data, size_t len, unsigned char md[32]) {
  if (kind == SUM_SHA256) {
    SHA256(data, len, md);
    return;
  }
  blake3_hasher h;
  blake3_hasher_init(&h);
  blake3_hasher_update(&h, data, len);
  blake3_hasher_finalize(&h, md, 32);
}

static napi_value sum_string(napi_env env, const unsigned char md[32]) {
  static const char hex[] = "0123456789abcdef";
  char out[16];
  for (int i = 0; i < 8; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  napi_value v;
  napi_create_string_latin1(env, out, 16, &v);
  return v;
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref keep;
  int kind;
  const unsigned char *data;
  size_t len;
  unsigned char md[32];
} SumJob;

static void sum_execute(napi_env env, void *data) {
  (void)env;
  SumJob *j = data;
  block_sum(j->kind, j->data, j->len, j->md);
}

static void sum_complete(napi_env env, napi_status status, void *data) {
  SumJob *j = data;
  if (status == napi_ok) napi_resolve_deferred(env, j->deferred, sum_string(env, j->md));
  else napi_reject_deferred(env, j->deferred, errno_error(env, EIO, "block checksum"));
  napi_delete_reference(env, j->keep);
  napi_delete_async_work(env, j->work);
  free(j);
}

/* The (bytes, kind) arguments of blockSum and blockSumSync; false after throwing. */
static bool sum_args(napi_env env, napi_value *argv, const unsigned char **bytes, size_t *len, int *kind) {
  void *p = NULL;
  if (!buffer_arg(env, argv[0], "the bytes to hash", &p, len)) return false;
  int32_t k = 0;
  if (napi_get_value_int32(env, argv[1], &k) != napi_ok || (k != SUM_SHA256 && k != SUM_BLAKE3)) {
    napi_throw_type_error(env, "EINVAL", "block checksum kind must be 1 (sha256) or 2 (blake3)");
    return false;
  }
  if (k == SUM_SHA256 && !SHA256) {
    throw_errno(env, ENOSYS, "sha256");
    return false;
  }
  *bytes = p;
  *kind = k;
  return true;
}

/* blockSum(bytes, kind) -> Promise<string>: on the libuv pool (the bytes must not change until it resolves; they are
 * kept alive meanwhile). */
static napi_value js_block_sum(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "blockSum");
  const unsigned char *bytes;
  size_t len;
  int kind;
  if (!sum_args(env, argv, &bytes, &len, &kind)) return NULL;
  SumJob *j = calloc(1, sizeof *j);
  if (!j) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  j->kind = kind;
  j->data = bytes;
  j->len = len;
  napi_ref keep;
  if (napi_create_reference(env, argv[0], 1, &keep) != napi_ok) {
    free(j);
    napi_throw_error(env, "EINVAL", "openbp_sys: N-API call failed");
    return NULL;
  }
  j->keep = keep;
  napi_value promise = queue_pool_job(env, j, "openbp_block_sum", sum_execute, sum_complete);
  if (!promise) napi_delete_reference(env, keep);
  return promise;
}

/* blockSumSync(bytes, kind) -> string. */
static napi_value js_block_sum_sync(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "blockSumSync");
  const unsigned char *bytes;
  size_t len;
  int kind;
  if (!sum_args(env, argv, &bytes, &len, &kind)) return NULL;
  unsigned char md[32];
  block_sum(kind, bytes, len, md);
  return sum_string(env, md);
}

static void init_block_sums(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"blockSum", NULL, js_block_sum, NULL, NULL, NULL, napi_enumerable, NULL},
    {"blockSumSync", NULL, js_block_sum_sync, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

/* ==== end of the block checksums block ==== */

/* ==== directory scan block ==== */
#include <dirent.h>
#include "incremental-base.h"

/* The incremental's base listings are matched with (loadBase), NULL: none. Set before a walk asks for listings; a
 * base loaded later replaces it, and the one before stays allocated (a listing thread may still be reading it). */
static base_files *active_base = NULL;

typedef struct {
  char *name;
  unsigned char type;
} scan_entry;

static int scan_by_name(const void *a, const void *b) {
  return strcmp(((const scan_entry *)a)->name, ((const scan_entry *)b)->name);
}

/* A directory's listing, made without N-API (so on the listing thread as well as on the JS thread). */
typedef struct {
  scan_entry *ents;
  size_t n;
  double *stats;    /* n * 18 when stat'ed, else NULL */
  int *stat_errno;  /* n, when stat'ed: 0, or why the entry's fstatat failed */
  int32_t *base;    /* n, when matched with the base: the record of the entry's version in it, or -1 */
  double *base_times; /* n * 2 beside base: the access time (s) and device of a matched entry's lstat */
  int err;          /* why the directory could not be listed (0: listed): an error of "scandir" */
} dir_listing;

static void free_listing(dir_listing *l) {
  for (size_t i = 0; i < l->n; i++) free(l->ents[i].name);
  free(l->ents);
  free(l->stats);
  free(l->stat_errno);
  free(l->base);
  free(l->base_times);
  memset(l, 0, sizeof *l);
}

/* Lists `path` (entries but . and .., sorted by their bytes); with at most max_stats entries (max_stats >= 0) each
 * is fstatat'ed (AT_SYMLINK_NOFOLLOW) relative to the directory into l->stats as put_lstat lays it out. An entry
 * without d_type is fstatat'ed for its type either way. On failure l->err is set and nothing is held. */
static void list_dir(const char *path, int64_t max_stats, dir_listing *l) {
  memset(l, 0, sizeof *l);
  int dfd = open_for_read(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) {
    l->err = errno;
    return;
  }
  DIR *d = fdopendir(dfd);
  if (!d) {
    l->err = errno;
    close(dfd);
    return;
  }
  size_t cap = 64;
  if (!(l->ents = malloc(cap * sizeof *l->ents))) goto nomem;
  for (;;) {
    errno = 0;
    struct dirent *de = readdir(d);
    if (!de) {
      if (errno != 0) {
        int e = errno;
        closedir(d);
        free_listing(l);
        l->err = e;
        return;
      }
      break;
    }
    const char *nm = de->d_name;
    if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) continue;
    if (l->n == cap) {
      scan_entry *grown = realloc(l->ents, (cap *= 2) * sizeof *l->ents);
      if (!grown) goto nomem;
      l->ents = grown;
    }
    if (!(l->ents[l->n].name = strdup(nm))) goto nomem;
    l->ents[l->n].type = de->d_type;
    l->n++;
  }
  qsort(l->ents, l->n, sizeof *l->ents, scan_by_name);
  bool with_stats = max_stats >= 0 && (int64_t)l->n <= max_stats;
  if (with_stats && (!(l->stats = calloc(l->n > 0 ? l->n : 1, 18 * sizeof(double))) || !(l->stat_errno = calloc(l->n > 0 ? l->n : 1, sizeof(int)))))
    goto nomem;
  /* With a base, every entry is lstat'ed and matched with the base's records of this directory (also above max_stats). */
  base_children children;
  bool match = max_stats >= 0 && active_base && base_children_of(active_base, path, strlen(path), &children);
  if (match) {
    if (!(l->base = malloc((l->n > 0 ? l->n : 1) * sizeof(int32_t))) || !(l->base_times = calloc(l->n > 0 ? l->n : 1, 2 * sizeof(double))))
      goto nomem;
    for (size_t i = 0; i < l->n; i++) l->base[i] = -1;
  }
  for (size_t i = 0; i < l->n; i++) {
    scan_entry *en = &l->ents[i];
    if (!with_stats && !match && en->type != DT_UNKNOWN) continue;
    struct stat st;
    if (fstatat(dfd, en->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      en->type = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : DT_UNKNOWN;
      if (with_stats) put_lstat(l->stats + i * 18, &st); /* stats[15] stays 0 (calloc) */
      if (match && (l->base[i] = base_match_next(&children, en->name, &st, dfd)) >= 0) {
        l->base_times[2 * i] = (double)st.st_atim.tv_sec;
        l->base_times[2 * i + 1] = (double)st.st_dev;
      }
    } else if (with_stats) {
      l->stat_errno[i] = errno;
    }
  }
  closedir(d);
  return;
nomem:
  closedir(d);
  free_listing(l);
  l->err = ENOMEM;
}

/* The JS form of a listing (scanDir's result), or its error thrown; takes what l holds. NULL with an exception
 * pending on failure. */
static napi_value listing_to_js(napi_env env, dir_listing *l) {
  if (l->err) return throw_errno(env, l->err, "scandir");
  size_t n = l->n;
  napi_value result, names, regular_v, stats_v, errors_v, regular_ab, stats_ab, base_v, base_ab, times_v, times_ab;
  uint8_t *regular;
  double *stats = NULL, *times = NULL;
  int32_t *base = NULL;
  napi_get_null(env, &stats_v);
  napi_get_null(env, &errors_v);
  napi_get_null(env, &base_v);
  napi_get_null(env, &times_v);
  if (napi_create_object(env, &result) != napi_ok || napi_create_array_with_length(env, n, &names) != napi_ok ||
      napi_create_arraybuffer(env, n > 0 ? n : 1, (void **)&regular, &regular_ab) != napi_ok ||
      napi_create_typedarray(env, napi_uint8_array, n, regular_ab, 0, &regular_v) != napi_ok ||
      (l->stats && (napi_create_arraybuffer(env, (n > 0 ? n : 1) * 18 * sizeof(double), (void **)&stats, &stats_ab) != napi_ok ||
                    napi_create_typedarray(env, napi_float64_array, n * 18, stats_ab, 0, &stats_v) != napi_ok)) ||
      (l->base && (napi_create_arraybuffer(env, (n > 0 ? n : 1) * sizeof(int32_t), (void **)&base, &base_ab) != napi_ok ||
                   napi_create_typedarray(env, napi_int32_array, n, base_ab, 0, &base_v) != napi_ok ||
                   napi_create_arraybuffer(env, (n > 0 ? n : 1) * 2 * sizeof(double), (void **)&times, &times_ab) != napi_ok ||
                   napi_create_typedarray(env, napi_float64_array, n * 2, times_ab, 0, &times_v) != napi_ok))) {
    free_listing(l);
    napi_throw_error(env, "EINVAL", "openbp_sys: N-API call failed");
    return NULL;
  }
  if (stats) memcpy(stats, l->stats, n * 18 * sizeof(double));
  if (base) {
    memcpy(base, l->base, n * sizeof(int32_t));
    memcpy(times, l->base_times, n * 2 * sizeof(double));
  }
  for (size_t i = 0; i < n; i++) {
    if (l->stat_errno && l->stat_errno[i] != 0) {
      napi_valuetype t;
      napi_typeof(env, errors_v, &t);
      if (t == napi_null) napi_create_array_with_length(env, n, &errors_v);
      napi_set_element(env, errors_v, (uint32_t)i, errno_error(env, l->stat_errno[i], "lstat"));
    }
    regular[i] = l->ents[i].type == DT_REG;
    napi_value str;
    napi_create_string_latin1(env, l->ents[i].name, NAPI_AUTO_LENGTH, &str);
    napi_set_element(env, names, (uint32_t)i, str);
  }
  free_listing(l);
  napi_set_named_property(env, result, "names", names);
  napi_set_named_property(env, result, "regular", regular_v);
  napi_set_named_property(env, result, "stats", stats_v);
  napi_set_named_property(env, result, "errors", errors_v);
  napi_set_named_property(env, result, "base", base_v);
  napi_set_named_property(env, result, "baseTimes", times_v);
  return result;
}

/* scanDir(path, maxStats) -> { names, regular, stats, errors }: the directory's entries but . and .., sorted by their
 * bytes (strcmp: unsigned bytes, as Buffer.compare), names as latin1 strings (one char a byte). regular[i] is 1 for a
 * regular file (by d_type; fstatat when the file system gives none). When there are at most maxStats entries, each is
 * fstatat'ed (AT_SYMLINK_NOFOLLOW) relative to the directory, into stats[i * 18 ..] as lstatInto lays one out; an entry
 * that cannot be has errors[i] (an Error as lstatInto throws; errors is null when none failed). stats is null above
 * maxStats. One call a directory, and no path walk a file: the walk of an incremental lstat'ed each file by its path. */
static napi_value js_scan_dir(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "scanDir");
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  int64_t max_stats = int_arg(env, argv[1]);
  dir_listing l;
  list_dir(path, max_stats, &l);
  free(path);
  return listing_to_js(env, &l);
}

/* ---- listings made ahead: one worker thread of the process lists the directories a walk asks for, by rank, while
 * the walk's JS thread goes through the one it is in. takeListing hands a listing over when made, makes one not
 * started yet itself (a walk never waits behind listings it needs later), and while the worker makes the one it
 * takes, makes the next queued one rather than wait (two threads list then, the walk's only when it has nothing else
 * to do). ---- */
#include <pthread.h>

typedef struct ahead_job {
  struct ahead_job *next;
  double id;
  double rank; /* higher first; the order asked among equals */
  char *path;
  int64_t max_stats;
  int state; /* AHEAD_QUEUED, AHEAD_LISTING or AHEAD_DONE */
  dir_listing listing;
} ahead_job;

enum { AHEAD_QUEUED, AHEAD_LISTING, AHEAD_DONE };

/* Entries of made listings not taken yet above which the worker starts no other (about 200 bytes each, JS side
 * included): a walk asks for a few directories, but one of them may hold a million entries. */
#define AHEAD_ENTRIES_HELD_MAX 65536

static struct {
  pthread_mutex_t mu;
  pthread_cond_t work; /* a job was asked for, or a listing taken (room again) */
  pthread_cond_t done; /* a listing was made */
  ahead_job *jobs;     /* every job not taken, in the order asked */
  double next_id;
  size_t held;         /* entries of made listings not taken */
  bool running;
} ahead = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 1, 0, false};

/* The queued job to make next (highest rank, the first asked among equals), or NULL: none, or listings enough held.
 * With ahead.mu held. */
static ahead_job *ahead_next(void) {
  ahead_job *j = NULL;
  if (ahead.held < AHEAD_ENTRIES_HELD_MAX)
    for (ahead_job *q = ahead.jobs; q; q = q->next)
      if (q->state == AHEAD_QUEUED && (!j || q->rank > j->rank)) j = q;
  return j;
}

/* Makes a queued job's listing, the lock let go meanwhile. With ahead.mu held (again on return). */
static void ahead_make(ahead_job *j) {
  j->state = AHEAD_LISTING;
  pthread_mutex_unlock(&ahead.mu);
  list_dir(j->path, j->max_stats, &j->listing);
  pthread_mutex_lock(&ahead.mu);
  j->state = AHEAD_DONE;
  ahead.held += j->listing.n;
  pthread_cond_broadcast(&ahead.done);
}

static void *ahead_worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&ahead.mu);
  for (;;) {
    ahead_job *j = ahead_next();
    if (j) ahead_make(j);
    else pthread_cond_wait(&ahead.work, &ahead.mu);
  }
  return NULL;
}

/* askListing(path, maxStats, rank) -> id: queues scanDir(path, maxStats) for the worker (started with the first call),
 * which takes the queued listing of highest rank first, the first asked among equals. */
static napi_value js_ask_listing(napi_env env, napi_callback_info info) {
  GET_ARGS(3, "askListing");
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  ahead_job *j = calloc(1, sizeof *j);
  if (!j) {
    free(path);
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  j->path = path;
  j->max_stats = int_arg(env, argv[1]);
  if (napi_get_value_double(env, argv[2], &j->rank) != napi_ok) {
    free(path);
    free(j);
    napi_throw_type_error(env, "EINVAL", "askListing: rank must be a number");
    return NULL;
  }
  pthread_mutex_lock(&ahead.mu);
  if (!ahead.running) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int e = pthread_create(&t, &attr, ahead_worker, NULL);
    pthread_attr_destroy(&attr);
    if (e != 0) {
      pthread_mutex_unlock(&ahead.mu);
      free(path);
      free(j);
      return throw_errno(env, e, "pthread_create");
    }
    ahead.running = true;
  }
  j->id = ahead.next_id++;
  ahead_job **tail = &ahead.jobs;
  while (*tail) tail = &(*tail)->next;
  *tail = j;
  pthread_cond_signal(&ahead.work);
  pthread_mutex_unlock(&ahead.mu);
  napi_value id;
  napi_create_double(env, j->id, &id);
  return id;
}

/* takeListing(id) -> scanDir's result for the job askListing returned id for (throws as scanDir does): made by the
 * worker, waited for while the worker makes it (making other queued ones here meanwhile), or made here when the
 * worker has not started it. Each id once. */
static napi_value js_take_listing(napi_env env, napi_callback_info info) {
  GET_ARGS(1, "takeListing");
  double id;
  if (napi_get_value_double(env, argv[0], &id) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "takeListing: id must be a number");
    return NULL;
  }
  pthread_mutex_lock(&ahead.mu);
  ahead_job *j = ahead.jobs;
  while (j && j->id != id) j = j->next;
  if (!j) {
    pthread_mutex_unlock(&ahead.mu);
    napi_throw_error(env, "EINVAL", "takeListing: no listing was asked for with this id");
    return NULL;
  }
  while (j->state == AHEAD_LISTING) {
    /* While the worker makes this one, make the next queued one here rather than wait. */
    ahead_job *q = ahead_next();
    if (q) ahead_make(q);
    else pthread_cond_wait(&ahead.done, &ahead.mu);
  }
  /* Unlinked only now: while the lock was let go, another thread's take may have unlinked the job before it. */
  ahead_job **at = &ahead.jobs;
  while (*at != j) at = &(*at)->next;
  *at = j->next;
  bool made = j->state == AHEAD_DONE;
  if (made) {
    ahead.held -= j->listing.n;
    pthread_cond_signal(&ahead.work);
  }
  pthread_mutex_unlock(&ahead.mu);
  if (!made) list_dir(j->path, j->max_stats, &j->listing);
  dir_listing l = j->listing;
  free(j->path);
  free(j);
  return listing_to_js(env, &l);
}

/* ---- an incremental's base (incremental-base.c): listings matched with it, and the records of unchanged files
 * encoded into a .f block without passing through JS. The encoder is the process's one (the JS thread's). ---- */

static block_encoder *encoder = NULL;

/* loadBase(path, maxRecords) -> records: reads an incremental's base .f into memory; listings with stats made from
 * now on are matched with it (their base and baseTimes). Throws (.code) when the file cannot be read, EINVAL when it
 * is no .f, EFBIG when it holds more than maxRecords records. */
static napi_value js_load_base(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "loadBase");
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  int64_t max_records = int_arg(env, argv[1]);
  base_files *b = base_load(path, max_records > 0 ? (uint64_t)max_records : 0);
  int e = errno;
  free(path);
  if (!b) return throw_errno(env, e, "loadBase");
  active_base = b;
  napi_value n;
  napi_create_double(env, (double)base_count(b), &n);
  return n;
}

/* dropBase(): listings are not matched any more (the base stays allocated: a listing thread may be reading it). */
static napi_value js_drop_base(napi_env env, napi_callback_info info) {
  active_base = NULL;
  return NULL;
}

/* matchBase(path, times) -> record or -1: lstats path and matches it with the base as a listing's entry is (times
 * gets its access time and device when it matches). -1 also without a base or when the lstat fails. */
static napi_value js_match_base(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "matchBase");
  char *path = path_arg(env, argv[0]);
  if (!path) return NULL;
  double *times = f64_arg(env, argv[1], 2);
  int32_t found = -1;
  char *slash = times ? strrchr(path, '/') : NULL;
  if (active_base && slash && slash[1] != 0) {
    *slash = 0;
    const char *dir = slash == path ? "/" : path;
    base_children c;
    if (base_children_of(active_base, dir, strlen(dir), &c)) {
      int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      struct stat st;
      if (dfd >= 0 && fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 && (found = base_match_next(&c, slash + 1, &st, dfd)) >= 0) {
        times[0] = (double)st.st_atim.tv_sec;
        times[1] = (double)st.st_dev;
      }
      if (dfd >= 0) close(dfd);
    }
  }
  free(path);
  if (!times) return NULL;
  napi_value r;
  napi_create_int32(env, found, &r);
  return r;
}

static bool make_encoder(napi_env env) {
  if (!encoder && !(encoder = encoder_new())) napi_throw_error(env, "ENOMEM", "out of memory");
  return encoder != NULL;
}

/* A latin1 string argument into buf (NUL-terminated; its length in *len); malloc'ed when longer than `size`. */
static char *latin1_arg(napi_env env, napi_value v, char *buf, size_t size, size_t *len) {
  if (napi_get_value_string_latin1(env, v, NULL, 0, len) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "expected a string");
    return NULL;
  }
  char *s = *len < size ? buf : malloc(*len + 1);
  if (!s) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  napi_get_value_string_latin1(env, v, s, *len + 1, len);
  return s;
}

/* The mtime in ns as decimal text, split into floor seconds and nanoseconds; false when it is no integer. */
static bool split_ns_text(const char *s, int64_t *sec, int64_t *ns) {
  bool neg = *s == '-';
  if (neg) s++;
  if (!*s) return false;
  __int128 v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > ((__int128)1 << 100)) return false;
    v = v * 10 + (*s - '0');
  }
  if (neg) v = -v;
  __int128 q = v / 1000000000, r = v % 1000000000;
  if (r < 0) {
    r += 1000000000;
    q -= 1;
  }
  if (q > INT64_MAX / 2 || q < INT64_MIN / 2) return false;
  *sec = (int64_t)q;
  *ns = (int64_t)r;
  return true;
}

/* encodeRecord(path, type, inImage, mode, uid, gid, user, group, size, mtimeNs, ctime, atime, ino, dev, offset, link)
 * -> the block's length: appends one entry as BlockEncoder.add does (type as its index in "fdlhpcbs"). */
static napi_value js_encode_record(napi_env env, napi_callback_info info) {
  GET_ARGS(16, "encodeRecord");
  if (!make_encoder(env)) return NULL;
  char pb[4096], ub[256], gb[256], mb[64], lb[4096];
  size_t plen, ulen, glen, mlen, llen;
  char *path = latin1_arg(env, argv[0], pb, sizeof pb, &plen);
  char *user = path ? latin1_arg(env, argv[6], ub, sizeof ub, &ulen) : NULL;
  char *group = user ? latin1_arg(env, argv[7], gb, sizeof gb, &glen) : NULL;
  char *mtime = group ? latin1_arg(env, argv[9], mb, sizeof mb, &mlen) : NULL;
  char *link = mtime ? latin1_arg(env, argv[15], lb, sizeof lb, &llen) : NULL;
  napi_value r = NULL;
  int64_t sec, ns;
  if (link) {
    int64_t f[16] = {0};
    for (int k = 1; k < 15; k++)
      if (k != 6 && k != 7 && k != 9) f[k] = int_arg(env, argv[k]); /* the numbers (6, 7, 9 and 15 are strings) */
    if (!split_ns_text(mtime, &sec, &ns)) napi_throw_type_error(env, "EINVAL", "encodeRecord: mtimeNs must be an integer's text");
    else if (!encoder_add(encoder, path, plen, (int)f[1], (int)f[2], (uint64_t)f[3], (uint64_t)f[4], (uint64_t)f[5], user, ulen, group, glen,
                          (uint64_t)f[8], sec, ns, f[10], f[11], f[12], f[13], f[14], link, llen))
      napi_throw_error(env, "ENOMEM", "out of memory");
    else
      napi_create_double(env, (double)encoder_length(encoder), &r);
  }
  if (path && path != pb) free(path);
  if (user && user != ub) free(user);
  if (group && group != gb) free(group);
  if (mtime && mtime != mb) free(mtime);
  if (link && link != lb) free(link);
  return r;
}

/* encodeBase(base, baseTimes, from, to, limit) -> entries encoded: appends the base records base[from..to) names (all
 * >= 0) as unchanged files, with their access times and devices from baseTimes, stopping once the block holds `limit`
 * bytes or more. */
static napi_value js_encode_base(napi_env env, napi_callback_info info) {
  GET_ARGS(5, "encodeBase");
  if (!make_encoder(env)) return NULL;
  napi_typedarray_type t1, t2;
  size_t n1, n2;
  void *d1, *d2;
  if (napi_get_typedarray_info(env, argv[0], &t1, &n1, &d1, NULL, NULL) != napi_ok || t1 != napi_int32_array ||
      napi_get_typedarray_info(env, argv[1], &t2, &n2, &d2, NULL, NULL) != napi_ok || t2 != napi_float64_array || n2 < 2 * n1) {
    napi_throw_type_error(env, "EINVAL", "encodeBase: base must be an Int32Array and baseTimes a Float64Array twice as long");
    return NULL;
  }
  const int32_t *base = d1;
  const double *times = d2;
  int64_t from = int_arg(env, argv[2]), to = int_arg(env, argv[3]), limit = int_arg(env, argv[4]);
  if (!active_base || from < 0 || to > (int64_t)n1 || from > to) {
    napi_throw_range_error(env, "EINVAL", "encodeBase: no base loaded, or from/to out of range");
    return NULL;
  }
  int64_t i = from;
  while (i < to) {
    int32_t k = base[i];
    if (k < 0 || (size_t)k >= base_count(active_base)) {
      napi_throw_range_error(env, "EINVAL", "encodeBase: not a record of the base");
      return NULL;
    }
    if (!encoder_add_base(encoder, active_base, k, (int64_t)times[2 * i], (int64_t)times[2 * i + 1])) {
      napi_throw_error(env, "ENOMEM", "out of memory");
      return NULL;
    }
    i++;
    if ((int64_t)encoder_length(encoder) >= limit) break;
  }
  napi_value r;
  napi_create_double(env, (double)(i - from), &r);
  return r;
}

/* encodedLength() -> bytes of the block being encoded. */
static napi_value js_encoded_length(napi_env env, napi_callback_info info) {
  napi_value r;
  napi_create_double(env, encoder ? (double)encoder_length(encoder) : 0, &r);
  return r;
}

/* encodedBlock() -> Buffer: the entries encoded since the last call, as one block payload; the encoder starts the
 * next block. */
static napi_value js_encoded_block(napi_env env, napi_callback_info info) {
  if (!make_encoder(env)) return NULL;
  napi_value buf;
  void *data;
  size_t len = encoder_length(encoder);
  CHECK(napi_create_buffer_copy(env, len, len > 0 ? encoder_bytes(encoder) : (const void *)"", &data, &buf));
  encoder_reset(encoder);
  return buf;
}

static void init_dir_scan(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"scanDir", NULL, js_scan_dir, NULL, NULL, NULL, napi_enumerable, NULL},
    {"askListing", NULL, js_ask_listing, NULL, NULL, NULL, napi_enumerable, NULL},
    {"takeListing", NULL, js_take_listing, NULL, NULL, NULL, napi_enumerable, NULL},
    {"loadBase", NULL, js_load_base, NULL, NULL, NULL, napi_enumerable, NULL},
    {"dropBase", NULL, js_drop_base, NULL, NULL, NULL, napi_enumerable, NULL},
    {"matchBase", NULL, js_match_base, NULL, NULL, NULL, napi_enumerable, NULL},
    {"encodeRecord", NULL, js_encode_record, NULL, NULL, NULL, napi_enumerable, NULL},
    {"encodeBase", NULL, js_encode_base, NULL, NULL, NULL, napi_enumerable, NULL},
    {"encodedLength", NULL, js_encoded_length, NULL, NULL, NULL, napi_enumerable, NULL},
    {"encodedBlock", NULL, js_encoded_block, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

/* ==== end of the directory scan block ==== */

/* ==== ring slots into a pipe without a copy (vmsplice): the pipe then holds references to the slot's pages, not
 * its bytes, so the caller must leave a slot as it is until the reader has taken its bytes: pipeUnread tells how many
 * bytes the pipe still holds (FIONREAD), everything spliced before those has been read (copied out by the reader). ==== */

#include <sys/uio.h>

/* A pipe job on the pool: vmspliceToPipe and readFull (data, len; the buffer's reference kept), pipeUnreadAtMost.
 * Resolves with `unread` (the bytes the pipe holds, or those read), rejects with err named after `syscall`. */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref keep;
  int fd;
  char *data;
  size_t len;
  int64_t atMost;
  int err;
  int64_t unread;
  const char *syscall;
} PipeJob;

/* Bytes the pipe holds, or -1 with errno. */
static int64_t pipe_unread(int fd) {
  int n = 0;
  return ioctl(fd, FIONREAD, &n) < 0 ? -1 : (int64_t)n;
}

/* All of p into the pipe (a full non-blocking pipe is waited for): 0, or the errno of the first failure. */
static int vmsplice_all(int fd, const unsigned char *p, size_t len) {
  struct iovec iov = {.iov_base = (void *)p, .iov_len = len};
  while (iov.iov_len > 0) {
    ssize_t n = vmsplice(fd, &iov, 1, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN && wait_writable(fd) == 0) continue;
      return errno;
    }
    iov.iov_base = (char *)iov.iov_base + n;
    iov.iov_len -= (size_t)n;
  }
  return 0;
}

static void vmsplice_execute(napi_env env, void *data) {
  (void)env;
  PipeJob *j = data;
  j->err = vmsplice_all(j->fd, (const unsigned char *)j->data, j->len);
  if (j->err) return;
  j->unread = pipe_unread(j->fd);
  if (j->unread < 0) j->err = errno;
}

/* Waits (polling every 200 us) until the pipe holds atMost bytes or fewer; unread -1 when its reader is gone. */
static void unread_execute(napi_env env, void *data) {
  (void)env;
  PipeJob *j = data;
  for (;;) {
    j->unread = pipe_unread(j->fd);
    if (j->unread < 0) {
      j->err = errno;
      return;
    }
    if (j->unread <= j->atMost) return;
    struct pollfd p = {.fd = j->fd, .events = 0, .revents = 0};
    if (poll(&p, 1, 0) > 0 && (p.revents & POLLERR)) {
      j->unread = -1;
      return;
    }
    usleep(200);
  }
}

static void pipe_job_complete(napi_env env, napi_status status, void *data) {
  PipeJob *j = data;
  if (status != napi_ok) j->err = EIO;
  if (j->err) {
    napi_reject_deferred(env, j->deferred, errno_error(env, j->err, j->syscall));
  } else {
    napi_value v;
    napi_create_int64(env, j->unread, &v);
    napi_resolve_deferred(env, j->deferred, v);
  }
  if (j->keep) napi_delete_reference(env, j->keep);
  napi_delete_async_work(env, j->work);
  free(j);
}

/* readFull's job: the pipe's bytes into the buffer until it is full, on the pool (the reads a slot takes, 28 KiB a
 * read on average while bpbkar wrote small files, cost one pool round trip and one wakeup of the loop instead of one
 * each). unread counts the bytes read. */
static void fill_execute(napi_env env, void *data) {
  (void)env;
  PipeJob *j = data;
  size_t got = 0;
  while (got < j->len) {
    ssize_t n = read(j->fd, j->data + got, j->len - got);
    if (n > 0) {
      got += (size_t)n;
      continue;
    }
    if (n == 0) break;
    if (errno == EINTR) continue;
    if (got == 0) j->err = errno; /* else the bytes first; the error comes back on the next call */
    break;
  }
  j->unread = (int64_t)got;
}

/* Queues a PipeJob on (fd, buffer) from a call's two arguments, keeping the buffer alive until it settles. */
static napi_value queue_buffer_job(napi_env env, napi_value *argv, const char *name, const char *syscall, napi_async_execute_callback execute) {
  int fd = (int)int_arg(env, argv[0]);
  void *bytes;
  size_t len;
  if (!buffer_arg(env, argv[1], "bytes", &bytes, &len)) return NULL;
  PipeJob *j = calloc(1, sizeof *j);
  if (!j) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  j->fd = fd;
  j->data = bytes;
  j->len = len;
  j->syscall = syscall;
  if (napi_create_reference(env, argv[1], 1, &j->keep) != napi_ok) {
    free(j);
    napi_throw_error(env, "EINVAL", "openbp_sys: N-API call failed");
    return NULL;
  }
  napi_ref keep = j->keep;
  napi_value promise = queue_pool_job(env, j, name, execute, pipe_job_complete);
  if (!promise) napi_delete_reference(env, keep);
  return promise;
}

/* readFull(fd, bytes) -> Promise<number>: read(2) into bytes on the libuv pool until it is full or the input ends
 * (fewer bytes then; 0 at the end); an error after some bytes is left for the next call; rejects (.code) when the
 * first read fails (EAGAIN: a non-blocking descriptor with nothing to read). */
static napi_value js_read_full(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "readFull");
  return queue_buffer_job(env, argv, "openbp_read_full", "read", fill_execute);
}

/* vmspliceToPipe(pipeFd, bytes) -> Promise<number>: all of bytes into the pipe (a full non-blocking pipe is waited
 * for), on the libuv pool; resolves with the bytes the pipe holds afterwards. Rejects (.code) on the first failure
 * (EPIPE: the reader is gone). */
static napi_value js_vmsplice_to_pipe(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "vmspliceToPipe");
  return queue_buffer_job(env, argv, "openbp_vmsplice", "vmsplice", vmsplice_execute);
}

/* pipeUnreadAtMost(pipeFd, atMost) -> Promise<number>: on the libuv pool, waits until the pipe holds atMost bytes or
 * fewer and resolves with that count; -1 when the pipe has no reader any more (nothing more will be read). */
static napi_value js_pipe_unread_at_most(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "pipeUnreadAtMost");
  PipeJob *j = calloc(1, sizeof *j);
  if (!j) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  j->fd = (int)int_arg(env, argv[0]);
  j->atMost = int_arg(env, argv[1]);
  j->syscall = "ioctl";
  return queue_pool_job(env, j, "openbp_pipe_unread", unread_execute, pipe_job_complete);
}

/* pipeUnread(pipeFd) -> number: the bytes the pipe holds (FIONREAD). */
static napi_value js_pipe_unread(napi_env env, napi_callback_info info) {
  GET_ARGS(1, "pipeUnread");
  int64_t n = pipe_unread((int)int_arg(env, argv[0]));
  if (n < 0) return throw_errno(env, errno, "ioctl");
  napi_value v;
  CHECK(napi_create_int64(env, n, &v));
  return v;
}

/* checkedVmsplice's job: a run of ring slots (consecutive in the mapping), each hashed and compared with the checksum
 * the catalogue expects before it goes into the pipe by vmsplice, all in one pool job (a restore's child spent more
 * time on a job per slot to hash it and another to splice it, and on the loop's wakeups, than on the work). */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref keep;
  napi_ref keepChecks;
  int fd;
  const unsigned char *data;
  size_t len;
  size_t blockSize;
  const unsigned char *checks; /* 9 bytes a block: the hash (0 none, SUM_SHA256, SUM_BLAKE3), 8 checksum bytes */
  size_t blocks;
  int err;
  size_t spliced;  /* bytes put into the pipe */
  int64_t bad;     /* the first block that failed its check, -1 none */
  unsigned char actual[32];
  int64_t unread;
} CheckedJob;

static void checked_execute(napi_env env, void *data) {
  (void)env;
  CheckedJob *j = data;
  j->bad = -1;
  for (size_t i = 0; i < j->blocks; i++) {
    size_t at = i * j->blockSize;
    size_t n = j->len - at < j->blockSize ? j->len - at : j->blockSize;
    const unsigned char *check = j->checks + 9 * i;
    if (check[0] != 0) {
      block_sum(check[0], j->data + at, n, j->actual);
      if (memcmp(j->actual, check + 1, 8) != 0) {
        j->bad = (int64_t)i;
        break;
      }
    }
    j->err = vmsplice_all(j->fd, j->data + at, n);
    if (j->err) return;
    j->spliced += n;
  }
  j->unread = pipe_unread(j->fd);
  if (j->unread < 0) j->err = errno;
}

static void set_number(napi_env env, napi_value obj, const char *name, double value) {
  napi_value v;
  napi_create_double(env, value, &v);
  napi_set_named_property(env, obj, name, v);
}

static void checked_complete(napi_env env, napi_status status, void *data) {
  CheckedJob *j = data;
  if (status != napi_ok) j->err = EIO;
  if (j->err) {
    napi_reject_deferred(env, j->deferred, errno_error(env, j->err, j->unread < 0 ? "ioctl" : "vmsplice"));
  } else {
    napi_value r;
    napi_create_object(env, &r);
    set_number(env, r, "spliced", (double)j->spliced);
    set_number(env, r, "unread", (double)j->unread);
    set_number(env, r, "bad", (double)j->bad);
    if (j->bad >= 0) napi_set_named_property(env, r, "actual", sum_string(env, j->actual));
    napi_resolve_deferred(env, j->deferred, r);
  }
  napi_delete_reference(env, j->keep);
  napi_delete_reference(env, j->keepChecks);
  napi_delete_async_work(env, j->work);
  free(j);
}

/* checkedVmsplice(pipeFd, bytes, blockSize, checks) -> Promise<{spliced, unread, bad, actual?}>: see CheckedJob. Stops
 * before the first block that fails its check (bad: its index, actual: its checksum); rejects (.code) on the first
 * vmsplice failure (EPIPE). Both buffers must stay untouched until it settles (they are kept alive). */
static napi_value js_checked_vmsplice(napi_env env, napi_callback_info info) {
  GET_ARGS(4, "checkedVmsplice");
  void *bytes, *checks;
  size_t len, checksLen;
  if (!buffer_arg(env, argv[1], "bytes", &bytes, &len) || !buffer_arg(env, argv[3], "checks", &checks, &checksLen)) return NULL;
  int64_t blockSize = int_arg(env, argv[2]);
  if (blockSize <= 0) return throw_errno(env, EINVAL, "vmsplice");
  size_t blocks = (len + (size_t)blockSize - 1) / (size_t)blockSize;
  if (checksLen < 9 * blocks) return throw_errno(env, EINVAL, "vmsplice");
  for (size_t i = 0; i < blocks; i++) {
    unsigned char k = ((unsigned char *)checks)[9 * i];
    if (k != 0 && k != SUM_SHA256 && k != SUM_BLAKE3) return throw_errno(env, EINVAL, "vmsplice");
    if (k == SUM_SHA256 && !SHA256) return throw_errno(env, ENOSYS, "sha256");
  }
  CheckedJob *j = calloc(1, sizeof *j);
  if (!j) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  j->fd = (int)int_arg(env, argv[0]);
  j->data = bytes;
  j->len = len;
  j->blockSize = (size_t)blockSize;
  j->checks = checks;
  j->blocks = blocks;
  if (napi_create_reference(env, argv[1], 1, &j->keep) != napi_ok || napi_create_reference(env, argv[3], 1, &j->keepChecks) != napi_ok) {
    if (j->keep) napi_delete_reference(env, j->keep);
    free(j);
    napi_throw_error(env, "EINVAL", "openbp_sys: N-API call failed");
    return NULL;
  }
  napi_ref keep = j->keep, keepChecks = j->keepChecks;
  napi_value promise = queue_pool_job(env, j, "openbp_checked_vmsplice", checked_execute, checked_complete);
  if (!promise) {
    napi_delete_reference(env, keep);
    napi_delete_reference(env, keepChecks);
  }
  return promise;
}

static void init_pipe_slots(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"vmspliceToPipe", NULL, js_vmsplice_to_pipe, NULL, NULL, NULL, napi_enumerable, NULL},
    {"readFull", NULL, js_read_full, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeUnreadAtMost", NULL, js_pipe_unread_at_most, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeUnread", NULL, js_pipe_unread, NULL, NULL, NULL, napi_enumerable, NULL},
    {"checkedVmsplice", NULL, js_checked_vmsplice, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}


/* ==== spare processes: a started process that is handed its descriptors and arguments later (SCM_RIGHTS over a
 * SOCK_SEQPACKET pair, one message per hand-over). ==== */

#define MAX_PASSED_FDS 8

/* socketPair() -> [a, b]: AF_UNIX SOCK_SEQPACKET, both close-on-exec (a spawn passes one on explicitly). */
static napi_value js_socket_pair(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return throw_errno(env, errno, "socketpair");
  return fd_pair(env, fds);
}

/* sendFds(sock, bytes, fds): one message of bytes with copies of the descriptors (SCM_RIGHTS). Throws (EPIPE when
 * the other end is gone; no SIGPIPE). */
static napi_value js_send_fds(napi_env env, napi_callback_info info) {
  GET_ARGS(3, "sendFds");
  int sock = (int)int_arg(env, argv[0]);
  void *data = NULL;
  size_t len = 0;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  uint32_t n = 0;
  CHECK(napi_get_array_length(env, argv[2], &n));
  if (n > MAX_PASSED_FDS) {
    napi_throw_range_error(env, "EINVAL", "sendFds: too many descriptors");
    return NULL;
  }
  int fds[MAX_PASSED_FDS];
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    CHECK(napi_get_element(env, argv[2], i, &v));
    fds[i] = (int)int_arg(env, v);
  }
  struct iovec iov = {.iov_base = data, .iov_len = len};
  union {
    char buf[CMSG_SPACE(sizeof(int) * MAX_PASSED_FDS)];
    struct cmsghdr align;
  } ctl;
  memset(&ctl, 0, sizeof ctl);
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (n > 0) {
    msg.msg_control = ctl.buf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
  }
  ssize_t r;
  do r = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0) return throw_errno(env, errno, "sendmsg");
  return NULL;
}

/* recvFds(sock, maxBytes) -> {bytes, fds} | null: waits (blocking) for one message; null at the end (the other
 * end closed). The descriptors come close-on-exec. */
static napi_value js_recv_fds(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "recvFds");
  int sock = (int)int_arg(env, argv[0]);
  int64_t max = int_arg(env, argv[1]);
  if (max <= 0 || max > (1 << 20)) {
    napi_throw_range_error(env, "EINVAL", "recvFds: maxBytes out of range");
    return NULL;
  }
  char *data = malloc((size_t)max);
  if (data == NULL) return throw_errno(env, ENOMEM, "recvFds");
  struct iovec iov = {.iov_base = data, .iov_len = (size_t)max};
  union {
    char buf[CMSG_SPACE(sizeof(int) * MAX_PASSED_FDS)];
    struct cmsghdr align;
  } ctl;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
  ssize_t r;
  do r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    int e = errno;
    free(data);
    return throw_errno(env, e, "recvmsg");
  }
  int fds[MAX_PASSED_FDS];
  size_t nfds = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < k; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (nfds < MAX_PASSED_FDS) fds[nfds++] = fd;
      else close(fd);
    }
  }
  if (r == 0 && nfds == 0) {
    free(data);
    napi_value nul;
    CHECK(napi_get_null(env, &nul));
    return nul;
  }
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
    for (size_t i = 0; i < nfds; i++) close(fds[i]);
    free(data);
    napi_throw_range_error(env, "EMSGSIZE", "recvFds: the message was larger than maxBytes or carried too many descriptors");
    return NULL;
  }
  napi_value out, bytes, list;
  void *copy = NULL;
  CHECK(napi_create_buffer_copy(env, (size_t)r, data, &copy, &bytes));
  free(data);
  CHECK(napi_create_array_with_length(env, nfds, &list));
  for (size_t i = 0; i < nfds; i++) {
    napi_value v;
    CHECK(napi_create_int32(env, fds[i], &v));
    CHECK(napi_set_element(env, list, (uint32_t)i, v));
  }
  CHECK(napi_create_object(env, &out));
  CHECK(napi_set_named_property(env, out, "bytes", bytes));
  CHECK(napi_set_named_property(env, out, "fds", list));
  return out;
}

/* adoptFd(fd, target): dup2(fd, target) and close(fd), as a spawn would have set up target; 0-2 come blocking (as
 * libuv leaves a child's standard descriptors). */
static napi_value js_adopt_fd(napi_env env, napi_callback_info info) {
  GET_ARGS(2, "adoptFd");
  int fd = (int)int_arg(env, argv[0]);
  int target = (int)int_arg(env, argv[1]);
  if (fd != target) {
    int r;
    do r = dup2(fd, target);
    while (r < 0 && errno == EINTR);
    if (r < 0) return throw_errno(env, errno, "dup2");
    close(fd);
  } else {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  if (target <= 2) {
    int fl = fcntl(target, F_GETFL);
    if (fl >= 0 && (fl & O_NONBLOCK)) fcntl(target, F_SETFL, fl & ~O_NONBLOCK);
  }
  return NULL;
}

/* setCloseOnExec(fd): FD_CLOEXEC on (a descriptor a spawn handed over must not pass on to this process's children). */
static napi_value js_set_close_on_exec(napi_env env, napi_callback_info info) {
  GET_ARGS(1, "setCloseOnExec");
  int fd = (int)int_arg(env, argv[0]);
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) return throw_errno(env, errno, "fcntl(F_SETFD)");
  return NULL;
}

static void init_spare_fds(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"socketPair", NULL, js_socket_pair, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sendFds", NULL, js_send_fds, NULL, NULL, NULL, napi_enumerable, NULL},
    {"recvFds", NULL, js_recv_fds, NULL, NULL, NULL, napi_enumerable, NULL},
    {"adoptFd", NULL, js_adopt_fd, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setCloseOnExec", NULL, js_set_close_on_exec, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"utimensat", NULL, js_utimensat, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mkfifo", NULL, js_mkfifo, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mknod", NULL, js_mknod, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lgetxattr", NULL, js_lgetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lsetxattr", NULL, js_lsetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"llistxattr", NULL, js_llistxattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"openForBackup", NULL, js_open_for_backup, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lstatInto", NULL, js_lstat_into, NULL, NULL, NULL, napi_enumerable, NULL},
    {"readAndClose", NULL, js_read_and_close, NULL, NULL, NULL, napi_enumerable, NULL},
    {"dataSegments", NULL, js_data_segments, NULL, NULL, NULL, napi_enumerable, NULL},
    {"peerCredentials", NULL, js_peer_credentials, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mtOp", NULL, js_mt_op, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mtGet", NULL, js_mt_get, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mtPos", NULL, js_mt_pos, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mmapShared", NULL, js_mmap_shared, NULL, NULL, NULL, napi_enumerable, NULL},
    {"munmap", NULL, js_munmap, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipe", NULL, js_pipe, NULL, NULL, NULL, napi_enumerable, NULL},
    {"reserveFile", NULL, js_reserve_file, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setPipeSize", NULL, js_set_pipe_size, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeSize", NULL, js_pipe_size, NULL, NULL, NULL, napi_enumerable, NULL},
    {"alignedTo", NULL, js_aligned_to, NULL, NULL, NULL, napi_enumerable, NULL},
    {"spliceToPipe", NULL, js_splice_to_pipe, NULL, NULL, NULL, napi_enumerable, NULL},
    {"writeToPipe", NULL, js_write_to_pipe, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  init_restore_path(env, exports);
  init_block_sums(env, exports);
  init_dir_scan(env, exports);
  init_pipe_slots(env, exports);
  init_spare_fds(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
