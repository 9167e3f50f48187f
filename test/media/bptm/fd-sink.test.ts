// The restore child's sink on a real blocking pipe: runs written on the thread pool, in order, one in flight;
// a stop does not wait for a write its reader never takes; a reader that goes away fails the write with 24.

import fs from 'node:fs';
import crypto from 'node:crypto';
import { sys } from '../../../src/native/sys.js';
import { openFdSink } from '../../../src/media/bptm/fd-sink.js';
import { Stop } from '../../../src/media/bptm/stop.js';
import { OpenbpError } from '../../../src/protocol/errors.js';

function readAll(fd: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const s = fs.createReadStream('', { fd, autoClose: true });
    s.on('data', (c) => parts.push(c as Buffer));
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('error', reject);
  });
}

describe('bptm fd sink on a pipe', () => {
  it('writes runs in order while the next run is prepared, and drain waits for the last', async () => {
    const [r, w] = sys().pipe();
    const got = readAll(r);
    const sink = openFdSink(w, new Stop());
    expect(sink.drain).toBeDefined();
    const runs = Array.from({ length: 12 }, (_, i) => Array.from({ length: 1 + (i % 4) }, () => crypto.randomBytes(200_000 + i)));
    for (const run of runs) await sink.writeRun!(run, run.map(() => undefined));
    await sink.write(Buffer.from('tail'));
    await sink.drain!();
    fs.closeSync(w);
    expect((await got).equals(Buffer.concat([...runs.flat(), Buffer.from('tail')]))).toBe(true);
  });

  it('a stop ends drain at once though the reader takes nothing', async () => {
    const [r, w] = sys().pipe();
    const stop = new Stop();
    const sink = openFdSink(w, stop);
    const big = crypto.randomBytes(8 * 1024 * 1024); // far more than the pipe holds
    await sink.writeRun!([big], [undefined]);
    setTimeout(() => stop.trigger(new OpenbpError('MEDIA_READ_ERROR', 'stopped for the test')), 50);
    await expect(sink.drain!()).rejects.toThrow('stopped for the test');
    expect(sink.busy).toBe(true); // the write still holds its buffer: the caller must not unmap it
    fs.closeSync(r); // the blocked write now fails (EPIPE) and lets go
    for (let i = 0; i < 100 && sink.busy; i++) await new Promise((res) => setTimeout(res, 10));
    expect(sink.busy).toBe(false);
    fs.closeSync(w);
  });

  it('a reader that went away fails the next write with status 24', async () => {
    const [r, w] = sys().pipe();
    fs.closeSync(r);
    const sink = openFdSink(w, new Stop());
    await sink.writeRun!([Buffer.alloc(1000)], [undefined]);
    await expect(sink.drain!()).rejects.toMatchObject({ status: 24 });
    fs.closeSync(w);
  });
});
