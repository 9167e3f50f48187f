// Child process for the crash test: writes N records to a cartridge, then dies mid-write (parent SIGKILLs it).
// Usage: node crash-writer.js TAP N RECORD_BYTES

import { VirtualDrive } from '../../../src/storage/tape/virtual-drive.js';
import { patternRecord } from './tape-fixtures.js';

const [tap, nText, sizeText] = process.argv.slice(2);
const n = Number(nText);
const size = Number(sizeText);
setInterval(() => {}, 1000); // stay alive, stuck in the torn write, until SIGKILL
const drive = new VirtualDrive('vtl:crash', tap!, { faults: { tornWriteAt: n + 1 } });
const h = await drive.open({ rewindOnClose: false, write: true });
for (let i = 0; i < n; i++) {
  await h.writeBlock(patternRecord(size, i));
  process.stdout.write(`ok ${i + 1}\n`);
}
await h.writeBlock(patternRecord(size, n)); // torn: never returns
