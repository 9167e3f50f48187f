import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { Duplex } from 'node:stream';
import { OpenbpError } from '../../../src/protocol/errors.js';
import { MSG, RingChannel, type SlotSum } from '../../../src/media/bptm/ring-channel.js';
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

  it('slots are one shared mapping: a byte written in a producer slot is in the consumer slot, no copy', () => {
    const p = pair(3, 1024);
    p.prodRing.slot(2).write('shared', 1000, 'latin1');
    expect(p.consRing.slot(2).toString('latin1', 1000, 1006)).toBe('shared');
    expect(p.consRing.slot(2).buffer).toBe(p.consRing.slot(0).buffer); // views of one mapping
    p.prodRing.close();
    p.consRing.close();
  });

  it('after close a slot is no longer reachable: slot() fails with 89 and old views read as empty', () => {
    const p = pair(2, 1024);
    const view = p.consRing.slot(1);
    p.consRing.close();
    p.consRing.close(); // idempotent
    expect(view.length).toBe(0);
    expect(() => p.consRing.slot(1)).toThrow(expect.objectContaining({ status: 89 }));
    expect(p.prodRing.slot(1).length).toBe(1024); // the other process's mapping is its own
    p.prodRing.close();
  });

  it('wraps around the ring many times and ends in the middle of a slot', async () => {
    const p = pair(2, 4096);
    const data = crypto.randomBytes(4096 * 37 + 123);
    const out: Buffer[] = [];
    const [sent, received] = await Promise.all([
      produce(p.prodRing, p.prodChan, randomSource(data, 4096 * 3, 5), p.stopP),
      consume(p.consRing, p.consChan, collectSink(out, 4), p.stopC),
    ]);
    expect([sent, received]).toEqual([data.length, data.length]);
    expect(out.length).toBe(38);
    expect(out[37]!.length).toBe(123);
    expect(Buffer.concat(out).equals(data)).toBe(true);
    p.prodRing.close();
    p.consRing.close();
  });

  it('a stop in the middle of the stream ends the producer and, through ERROR, the consumer', async () => {
    const p = pair(2, 1024);
    const endless: ByteSource = {
      async read(buf, offset, length) {
        await pause(1);
        buf.fill(7, offset, offset + length);
        return length;
      },
    };
    const producing = produce(p.prodRing, p.prodChan, endless, p.stopP);
    const consuming = consume(p.consRing, p.consChan, collectSink([], 1), p.stopC);
    await pause(20);
    p.stopP.trigger(new OpenbpError('CLIENT_ABORTED', 'the client went away'));
    // Both are awaited together: whichever rejects first must not be an unhandled rejection meanwhile.
    const ended = Promise.allSettled([producing, consuming]);
    p.prodChan.send(5, 50); // what the stopped side tells its peer
    const [prod, cons] = await ended;
    expect(prod).toMatchObject({ status: 'rejected', reason: { status: 50 } });
    expect(cons).toMatchObject({ status: 'rejected', reason: { status: 50 } });
    p.prodRing.close();
    p.consRing.close();
  });

  it('a side that sent ERROR waits until the peer has heard it (its ERROR back, or its going away), at most the time given', async () => {
    const answered = pair(2, 1024);
    answered.stopC.trigger(new OpenbpError('MEDIA_READ_ERROR', 'child failed'));
    await answered.consChan.sendFlushed(MSG.ERROR, 85);
    let stopped = false;
    const waiting = answered.consChan.peerStopped(10_000).then(() => void (stopped = true));
    await pause(50);
    expect(stopped).toBe(false);
    expect(answered.stopP.reason?.status).toBe(85);
    answered.prodChan.send(MSG.ERROR, 85);
    await waiting;
    expect(answered.consChan.peerError).toBe(true);

    const gone = pair(2, 1024);
    const goneWait = gone.consChan.peerStopped(10_000);
    gone.a.end();
    await goneWait;
    expect(gone.consChan.peerError).toBe(false);

    const silent = pair(2, 1024);
    const t0 = Date.now();
    await silent.consChan.peerStopped(40);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
    for (const q of [answered, gone, silent]) for (const r of [q.prodRing, q.consRing]) r.close();
  });

  it('a producer whose source leaves no checks sends no SUM: the consumer gets no checksum with any block', async () => {
    const q = pair(3, 1024);
    const data = crypto.randomBytes(1024 * 10 + 5);
    const sums: Array<SlotSum | undefined> = [];
    await Promise.all([
      produce(q.prodRing, q.prodChan, randomSource(data, 3000, 3), q.stopP),
      consume(q.consRing, q.consChan, { write: async (_b, s) => void sums.push(s) }, q.stopC),
    ]);
    expect(sums.length).toBe(11);
    expect(sums.every((s) => s === undefined)).toBe(true);
    for (const r of [q.prodRing, q.consRing]) r.close();
  });

  it('a sink with writeRun is handed runs of consecutive slots that never wrap past the ring end', async () => {
    const p = pair(5, 1024);
    const data = crypto.randomBytes(1024 * 47 + 9);
    const out: Buffer[] = [];
    const runs: number[] = [];
    const sink: ByteSink = {
      async write(block) {
        out.push(Buffer.from(block));
        runs.push(1);
        await pause(2);
      },
      async writeRun(blocks) {
        // consecutive slots of one mapping: each block starts where the previous one ended
        for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.byteOffset).toBe(blocks[i - 1]!.byteOffset + 1024);
        for (const b of blocks) out.push(Buffer.from(b));
        runs.push(blocks.length);
        await pause(2); // let the producer fill several slots meanwhile
      },
    };
    await Promise.all([produce(p.prodRing, p.prodChan, randomSource(data, 5000, 50), p.stopP), consume(p.consRing, p.consChan, sink, p.stopC)]);
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(48);
    expect(Math.max(...runs)).toBeGreaterThan(1);
    expect(Math.max(...runs)).toBeLessThanOrEqual(5);
    p.prodRing.close();
    p.consRing.close();
  });
  for (const [slots, size] of [
    [5, 1024 * 47 + 9],
    [16, 1024 * 200 + 1],
  ] as const) {
    it(`a lagging sink (drain) keeps a run's slots until its next call: nothing is overwritten while "writing" (${slots} slots)`, async () => {
      const p = pair(slots, 1024);
      const data = crypto.randomBytes(size);
      const out: Buffer[] = [];
      let held: Buffer[] = [];
      // The last run's blocks are only copied ("written") at the next call: a slot freed early would be refilled first.
      const land = (): void => {
        for (const b of held) out.push(Buffer.from(b));
        held = [];
      };
      let drains = 0;
      const sink: ByteSink = {
        async write(block) {
          await pause(1);
          land();
          out.push(Buffer.from(block));
        },
        async writeRun(blocks) {
          await pause(2);
          land();
          held = [...blocks];
        },
        async drain() {
          drains++;
          await pause(5); // long enough for the producer to fill more, and often to end, meanwhile
          land();
        },
      };
      await Promise.all([produce(p.prodRing, p.prodChan, randomSource(data, 3000, 7), p.stopP), consume(p.consRing, p.consChan, sink, p.stopC)]);
      land();
      expect(Buffer.concat(out).equals(data)).toBe(true);
      expect(drains).toBeGreaterThan(0);
      p.prodRing.close();
      p.consRing.close();
    });
  }
});
