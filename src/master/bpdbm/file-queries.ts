// bpdbm's file questions: what a path held in which image (bplist) and which images a restore reads.

import { EntryRun, inImageOfFlags, typeOfFlags, type FilesEntry, type FilesReader } from '../../formats/files-file.js';
import { OpenbpError } from '../../protocol/errors.js';
import { isWithin } from '../../protocol/byte-path.js';
import type { FileRecord, ImageRecord } from '../../protocol/records.js';
import { sameVersion } from '../../protocol/file-identity.js';
import { sameStream, streamOf } from '../../protocol/backup-streams.js';
import { catalogPath, type ImageStore } from './image-store.js';

export interface ListFilesRequest {
  client: string;
  path: string;
  since?: number;
  until?: number;
  /** Levels below `path` (undefined: 1 — the path and, for a directory, its children; negative: unlimited). */
  depth?: number;
  allVersions?: boolean;
  backupid?: string;
  /** Compare paths without regard to case (bplist -I). */
  caseInsensitive?: boolean;
  policy?: string;
  policyType?: number;
}

export interface ListedFile {
  backupid: string;
  backupTime: number;
  file: FileRecord;
}

function stripInImage(e: FileRecord & { inImage?: number }): FileRecord {
  const { inImage: _drop, ...file } = e;
  return file;
}

/** Complete images of a client inside [since, until], newest first. */
function candidates(store: ImageStore, q: { client: string; since?: number; until?: number; policy?: string; policyType?: number }): ImageRecord[] {
  return store
    .listImages({ client: q.client, ...(q.since !== undefined ? { since: q.since } : {}), ...(q.until !== undefined ? { until: q.until } : {}), ...(q.policy !== undefined ? { policy: q.policy } : {}) })
    .filter((i) => q.policyType === undefined || i.policyType === q.policyType);
}

/** A run of listed entries of one image, in file order. */
export interface ListedBlock {
  image: ImageRecord;
  run: EntryRun;
}

const CASE_INSENSITIVE_RUN = 1000;

function* caseInsensitiveRuns(r: FilesReader, path: string, depth: number): Generator<EntryRun> {
  let run: FilesEntry[] = [];
  for (const e of r.walkCaseInsensitive(path, depth)) {
    run.push(e);
    if (run.length >= CASE_INSENSITIVE_RUN) {
      yield EntryRun.of(run);
      run = [];
    }
  }
  if (run.length > 0) yield EntryRun.of(run);
}

/**
 * One entry per path, streamed: a synthesised ancestor (a directory not in the image) shows the
 * directory's own entry found later in the file (looked up through the index), which is then not
 * listed again; a directory listed twice (overlapping selections) is shown once. Only directory
 * paths are remembered, so memory does not grow with the number of files. Runs that need no change
 * pass through as they are (still encoded).
 */
function* dedupedRuns(r: FilesReader, runs: Iterable<EntryRun>, dirs: Set<string>): Generator<EntryRun> {
  const replaced = new Set<string>();
  const DIR = 1; // index of 'd' in the .f type letters
  for (const run of runs) {
    // Decided on paths and flags alone; the run is decoded only when something changes.
    let changes: Map<number, FilesEntry | null> | undefined;
    for (let i = 0; i < run.count; i++) {
      const f = run.flags[i]!;
      const p = run.paths[i]!;
      const inImage = (f >> 4) & 3;
      if (inImage !== 0 && replaced.has(p)) (changes ??= new Map()).set(i, null);
      else if ((f & 0x0f) === DIR) {
        if (dirs.has(p)) (changes ??= new Map()).set(i, null);
        else {
          dirs.add(p);
          const held = inImage === 0 ? r.heldEntry(p) : undefined;
          if (held) {
            replaced.add(p);
            (changes ??= new Map()).set(i, held);
          }
        }
      }
    }
    if (!changes) {
      yield run;
      continue;
    }
    const out: FilesEntry[] = [];
    run.entries().forEach((e, i) => {
      const c = changes.get(i);
      if (c === undefined) out.push(e);
      else if (c !== null) out.push(c);
    });
    if (out.length > 0) yield EntryRun.of(out);
  }
}

/**
 * The other streams of a multi-stream backup: for each stream of `found`'s client and policy other than
 * its own, the newest of `images` (newest first) that `holds` the path. None for a single-stream image.
 */
function otherStreams(images: readonly ImageRecord[], found: ImageRecord, holds: (i: ImageRecord) => boolean): ImageRecord[] {
  if (streamOf(found) === 0) return [];
  const done = new Set([streamOf(found)]);
  const out: ImageRecord[] = [];
  for (const i of images) {
    if (i.client !== found.client || i.policy !== found.policy || streamOf(i) === 0 || done.has(streamOf(i))) continue;
    if (!holds(i)) continue;
    done.add(streamOf(i));
    out.push(i);
  }
  return out;
}

/**
 * Entries under a path from the newest image holding it (or one image, or every image), streamed
 * block by block with one .f open at a time; nothing is yielded when no image holds the path. When
 * that image is a stream of a multi-stream backup, the newest image of each other stream holding the
 * path adds its entries (a directory the streams share, like their common parent, once). Readers are
 * closed when the generator finishes or is returned early.
 */
export function* walkListing(store: ImageStore, q: ListFilesRequest): Generator<ListedBlock> {
  const path = catalogPath(q.path);
  const depth = q.depth === undefined ? 1 : q.depth < 0 ? Infinity : q.depth;
  let images: ImageRecord[];
  if (q.backupid !== undefined) {
    const img = store.image(q.backupid);
    if (!img || img.client !== q.client) return;
    images = [img];
  } else images = candidates(store, q);
  /** Lists one image; `dirs` (directories already shown) is shared with the other streams of a backup. */
  function* listImage(image: ImageRecord, dirs: Set<string>): Generator<ListedBlock, number> {
    const r = store.openFiles(image.backupid);
    let listed = 0;
    try {
      const runs = q.caseInsensitive ? caseInsensitiveRuns(r, path, depth) : r.walkBlocks(path, depth);
      for (const run of dedupedRuns(r, runs, dirs)) {
        listed += run.count;
        yield { image, run };
      }
    } finally {
      r.close();
    }
    return listed;
  }
  const holds = (i: ImageRecord) => {
    const r = store.openFiles(i.backupid);
    try {
      return r.has(path);
    } finally {
      r.close();
    }
  };
  for (const image of images) {
    const dirs = new Set<string>();
    const listed = yield* listImage(image, dirs);
    if (listed === 0 || q.allVersions) continue;
    for (const other of otherStreams(images, image, holds)) yield* listImage(other, dirs);
    break;
  }
}

/** The 227 a listing answers when no image holds the path. */
export function noEntity(q: { client: string; path: string }): OpenbpError {
  return new OpenbpError('NO_ENTITY', `no entity was found: ${q.path} is in no backup of ${q.client}`);
}

/** Entries under a path, collected (see walkListing). 227 when none. */
export function listFiles(store: ImageStore, q: ListFilesRequest): ListedFile[] {
  const out: ListedFile[] = [];
  for (const b of walkListing(store, q)) {
    for (const e of b.run.entries()) out.push({ backupid: b.image.backupid, backupTime: b.image.backupTime, file: stripInImage(e) });
  }
  if (out.length === 0) throw noEntity(q);
  return out;
}

export interface RestorePlan {
  image: ImageRecord;
  paths: string[];
  entries: number;
  /** The part of the image's stream to read (streamRange); absent: all of it. */
  rangeStart?: number;
  rangeEnd?: number;
}

const INCREMENTAL: ReadonlySet<string> = new Set(['INCR', 'CINC']);

/** Images an incremental's unchanged entries may come from: same client, policy and stream, older, newest first, back to a full. */
function chainBelow(store: ImageStore, target: ImageRecord): ImageRecord[] {
  const out: ImageRecord[] = [];
  for (const i of store.listImages({ client: target.client, policy: target.policy })) {
    if (i.backupTime >= target.backupTime || !sameStream(i, target)) continue;
    out.push(i);
    if (i.schedType === 'FULL') break;
  }
  return out;
}

/**
 * For each path, the newest complete image inside [since, until] holding it; paths grouped by image.
 * When that image is an incremental, its .f is the tree at that time: what it holds is read from it,
 * and each entry recorded there but not in it (unchanged) from the newest older image of the chain
 * holding the same version, as an exact path. When that image is a stream of a multi-stream backup, the
 * newest image of each other stream holding the path is planned the same way (a whole client at a date
 * gets every stream). Such plans come oldest first with `ordered` set.
 */
export function resolveRestore(
  store: ImageStore,
  q: { client: string; paths: string[]; since?: number; until?: number },
): { plans: RestorePlan[]; missing: string[]; ordered?: boolean } {
  const images = candidates(store, q);
  const readers = new Map<string, FilesReader>();
  const reader = (id: string) => {
    let r = readers.get(id);
    if (!r) readers.set(id, (r = store.openFiles(id)));
    return r;
  };
  try {
    const byImage = new Map<string, RestorePlan>();
    /** Exact paths planned from older images of a chain (counted one entry each). */
    const exact = new Map<string, Set<string>>();
    const planFor = (img: ImageRecord) => {
      let plan = byImage.get(img.backupid);
      if (!plan) byImage.set(img.backupid, (plan = { image: img, paths: [], entries: 0 }));
      return plan;
    };
    const missing: string[] = [];
    let ordered = false;
    const planPath = (requested: string, path: string, img: ImageRecord) => {
      if (!INCREMENTAL.has(img.schedType)) {
        planFor(img).paths.push(requested);
        return;
      }
      ordered = true;
      const under = reader(img.backupid).list(path, Infinity);
      // An incremental holds only what changed: a path none of whose entries it holds (an unchanged file)
      // is read from the older images alone; nbtar would find nothing of it in this image's stream (185).
      if (under.some((e) => e.inImage === 1)) planFor(img).paths.push(requested);
      const wanted = under.filter((e) => e.inImage === 0 && e.type !== 'd');
      if (wanted.length === 0) return;
      let left = wanted;
      for (const older of chainBelow(store, img)) {
        if (left.length === 0) break;
        const held = new Map<string, FilesEntry>();
        for (const e of reader(older.backupid).list(path, Infinity)) if (e.inImage === 1) held.set(e.path, e);
        const still: FilesEntry[] = [];
        for (const e of left) {
          if (sameVersion(held.get(e.path), e)) {
            let set = exact.get(older.backupid);
            if (!set) exact.set(older.backupid, (set = new Set()));
            set.add(e.path);
            planFor(older);
          } else still.push(e);
        }
        left = still;
      }
      for (const e of left) missing.push(e.path);
    };
    for (const requested of q.paths) {
      const path = catalogPath(requested);
      const img = images.find((i) => reader(i.backupid).has(path));
      if (!img) {
        missing.push(requested);
        continue;
      }
      planPath(requested, path, img);
      // The other streams of a multi-stream backup hold the rest of the tree: restored one after another.
      for (const other of otherStreams(images, img, (i) => reader(i.backupid).has(path))) {
        ordered = true;
        planPath(requested, path, other);
      }
    }
    for (const plan of byImage.values()) {
      // Count each entry once even when requested paths overlap.
      const norm = [...new Set(plan.paths.map(catalogPath))];
      const roots = norm.filter((p) => !norm.some((o) => o !== p && isWithin(p, o)));
      const r = reader(plan.image.backupid);
      plan.entries = roots.reduce((n, p) => n + r.countSubtree(p), 0);
      const more = [...(exact.get(plan.image.backupid) ?? [])].filter((p) => !roots.some((root) => isWithin(p, root)));
      plan.paths.push(...more);
      plan.entries += more.length;
      Object.assign(plan, streamRange(r, roots, more));
    }
    if (!ordered) return { plans: [...byImage.values()].sort((a, b) => b.image.backupTime - a.image.backupTime), missing };
    return { plans: [...byImage.values()].sort((a, b) => a.image.backupTime - b.image.backupTime), missing, ordered };
  } finally {
    for (const r of readers.values()) r.close();
  }
}

/** Up to this many exact paths are looked up one by one in the .f index; more are found in one pass. */
const EXACT_LOOKUPS = 64;

/**
 * The part of an image's stream that holds the selected entries: from the first selected entry's
 * header (or an earlier hard-link target it needs) to the header of the first entry after the last
 * selected one. A restore of one file then reads one fragment, not the image.
 */
export function streamRange(r: FilesReader, roots: readonly string[], exactPaths: readonly string[]): { rangeStart: number; rangeEnd: number } | Record<string, never> {
  let start = Infinity;
  let lastPath: string | undefined;
  let lastOffset = -1;
  const take = (path: string, offset: number): void => {
    start = Math.min(start, offset);
    if (offset > lastOffset) {
      lastPath = path;
      lastOffset = offset;
    }
  };
  // A hard link is restored by linking to its target, which must come through the stream too.
  const takeTarget = (target: string): void => {
    if (target) for (const t of r.list(target, 0)) if (t.path === target && t.inImage === 1) start = Math.min(start, t.offset);
  };
  const exact = (e: FilesEntry): void => {
    take(e.path, e.offset);
    if (e.type === 'h') takeTarget(e.link);
  };
  // A subtree from the blocks' skims (paths, flags, offsets): entries are decoded only where a hard link needs its target.
  for (const root of roots) {
    for (const run of r.walkBlocks(root, Infinity)) {
      for (let i = 0; i < run.count; i++) {
        const flags = run.flags[i]!;
        if (inImageOfFlags(flags) !== 1) continue;
        take(run.paths[i]!, run.offsets[i]!);
        if (typeOfFlags(flags) === 'h') takeTarget(run.entries()[i]!.link);
      }
    }
  }
  if (exactPaths.length > EXACT_LOOKUPS) {
    // Many single files (the unchanged files of an incremental, planned from an older image): one pass
    // over the .f instead of a block decoded per path.
    const wanted = new Set(exactPaths);
    for (const e of r.entries()) if (e.inImage === 1 && wanted.has(e.path)) exact(e);
  } else {
    for (const p of exactPaths) for (const e of r.list(p, 0)) if (e.inImage === 1 && e.path === p) exact(e);
  }
  if (lastPath === undefined) return {};
  // The .f is in stream order: the entry after the last selected one is found by reading on from its
  // block, not by a scan of the whole file (which cost a one-file restore ~0.1 s per 10,000 entries).
  // Any later header bounds the range safely; the first one found is the next in the stream.
  let end = -1;
  for (const e of r.entriesFrom(lastPath)) {
    if (e.inImage === 1 && e.offset > lastOffset) {
      end = e.offset;
      break;
    }
  }
  return { rangeStart: start, rangeEnd: end };
}

/** Pages through images' file records; keeps the last reader open so sequential pages cost one pass. */
export class ImageFilePager {
  private open: { backupid: string; reader: FilesReader; it: Iterator<FilesEntry>; index: number; ahead?: FilesEntry } | undefined;

  constructor(private readonly store: ImageStore) {}

  /** Records [start, start+count) of the image's .f in file order; `next` is absent after the last page. */
  page(backupid: string, start: number, count: number): { files: FileRecord[]; next?: number } {
    if (!this.open || this.open.backupid !== backupid || this.open.index !== start) {
      this.close();
      const reader = this.store.openFiles(backupid);
      this.open = { backupid, reader, it: reader.entries(), index: 0 };
      while (this.open.index < start && !this.open.it.next().done) this.open.index++;
    }
    const o = this.open;
    const files: FileRecord[] = [];
    const pull = (): FilesEntry | undefined => {
      if (o.ahead) {
        const a = o.ahead;
        delete o.ahead;
        return a;
      }
      const n = o.it.next();
      return n.done ? undefined : n.value;
    };
    while (files.length < Math.max(1, count)) {
      const e = pull();
      if (!e) break;
      files.push(e);
      o.index++;
    }
    const ahead = pull();
    if (!ahead) {
      this.close();
      return { files };
    }
    o.ahead = ahead;
    return { files, next: o.index };
  }

  close(): void {
    this.open?.reader.close();
    this.open = undefined;
  }
}
