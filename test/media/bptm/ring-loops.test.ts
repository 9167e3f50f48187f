import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { Duplex } from 'node:stream';
import { OpenbpError } from '../../../src/protocol/errors.js';
import { RingChannel } from '../../../src/media/bptm/ring-channel.js';
import { ShmRing } from '../../../src/media/bptm/shm-ring.js';
import { consume, produce, type ByteSink, type ByteSource } from '../../../src/media/bptm/ring-loops.js';
import { createShmFile, openShmFile } from '../../../src/media/bptm/shm-file.js';
import { Stop } from '../../../src/media/bptm/stop.js';

/** Two connected in-memory duplexes; each write arrives split in two, to exercise frame reassembly. */
function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (other: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        const cut = Math.floor(Math.random() * (chunk.length + 1));
        other().push(chunk.subarray(0, cut));
        setImmediate(() => {
          other().push(chunk.subarray(cut));
          cb();
        });
      },
      final(cb) {
        other().push(null);
        cb();
      },
    });
  ends.push(make(() => ends[1]!), make(() => ends[0]!));
  return [ends[0]!, ends[1]!];
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function randomSource(data: Buffer, maxChunk: number, delayEvery: number): ByteSource {
  let off = 0;
  let calls = 0;
  return {
    async read(buf, offset, length) {
      if (++calls % delayEvery === 0) await pause(1);
      const n = Math.min(length, data.length - off, 1 + Math.floor(Math.random() * maxChunk));
      data.copy(buf, offset, off, off + n);
      off += n;
      return n;
    },
  };
}

function collectSink(out: Buffer[], delayEvery: number): ByteSink {
  let calls = 0;
  return {
    async write(block) {
      out.push(Buffer.from(block));
      if (++calls % delayEvery === 0) await pause(1);
    },
  };
}

describe('ring hand-off (in one process)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openbp-ring-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  let jobid = 1;
  function pair(slots: number, slotSize: number) {
    const shm = createShmFile(dir, jobid++, process.pid, slots * slotSize);
    const [a, b] = duplexPair();
    const stopP = new Stop();
    const stopC = new Stop();
    const lost = () => new OpenbpError('MEDIA_WRITE_ERROR', 'peer lost');
    const prodRing = new ShmRing(shm.fd, slots, slotSize);
    const consRing = new ShmRing(openShmFile(shm.path, slots * slotSize), slots, slotSize);
    const prodChan = new RingChannel(a, stopP, lost, slotSize);
    const consChan = new RingChannel(b, stopC, lost, slotSize);
    return { shm, a, b, stopP, stopC, prodRing, consRing, prodChan, consChan };
  }

  for (const [slots, slotSize, size, srcDelay, sinkDelay] of [
    [1, 1024, 10_000, 3, 5],
    [3, 1024, 100_000, 7, 2],
    [8, 4096, 1_000_000, 50, 3],
    [4, 4096, 4096 * 4, 1000, 1000],
    [5, 1024, 0, 1, 1],
  ] as const) {
    it(`moves ${size} bytes through ${slots} x ${slotSize} with uneven timing`, async () => {
      const p = pair(slots, slotSize);
      const data = crypto.randomBytes(size);
      const out: Buffer[] = [];
      const [sent, received] = await Promise.all([
        produce(p.prodRing, p.prodChan, randomSource(data, slotSize * 2, srcDelay), p.stopP),
        consume(p.consRing, p.consChan, collectSink(out, sinkDelay), p.stopC),
      ]);
      expect(sent).toBe(size);
      expect(received).toBe(size);
      expect(Buffer.concat(out).equals(data)).toBe(true);
      expect(out.every((b, i) => b.length === slotSize || i === out.length - 1)).toBe(true);
      p.prodRing.close();
      p.consRing.close();
    });
  }

  it('a consumer whose producer disappears stops with the peer-lost failure', async () => {
    const p = pair(2, 1024);
    const out: Buffer[] = [];
    const consuming = consume(p.consRing, p.consChan, collectSink(out, 1), p.stopC);
    await pause(5);
    p.a.end(); // the producer's end of the control pipe closes
    await expect(consuming).rejects.toMatchObject({ status: 84 });
  });

  it('an ERROR message from the peer stops with its status', async () => {
    const p = pair(2, 1024);
    const consuming = consume(p.consRing, p.consChan, collectSink([], 1), p.stopC);
    p.prodChan.send(5, 129);
    await expect(consuming).rejects.toMatchObject({ status: 129 });
  });
});
