// Incident: a bpbackup -w never returned while its job had ended: bpjobd's answer to the wait never
// came (the bpjobd holding the wait had lost its socket to another copy under load), and the command
// polled the job's record twice a second without looking at it. The poll is now a second witness: a
// job it finds done ends the wait, and the wait's connection is closed (the command can exit).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { homeAt, ensureHomeLayout, socketPath, type Home } from '../../src/config/home.js';
import { serveRpc, route, type RpcServer } from '../../src/ipc/rpc-server.js';
import { callOnce } from '../../src/ipc/rpc-client.js';
import { createBpjobd } from '../../src/master/bpjobd/jobs.js';
import { newJobRecord } from '../../src/master/nbjm/job-record.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';
import { JOB_STATE, JOB_TYPE } from '../../src/protocol/records.js';
import { waitForJobs } from '../../src/cli/wait-jobs.js';

describe('a job wait whose answer is lost', () => {
  let home: Home;
  let server: RpcServer;
  let waitsOpen = 0;

  beforeAll(async () => {
    home = homeAt(fs.mkdtempSync(path.join(os.tmpdir(), 'obp-lost-')));
    ensureHomeLayout(home);
    const jobd = createBpjobd(home, () => {});
    // bpjobd's own routes, except that a wait is never answered: the lost wake-up of the incident.
    const routes = jobd.routes.map((r) =>
      r.spec.type === bpjobd.wait.type
        ? route(bpjobd.wait, (_body, ctx) => {
            waitsOpen++;
            void ctx.closed.then(() => waitsOpen--);
            return new Promise<never>(() => {});
          })
        : r,
    );
    server = await serveRpc(socketPath(home, 'bpjobd'), routes);
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(home.root, { recursive: true, force: true });
  });

  test('the poll sees the job done, ends the wait with its status and closes the wait connection', async () => {
    const sock = socketPath(home, 'bpjobd');
    const rec = newJobRecord({
      jobtype: JOB_TYPE.backup, policy: 'p', schedule: 's', schedType: 'UBAK', client: 'c', requester: { user: 'root', uid: 0, gid: 0, host: 'c' },
      priority: 0, retentionLevel: 1, subtype: 2, fileList: ['/x'], policyType: 0,
    });
    const { jobid } = await callOnce(sock, 'bpjobd', bpjobd.create, rec);
    const waiting = waitForJobs(home, [jobid], 60);
    await new Promise((r) => setTimeout(r, 300));
    await callOnce(sock, 'bpjobd', bpjobd.update, { jobid, patch: { state: JOB_STATE.done, status: 71 } });
    const [job] = await waiting;
    expect(job!.status).toBe(71);
    for (let i = 0; i < 100 && waitsOpen > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(waitsOpen).toBe(0);
  });
});
