// Every daemon's socket is fed garbage, oversized and truncated frames, unknown and malformed requests:
// each is refused, the daemon stays up, answers the next request, and does not grow without bound.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { DAEMONS } from '../../src/protocol/message.js';
import { bprd } from '../../src/protocol/bprd.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';
import { RpcConnection } from '../../src/ipc/rpc-client.js';
import { ping } from '../../src/protocol/lifecycle.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';
import { encodeFrame } from '../../src/ipc/framing.js';

function send(sock: string, bytes: Buffer, endAfter = true): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const c = net.createConnection(sock, () => {
      c.write(bytes);
      if (endAfter) c.end();
    });
    c.on('data', (d: Buffer) => chunks.push(d));
    c.on('close', () => resolve(Buffer.concat(chunks)));
    c.on('error', () => resolve(Buffer.concat(chunks)));
    setTimeout(() => c.destroy(), 2000).unref();
  });
}

function rssKb(pid: number): number {
  return Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

describe('daemons refuse bad frames and stay up', () => {
  let home: OpenbpHome;

  beforeAll(async () => {
    home = OpenbpHome.create();
    await home.ok('bp.start_all');
  });

  afterAll(async () => {
    await home.destroy();
  });

  it.each([...DAEMONS])('%s', async (d) => {
    const sock = home.path('run', `${d}.sock`);
    expect((fs.statSync(sock).mode & 0o777).toString(8)).toBe('600');
    const pid = Number(fs.readFileSync(home.path('run', `${d}.pid`), 'utf8'));
    const before = rssKb(pid);
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(0xfffffff0);
    const truncated = encodeFrame({ v: 1, id: 1, type: `${d}.ping`, body: {} }).subarray(0, 9);
    const cases: Buffer[] = [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      huge,
      Buffer.concat([huge, Buffer.alloc(1 << 20, 0x41)]),
      truncated,
      encodeFrame('just a string'),
      encodeFrame({ v: 1, id: 2, type: 'no.such.message', body: {} }),
      encodeFrame({ v: 99, id: 3, type: `${d}.ping`, body: {} }),
      encodeFrame({ v: 1, id: 4, type: 'bpjobd.get', body: { jobid: 'x'.repeat(100000) } }),
      Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from('{{{{{')]),
    ];
    for (let round = 0; round < 20; round++) for (const c of cases) await send(sock, c);
    // Still serving, to a well-formed client.
    const conn = await RpcConnection.connect(sock, d);
    try {
      await expect(conn.request(ping(d), {})).resolves.toMatchObject({ daemon: d, pid });
      if (d === 'bpjobd') await expect(conn.request(bpjobd.get, { jobid: 123456 })).rejects.toMatchObject({ status: 227 });
    } finally {
      conn.close();
    }
    // 180 garbage connections must not leave the daemon much bigger (no per-connection leak).
    expect(rssKb(pid) - before).toBeLessThan(64 * 1024);
    expect(path.basename(sock)).toBe(`${d}.sock`);
  });

  it("bprd's user-request socket (root-run master)", async () => {
    if (process.getuid?.() !== 0) return console.warn('skipped: bprd serves other users only when it runs as root');
    const sock = home.path('run', 'bprd-user.sock');
    expect((fs.statSync(sock).mode & 0o777).toString(8)).toBe('666');
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(0xfffffff0);
    const cases = [Buffer.from('GET / HTTP/1.1\r\n\r\n'), huge, encodeFrame({ v: 1, id: 2, type: 'bpdbm.delete-image', body: { backupid: 'x' } }), encodeFrame('x')];
    for (let round = 0; round < 10; round++) for (const c of cases) await send(sock, c);
    const conn = await RpcConnection.connect(sock, 'bprd');
    try {
      // Only bprd's user requests are served there: a catalogue request is unknown (133).
      await expect(conn.request(bpdbm.deleteImage, { backupid: 'x' })).rejects.toMatchObject({ status: 133 });
      await expect(conn.request(bprd.listJobs, { jobids: [] })).resolves.toEqual({ jobs: [] });
    } finally {
      conn.close();
    }
  });
});
