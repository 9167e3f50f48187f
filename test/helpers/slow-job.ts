// Backups that last long enough to watch or kill: real (non-sparse) data through a tiny bptm ring.

import fs from 'node:fs';
import path from 'node:path';
import type { OpenbpHome } from './openbp-home.js';

/** Writes `mib` MiB of real data (not holes: sparse files back up in no time). */
export function writeRealData(file: string, mib: number): void {
  const block = Buffer.alloc(1 << 20, 0x5a);
  const fd = fs.openSync(file, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      block.writeUInt32LE(i, 0);
      fs.writeSync(fd, block);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Two 1 KiB buffers: bptm then moves some tens of MB/s, read from db/config at each job start. */
export function slowBuffers(home: OpenbpHome): void {
  fs.mkdirSync(home.path('db', 'config'), { recursive: true });
  fs.writeFileSync(path.join(home.path('db', 'config'), 'SIZE_DATA_BUFFERS_DISK'), '1024\n');
  fs.writeFileSync(path.join(home.path('db', 'config'), 'NUMBER_DATA_BUFFERS_DISK'), '2\n');
}

/** Restores through two 1 KiB buffers as well (SIZE_DATA_BUFFERS_DISK also sizes the restore ring). */
export function slowRestores(home: OpenbpHome): void {
  slowBuffers(home);
  fs.writeFileSync(path.join(home.path('db', 'config'), 'NUMBER_DATA_BUFFERS_RESTORE'), '2\n');
}

/** Back to the defaults (256 KiB buffers; 128 of them for a backup to disk, 64 for a restore). */
export function normalBuffers(home: OpenbpHome): void {
  for (const f of ['SIZE_DATA_BUFFERS_DISK', 'NUMBER_DATA_BUFFERS_DISK', 'NUMBER_DATA_BUFFERS_RESTORE']) fs.rmSync(home.path('db', 'config', f), { force: true });
}
