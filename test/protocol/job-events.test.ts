// Per-job events on fd 3: bpbkar's kinds parse back from their JSON line (a block's bytes after it); a malformed
// file-block is refused.

import { bpbkarEvent, clientEndEvent, fileBlockEvent, filesEvent, warningEvent } from '../../src/protocol/job-events.js';
import { SchemaError } from '../../src/protocol/schema.js';
import { decodeBlock, encodeEntries } from '../../src/formats/files-file.js';
import { joinBytes, splitBytes } from '../../src/ipc/byte-fields.js';

/** Through the line's JSON, and the bytes after it. */
const line = (v: unknown): unknown => {
  const split = splitBytes(v);
  return split ? joinBytes(JSON.parse(JSON.stringify(split.json)), Buffer.concat(split.parts)) : JSON.parse(JSON.stringify(v));
};

describe('bpbkar events', () => {
  it('every kind parses back from its JSON line as itself', () => {
    for (const schema of [fileBlockEvent, filesEvent, warningEvent, clientEndEvent]) {
      const ev = schema.example();
      expect(bpbkarEvent.parse(line(ev))).toEqual(ev);
    }
  });

  it('carries a .f block payload that decodes to the records sent', () => {
    const records = [
      { path: '/d', type: 'd' as const, mode: 0o755, uid: 0, gid: 0, user: 'root', group: 'root', size: 0, mtimeNs: '1700000000000000001', ctime: 1700000000, atime: 1700000000, ino: 2, dev: 1, offset: 0, link: '' },
      { path: '/d/\xff', type: 'f' as const, mode: 0o644, uid: 7, gid: 7, user: 'u', group: 'g', size: 3, mtimeNs: '1700000000000000002', ctime: 1700000001, atime: 1700000002, ino: 3, dev: 1, offset: 512, link: '' },
    ];
    const ev = { kind: 'file-block' as const, count: records.length, last: '/d/\xff', block: encodeEntries(records) };
    const back = bpbkarEvent.parse(line(ev));
    expect(back).toEqual(ev);
    if (back.kind !== 'file-block') throw new Error('not a file-block');
    expect(decodeBlock(back.block, back.count)).toEqual(records.map((r) => ({ ...r, inImage: 1 })));
  });

  it('refuses a file-block without its count or payload', () => {
    expect(() => bpbkarEvent.parse({ kind: 'file-block', count: '2', last: '/x', block: Buffer.alloc(0) })).toThrow(SchemaError);
    expect(() => bpbkarEvent.parse({ kind: 'file-block', count: 2, last: '/x', block: 'AAAA' })).toThrow(SchemaError); // base64 no more
    expect(() => bpbkarEvent.parse({ kind: 'file-block', count: 2, last: '/x' })).toThrow(SchemaError);
  });
});
