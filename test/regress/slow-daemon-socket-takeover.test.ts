// Incident: under heavy load a bpbackup -w waited for ever. A daemon slow to answer its start-up ping
// (2 s) was taken for dead; a second copy unlinked its socket and listened in its place. The first went
// on running unreachable, holding the command's job wait, while the job's updates went to the copy.
// A daemon whose socket has a listener is running, however slow: a second copy must refuse to start.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { OpenbpHome, BIN } from '../helpers/openbp-home.js';
import { callOnce } from '../../src/ipc/rpc-client.js';
import { ping } from '../../src/protocol/lifecycle.js';

async function pingPid(home: OpenbpHome): Promise<number> {
  const r = await callOnce(home.path('run', 'bpjobd.sock'), 'bpjobd', ping('bpjobd'), {}, { timeoutMs: 20_000 });
  return r.pid;
}

describe('a daemon that is slow to answer keeps its socket', () => {
  let home: OpenbpHome;
  beforeAll(() => {
    home = OpenbpHome.create('obp-slow');
  });
  afterAll(async () => {
    await home.destroy();
  });

  test('a second bpjobd started while the first is stopped refuses, and the first still owns the socket', async () => {
    const first = spawn(path.join(BIN, 'bpjobd'), [], { env: home.env, stdio: 'ignore' });
    try {
      let pid = 0;
      for (let i = 0; i < 400 && pid === 0; i++) {
        pid = await pingPid(home).catch(() => 0);
        if (pid === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(pid).toBe(first.pid);
      // A stopped process answers no ping, as a process starved of CPU does not in time.
      process.kill(first.pid!, 'SIGSTOP');
      let second;
      try {
        second = await home.within(home.run('bpjobd'), 30_000, 'a second bpjobd');
      } finally {
        process.kill(first.pid!, 'SIGCONT');
      }
      expect(second.code).toBe(0);
      expect(second.stderr).toContain('already running');
      expect(await pingPid(home)).toBe(first.pid);
    } finally {
      first.kill('SIGKILL');
    }
  });
});
