#!/usr/bin/env node
// The random-kill campaign: each round starts a backup or a restore through slowed buffers, SIGKILLs a
// random openbp process of that home at a random moment, and checks what must survive: the job ends with
// a status, no half image is listed, the unit holds only catalogued fragments, the /dev/shm buffers of
// the killed job are gone, an earlier image restores byte-identical, and the next backup succeeds.
// Prints a table of kills survived and data lost (must be zero); exits 1 when anything was lost.
//
//   node scripts/kill-campaign.mjs [--rounds N] [--seed S] [--keep]
// Run `npm run build` first. Uses a temporary $OPENBP_HOME and data under /tmp; --keep leaves them.

import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
if (args.includes('--help')) {
  console.log('usage: node scripts/kill-campaign.mjs [--rounds N] [--seed S] [--keep]');
  process.exit(0);
}
const rounds = Number(opt('--rounds', '10'));
const firstSeed = Number(opt('--seed', String(Date.now() % 100000)));
let seed = firstSeed;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (xs) => xs[Math.floor(random() * xs.length)];

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obpcamp-'));
const data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpcamp-data-'));
const keep = fs.mkdtempSync(path.join(os.tmpdir(), 'obpcamp-keep-'));
const nextDir = fs.mkdtempSync(path.join(os.tmpdir(), 'obpcamp-next-'));
const env = { ...process.env, OPENBP_HOME: home, NO_COLOR: '1', PATH: `${bin}:${process.env.PATH ?? ''}` };
const config = path.join(home, 'db', 'config');

/** Runs bin/<name>; resolves with its exit code and output (never rejects); `ms` kills it past a limit. */
function run(name, argv, ms = 90_000) {
  return new Promise((resolve) => {
    const child = spawn(path.join(bin, name), argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : 0), out, err });
    });
  });
}
const json = async (name, argv) => JSON.parse((await run(name, [...argv, '--json'])).out || '{}');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function slow(on) {
  fs.mkdirSync(config, { recursive: true });
  const files = { SIZE_DATA_BUFFERS_DISK: '1024', NUMBER_DATA_BUFFERS_DISK: '2', NUMBER_DATA_BUFFERS_RESTORE: '2' };
  for (const [f, v] of Object.entries(files)) {
    if (on) fs.writeFileSync(path.join(config, f), `${v}\n`);
    else fs.rmSync(path.join(config, f), { force: true });
  }
}

function writeData() {
  const block = Buffer.alloc(1 << 20);
  const fd = fs.openSync(path.join(data, 'big'), 'w');
  for (let i = 0; i < 24; i++) {
    crypto.randomFillSync(block);
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
  fs.writeFileSync(path.join(data, 'small.txt'), 'small\n');
  fs.writeFileSync(path.join(nextDir, 'next.txt'), 'the next backup\n');
  fs.writeFileSync(path.join(keep, 'precious.bin'), crypto.randomBytes(200_000));
}

const sameFile = (a, b) => fs.existsSync(b) && fs.readFileSync(a).equals(fs.readFileSync(b));

/** Restores `from` (a directory that was backed up) into a fresh directory; returns [status, dir]. */
async function restore(from) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'obpcamp-out-'));
  const rename = path.join(home, `rename-${path.basename(out)}`);
  fs.writeFileSync(rename, `change ${from} to ${out}\n`);
  const r = await run('bprestore', ['-w', '-R', rename, from]);
  return [r.code, out, r];
}

async function processes() {
  return ((await json('bpps', [])).processes ?? []).filter((p) => !['bpps', 'bpbackup', 'bprestore'].includes(p.name));
}

/** Waits until no job is active or queued; false after `ms`. */
async function jobsSettle(ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const jobs = (await json('bpdbjobs', [])).jobs ?? [];
    if (jobs.every((j) => j.state === 3)) return true;
    await sleep(500);
  }
  return false;
}

async function unitMatchesCatalogue(unit) {
  const images = (await json('bpimagelist', ['-hoursago', '48'])).images ?? [];
  const catalogued = images.flatMap((i) => i.fragments.map((f) => path.basename(f.mediaId))).sort();
  const onDisk = fs.readdirSync(unit).filter((f) => !f.startsWith('.')).sort();
  const complete = images.every((i) => i.fragments.every((f) => fs.existsSync(f.mediaId) && fs.statSync(f.mediaId).size >= f.kbytes * 1024 - 1024));
  return JSON.stringify(catalogued) === JSON.stringify(onDisk) && complete;
}

async function main() {
  writeData();
  const start = await run('bp.start_all', []);
  if (start.code !== 0) throw new Error(`bp.start_all failed: ${start.err}`);
  const unit = path.join(home, 'stu', 'default');
  for (const dir of [keep, data]) {
    const r = await run('bpbackup', ['-w', dir]);
    if (r.code !== 0) throw new Error(`first backup of ${dir} failed (${r.code}): ${r.err}`);
  }
  const rows = [];
  for (let round = 1; round <= rounds; round++) {
    const op = pick(['backup', 'restore']);
    slow(true);
    const shmBefore = new Set(fs.readdirSync('/dev/shm'));
    const outDir = op === 'restore' ? fs.mkdtempSync(path.join(os.tmpdir(), 'obpcamp-out-')) : undefined;
    let job;
    if (op === 'backup') job = run('bpbackup', ['-w', data]);
    else {
      const rename = path.join(home, `rename-round-${round}`);
      fs.writeFileSync(rename, `change ${data} to ${outDir}\n`);
      job = run('bprestore', ['-w', '-R', rename, data]);
    }
    // A random moment once the job's processes run (the start of a job is a moment too).
    const delay = Math.floor(random() * 2500);
    const t0 = Date.now();
    let ps = [];
    while (Date.now() - t0 < 20_000) {
      ps = await processes();
      if (ps.some((p) => p.name === 'bptm') && Date.now() - t0 >= delay) break;
      await sleep(50);
    }
    let victim = pick(ps.length ? ps : [{ name: 'none', pid: 0 }]);
    // The buffers of this home's bptm processes (other homes on the machine have their own).
    const bptms = new Set(ps.filter((p) => p.name === 'bptm').map((p) => String(p.pid)));
    const jobBuffers = fs.readdirSync('/dev/shm').filter((f) => !shmBefore.has(f) && bptms.has(/^openbp-bptm-\d+-(\d+)\.buf$/.exec(f)?.[1] ?? ''));
    let killedAt = Date.now() - t0;
    try {
      if (victim.pid) process.kill(victim.pid, 'SIGKILL');
    } catch {
      victim = { ...victim, name: `${victim.name} (already gone)` };
    }
    const r = await job;
    slow(false);
    const problems = [];
    let lost = 0;
    if (r.code < 0) problems.push('command hung');
    if (!(await jobsSettle(60_000))) problems.push('a job stays active');
    if (!(await unitMatchesCatalogue(unit))) problems.push('unit and catalogue differ');
    await sleep(200);
    const leftBuffers = jobBuffers.filter((f) => fs.existsSync(path.join('/dev/shm', f)));
    if (leftBuffers.length) problems.push(`buffer left: ${leftBuffers.join(' ')}`);
    if (outDir && fs.existsSync(path.join(outDir, 'big')) && !sameFile(path.join(data, 'big'), path.join(outDir, 'big'))) {
      problems.push('half-restored big under its final name');
    }
    // Earlier images restore byte-identical (the restore round's own data too).
    const [kc, kdir] = await restore(keep);
    if (kc !== 0 || !sameFile(path.join(keep, 'precious.bin'), path.join(kdir, 'precious.bin'))) lost++, problems.push(`earlier image: restore ${kc}`);
    fs.rmSync(kdir, { recursive: true, force: true });
    const [dc, ddir] = await restore(data);
    if (dc !== 0 || !sameFile(path.join(data, 'big'), path.join(ddir, 'big'))) lost++, problems.push(`data image: restore ${dc}`);
    fs.rmSync(ddir, { recursive: true, force: true });
    const next = await run('bpbackup', ['-w', nextDir]);
    if (next.code !== 0) problems.push(`next backup ${next.code}`);
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
    rows.push({ round, op, victim: victim.name, ms: killedAt, status: r.code, ok: problems.length === 0, lost, problems: problems.join('; ') });
    const last = rows[rows.length - 1];
    console.error(`round ${round}: ${op}, killed ${last.victim} at ${last.ms} ms -> status ${last.status}${problems.length ? ` PROBLEMS: ${last.problems}` : ''}`);
  }
  const w = (s, n) => String(s).padEnd(n);
  console.log(`${w('round', 6)}${w('op', 8)}${w('killed', 22)}${w('at ms', 7)}${w('status', 7)}${w('invariants', 11)}lost`);
  for (const x of rows) console.log(`${w(x.round, 6)}${w(x.op, 8)}${w(x.victim, 22)}${w(x.ms, 7)}${w(x.status, 7)}${w(x.ok ? 'ok' : 'FAILED', 11)}${x.lost}${x.problems ? `  ${x.problems}` : ''}`);
  const survived = rows.filter((x) => x.ok).length;
  const lost = rows.reduce((n, x) => n + x.lost, 0);
  console.log(`\nkills survived: ${survived}/${rows.length}   data lost: ${lost}   (seed ${firstSeed})`);
  return survived === rows.length && lost === 0;
}

let ok = false;
try {
  ok = await main();
} catch (e) {
  console.error(`kill-campaign: ${e.message}`);
} finally {
  try {
    execFileSync(path.join(bin, 'bp.kill_all'), [], { env, stdio: 'ignore' });
  } catch {
    // already down
  }
  if (!args.includes('--keep')) for (const d of [home, data, keep, nextDir]) fs.rmSync(d, { recursive: true, force: true });
  else console.error(`kept ${home} ${data} ${keep} ${nextDir}`);
}
process.exit(ok ? 0 : 1);
