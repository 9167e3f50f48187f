// bpdbm's image catalogue: headers and .f files under db/images, pending until commit, never half-listed.

import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, syncDir } from '../../config/atomic-file.js';
import { BLOCKS_SUFFIX, FILES_SUFFIX, PENDING_SUFFIX, backupIdOf, imagePaths, isSafeComponent, type ImagePaths } from '../../formats/catalog-paths.js';
import { FilesReader, FilesWriter, decodeBlock, hasParent, parentKey, type FilesEntryInput } from '../../formats/files-file.js';
import { DIR, verifyBlock, type BlockLayout } from '../../formats/block-layout.js';
import { FormatError } from '../../formats/varint.js';
import { parseImageHeader, serializeImageHeader } from '../../formats/image-header.js';
import { OpenbpError } from '../../protocol/errors.js';
import { backupIdExists } from '../../protocol/bpdbm.js';
import { normalizeAbsolute } from '../../protocol/byte-path.js';
import type { FileRecord, FragmentRecord, ImageRecord } from '../../protocol/records.js';

export interface ImageFilter {
  client?: string;
  backupid?: string;
  policy?: string;
  since?: number;
  until?: number;
  includeIncomplete?: boolean;
}

interface Committed {
  image: ImageRecord;
  paths: ImagePaths;
}

interface Pending {
  image: ImageRecord;
  paths: ImagePaths;
  /** Directories already in the .f (real or synthesised), to add missing ancestors of each entry once. */
  dirs?: Set<string>;
  /** Absent for images left pending by an earlier bpdbm (they can only be aborted). */
  writer?: FilesWriter;
}

/** Normalises a catalogue path: absolute paths lose '//', '/./' and a trailing '/'. */
export function catalogPath(p: string): string {
  return p.startsWith('/') ? normalizeAbsolute(p) : p;
}

/** True when addFiles would write the block's entries unchanged (and then notes its directories in `dirs`). */
function blockFitsAsIs(layout: BlockLayout, dirs: Set<string>): boolean {
  if (!layout.plain) return false;
  const { kinds, keys } = layout;
  const added = new Set<string>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (kinds[i] === DIR) added.add(key);
    else if (key !== '' && !dirs.has(key) && !added.has(key)) return false;
  }
  for (const d of added) dirs.add(d);
  return true;
}

/** Ancestors of `path` not yet in `dirs`, top first; they are added to `dirs`. */
function missingAncestors(path: string, dirs: Set<string>): string[] {
  const out: string[] = [];
  let a = parentKey(path);
  while (a !== '' && !dirs.has(a)) {
    out.push(a);
    dirs.add(a);
    a = parentKey(a);
  }
  return out.reverse();
}

/** A directory entry for an ancestor the client did not send: owner and times borrowed from the entry below it. */
function ancestorEntry(path: string, child: FileRecord): FilesEntryInput {
  return { ...child, path, type: 'd', mode: 0o40755, size: 0, ino: 0, offset: 0, link: '', inImage: 0 };
}

function unlinkQuiet(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function appendSynced(file: string, data: Buffer): void {
  const fd = fs.openSync(file, 'a', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function readDirQuiet(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** A .f or .blk left without its header (crash inside deleteImage): nothing lists it, so it is removed. */
function sweepOrphanFiles(dir: string, name: string, log: (line: string) => void): void {
  const header = path.join(dir, name.slice(0, -(name.endsWith(BLOCKS_SUFFIX) ? BLOCKS_SUFFIX : FILES_SUFFIX).length));
  if (fs.existsSync(header) || fs.existsSync(header + PENDING_SUFFIX)) return;
  unlinkQuiet(path.join(dir, name));
  log(`removed ${path.join(dir, name)}: its image was deleted`);
}

/** Every header file found on disk, committed or pending (a pending header whose final header exists is stale). */
function scanHeaders(imagesRoot: string, log: (line: string) => void): { committed: Committed[]; pending: Pending[] } {
  const committed: Committed[] = [];
  const pending: Pending[] = [];
  for (const c of readDirQuiet(imagesRoot)) {
    if (!c.isDirectory()) continue;
    for (const b of readDirQuiet(path.join(imagesRoot, c.name))) {
      if (!b.isDirectory() || !/^\d{10}$/.test(b.name)) continue;
      const dir = path.join(imagesRoot, c.name, b.name);
      for (const f of readDirQuiet(dir)) {
        const name = f.name;
        if (f.isFile() && (name.endsWith(FILES_SUFFIX) || name.endsWith(BLOCKS_SUFFIX))) {
          sweepOrphanFiles(dir, name, log);
          continue;
        }
        if (!f.isFile() || name.startsWith('.') || name.endsWith(FILES_SUFFIX + PENDING_SUFFIX) || name.endsWith(BLOCKS_SUFFIX + PENDING_SUFFIX)) continue;
        const isPending = name.endsWith(PENDING_SUFFIX);
        const file = path.join(dir, name);
        let image: ImageRecord;
        try {
          image = parseImageHeader(fs.readFileSync(file, 'latin1'));
        } catch (e) {
          log(`skipping unreadable image header ${file}: ${(e as Error).message}`);
          continue;
        }
        const paths = imagePaths(imagesRoot, image);
        if (isPending) {
          if (fs.existsSync(paths.header)) {
            // Crash between the final header's rename and the pending header's removal: the image is complete.
            unlinkQuiet(paths.pendingHeader);
            continue;
          }
          pending.push({ image, paths });
        } else committed.push({ image, paths });
      }
    }
  }
  return { committed, pending };
}

/** Images left pending on disk (e.g. by a crash): nbjm closes their jobs and reclaims their fragments. */
export function pendingImagesOnDisk(imagesRoot: string, log: (line: string) => void = () => {}): ImageRecord[] {
  return scanHeaders(imagesRoot, log).pending.map((p) => p.image);
}

function newestFirst(a: ImageRecord, b: ImageRecord): number {
  return b.backupTime - a.backupTime || (a.backupid < b.backupid ? 1 : a.backupid > b.backupid ? -1 : 0);
}

/** The catalogue of images: one instance per bpdbm process (the single writer of db/images). */
export class ImageStore {
  private readonly committed = new Map<string, Committed>();
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly imagesRoot: string, private readonly log: (line: string) => void) {
    fs.mkdirSync(imagesRoot, { recursive: true, mode: 0o700 });
    const found = scanHeaders(imagesRoot, log);
    for (const c of found.committed) this.committed.set(c.image.backupid, c);
    for (const p of found.pending) this.pending.set(p.image.backupid, p);
    if (found.pending.length > 0) log(`${found.pending.length} image(s) left pending by an earlier run: ${found.pending.map((p) => p.image.backupid).join(' ')}`);
  }

  createImage(image: ImageRecord): void {
    if (!isSafeComponent(image.client)) throw new OpenbpError('INVALID_REQUEST', `client name '${image.client}' cannot be catalogued`);
    if (!isSafeComponent(image.policy)) throw new OpenbpError('INVALID_REQUEST', `policy name '${image.policy}' cannot be catalogued`);
    if (image.backupid !== backupIdOf(image.client, image.backupTime) && image.backupid !== `${image.client}_${image.backupTime}`) {
      throw new OpenbpError('INVALID_REQUEST', `backup id ${image.backupid} does not match client ${image.client} and backup time ${image.backupTime}`);
    }
    if (this.committed.has(image.backupid) || this.pending.has(image.backupid)) {
      throw backupIdExists(image.backupid);
    }
    const paths = imagePaths(this.imagesRoot, image);
    fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    const rec: ImageRecord = { ...image, fragments: [...image.fragments], numFragments: image.fragments.length };
    writeFileAtomic(paths.pendingHeader, Buffer.from(serializeImageHeader(rec), 'latin1'));
    unlinkQuiet(paths.pendingFiles);
    unlinkQuiet(paths.pendingBlocks);
    const writer = FilesWriter.create(paths.pendingFiles);
    this.pending.set(image.backupid, { image: rec, paths, writer, dirs: new Set() });
    this.log(`created image ${image.backupid}`);
  }

  private live(backupid: string): Pending & { writer: FilesWriter } {
    const p = this.pending.get(backupid);
    if (!p) {
      if (this.committed.has(backupid)) throw new OpenbpError('INVALID_REQUEST', `image ${backupid} is already committed`);
      throw new OpenbpError('NO_ENTITY', `no image ${backupid} is being written`);
    }
    if (!p.writer) throw new OpenbpError('DATABASE_ERROR', `image ${backupid} was interrupted by a bpdbm restart; it can only be aborted`);
    return p as Pending & { writer: FilesWriter };
  }

  /**
   * Appends entries in walk order. Ancestors of an entry that the client did not send (the directories
   * above a backup selection) are recorded first as directory entries not in the image (in_image 0),
   * so that browsing from '/' reaches every selection, as in NetBackup's catalogue.
   */
  addFiles(backupid: string, files: readonly FileRecord[]): void {
    const p = this.live(backupid);
    const dirs = (p.dirs ??= new Set());
    const out: FilesEntryInput[] = [];
    // Records come in walk order: most share the previous one's parent, already known to be in the .f.
    let knownParent = '';
    for (const f of files) {
      const normal = f.path.startsWith('/') ? catalogPath(f.path) : f.path;
      const rec = normal === f.path ? f : { ...f, path: normal };
      if (rec.path.startsWith('/') && !hasParent(rec.path, knownParent)) {
        for (const a of missingAncestors(rec.path, dirs)) out.push(ancestorEntry(a, rec));
        knownParent = parentKey(rec.path);
      }
      if (rec.type === 'd') dirs.add(rec.path);
      out.push({ ...rec, inImage: rec.inImage === 0 ? 0 : 1 });
    }
    p.writer.add(out);
  }

  /**
   * Appends `count` entries that come as one .f block payload (bpbkar's file-block events). A block of
   * normal absolute paths whose parents are known, in_image 0 or 1, goes into the .f as it is; any other
   * (the first of a selection, whose ancestors are missing) is decoded and added as addFiles does.
   * A payload that does not decode is refused whole (133) and nothing of it is written.
   */
  addFileBlock(backupid: string, payload: Buffer, count: number): void {
    const p = this.live(backupid);
    let layout: BlockLayout;
    try {
      layout = verifyBlock(payload, count);
    } catch (e) {
      if (e instanceof FormatError) throw new OpenbpError('INVALID_REQUEST', `image ${backupid}: corrupt block of file records (${e.message})`);
      throw e;
    }
    const dirs = (p.dirs ??= new Set());
    if (!blockFitsAsIs(layout, dirs)) {
      this.addFiles(backupid, decodeBlock(payload, count));
      return;
    }
    p.writer.addBlock(payload, layout);
  }

  /** Records a fragment; its block index section (when given) is appended to the image's .blk first, synced. */
  addFragment(backupid: string, fragment: FragmentRecord, blocks?: Buffer): void {
    const p = this.live(backupid);
    if (blocks && blocks.length > 0) appendSynced(p.paths.pendingBlocks, blocks);
    p.image = { ...p.image, fragments: [...p.image.fragments, fragment], numFragments: p.image.fragments.length + 1 };
    writeFileAtomic(p.paths.pendingHeader, Buffer.from(serializeImageHeader(p.image), 'latin1'));
  }

  commitImage(req: { backupid: string; kbytes: number; numFiles: number; elapsed: number; backupStatus: number }): ImageRecord {
    const p = this.live(req.backupid);
    p.writer.finish();
    fs.renameSync(p.paths.pendingFiles, p.paths.files);
    if (fs.existsSync(p.paths.pendingBlocks)) fs.renameSync(p.paths.pendingBlocks, p.paths.blocks);
    const copies = p.image.fragments.reduce((m, f) => Math.max(m, f.copy), 0) || p.image.copies;
    const image: ImageRecord = {
      ...p.image,
      kbytes: req.kbytes,
      numFiles: req.numFiles,
      elapsed: req.elapsed,
      backupStatus: req.backupStatus,
      numFragments: p.image.fragments.length,
      copies,
    };
    // The final header's rename is the commit point; the pending header is stale from then on.
    writeFileAtomic(p.paths.header, Buffer.from(serializeImageHeader(image), 'latin1'));
    unlinkQuiet(p.paths.pendingHeader);
    syncDir(p.paths.dir);
    this.pending.delete(req.backupid);
    this.committed.set(req.backupid, { image, paths: p.paths });
    this.log(`committed image ${req.backupid}: ${image.numFiles} files, ${image.kbytes} KB, status ${image.backupStatus}`);
    return image;
  }

  abortImage(backupid: string): FragmentRecord[] {
    const p = this.pending.get(backupid);
    if (!p) {
      if (this.committed.has(backupid)) throw new OpenbpError('INVALID_REQUEST', `image ${backupid} is committed; expire it instead`);
      throw new OpenbpError('NO_ENTITY', `no image ${backupid} is being written`);
    }
    p.writer?.abandon();
    unlinkQuiet(p.paths.pendingFiles);
    unlinkQuiet(p.paths.pendingBlocks);
    if (!fs.existsSync(p.paths.header)) {
      unlinkQuiet(p.paths.files);
      unlinkQuiet(p.paths.blocks);
    }
    unlinkQuiet(p.paths.pendingHeader);
    syncDir(p.paths.dir);
    this.pending.delete(backupid);
    this.log(`aborted image ${backupid} (${p.image.fragments.length} fragments to reclaim)`);
    return p.image.fragments;
  }

  /** The committed image `backupid` (of `client` when given), or 227. */
  private committedImage(backupid: string, client: string | undefined): Committed {
    const c = this.committed.get(backupid);
    if (!c || (client !== undefined && c.image.client !== client)) {
      throw new OpenbpError('NO_ENTITY', `no image ${backupid}${client !== undefined ? ` of client ${client}` : ''} in the catalogue`);
    }
    return c;
  }

  /** Sets a committed image's expiration and its fragments'; the header is replaced atomically (temp, fsync, rename). */
  setExpiration(backupid: string, expiration: number, client?: string): ImageRecord {
    const c = this.committedImage(backupid, client);
    const image: ImageRecord = { ...c.image, expiration, fragments: c.image.fragments.map((f) => ({ ...f, expiration })) };
    writeFileAtomic(c.paths.header, Buffer.from(serializeImageHeader(image), 'latin1'));
    c.image = image;
    this.log(`image ${backupid}: expiration set to ${expiration}`);
    return image;
  }

  /**
   * Removes a committed image. The header's unlink (then the directory's fsync) is the point from which
   * the image is no longer listed; the .f goes after it (a crash in between leaves only an unlisted .f,
   * swept at the next start). Returns the image; its fragments are the caller's to reclaim.
   */
  deleteImage(backupid: string, client?: string): ImageRecord {
    const c = this.committedImage(backupid, client);
    unlinkQuiet(c.paths.header);
    syncDir(c.paths.dir);
    this.committed.delete(backupid);
    unlinkQuiet(c.paths.files);
    unlinkQuiet(c.paths.blocks);
    syncDir(c.paths.dir);
    try {
      fs.rmdirSync(c.paths.dir);
    } catch {
      // not empty: other images of the bucket
    }
    this.log(`deleted image ${backupid} (${c.image.fragments.length} fragments to reclaim)`);
    return c.image;
  }

  /**
   * Moves a committed image's header, .f and .blk under `asideRoot` (same <client>/<bucket>/ layout):
   * it is no longer listed or restorable, and its files stay for inspection. Used by the repair for
   * images whose file list or fragments are gone.
   */
  moveAside(backupid: string, asideRoot: string): ImageRecord {
    const c = this.committedImage(backupid, undefined);
    const dir = path.join(asideRoot, path.relative(this.imagesRoot, c.paths.dir));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The header first: from its rename on the image is unlisted (a crash after it leaves a .f swept at start).
    fs.renameSync(c.paths.header, path.join(dir, path.basename(c.paths.header)));
    syncDir(c.paths.dir);
    this.committed.delete(backupid);
    for (const f of [c.paths.files, c.paths.blocks]) {
      try {
        fs.renameSync(f, path.join(dir, path.basename(f)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    syncDir(dir);
    syncDir(c.paths.dir);
    this.log(`moved image ${backupid} aside to ${dir}`);
    return c.image;
  }

  /** Ids of images being written now by this bpdbm (a repair must not run beside them). */
  writing(): string[] {
    return [...this.pending.values()].filter((p) => p.writer).map((p) => p.image.backupid);
  }

  /** Pending images (being written, or left by an earlier run). */
  pendingImages(): ImageRecord[] {
    return [...this.pending.values()].map((p) => p.image).sort(newestFirst);
  }

  listImages(filter: ImageFilter): ImageRecord[] {
    const out: ImageRecord[] = [];
    const consider = (image: ImageRecord) => {
      if (filter.client !== undefined && image.client !== filter.client) return;
      if (filter.backupid !== undefined && image.backupid !== filter.backupid) return;
      if (filter.policy !== undefined && image.policy !== filter.policy) return;
      if (filter.since !== undefined && image.backupTime < filter.since) return;
      if (filter.until !== undefined && image.backupTime > filter.until) return;
      out.push(image);
    };
    if (filter.backupid !== undefined) {
      const c = this.committed.get(filter.backupid);
      if (c) consider(c.image);
      const p = this.pending.get(filter.backupid);
      if (p && filter.includeIncomplete) consider(p.image);
    } else {
      for (const c of this.committed.values()) consider(c.image);
      if (filter.includeIncomplete) for (const p of this.pending.values()) consider(p.image);
    }
    return out.sort(newestFirst);
  }

  /** The committed image with this id. */
  image(backupid: string): ImageRecord | undefined {
    return this.committed.get(backupid)?.image;
  }

  /** A committed image's block index (the .blk file's bytes; empty for an image written without one). */
  blockIndex(backupid: string): Buffer {
    const c = this.committed.get(backupid);
    if (!c) throw new OpenbpError('NO_ENTITY', `no image ${backupid}`);
    try {
      return fs.readFileSync(c.paths.blocks);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
      throw new OpenbpError('DATABASE_ERROR', `cannot read the block index of ${backupid}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Opens a committed image's .f file; the caller closes the reader. */
  openFiles(backupid: string): FilesReader {
    const c = this.committed.get(backupid);
    if (!c) throw new OpenbpError('NO_ENTITY', `no image ${backupid}`);
    try {
      return FilesReader.open(c.paths.files);
    } catch (e) {
      throw new OpenbpError('DATABASE_ERROR', `cannot read the file list of ${backupid}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Copies a committed image's .f to `to` (which must not exist); returns its entry count. */
  exportFiles(backupid: string, to: string): { entries: number } {
    const r = this.openFiles(backupid);
    let entries: number;
    try {
      entries = r.entryCount;
    } finally {
      r.close();
    }
    const c = this.committed.get(backupid)!;
    try {
      fs.copyFileSync(c.paths.files, to, fs.constants.COPYFILE_EXCL);
      fs.chmodSync(to, 0o600);
    } catch (e) {
      throw new OpenbpError('DATABASE_ERROR', `cannot copy the file list of ${backupid}: ${(e as Error).message}`, { cause: e });
    }
    return { entries };
  }

  /** Closes open writers; their images stay pending on disk (to be aborted). */
  close(): void {
    for (const p of this.pending.values()) p.writer?.abandon();
    for (const p of this.pending.values()) delete p.writer;
  }
}
