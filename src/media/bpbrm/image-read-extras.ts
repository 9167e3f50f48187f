// What bptm needs besides the fragments to read an image back: its block index and the key file.

import type { Home } from '../../config/home.js';
import { keyFilePath } from '../../config/key-store.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import type { JobPeers } from './job-end.js';

export async function imageReadExtras(home: Home, peers: JobPeers, backupid: string): Promise<{ keyFile: string; blockIndex?: string }> {
  const { index } = await peers.bpdbm.request(bpdbm.imageBlocks, { backupid });
  return { keyFile: keyFilePath(home), ...(index !== '' ? { blockIndex: index } : {}) };
}
