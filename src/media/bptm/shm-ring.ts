// The slots of the buffer file, mapped into this process: both bptm processes see the same bytes, no copy between them.

import fs from 'node:fs';
import { OpenbpError } from '../../protocol/errors.js';
import { sys } from '../../native/sys.js';

export class ShmRing {
  private readonly mapping: ArrayBuffer;
  private readonly views: Buffer[];
  private open = true;

  /** Maps the buffer file open on fd (slots x slotSize bytes) and closes fd; the mapping stays until close(). */
  constructor(
    fd: number,
    readonly slots: number,
    readonly slotSize: number,
  ) {
    try {
      this.mapping = sys().mmapShared(fd, slots * slotSize);
    } catch (e) {
      throw new OpenbpError('SHM_SETUP_FAILED', `mapping the ${slots * slotSize}-byte buffer file: ${(e as Error).message}`, { cause: e });
    } finally {
      closeQuietly(fd);
    }
    this.views = Array.from({ length: slots }, (_, i) => Buffer.from(this.mapping, i * slotSize, slotSize));
  }

  /**
   * Slot `index` itself (slotSize bytes of the shared mapping, not a copy): the producer reads into it, the
   * consumer hands it on. Valid until close(); after close it reads as empty.
   */
  slot(index: number): Buffer {
    const v = this.views[index];
    if (!v || !this.open) throw new OpenbpError('SHM_SETUP_FAILED', `buffer slot ${index} is not mapped`);
    return v;
  }

  /**
   * Slots `index`.. `index + count - 1` as one buffer (they lie one after the other in the mapping), the last one
   * `lastLength` bytes long. The run must not pass the end of the ring.
   */
  run(index: number, count: number, lastLength: number): Buffer {
    if (!this.open || count < 1 || index < 0 || index + count > this.slots || lastLength > this.slotSize) {
      throw new OpenbpError('SHM_SETUP_FAILED', `buffer slots ${index}..${index + count - 1} are not mapped`);
    }
    return Buffer.from(this.mapping, index * this.slotSize, (count - 1) * this.slotSize + lastLength);
  }

  /** Unmaps the ring. Only once no read or write into a slot is in flight (a blocked pipe read, say). */
  close(): void {
    if (!this.open) return;
    this.open = false;
    sys().munmap(this.mapping);
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}
