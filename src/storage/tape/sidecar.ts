// The JSON sidecar of a cartridge (.tap): metadata, statistics and the position index, written atomically.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { MediaKind } from './barcode.js';

export interface FilemarkEntry {
  readonly objectId: number;
  readonly byteOffset: number;
}

export interface Checkpoint {
  readonly objectId: number;
  readonly byteOffset: number;
  readonly fileNo: number;
}

export interface Sidecar {
  format: 'vtape-sidecar';
  version: 1;
  barcode: string;
  mediaId: string;
  kind: MediaKind;
  density: string;
  densityCode: number;
  capacityBytes: number;
  earlyWarningBytes: number;
  writeProtected: boolean;
  compression: boolean;
  createdAt: string;
  lastWrittenAt: string | null;
  loadCount: number;
  cleaningRunsLeft: number;
  bytesWrittenLife: number;
  bytesReadLife: number;
  /** Times the cartridge was found unloaded uncleanly (mhvtl's record_dirty / "lost statistics"). */
  lostStatistics: number;
  dirty: boolean;
  generation: number;
  tap: { size: number; objects: number; filemarks: number; storedBytes: number };
  filemarkIndex: FilemarkEntry[];
  checkpoints: Checkpoint[];
  labelHint: string | null;
}

/** Objects between checkpoints. */
export const CHECKPOINT_EVERY = 1024;
/** mhvtl's EARLY_WARNING_SZ. */
export const DEFAULT_EARLY_WARNING = 2 * 1024 * 1024;

export function sidecarPathOf(tapPath: string): string {
  return tapPath.replace(/\.tap$/, '') + '.json';
}

export async function readSidecar(file: string): Promise<Sidecar | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const sc = JSON.parse(text) as Sidecar;
  if (sc.format !== 'vtape-sidecar' || sc.version !== 1) throw new Error(`${file}: not a version 1 vtape sidecar`);
  return sc;
}

/** Atomic replace: write a temp file, fsync it, rename over the old one, fsync the directory. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp.${process.pid}`;
  const fh = await fs.open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(`${JSON.stringify(value, null, 1)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
  const dir = await fs.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  } finally {
    await dir.close();
  }
}

export async function writeSidecar(file: string, sc: Sidecar): Promise<void> {
  await writeJsonAtomic(file, sc);
}
