import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureHomeLayout, homeAt, socketPath, type Home } from '../../src/config/home.js';
import { serveRpc, type RpcServer } from '../../src/ipc/rpc-server.js';
import { createNbemm } from '../../src/master/nbemm/storage-units.js';
import type { CommandContext, CommandSpec } from '../../src/cli/command.js';
import { VirtualLibrary } from '../../src/storage/tape/library.js';
import { command as tpconfig } from '../../src/cmd/tpconfig.js';
import { command as vmupdate } from '../../src/cmd/vmupdate.js';
import { command as vmquery } from '../../src/cmd/vmquery.js';
import { command as vmchange } from '../../src/cmd/vmchange.js';
import { command as vmpool } from '../../src/cmd/vmpool.js';
import { command as bpmedia } from '../../src/cmd/bpmedia.js';
import { command as bpmedialist } from '../../src/cmd/bpmedialist.js';
import { command as vmoprcmd } from '../../src/cmd/vmoprcmd.js';
import { plainContext, runCommand } from '../helpers/command-runner.js';

let home: Home;
let server: RpcServer;
let ctx: CommandContext;
let lib: string;

const run = (cmd: CommandSpec, argv: string[]) => runCommand(ctx, cmd, argv);

async function startNbemm() {
  const svc = createNbemm(home, () => {});
  server = await serveRpc(socketPath(home, 'nbemm'), svc.routes);
}

beforeAll(async () => {
  home = homeAt(fs.mkdtempSync(path.join(os.tmpdir(), 'obp-media-')));
  ensureHomeLayout(home);
  fs.writeFileSync(home.bpConf, 'SERVER = master1\nCLIENT_NAME = master1\n');
  ctx = plainContext(home);
  lib = path.join(home.root, 'vtl');
  await VirtualLibrary.create(lib, { slots: 10, drives: 2, barcodes: 'A00000L5-A00009L5', capacityBytes: 1 << 20 });
  await startNbemm();
});

afterAll(async () => {
  await server.close();
  fs.rmSync(home.root, { recursive: true, force: true });
});

describe('media manager commands against nbemm', () => {
  it('configures a robot and drives', async () => {
    expect((await run(tpconfig, ['-add', '-robot', '0', '-robtype', 'TLD', '-robpath', lib])).status).toBe(0);
    expect((await run(tpconfig, ['-add', '-drive', '-type', 'hcart3', '-path', `${lib}/drive0`, '-robot', '0', '-robtype', 'TLD', '-robdrnum', '0'])).status).toBe(0);
    expect((await run(tpconfig, ['-add', '-drive', '-type', 'hcart3', '-path', `${lib}/drive1`, '-robot', '0', '-robtype', 'TLD', '-robdrnum', '1'])).status).toBe(0);
    const d = await run(tpconfig, ['-d']);
    expect(d.out).toContain('1   HCART3.001          hcart3 TLD(0)  DRIVE=1');
    expect((await run(tpconfig, ['-add', '-robot', '1', '-robtype', 'XYZ', '-robpath', lib])).status).toBe(20);
    expect((await run(tpconfig, ['-add', '-robot', '0', '-robtype', 'TLD', '-robpath', lib])).status).toBe(20);
  });
  it('inventories the robot into Scratch', async () => {
    const r = await run(vmupdate, ['-rt', 'TLD', '-rn', '0']);
    expect(r.status).toBe(0);
    expect(r.out).toContain('10 added');
    const w = (await run(vmquery, ['-a', '-w'])).out.split('\n').slice(3).filter(Boolean).map((l) => l.split(/\s+/));
    expect(w.map((f) => [f[0], f[3], f[8], f[11]])).toEqual(Array.from({ length: 10 }, (_, i) => [`A0000${i}`, `A0000${i}L5`, String(i + 1), 'Scratch']));
    expect((await run(vmupdate, ['-rt', 'TLD', '-rn', '0'])).out).toContain('10 unchanged');
  });
  it('moves volumes between pools, freezes, and reports', async () => {
    expect((await run(vmpool, ['-add', 'Offsite'])).status).toBe(0);
    expect((await run(vmpool, ['-list'])).out).toContain('pool name:    Offsite');
    expect((await run(vmchange, ['-pn', 'Offsite', '-m', 'A00003'])).status).toBe(0);
    expect((await run(vmchange, ['-p', '1', '-m', 'A00004'])).status).toBe(0);
    expect((await run(vmquery, ['-m', 'A00003'])).out).toContain('volume pool:           Offsite (4)');
    expect((await run(vmquery, ['-pn', 'NetBackup', '-b'])).out).toContain('A00004');
    expect((await run(bpmedia, ['-freeze', '-m', 'A00005'])).status).toBe(0);
    const u = await run(bpmedialist, ['-mlist', '-U']);
    expect(u.out.split('\n').filter((l) => /^A0000\d/.test(l)).map((l) => l.slice(0, 6))).toEqual(['A00005']);
    expect(u.out).toMatch(/FROZEN\n/);
    expect((await run(bpmedialist, ['-mlist', '-l', '-m', 'A00005'])).out.split(' ')[14]).toBe('0x1');
    expect((await run(bpmedialist, ['-mlist', '-L', '-m', 'A00005'])).out).toContain('status = 0x1, FROZEN');
    expect((await run(bpmedia, ['-unfreeze', '-m', 'A00005'])).status).toBe(0);
    // -mcontents reads the cartridge: this one is blank (no media header).
    expect((await run(bpmedialist, ['-mcontents', '-m', 'A00005'])).status).toBe(172);
    expect(fs.existsSync(lib) && (await VirtualLibrary.open(lib)).state.slots[5]!.barcode).toBe('A00005L5');
  });
  it('keeps drive state', async () => {
    expect((await run(vmoprcmd, ['-down', '1'])).status).toBe(0);
    const d = await run(vmoprcmd, ['-d']);
    expect(d.out).toMatch(/^ {2}1 hcart3 DOWN-TLD/m);
    expect(d.out).toMatch(/^ {2}0 hcart3 TLD /m);
    expect((await run(vmoprcmd, ['-up', '1'])).status).toBe(0);
    expect((await run(vmoprcmd, ['-down', '7'])).status).toBe(227);
  });
  it('maps bad input to NetBackup statuses', async () => {
    expect((await run(vmquery, ['-m', 'B00000'])).status).toBe(95);
    expect((await run(vmquery, ['-m', 'A000000L5'])).status).toBe(171);
    expect((await run(vmchange, ['-pn', 'Nope', '-m', 'A00001'])).status).toBe(167);
    expect((await run(vmchange, ['-p', '99', '-m', 'A00001'])).status).toBe(167);
    expect((await run(vmquery, ['-pn', 'Nope'])).status).toBe(167);
    expect((await run(vmchange, ['-m', 'A00001'])).status).toBe(20);
    expect((await run(bpmedia, ['-freeze', '-m', 'ZZZ'])).status).toBe(95);
    expect((await run(tpconfig, ['-add', '-drive', '-type', 'hcart3'])).status).toBe(20);
  });
  it('survives an nbemm restart', async () => {
    await server.close();
    await startNbemm();
    expect((await run(vmquery, ['-m', 'A00003'])).out).toContain('Offsite (4)');
    expect((await run(tpconfig, ['-d'])).out).toContain('HCART3.001');
    expect((await run(tpconfig, ['-delete', '-drive', '1'])).status).toBe(0);
    expect((await run(tpconfig, ['-d'])).out).not.toContain('HCART3.001');
  });
});
