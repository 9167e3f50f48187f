/* An incremental's base in C: the base image's .f records held in memory, matched with directory listings as they are
 * made (on the listing thread too), and a .f block encoder that writes an unchanged file's record from its base record
 * without it passing through JS. The .f format is the one src/formats/files-file.ts declares (version 1); this file
 * reads and writes its block payloads only. No N-API here: openbp-sys.c holds the JS functions. */
#ifndef OPENBP_INCREMENTAL_BASE_H
#define OPENBP_INCREMENTAL_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

typedef struct base_files base_files;

/* Reads a .f file whole into memory (about 100 bytes a record). NULL with errno set (EINVAL: not a .f this reader
 * knows, or corrupt; EFBIG: more than max_records records). */
base_files *base_load(const char *path, uint64_t max_records);
void base_free(base_files *b);
size_t base_count(const base_files *b);

/* A walk through the base records of one directory's children, in the base's order (names in byte order). */
typedef struct {
  const base_files *b;
  int32_t next;
} base_children;

/* Starts `c` at the first child of directory `dir` (an absolute path); false when the base holds no such directory. */
bool base_children_of(const base_files *b, const char *dir, size_t dir_len, base_children *c);
/* The base record of entry `name` of the directory (names asked in byte order) when it holds the version `st` (an
 * lstat) describes: same type, size, modification time, inode change second, inode, mode, owner, and for a symbolic
 * link the same target (read relative to dfd). Directories, sockets and files with more than one link never match
 * (an incremental writes them). -1 when not. */
int32_t base_match_next(base_children *c, const char *name, const struct stat *st, int dfd);

/* ---- the block encoder: one .f block payload at a time ---- */
typedef struct block_encoder block_encoder;

block_encoder *encoder_new(void);
void encoder_free(block_encoder *e);
/* Appends one entry (fields as FilesEntry holds them; mtime as floor seconds and nanoseconds 0..999999999);
 * false when out of memory. */
bool encoder_add(block_encoder *e, const char *path, size_t path_len, int type, int in_image, uint64_t mode, uint64_t uid,
                 uint64_t gid, const char *user, size_t user_len, const char *group, size_t group_len, uint64_t size,
                 int64_t mt_sec, int64_t mt_ns, int64_t ctime, int64_t atime, int64_t ino, int64_t dev, int64_t offset,
                 const char *link, size_t link_len);
/* Appends base record i as an unchanged file of this image: in_image 0, offset 0, with the access time and device of
 * the walk's lstat. */
bool encoder_add_base(block_encoder *e, const base_files *b, int32_t i, int64_t atime, int64_t dev);
size_t encoder_length(const block_encoder *e);
const unsigned char *encoder_bytes(const block_encoder *e);
/* Starts the next block (prefix compression, deltas and the user/group table restart). */
void encoder_reset(block_encoder *e);

#endif
