import { PassThrough } from 'node:stream';
import { readEventLines } from '../../src/ipc/event-lines.js';

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
});
