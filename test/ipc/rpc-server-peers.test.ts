// A server started with identifyPeers hands each handler the kernel's word on who connected; its mode is the caller's.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveRpc, route } from '../../src/ipc/rpc-server.js';
import { callOnce } from '../../src/ipc/rpc-client.js';
import { ping } from '../../src/protocol/lifecycle.js';
import { sys } from '../../src/native/sys.js';

describe('rpc server peers', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-peer-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('tells handlers the peer uid, gid and pid, and sets the socket mode it is given', async () => {
    const sock = path.join(dir, 'u.sock');
    let seen: unknown;
    const server = await serveRpc(sock, [route(ping('bprd'), (_b, ctx) => ((seen = ctx.peer), { daemon: 'bprd', pid: 1, started: 0, version: 1 }))], { mode: 0o666, identifyPeers: true });
    try {
      expect(fs.statSync(sock).mode & 0o777).toBe(0o666);
      await callOnce(sock, 'bprd', ping('bprd'), {});
      expect(seen).toEqual({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
    } finally {
      await server.close();
    }
  });

  it('leaves ctx.peer out, and the mode 0600, by default', async () => {
    const sock = path.join(dir, 'p.sock');
    let seen: unknown = 'unset';
    const server = await serveRpc(sock, [route(ping('bpdbm'), (_b, ctx) => ((seen = ctx.peer), { daemon: 'bpdbm', pid: 1, started: 0, version: 1 }))]);
    try {
      expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
      await callOnce(sock, 'bpdbm', ping('bpdbm'), {});
      expect(seen).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('peerCredentials refuses what is not a socket', () => {
    const fd = fs.openSync(path.join(dir, 'f'), 'w');
    try {
      expect(() => sys().peerCredentials(fd)).toThrow(expect.objectContaining({ code: 'ENOTSOCK', syscall: 'getsockopt(SO_PEERCRED)' }));
    } finally {
      fs.closeSync(fd);
    }
    expect(() => sys().peerCredentials(-1)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});
