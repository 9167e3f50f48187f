// The one description of a tar entry that the writer encodes and the reader yields (paths are byte strings).

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'fifo' | 'char' | 'block';

export interface TarEntry {
  /** Byte string (latin1, one char per byte) as it appears in the stream; directories without the trailing '/'. */
  path: string;
  type: EntryType;
  /** Permission bits including setuid/setgid/sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  /** Byte strings; '' when unknown. */
  uname: string;
  gname: string;
  /** Body size in bytes; 0 for everything but regular files. */
  size: number;
  /** Nanoseconds since the epoch. */
  mtimeNs: bigint;
  atimeNs?: bigint;
  ctimeNs?: bigint;
  /** Symlink target, or the stream path of a hard link's first entry (byte string); '' otherwise. */
  linkpath: string;
  devmajor: number;
  devminor: number;
  /**
   * A sparse regular file's data segments (PAX 1.0 sparse form): the body carries only these bytes, `size` stays
   * the real size. Absent for ordinary files.
   */
  sparse?: Array<{ offset: number; length: number }>;
  /** Pax records this codec does not interpret (e.g. SCHILY.xattr.*), values as byte strings; kept for later. */
  extra?: Record<string, string>;
}

export const BLOCK = 512;
/** GNU tar's default record: the archive is padded to a multiple of this. */
export const RECORD = 10240;

/** Bytes the entry's body holds in the stream: the data segments for a sparse file (map excluded), else size. */
export function storedDataSize(entry: TarEntry): number {
  if (entry.type !== 'file') return 0;
  if (!entry.sparse) return entry.size;
  let n = 0;
  for (const s of entry.sparse) n += s.length;
  return n;
}

/** Bytes of zero padding after a body of `size` bytes. */
export function paddingFor(size: number): number {
  const r = size % BLOCK;
  return r === 0 ? 0 : BLOCK - r;
}

export function makeEntry(fields: Partial<TarEntry> & Pick<TarEntry, 'path' | 'type'>): TarEntry {
  return {
    mode: fields.type === 'directory' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: 0,
    mtimeNs: 0n,
    linkpath: '',
    devmajor: 0,
    devminor: 0,
    ...fields,
  };
}
