// Where an image lives in the catalogue: db/images/<client>/<ctime bucket>/<policy>_<ctime>_<SCHED>[.f].

import path from 'node:path';
import { SCHED_TYPES, type SchedType } from '../protocol/records.js';

/** Suffix of the files list next to a header. */
export const FILES_SUFFIX = '.f';
/** Suffix of the block index next to a header (formats/block-index.ts). */
export const BLOCKS_SUFFIX = '.blk';
/** Suffix of an image being written (not listed until commit). */
export const PENDING_SUFFIX = '.pending';

/** The ctime bucket directory name: floor(ctime / 10^6) * 10^6, 10 digits. */
export function ctimeBucket(ctime: number): string {
  return String(Math.floor(ctime / 1_000_000) * 1_000_000).padStart(10, '0');
}

/** NetBackup backup id: `<client>_<ctime>` (ctime printed with 10 digits). */
export function backupIdOf(client: string, ctime: number): string {
  return `${client}_${String(ctime).padStart(10, '0')}`;
}

/** Splits a backup id into client and ctime (the ctime is after the last '_'); undefined when malformed. */
export function parseBackupId(id: string): { client: string; ctime: number } | undefined {
  const m = /^(.+)_(\d{10,})$/.exec(id);
  if (!m) return undefined;
  return { client: m[1]!, ctime: Number(m[2]) };
}

/** The header file's base name: `<policy>_<ctime>_<SCHED>`. */
export function imageBaseName(policy: string, ctime: number, sched: SchedType): string {
  return `${policy}_${String(ctime).padStart(10, '0')}_${sched}`;
}

/** Parses a header base name back to policy, ctime and schedule token. */
export function parseImageBaseName(name: string): { policy: string; ctime: number; sched: SchedType } | undefined {
  const m = /^(.+)_(\d{10,})_(FULL|INCR|UBAK|UARC|CINC)$/.exec(name);
  if (!m) return undefined;
  return { policy: m[1]!, ctime: Number(m[2]), sched: m[3] as SchedType };
}

/** The .f file name NetBackup prints in bpimagelist -l (files_file field). */
export function filesFileName(policy: string, ctime: number, sched: SchedType): string {
  return imageBaseName(policy, ctime, sched) + FILES_SUFFIX;
}

/** A name safe as one path component of the catalogue (client, policy). */
export function isSafeComponent(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && !/[/\0\n]/.test(name);
}

export interface ImagePaths {
  readonly dir: string;
  readonly base: string;
  readonly header: string;
  readonly files: string;
  readonly pendingHeader: string;
  readonly pendingFiles: string;
  readonly blocks: string;
  readonly pendingBlocks: string;
}

/** Every file of one image under the images root. */
export function imagePaths(imagesRoot: string, image: { client: string; policy: string; backupTime: number; schedType: SchedType }): ImagePaths {
  const dir = path.join(imagesRoot, image.client, ctimeBucket(image.backupTime));
  const base = imageBaseName(image.policy, image.backupTime, image.schedType);
  const header = path.join(dir, base);
  return {
    dir,
    base,
    header,
    files: header + FILES_SUFFIX,
    pendingHeader: header + PENDING_SUFFIX,
    pendingFiles: header + FILES_SUFFIX + PENDING_SUFFIX,
    blocks: header + BLOCKS_SUFFIX,
    pendingBlocks: header + BLOCKS_SUFFIX + PENDING_SUFFIX,
  };
}

/** The schedule type token for a numeric code (0 FULL, 1 INCR, 2 UBAK, 3 UARC, 4 CINC). */
export function schedTypeFromCode(code: number): SchedType | undefined {
  for (const [k, v] of Object.entries(SCHED_TYPES)) if (v.code === code) return k as SchedType;
  return undefined;
}
