import { PassThrough } from 'node:stream';
import fs from 'node:fs';
import { readEventLines, EventWriter } from '../../src/ipc/event-lines.js';
import { sys } from '../../src/native/sys.js';

describe('event lines', () => {
  it('parses lines split across chunks, several in one chunk, and reports a bad one', async () => {
    const s = new PassThrough();
    const got: unknown[] = [];
    const bad: string[] = [];
    const done = readEventLines(s, (v) => got.push(v), (l) => bad.push(l));
    const big = { kind: 'files', files: Array.from({ length: 2000 }, (_, i) => ({ path: `/d/f${i}\u00e9` })) };
    const text = `${JSON.stringify(big)}\n{"a":1}\n\n{"b":2}\nnot json\n{"c":`;
    for (let i = 0; i < text.length; i += 4093) s.write(text.slice(i, i + 4093));
    s.end('3}\n');
    await done;
    expect(got).toEqual([big, { a: 1 }, { b: 2 }, { c: 3 }]);
    expect(bad).toEqual(['not json']);
  });

  it('carries the Buffer fields of an event as raw bytes after its line, also split at any byte and holding newlines', async () => {
    const [r, w] = sys().pipe();
    const block = Buffer.from('a\nb\n{"x":1}\n\u00ff');
    const events = [{ kind: 'file-block', count: 2, last: '/d', block }, { kind: 'end', status: 0 }, { kind: 'two', a: Buffer.alloc(0), b: Buffer.from([10]) }];
    const writer = new EventWriter(w);
    for (const e of events) writer.write(e);
    fs.closeSync(w);
    const bytes = fs.readFileSync(r);
    fs.closeSync(r);
    expect(bytes.includes(Buffer.from(block.toString('base64')))).toBe(false);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const s = new PassThrough();
      const got: unknown[] = [];
      const done = readEventLines(s, (v) => got.push(v));
      s.write(bytes.subarray(0, cut));
      s.end(bytes.subarray(cut));
      await done;
      expect(got).toEqual(events);
    }
  });
});
