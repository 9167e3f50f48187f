// nbtar's job: read a pax stream, restore the selected entries safely under their (renamed) destinations.

import fs from 'node:fs';
import { bytePathToBuffer, isWithin, normalizeAbsolute } from '../../protocol/byte-path.js';
import type { NbtarSpec } from '../../protocol/job-specs.js';
import type { NbtarEvent } from '../../protocol/job-events.js';
import { OpenbpError } from '../../protocol/errors.js';
import { STATUS } from '../../protocol/status.js';
import type { TarEntry } from '../../archive/tar-entry.js';
import { TarReader, isUnsupported } from '../../archive/tar-reader.js';
import { resolveStreamPath, PathGuard, PathGuardError } from '../../archive/path-safety.js';
import { RenameMap, RenameError } from '../../archive/rename-map.js';
import { IdNames } from '../../archive/id-names.js';
import { applyDirectory, writeHardLink, writeRegular, writeSpecial, writeSymlink, writeWholeFile, writesWhole, type WriteContext } from './write-entry.js';

export interface RestoreOptions {
  /** The pax stream (stdin in the binary). */
  input: AsyncIterable<Buffer | string>;
  /** Receives progress, warning and end events (fd 3 in the binary). */
  onEvent: (event: NbtarEvent) => void;
  names?: IdNames;
}

export interface RestoreResult {
  status: number;
  /** Entries restored (files, directories, links...). */
  restored: number;
  /** Entries that failed (each reported as a warning). */
  failed: number;
  /** Entries left alone because they existed (keepExisting). */
  skipped: number;
  bytes: number;
  /** Selections that matched no entry in the stream. */
  unmatched: string[];
}

interface PendingDir {
  dest: string;
  entry: TarEntry;
}

/** Skips everything already present when keepExisting is set. */
function exists(p: string): boolean {
  try {
    return lstatOrNull(p) !== null;
  } catch {
    return false;
  }
}

/**
 * lstat, null when nothing is there. Without an exception for ENOENT: most destinations of a restore do not
 * exist yet, and an Error with its stack trace per file was a tenth of nbtar's CPU restoring small files.
 */
function lstatOrNull(p: string): fs.Stats | null {
  return fs.lstatSync(bytePathToBuffer(p), { throwIfNoEntry: false }) ?? null;
}

function normalizeSelections(selections: readonly string[]): string[] {
  return selections.map((s) => {
    if (!s.startsWith('/')) throw new OpenbpError('INVALID_PARAMETER', `selection '${s}' is not an absolute path`);
    const n = normalizeAbsolute(s);
    if (n.split('/').includes('..')) throw new OpenbpError('INVALID_PARAMETER', `selection '${s}' contains '..'`);
    return n;
  });
}

class Restore {
  private readonly guard = new PathGuard();
  private readonly dirs: PendingDir[] = [];
  private readonly ctx: WriteContext;
  private readonly renames: RenameMap;
  private readonly selections: string[];
  private readonly selectionSet: Set<string>;
  private readonly matched = new Set<string>();
  private lastProgress = Date.now();
  restored = 0;
  failed = 0;
  skipped = 0;
  bytes = 0;

  constructor(
    private readonly spec: NbtarSpec,
    private readonly opts: RestoreOptions,
  ) {
    this.ctx = {
      restoreOwnership: spec.restoreOwnership,
      names: opts.names ?? new IdNames(),
      onProblem: (dest, p) => this.warn(dest, `${dest}: ${p.message}`, p.code),
    };
    try {
      this.renames = new RenameMap(spec.renames);
    } catch (e) {
      if (e instanceof RenameError) throw new OpenbpError('INVALID_PARAMETER', e.message);
      throw e;
    }
    // Longest first, so an entry belongs to its deepest selection.
    this.selections = normalizeSelections(spec.selections).sort((a, b) => b.length - a.length);
    this.selectionSet = new Set(this.selections);
  }

  get unmatched(): string[] {
    return this.selections.filter((s) => !this.matched.has(s));
  }

  warn(path: string, message: string, code?: string): void {
    this.failed++;
    this.opts.onEvent({ kind: 'warning', path, message, ...(code ? { code } : {}) });
  }

  private progress(path: string): void {
    const now = Date.now();
    if (now - this.lastProgress < 1000) return;
    this.lastProgress = now;
    this.opts.onEvent({ kind: 'progress', bytes: this.bytes, files: this.restored, path });
  }

  async run(reader: TarReader): Promise<void> {
    for (;;) {
      const r = await reader.next();
      if (r === null) break;
      if (isUnsupported(r)) {
        const p = resolveStreamPath(r.path);
        if (p.ok && this.selectionOf(p.abs)) {
          this.matched.add(this.selectionOf(p.abs)!);
          this.warn(p.abs, `${p.abs}: tar entry type '${r.unsupported}' is not supported; skipped`, 'EUNSUPPORTED');
        }
        continue;
      }
      await this.entry(r.entry, reader);
    }
    await reader.drain();
  }

  /** The deepest selection holding `abs`: looked up per ancestor, as a restore across images may select many exact paths. */
  private selectionOf(abs: string): string | undefined {
    if (!abs.startsWith('/')) return this.selections.find((s) => isWithin(abs, s));
    for (let p = abs; ; ) {
      if (this.selectionSet.has(p)) return p;
      if (p === '/') return undefined;
      const i = p.lastIndexOf('/');
      p = i <= 0 ? '/' : p.slice(0, i);
    }
  }

  private async entry(entry: TarEntry, reader: TarReader): Promise<void> {
    const resolved = resolveStreamPath(entry.path);
    if (!resolved.ok) {
      this.warn(entry.path, `refusing entry '${entry.path}': ${resolved.reason}`, 'EUNSAFE');
      return;
    }
    const abs = resolved.abs;
    const selection = this.selectionOf(abs);
    if (selection === undefined) return;
    this.matched.add(selection);
    if (this.spec.runAs && entry.uid !== this.spec.runAs.uid) {
      // A user restores only what was theirs when it was backed up (NetBackup's user-directed rule).
      this.warn(abs, `${abs}: owned by uid ${entry.uid} when it was backed up, not by ${this.spec.runAs.user || this.spec.runAs.uid}; only root may restore it`, 'EPERM');
      return;
    }
    const renameFrom = this.renames.matchOf(abs);
    const anchor = renameFrom !== undefined && renameFrom.length > selection.length ? renameFrom : selection;
    const target = this.renames.map(anchor);
    const dest = this.renames.map(abs);
    this.closeDirsNotContaining(dest);
    try {
      if (this.spec.keepExisting && entry.type !== 'directory' && exists(dest)) {
        this.skipped++;
        return;
      }
      this.guard.prepareParents(dest, target);
      switch (entry.type) {
        case 'directory':
          this.directory(dest, entry);
          break;
        case 'file':
          if (writesWhole(entry)) {
            this.bytes += this.writeWhole(dest, entry, reader.bufferedBody() ?? (await reader.wholeBody()));
            break;
          }
          this.clearForNonDirectory(dest);
          this.bytes += await writeRegular(dest, entry, reader, this.ctx);
          break;
        case 'symlink':
          this.clearForNonDirectory(dest);
          writeSymlink(dest, entry, this.ctx);
          break;
        case 'hardlink':
          this.hardLink(dest, entry, target);
          break;
        default:
          this.clearForNonDirectory(dest);
          writeSpecial(dest, entry, this.ctx);
      }
      this.restored++;
      this.progress(dest);
    } catch (e) {
      if (e instanceof PathGuardError) this.warn(dest, `${dest}: ${e.message}`, e.code);
      else if (isStreamError(e)) throw e;
      else this.warn(dest, `${dest}: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code);
    }
  }

  private directory(dest: string, entry: TarEntry): void {
    const st = lstatOrNull(dest);
    if (st && !st.isDirectory()) {
      // A symlink or file where a directory goes is replaced, never followed.
      fs.unlinkSync(bytePathToBuffer(dest));
    }
    if (!st || !st.isDirectory()) fs.mkdirSync(bytePathToBuffer(dest), 0o700);
    this.guard.trust(dest);
    if (st && st.isDirectory() && this.spec.keepExisting) return;
    this.dirs.push({ dest, entry });
  }

  /**
   * A small plain file written whole. It is named where nothing is, or renamed over anything in its place but a
   * directory: only then (EISDIR) is the place cleared and the write done again (no lstat of every destination
   * first: a tenth of nbtar's profile, about 5% of its time end to end).
   */
  private writeWhole(dest: string, entry: TarEntry, data: Buffer): number {
    try {
      return writeWholeFile(dest, entry, data, this.ctx);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'EISDIR' || err.syscall !== 'rename') throw e;
    }
    this.clearForNonDirectory(dest);
    return writeWholeFile(dest, entry, data, this.ctx);
  }

  /** Makes room for a non-directory: an existing (empty) directory is removed; anything else is renamed over. */
  private clearForNonDirectory(dest: string): void {
    const st = lstatOrNull(dest);
    if (st && st.isDirectory()) {
      fs.rmdirSync(bytePathToBuffer(dest));
      this.guard.forget(dest);
      this.dirs.splice(0, this.dirs.length, ...this.dirs.filter((d) => !isWithin(d.dest, dest)));
    }
  }

  private hardLink(dest: string, entry: TarEntry, target: string): void {
    const link = resolveStreamPath(entry.linkpath);
    if (!link.ok) throw new PathGuardError('OUTSIDE_TARGET', `hard link target '${entry.linkpath}' refused: ${link.reason}`);
    const linkDest = this.renames.map(link.abs);
    if (!isWithin(linkDest, target)) throw new PathGuardError('OUTSIDE_TARGET', `hard link target ${linkDest} is outside the restore target ${target}`);
    this.guard.prepareParents(linkDest, target);
    const st = lstatOrNull(linkDest);
    if (!st) throw new OpenbpError('FILE_WRITE_FAILED', `hard link target ${linkDest} was not restored`);
    if (st.isDirectory()) throw new PathGuardError('NOT_A_DIRECTORY', `hard link target ${linkDest} is a directory`);
    this.clearForNonDirectory(dest);
    writeHardLink(dest, linkDest);
  }

  private closeDirsNotContaining(dest: string): void {
    while (this.dirs.length > 0 && !isWithin(dest, this.dirs[this.dirs.length - 1]!.dest)) this.applyDir(this.dirs.pop()!);
  }

  /** Applies the metadata of every directory still open, deepest first. */
  closeAllDirs(): void {
    while (this.dirs.length > 0) this.applyDir(this.dirs.pop()!);
  }

  private applyDir(d: PendingDir): void {
    try {
      applyDirectory(d.dest, d.entry, this.ctx);
    } catch (e) {
      this.warn(d.dest, `${d.dest}: cannot set directory attributes: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code);
    }
  }
}

function isStreamError(e: unknown): boolean {
  const name = (e as Error | undefined)?.name;
  return name === 'TarHeaderError' || name === 'PaxFormatError' || name === 'UnexpectedEofError';
}

/** Runs a restore from opts.input; resolves with the NetBackup status and counts (never throws for per-file trouble). */
export async function runRestore(spec: NbtarSpec, opts: RestoreOptions): Promise<RestoreResult> {
  const restore = new Restore(spec, opts);
  const reader = new TarReader(opts.input);
  let damaged: string | undefined;
  try {
    await restore.run(reader);
  } catch (e) {
    if (!isStreamError(e)) {
      restore.closeAllDirs();
      throw e;
    }
    damaged = `archive is damaged at byte ${reader.offset}: ${(e as Error).message}`;
    restore.warn('', damaged, (e as Error).name);
  }
  restore.closeAllDirs();
  const unmatched = restore.unmatched;
  let status: number = STATUS.OK.status;
  let message: string | undefined;
  if (restore.failed > 0 && restore.restored === 0 && restore.skipped === 0) {
    status = STATUS.NOT_ALL_RESTORED.status;
    message = 'no requested file could be restored';
  } else if (unmatched.length > 0) {
    status = STATUS.TAR_DID_NOT_FIND_ALL.status;
    message = `not found in the image: ${unmatched.join(', ')}`;
  } else if (restore.failed > 0) {
    status = STATUS.PARTIAL.status;
    message = `${restore.failed} file(s) could not be restored`;
  }
  if (damaged && status === STATUS.OK.status) status = STATUS.PARTIAL.status;
  opts.onEvent({ kind: 'end', status, files: restore.restored, bytes: restore.bytes, ...(message ? { message } : {}) });
  return { status, restored: restore.restored, failed: restore.failed, skipped: restore.skipped, bytes: restore.bytes, unmatched };
}
