// bpdbm's file questions: what a path held in which image (bplist) and which images a restore reads.

import type { FilesEntry, FilesReader } from '../../formats/files-file.js';
import { OpenbpError } from '../../protocol/errors.js';
import { isWithin } from '../../protocol/byte-path.js';
import type { FileRecord, ImageRecord } from '../../protocol/records.js';
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

function withReader<T>(store: ImageStore, backupid: string, fn: (r: FilesReader) => T): T {
  const r = store.openFiles(backupid);
  try {
    return fn(r);
  } finally {
    r.close();
  }
}

function stripInImage(e: FileRecord & { inImage?: number }): FileRecord {
  const { inImage: _drop, ...file } = e;
  return file;
}

/** One entry per path: an entry in the image wins over a recorded-only ancestor entry of the same path. */
function dedupe(entries: FilesEntry[]): FilesEntry[] {
  const at = new Map<string, number>();
  const out: FilesEntry[] = [];
  for (const e of entries) {
    const i = at.get(e.path);
    if (i === undefined) {
      at.set(e.path, out.length);
      out.push(e);
    } else if (out[i]!.inImage === 0 && e.inImage !== 0) out[i] = e;
  }
  return out;
}

/** Complete images of a client inside [since, until], newest first. */
function candidates(store: ImageStore, q: { client: string; since?: number; until?: number; policy?: string; policyType?: number }): ImageRecord[] {
  return store
    .listImages({ client: q.client, ...(q.since !== undefined ? { since: q.since } : {}), ...(q.until !== undefined ? { until: q.until } : {}), ...(q.policy !== undefined ? { policy: q.policy } : {}) })
    .filter((i) => q.policyType === undefined || i.policyType === q.policyType);
}

/** Entries under a path from the newest image holding it (or one image, or every image). 227 when none. */
export function listFiles(store: ImageStore, q: ListFilesRequest): ListedFile[] {
  const path = catalogPath(q.path);
  const depth = q.depth === undefined ? 1 : q.depth < 0 ? Infinity : q.depth;
  let images: ImageRecord[];
  if (q.backupid !== undefined) {
    const img = store.image(q.backupid);
    if (!img || img.client !== q.client) throw new OpenbpError('NO_ENTITY', `no image ${q.backupid} of client ${q.client}`);
    images = [img];
  } else images = candidates(store, q);
  const out: ListedFile[] = [];
  for (const img of images) {
    const entries = dedupe(withReader(store, img.backupid, (r) => (q.caseInsensitive ? r.listCaseInsensitive(path, depth) : r.list(path, depth))));
    for (const e of entries) out.push({ backupid: img.backupid, backupTime: img.backupTime, file: stripInImage(e) });
    if (entries.length > 0 && !q.allVersions) break;
  }
  if (out.length === 0) throw new OpenbpError('NO_ENTITY', `no entity was found: ${q.path} is in no backup of ${q.client}`);
  return out;
}

export interface RestorePlan {
  image: ImageRecord;
  paths: string[];
  entries: number;
}

/** For each path, the newest complete image inside [since, until] holding it; paths grouped by image. */
export function resolveRestore(store: ImageStore, q: { client: string; paths: string[]; since?: number; until?: number }): { plans: RestorePlan[]; missing: string[] } {
  const images = candidates(store, q);
  const readers = new Map<string, FilesReader>();
  const reader = (id: string) => {
    let r = readers.get(id);
    if (!r) readers.set(id, (r = store.openFiles(id)));
    return r;
  };
  try {
    const byImage = new Map<string, RestorePlan>();
    const missing: string[] = [];
    for (const requested of q.paths) {
      const path = catalogPath(requested);
      const img = images.find((i) => reader(i.backupid).has(path));
      if (!img) {
        missing.push(requested);
        continue;
      }
      let plan = byImage.get(img.backupid);
      if (!plan) byImage.set(img.backupid, (plan = { image: img, paths: [], entries: 0 }));
      plan.paths.push(requested);
    }
    for (const plan of byImage.values()) {
      // Count each entry once even when requested paths overlap.
      const norm = [...new Set(plan.paths.map(catalogPath))];
      const roots = norm.filter((p) => !norm.some((o) => o !== p && isWithin(p, o)));
      const r = reader(plan.image.backupid);
      plan.entries = roots.reduce((n, p) => n + r.countSubtree(p), 0);
    }
    return { plans: [...byImage.values()].sort((a, b) => b.image.backupTime - a.image.backupTime), missing };
  } finally {
    for (const r of readers.values()) r.close();
  }
}
