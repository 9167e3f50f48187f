// The disk storage unit driver: image fragments as files in the unit's directory.

import fs from 'node:fs';
import path from 'node:path';
import type { FragmentRecord, StorageUnit } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import { maxFragmentBytes, type ImageWriteRequest, type StorageDriver, type StreamRange } from '../driver.js';
import { DiskImageWriter } from './image-writer.js';
import { DiskImageReader } from './image-reader.js';
import { deleteDiskFragments } from './delete-fragments.js';
import { checkBackupId } from './fragment-names.js';
import { syncDirectory } from './io-errors.js';

export class DiskDriver implements StorageDriver {
  readonly kind = 'disk' as const;
  /** Absolute path of the unit's directory. */
  readonly dir: string;

  constructor(readonly unit: StorageUnit) {
    this.dir = path.resolve(unit.path);
  }

  async openImageWriter(req: ImageWriteRequest): Promise<DiskImageWriter> {
    return this.openImageWriterSync(req);
  }

  openImageWriterSync(req: ImageWriteRequest): DiskImageWriter {
    checkBackupId(req.backupid);
    if (!Number.isInteger(req.copy) || req.copy < 1) throw new OpenbpError('INVALID_PARAMETER', `copy ${req.copy} is not a copy number`);
    if (!Number.isInteger(req.blockSize) || req.blockSize <= 0) throw new OpenbpError('INVALID_PARAMETER', `block size ${req.blockSize} is not usable`);
    this.prepareDirectory();
    return new DiskImageWriter({ dir: this.dir, host: this.unit.host, maxFragmentBytes: maxFragmentBytes(this.unit.maxFragmentMB, req.blockSize) }, req);
  }

  async openImageReader(fragments: readonly FragmentRecord[], range: StreamRange): Promise<DiskImageReader> {
    return new DiskImageReader(fragments, range);
  }

  async deleteFragments(fragments: readonly FragmentRecord[]): Promise<void> {
    await deleteDiskFragments(fragments);
  }

  /** Creates the unit's directory when missing (and syncs the parent that got the new name); checks it is writable. */
  private prepareDirectory(): void {
    try {
      const created = fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      if (created !== undefined) syncDirectory(path.dirname(created));
      if (!fs.statSync(this.dir).isDirectory()) throw new Error('not a directory');
      fs.accessSync(this.dir, fs.constants.W_OK | fs.constants.X_OK);
    } catch (e) {
      throw new OpenbpError('MEDIA_OPEN_ERROR', `disk storage unit ${this.unit.label} (${this.dir}) cannot be used: ${(e as Error).message}`, {
        cause: e,
        media: this.dir,
      });
    }
  }
}

export function openDiskDriver(unit: StorageUnit): DiskDriver {
  if (unit.type !== 'disk') throw new OpenbpError('INVALID_PARAMETER', `storage unit ${unit.label} is not a disk unit`);
  return new DiskDriver(unit);
}
