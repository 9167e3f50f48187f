/* An incremental's base in C (see incremental-base.h). The records are held compactly: a name and its parent
 * directory a record (full paths for directories only), the fields change detection compares, and a chain of each
 * directory's children in the base's order, so that a listing is matched by one merge of two sorted lists. */
#include "incremental-base.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TYPE_FILE 0 /* index in "fdlhpcbs" */
#define TYPE_DIR 1
#define TYPE_SYMLINK 2
#define TYPE_FIFO 4
#define TYPE_CHAR 5
#define TYPE_BLOCK 6
#define NO_MATCH 0xff /* a record change detection never matches (a field beyond what a struct stat holds) */

typedef struct {
  uint32_t name;     /* arena offset of the last path component */
  uint32_t link;     /* arena offset of the link target (symlinks), 0: none */
  uint32_t link_len;
  uint16_t name_len;
  uint16_t user, group; /* indexes in names */
  uint8_t type;         /* type index, or NO_MATCH */
  uint32_t mode, uid, gid, mt_ns;
  int32_t dir;          /* the parent's index in dirs, -1: none in the base */
  int32_t next_sibling; /* the parent's next child, -1: the last */
  uint64_t size;
  int64_t mt_sec, ctime, ino;
} base_entry;

typedef struct {
  uint32_t path, path_len; /* arena */
  int32_t first_child, last_child;
} base_dir;

typedef struct {
  uint32_t at, len; /* arena */
} base_name;

struct base_files {
  base_entry *entries;
  size_t n;
  base_dir *dirs;
  size_t ndirs, dirs_cap;
  int32_t *table; /* open addressing: directory path -> index in dirs (-1 empty) */
  size_t table_size;
  base_name *names;
  size_t nnames, names_cap;
  char *arena;
  size_t arena_len, arena_cap;
};

/* ---- reading ---- */

typedef struct {
  const unsigned char *p, *end;
  bool bad;
} cursor;

static uint64_t get_uvar(cursor *c) {
  uint64_t n = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (c->p >= c->end) break;
    unsigned char b = *c->p++;
    n |= (uint64_t)(b & 0x7f) << shift;
    if (b < 0x80) return n;
  }
  c->bad = true;
  return 0;
}

/* A zigzag varint of up to 19 bytes (the encoder's BigInt deltas), as a 128-bit integer. */
static __int128 get_sbig(cursor *c) {
  unsigned __int128 z = 0;
  for (int shift = 0; shift <= 126; shift += 7) {
    if (c->p >= c->end) break;
    unsigned char b = *c->p++;
    z |= (unsigned __int128)(b & 0x7f) << shift;
    if (b < 0x80) return (z & 1) ? -(__int128)((z + 1) >> 1) : (__int128)(z >> 1);
  }
  c->bad = true;
  return 0;
}

static int64_t get_svar(cursor *c) {
  __int128 v = get_sbig(c);
  if (v > INT64_MAX || v < INT64_MIN) c->bad = true;
  return (int64_t)v;
}

static bool get_bytes(cursor *c, const unsigned char **s, size_t *len) {
  uint64_t n = get_uvar(c);
  if (c->bad || n > (uint64_t)(c->end - c->p)) return c->bad = true, false;
  *s = c->p;
  *len = (size_t)n;
  c->p += n;
  return true;
}

/* buf with room for `need` elements of `size` bytes: as it is when allocated and *cap holds them, else reallocated
 * to `first` elements or *cap doubled until they fit (*cap updated). NULL when out of memory (buf then stays). */
static void *grown(void *buf, size_t *cap, size_t need, size_t size, size_t first) {
  if (buf && need <= *cap) return buf;
  size_t c = *cap ? *cap : first;
  while (c < need) c *= 2;
  void *p = realloc(buf, c * size);
  if (p) *cap = c;
  return p;
}

static uint32_t arena_put(base_files *b, const void *s, size_t len) {
  if (b->arena_len + len > UINT32_MAX) return 0;
  char *arena = grown(b->arena, &b->arena_cap, b->arena_len + len, 1, 1 << 20);
  if (!arena) return 0;
  b->arena = arena;
  uint32_t at = (uint32_t)b->arena_len;
  memcpy(b->arena + at, s, len);
  b->arena_len += len;
  return at;
}

static uint64_t hash_bytes(const char *s, size_t len) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

static int32_t find_dir(const base_files *b, const char *path, size_t len) {
  if (!b->table) return -1;
  size_t mask = b->table_size - 1;
  for (size_t i = hash_bytes(path, len) & mask;; i = (i + 1) & mask) {
    int32_t d = b->table[i];
    if (d < 0) return -1;
    const base_dir *x = &b->dirs[d];
    if (x->path_len == len && memcmp(b->arena + x->path, path, len) == 0) return d;
  }
}

static bool table_insert(base_files *b, int32_t d) {
  if ((b->ndirs + 1) * 2 > b->table_size) {
    size_t size = b->table_size ? b->table_size * 2 : 1024;
    int32_t *t = malloc(size * sizeof *t);
    if (!t) return false;
    for (size_t i = 0; i < size; i++) t[i] = -1;
    free(b->table);
    b->table = t;
    b->table_size = size;
    for (size_t k = 0; k < b->ndirs; k++) { /* dirs[0..ndirs) are all in the table: insert them again */
      const base_dir *x = &b->dirs[k];
      size_t i = hash_bytes(b->arena + x->path, x->path_len) & (size - 1);
      while (t[i] >= 0) i = (i + 1) & (size - 1);
      t[i] = (int32_t)k;
    }
  }
  const base_dir *x = &b->dirs[d];
  size_t mask = b->table_size - 1;
  size_t i = hash_bytes(b->arena + x->path, x->path_len) & mask;
  while (b->table[i] >= 0) i = (i + 1) & mask;
  b->table[i] = d;
  return true;
}

/* Index of a user or group name in b->names (each distinct name once); -1 when out of room. */
static int32_t name_index(base_files *b, const unsigned char *s, size_t len) {
  for (size_t k = 0; k < b->nnames; k++)
    if (b->names[k].len == len && memcmp(b->arena + b->names[k].at, s, len) == 0) return (int32_t)k;
  if (b->nnames >= UINT16_MAX) return -1;
  base_name *names = grown(b->names, &b->names_cap, b->nnames + 1, sizeof *names, 16);
  if (!names) return -1;
  b->names = names;
  uint32_t at = arena_put(b, s, len);
  if (at == 0 && len > 0) return -1;
  b->names[b->nnames] = (base_name){at, (uint32_t)len};
  return (int32_t)b->nnames++;
}

static uint64_t u64le(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static uint32_t u32le(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The file's bytes, malloc'ed. */
static unsigned char *read_whole(const char *path, size_t *len) {
  int fd;
  do fd = open(path, O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return NULL;
  struct stat st;
  unsigned char *buf = NULL;
  if (fstat(fd, &st) != 0) goto fail;
  size_t size = (size_t)st.st_size;
  if (!(buf = malloc(size > 0 ? size : 1))) goto fail;
  size_t got = 0;
  while (got < size) {
    ssize_t r = read(fd, buf + got, size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) goto fail;
    if (r == 0) break;
    got += (size_t)r;
  }
  close(fd);
  *len = got;
  return buf;
fail:;
  int e = errno;
  free(buf);
  close(fd);
  errno = e;
  return NULL;
}

/* Adds one decoded record; false when out of memory. */
static bool add_entry(base_files *b, const char *path, size_t path_len, base_entry *e, int32_t *cached_dir, size_t *cached_len) {
  size_t slash = path_len;
  while (slash > 0 && path[slash - 1] != '/') slash--;
  /* parent: path[0..slash-1), "/" for a top-level name; none for "/" itself or a relative path without '/' */
  e->dir = -1;
  if (slash > 0 && !(path_len == 1 && path[0] == '/')) {
    size_t plen = slash == 1 ? 1 : slash - 1;
    if (*cached_dir >= 0 && *cached_len == plen && memcmp(b->arena + b->dirs[*cached_dir].path, path, plen) == 0)
      e->dir = *cached_dir;
    else if ((e->dir = find_dir(b, path, plen)) >= 0) {
      *cached_dir = e->dir;
      *cached_len = plen;
    }
  }
  size_t name_len = path_len - slash;
  if (name_len > UINT16_MAX) e->type = NO_MATCH;
  e->name_len = (uint16_t)(name_len > UINT16_MAX ? 0 : name_len);
  e->name = arena_put(b, path + slash, e->name_len);
  if (e->name == 0 && e->name_len > 0) return false;
  e->next_sibling = -1;
  int32_t self = (int32_t)b->n;
  if (e->dir >= 0) {
    base_dir *p = &b->dirs[e->dir];
    if (p->last_child >= 0) b->entries[p->last_child].next_sibling = self;
    else p->first_child = self;
    p->last_child = self;
  }
  b->entries[b->n++] = *e;
  if (e->type == TYPE_DIR && find_dir(b, path, path_len) < 0) {
    base_dir *dirs = grown(b->dirs, &b->dirs_cap, b->ndirs + 1, sizeof *dirs, 256);
    if (!dirs) return false;
    b->dirs = dirs;
    uint32_t at = arena_put(b, path, path_len);
    if (at == 0) return false;
    b->dirs[b->ndirs] = (base_dir){at, (uint32_t)path_len, -1, -1};
    if (!table_insert(b, (int32_t)b->ndirs)) return false;
    b->ndirs++;
  }
  return true;
}

/* Decodes one block payload (decodeBlock's reading) into b; false (errno) when it does not decode. */
static bool decode_block(base_files *b, const unsigned char *payload, size_t len, uint32_t count, char **scratch, size_t *scratch_cap) {
  cursor c = {payload, payload + len, false};
  size_t prev_len = 0;
  int32_t block_names[512];
  size_t nblock_names = 0;
  __int128 prev_t = 0; /* previous mtime in ns */
  int64_t prev_ino = 0;
  int32_t cached_dir = -1;
  size_t cached_len = 0;
  for (uint32_t k = 0; k < count; k++) {
    base_entry e;
    memset(&e, 0, sizeof e);
    uint64_t shared = get_uvar(&c);
    const unsigned char *suffix, *s;
    size_t suffix_len, slen;
    if (c.bad || shared > prev_len || !get_bytes(&c, &suffix, &suffix_len)) goto bad;
    size_t path_len = (size_t)shared + suffix_len;
    char *path = grown(*scratch, scratch_cap, path_len, 1, 4096);
    if (!path) return errno = ENOMEM, false;
    *scratch = path;
    memcpy(*scratch + shared, suffix, suffix_len);
    prev_len = path_len;
    if (c.p >= c.end) goto bad;
    unsigned char flags = *c.p++;
    e.type = flags & 0x0f;
    if (e.type >= 8 || (flags >> 4) > 2) goto bad;
    uint64_t mode = get_uvar(&c), uid = get_uvar(&c), gid = get_uvar(&c);
    if (mode > UINT32_MAX || uid > UINT32_MAX || gid > UINT32_MAX) e.type = NO_MATCH;
    e.mode = (uint32_t)mode;
    e.uid = (uint32_t)uid;
    e.gid = (uint32_t)gid;
    for (int which = 0; which < 2; which++) {
      uint64_t ref = get_uvar(&c);
      int32_t idx;
      if (c.bad) goto bad;
      if (ref == 0) {
        if (!get_bytes(&c, &s, &slen)) goto bad;
        if ((idx = name_index(b, s, slen)) < 0 || nblock_names == sizeof block_names / sizeof block_names[0]) {
          e.type = NO_MATCH; /* more names than held: the record is kept, never matched */
          idx = 0;
        } else {
          block_names[nblock_names++] = idx;
        }
      } else {
        if (ref > nblock_names) goto bad;
        idx = block_names[ref - 1];
      }
      if (which == 0) e.user = (uint16_t)idx;
      else e.group = (uint16_t)idx;
    }
    e.size = get_uvar(&c);
    __int128 t = prev_t + get_sbig(&c);
    prev_t = t;
    __int128 sec = t / 1000000000;
    __int128 ns = t % 1000000000;
    if (ns < 0) {
      ns += 1000000000;
      sec -= 1;
    }
    if (sec > INT64_MAX / 2 || sec < INT64_MIN / 2) e.type = NO_MATCH;
    e.mt_sec = (int64_t)sec;
    e.mt_ns = (uint32_t)ns;
    e.ctime = e.mt_sec + get_svar(&c);
    (void)get_svar(&c); /* atime */
    e.ino = prev_ino + get_svar(&c);
    prev_ino = e.ino;
    (void)get_svar(&c); /* dev */
    (void)get_svar(&c); /* offset */
    if (!get_bytes(&c, &s, &slen) || c.bad) goto bad;
    if (slen > 0) {
      e.link_len = (uint32_t)slen;
      if ((e.link = arena_put(b, s, slen)) == 0) return errno = ENOMEM, false;
    }
    if (!add_entry(b, *scratch, path_len, &e, &cached_dir, &cached_len)) return errno = ENOMEM, false;
  }
  if (c.p != c.end) goto bad;
  return true;
bad:
  errno = EINVAL;
  return false;
}

base_files *base_load(const char *path, uint64_t max_records) {
  size_t len;
  unsigned char *f = read_whole(path, &len);
  if (!f) return NULL;
  base_files *b = calloc(1, sizeof *b);
  size_t scratch_cap = 4096;
  char *scratch = malloc(scratch_cap);
  int err = ENOMEM;
  if (!b || !scratch) goto fail;
  err = EINVAL;
  if (len < 16 + 48 || memcmp(f, "OBPFILES", 8) != 0 || u32le(f + 8) != 1 || memcmp(f + len - 48, "OBPFEND1", 8) != 0) goto fail;
  uint64_t entries = u64le(f + len - 48 + 24), data_end = u64le(f + len - 48 + 40);
  if (data_end > len - 48 || data_end < 16 || entries >= INT32_MAX) goto fail;
  if (entries > max_records) {
    err = EFBIG;
    goto fail;
  }
  err = ENOMEM;
  if (!(b->entries = malloc((entries > 0 ? entries : 1) * sizeof *b->entries))) goto fail;
  if (arena_put(b, "", 1) != 0) goto fail; /* offset 0 means "none" */
  for (size_t at = 16; at < data_end;) {
    err = EINVAL;
    if (data_end - at < 9) goto fail;
    uint32_t plen = u32le(f + at), count = u32le(f + at + 4);
    unsigned char codec = f[at + 8];
    at += 9;
    if (codec != 0 || plen > data_end - at || count > entries - b->n) goto fail;
    if (!decode_block(b, f + at, plen, count, &scratch, &scratch_cap)) {
      err = errno == ENOMEM ? ENOMEM : EINVAL;
      goto fail;
    }
    at += plen;
  }
  err = EINVAL;
  if (b->n != entries) goto fail;
  free(scratch);
  free(f);
  return b;
fail:
  free(scratch);
  free(f);
  base_free(b);
  errno = err;
  return NULL;
}

void base_free(base_files *b) {
  if (!b) return;
  free(b->entries);
  free(b->dirs);
  free(b->table);
  free(b->names);
  free(b->arena);
  free(b);
}

size_t base_count(const base_files *b) {
  return b->n;
}

/* ---- matching ---- */

bool base_children_of(const base_files *b, const char *dir, size_t dir_len, base_children *c) {
  int32_t d = find_dir(b, dir, dir_len);
  c->b = b;
  c->next = d >= 0 ? b->dirs[d].first_child : -1;
  return d >= 0;
}

static int type_of_mode(mode_t m) {
  if (S_ISREG(m)) return TYPE_FILE;
  if (S_ISLNK(m)) return TYPE_SYMLINK;
  if (S_ISFIFO(m)) return TYPE_FIFO;
  if (S_ISCHR(m)) return TYPE_CHAR;
  if (S_ISBLK(m)) return TYPE_BLOCK;
  return -1; /* directories (always written) and sockets (never) */
}

static int name_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  int r = memcmp(a, b, alen < blen ? alen : blen);
  return r != 0 ? r : (alen > blen) - (alen < blen);
}

int32_t base_match_next(base_children *c, const char *name, const struct stat *st, int dfd) {
  const base_files *b = c->b;
  size_t len = strlen(name);
  while (c->next >= 0) {
    const base_entry *e = &b->entries[c->next];
    int r = name_cmp(b->arena + e->name, e->name_len, name, len);
    if (r > 0) return -1;
    int32_t i = c->next;
    c->next = e->next_sibling;
    if (r < 0) continue;
    int type = type_of_mode(st->st_mode);
    if (type < 0 || e->type != type || st->st_nlink > 1) return -1;
    if (e->size != (type == TYPE_FILE ? (uint64_t)st->st_size : 0) || e->ino != (int64_t)st->st_ino ||
        e->mode != (uint32_t)(st->st_mode & 07777) || e->uid != (uint32_t)st->st_uid || e->gid != (uint32_t)st->st_gid ||
        e->mt_sec != (int64_t)st->st_mtim.tv_sec || e->mt_ns != (uint32_t)st->st_mtim.tv_nsec || e->ctime != (int64_t)st->st_ctim.tv_sec)
      return -1;
    if (type == TYPE_SYMLINK) {
      char target[PATH_MAX + 1];
      ssize_t n = readlinkat(dfd, name, target, sizeof target);
      if (n < 0 || (size_t)n != e->link_len || n > PATH_MAX || memcmp(target, b->arena + e->link, (size_t)n) != 0) return -1;
    } else if (e->link_len != 0) {
      return -1;
    }
    return i;
  }
  return -1;
}

/* ---- the block encoder ---- */

typedef struct {
  char *s;
  size_t len;
} owned_name;

struct block_encoder {
  unsigned char *buf;
  size_t len, cap;
  char *prev;
  size_t prev_len, prev_cap;
  int64_t prev_sec, prev_ns, prev_ino, prev_dev, prev_off;
  owned_name *names;
  size_t nnames, names_cap;
};

block_encoder *encoder_new(void) {
  return calloc(1, sizeof(block_encoder));
}

void encoder_reset(block_encoder *e) {
  for (size_t k = 0; k < e->nnames; k++) free(e->names[k].s);
  e->nnames = 0;
  e->len = e->prev_len = 0;
  e->prev_sec = e->prev_ns = e->prev_ino = e->prev_dev = e->prev_off = 0;
}

void encoder_free(block_encoder *e) {
  if (!e) return;
  encoder_reset(e);
  free(e->names);
  free(e->buf);
  free(e->prev);
  free(e);
}

static bool room(block_encoder *e, size_t n) {
  unsigned char *buf = grown(e->buf, &e->cap, e->len + n, 1, 1 << 16);
  if (!buf) return false;
  e->buf = buf;
  return true;
}

/* (room for 20 bytes made by the caller) */
static void put_uvar(block_encoder *e, unsigned __int128 n) {
  while (n >= 128) {
    e->buf[e->len++] = (unsigned char)((n & 127) | 0x80);
    n >>= 7;
  }
  e->buf[e->len++] = (unsigned char)n;
}

static void put_svar(block_encoder *e, __int128 n) {
  put_uvar(e, n >= 0 ? (unsigned __int128)n << 1 : ((unsigned __int128)(-n) << 1) - 1);
}

static bool put_bytes(block_encoder *e, const char *s, size_t n) {
  if (!room(e, n + 20)) return false;
  put_uvar(e, n);
  memcpy(e->buf + e->len, s, n);
  e->len += n;
  return true;
}

static bool put_name(block_encoder *e, const char *s, size_t n) {
  for (size_t k = 0; k < e->nnames; k++)
    if (e->names[k].len == n && memcmp(e->names[k].s, s, n) == 0) {
      if (!room(e, 20)) return false;
      put_uvar(e, k + 1);
      return true;
    }
  owned_name *names = grown(e->names, &e->names_cap, e->nnames + 1, sizeof *names, 8);
  if (!names) return false;
  e->names = names;
  char *copy = malloc(n > 0 ? n : 1);
  if (!copy) return false;
  memcpy(copy, s, n);
  e->names[e->nnames++] = (owned_name){copy, n};
  if (!room(e, 20)) return false;
  put_uvar(e, 0);
  return put_bytes(e, s, n);
}

bool encoder_add(block_encoder *e, const char *path, size_t path_len, int type, int in_image, uint64_t mode, uint64_t uid,
                 uint64_t gid, const char *user, size_t user_len, const char *group, size_t group_len, uint64_t size,
                 int64_t mt_sec, int64_t mt_ns, int64_t ctime, int64_t atime, int64_t ino, int64_t dev, int64_t offset,
                 const char *link, size_t link_len) {
  size_t shared = 0, n = path_len < e->prev_len ? path_len : e->prev_len;
  while (shared < n && e->prev[shared] == path[shared]) shared++;
  if (!room(e, 20)) return false;
  put_uvar(e, shared);
  if (!put_bytes(e, path + shared, path_len - shared)) return false;
  char *prev = grown(e->prev, &e->prev_cap, path_len, 1, 4096);
  if (!prev) return false;
  e->prev = prev;
  memcpy(e->prev + shared, path + shared, path_len - shared);
  e->prev_len = path_len;
  if (!room(e, 80)) return false;
  e->buf[e->len++] = (unsigned char)(type | in_image << 4);
  put_uvar(e, mode);
  put_uvar(e, uid);
  put_uvar(e, gid);
  if (!put_name(e, user, user_len) || !put_name(e, group, group_len) || !room(e, 120)) return false;
  put_uvar(e, size);
  put_svar(e, ((__int128)mt_sec - e->prev_sec) * 1000000000 + (mt_ns - e->prev_ns));
  e->prev_sec = mt_sec;
  e->prev_ns = mt_ns;
  put_svar(e, (__int128)ctime - mt_sec);
  put_svar(e, (__int128)atime - mt_sec);
  put_svar(e, (__int128)ino - e->prev_ino);
  e->prev_ino = ino;
  put_svar(e, (__int128)dev - e->prev_dev);
  e->prev_dev = dev;
  put_svar(e, (__int128)offset - e->prev_off);
  e->prev_off = offset;
  if (!put_bytes(e, link, link_len)) return false;
  return true;
}

bool encoder_add_base(block_encoder *e, const base_files *b, int32_t i, int64_t atime, int64_t dev) {
  const base_entry *x = &b->entries[i];
  const base_dir *d = &b->dirs[x->dir];
  size_t dlen = d->path_len == 1 ? 0 : d->path_len; /* "/" + name for the root's children */
  size_t len = dlen + 1 + x->name_len;
  char stack[4096];
  char *path = len <= sizeof stack ? stack : malloc(len);
  if (!path) return false;
  memcpy(path, b->arena + d->path, dlen);
  path[dlen] = '/';
  memcpy(path + dlen + 1, b->arena + x->name, x->name_len);
  const base_name *u = &b->names[x->user], *g = &b->names[x->group];
  bool ok = encoder_add(e, path, len, x->type, 0, x->mode, x->uid, x->gid, b->arena + u->at, u->len, b->arena + g->at, g->len, x->size,
                        x->mt_sec, x->mt_ns, x->ctime, atime, x->ino, dev, 0, b->arena + x->link, x->link_len);
  if (path != stack) free(path);
  return ok;
}

size_t encoder_length(const block_encoder *e) {
  return e->len;
}

const unsigned char *encoder_bytes(const block_encoder *e) {
  return e->buf;
}
