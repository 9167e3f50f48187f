// Contract test: every declared message round-trips through a real socket, and garbage is refused.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { bprd } from '../../src/protocol/bprd.js';
import { nbpem } from '../../src/protocol/nbpem.js';
import { nbjm } from '../../src/protocol/nbjm.js';
import { nbrb } from '../../src/protocol/nbrb.js';
import { nbemm } from '../../src/protocol/nbemm.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';
import { ping, terminate } from '../../src/protocol/lifecycle.js';
import { DAEMONS, type MessageSpec } from '../../src/protocol/message.js';
import { serveRpc, route } from '../../src/ipc/rpc-server.js';
import { RpcConnection } from '../../src/ipc/rpc-client.js';
import { OpenbpError } from '../../src/protocol/errors.js';

const specs: MessageSpec<unknown, unknown>[] = [
  ...[bprd, nbpem, nbjm, nbrb, nbemm, bpjobd, bpdbm].flatMap((m) => Object.values(m) as MessageSpec<unknown, unknown>[]),
  ...DAEMONS.flatMap((d) => [ping(d), terminate(d)] as MessageSpec<unknown, unknown>[]),
];

describe('protocol messages', () => {
  let dir: string;
  let sock: string;
  let server: Awaited<ReturnType<typeof serveRpc>>;
  const received = new Map<string, unknown>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obpproto-'));
    sock = path.join(dir, 'test.sock');
    server = await serveRpc(
      sock,
      specs.map((s) =>
        route(s, (body) => {
          received.set(s.type, body);
          return s.reply.example();
        }),
      ),
    );
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('declares each type once, named after its daemon', () => {
    const types = specs.map((s) => s.type);
    expect(new Set(types).size).toBe(types.length);
    for (const s of specs) expect(s.type.startsWith(`${s.daemon}.`)).toBe(true);
  });

  it('round-trips every request and reply over a real socket', async () => {
    const conn = await RpcConnection.connect(sock, 'test');
    try {
      for (const s of specs) {
        const reply = await conn.request(s, s.request.example());
        expect([s.type, received.get(s.type)]).toEqual([s.type, s.request.example()]);
        expect([s.type, reply]).toEqual([s.type, s.reply.example()]);
      }
    } finally {
      conn.close();
    }
  });

  it('answers a body that does not match its declaration with status 133 and stays up', async () => {
    const conn = await RpcConnection.connect(sock, 'test');
    try {
      const bad = { ...bpjobd.get, request: { describe: 'any', parse: (v: unknown) => v, example: () => ({}) } };
      await expect(conn.request(bad, { jobid: 'seven' })).rejects.toMatchObject({ status: 133 });
      await expect(conn.request(bpjobd.get, { jobid: 7 })).resolves.toBeDefined();
    } finally {
      conn.close();
    }
  });

  it('drops a connection that sends garbage or an oversized frame, and keeps serving others', async () => {
    for (const junk of [Buffer.from('GET / HTTP/1.0\r\n\r\n'), Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3])]) {
      await new Promise<void>((resolve) => {
        const c = net.createConnection(sock, () => c.write(junk));
        c.on('close', () => resolve());
        c.on('error', () => resolve());
        c.resume();
      });
    }
    const conn = await RpcConnection.connect(sock, 'test');
    await expect(conn.request(ping('bprd'), {})).resolves.toMatchObject({ pid: 42 });
    conn.close();
  });

  it('reports an unreachable daemon as status 25, one line', async () => {
    const err = await RpcConnection.connect(path.join(dir, 'nobody.sock'), 'nbjm').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenbpError);
    expect((err as OpenbpError).status).toBe(25);
    expect((err as OpenbpError).message).not.toContain('\n');
  });
});
