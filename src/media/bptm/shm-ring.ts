// The slots of the buffer file: fixed-size blocks read and written whole with one system call each.

import fs from 'node:fs';
import { OpenbpError } from '../../protocol/errors.js';

export class ShmRing {
  constructor(
    readonly fd: number,
    readonly slots: number,
    readonly slotSize: number,
  ) {}

  /** Copies buf[0, len) into slot `index`. */
  writeSlot(index: number, buf: Buffer, len: number): void {
    const base = index * this.slotSize;
    try {
      for (let off = 0; off < len; ) off += fs.writeSync(this.fd, buf, off, len - off, base + off);
    } catch (e) {
      throw new OpenbpError('SHM_SETUP_FAILED', `writing buffer slot ${index}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Copies slot `index`'s first len bytes into buf. */
  readSlot(index: number, buf: Buffer, len: number): void {
    const base = index * this.slotSize;
    try {
      for (let off = 0; off < len; ) {
        const n = fs.readSync(this.fd, buf, off, len - off, base + off);
        if (n === 0) throw new Error('the buffer file is shorter than the ring');
        off += n;
      }
    } catch (e) {
      throw new OpenbpError('SHM_SETUP_FAILED', `reading buffer slot ${index}: ${(e as Error).message}`, { cause: e });
    }
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
