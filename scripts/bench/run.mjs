#!/usr/bin/env node
// openbp benchmark: openbp against GNU tar, restic and borg on the same data, same run.
//
//   node scripts/bench/run.mjs [--quick] [--runs N] [--cases big,small,incr,one,job,tiny,shm]
//                              [--out DIR] [--work DIR] [--keep] [--no-peers] [--warm-mib N]
//
// Warm page cache (nothing is dropped); tools alternate run by run (A B C A B C ...); medians.
// See scripts/bench/README.md for the cases and targets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeBig, makeSmall, makeTiny } from './datasets.mjs';
import { run, sh, median, warmMemory } from './measure.mjs';
import { openbpNames, settle } from './procmon.mjs';
import { toolEnv, backupSteps, restoreSteps, incrementalSteps, restoreOneSteps } from './tools.mjs';
import { resultsTable, targetsTable, writeJson, machine } from './report.mjs';
import { evaluateTargets } from './targets.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const argv = process.argv.slice(2);
const flag = (n) => argv.includes(`--${n}`);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d; };

const QUICK = flag('quick');
const SIZES = QUICK
  ? { big: { files: 4, fileMiB: 64, textMiB: 128 }, small: { count: 8000 }, tiny: { count: 50000 }, shmMiB: 256 }
  : { big: { files: 4, fileMiB: 512, textMiB: 1024 }, small: { count: 100000 }, tiny: { count: 1000000 }, shmMiB: 1024 };
const RUNS = Number(opt('runs', '3'));
// Memory touched before every timed run (warmMemory): 4 GiB, 512 MiB quick; --warm-mib 0 turns it off.
const WARM_BYTES = Number(opt('warm-mib', QUICK ? '512' : '4096')) * 2 ** 20;
const CASES = new Set(opt('cases', 'big,small,incr,one,job,tiny,shm').split(','));
const PEERS = !flag('no-peers');

// ---- setup ---------------------------------------------------------------------------------
const bin = path.join(root, 'bin');
if (!fs.existsSync(path.join(root, 'dist/src/cmd/bpbackup.js'))) sh('npm run build', { cwd: root });
const baseTmp = fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir();
const work = path.resolve(opt('work', '') || fs.mkdtempSync(path.join(baseTmp, 'openbp-bench-')));
const outDir = path.resolve(opt('out', path.join(work, 'results')));
const home = path.join(work, 'openbp-home');
// A kept work directory keeps its datasets, not the images of earlier bench runs (3 GiB each at full size).
if (fs.existsSync(home)) {
  spawnSync(path.join(bin, 'bp.kill_all'), { env: { ...process.env, OPENBP_HOME: home }, stdio: 'ignore' });
  fs.rmSync(home, { recursive: true, force: true });
}
for (const d of ['data', 'out', 'restore', 'cache']) fs.mkdirSync(path.join(work, d), { recursive: true });
let cleaning = false;
function cleanup() {
  if (cleaning) return;
  cleaning = true;
  spawnSync(path.join(bin, 'bp.kill_all'), { env: { ...process.env, OPENBP_HOME: home }, stdio: 'ignore' });
  if (flag('keep')) return;
  // A work directory named with --work keeps its datasets (minutes to make at full size); a temporary one goes whole.
  const drop = opt('work', '') ? ['out', 'restore', 'openbp-home'] : ['data', 'out', 'restore', 'cache', 'openbp-home'];
  for (const d of drop) fs.rmSync(path.join(work, d), { recursive: true, force: true });
  try { fs.rmdirSync(work); } catch {} // stays when the results are inside it
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const have = { restic: false, borg: false };
if (PEERS) {
  const missing = ['restic', 'borg'].filter((t) => spawnSync('which', [t]).status !== 0);
  if (missing.length) {
    const pkgs = missing.map((t) => (t === 'borg' ? 'borgbackup' : t)).join(' ');
    console.log(`installing ${pkgs} from Debian ...`);
    spawnSync('bash', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkgs}`], { stdio: 'ignore' });
  }
  for (const t of ['restic', 'borg']) have[t] = spawnSync('which', [t]).status === 0;
}

const broken = [];
const ctx = {
  work, home, bin, have,
  data: path.join(work, 'data'),
  /** Clean-ups a case's steps leave for its end (see removeRestored in tools.mjs). */
  afterCase: [],
  broken: (msg) => { if (!broken.includes(msg)) broken.push(msg); console.log(`  BROKEN: ${msg}`); },
  verify(tool, ds, meta, dir) {
    let files = 0, bytes = 0;
    const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else { files++; bytes += fs.lstatSync(p).size; } } };
    try { walk(dir); } catch (e) { throw new Error(`restore of ${ds}: ${e.message}`); }
    if (files !== meta.files || bytes < meta.bytes) throw new Error(`restore of ${ds}: ${files} files / ${bytes} B, expected ${meta.files} / >= ${meta.bytes}`);
  },
};
ctx.env = toolEnv(ctx);
const obp = { home, names: openbpNames(bin), cliNames: new Set(['bpbackup', 'bprestore', 'bplist']) };

function restartDaemons() {
  sh('bp.kill_all >/dev/null; bp.start_all >/dev/null', { env: ctx.env });
}

const results = [];
const log = (s) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

/**
 * The restored trees of a restore case stay on disk until the case ends (see removeRestored in tools.mjs): a
 * problem is listed up front when the disk cannot hold them all (the full-size small case needs about 45 GB;
 * with less, the last runs fail with ENOSPC and the ones before run on a nearly full file system).
 */
function restoreSpace(name, steps, meta) {
  const need = meta.bytes * Object.keys(steps).length * RUNS * 1.1;
  const { bavail, bsize } = fs.statfsSync(ctx.work);
  const free = bavail * bsize;
  if (free < need) ctx.broken(`${name}: its restored trees need about ${(need / 1e9).toFixed(0)} GB until the case ends, ${(free / 1e9).toFixed(0)} GB free under ${ctx.work}`);
  return steps;
}

/** Runs every tool of `steps` RUNS times, alternating tools run by run; records medians. */
async function runCase(name, steps, { bytes, files, runs = RUNS } = {}) {
  const tools = Object.keys(steps);
  if (tools.some((t) => steps[t].openbp)) restartDaemons();
  log(`${name}: ${tools.join(', ')} x ${runs}`);
  const per = Object.fromEntries(tools.map((t) => [t, []]));
  for (let i = 0; i < runs; i++) {
    for (const t of tools) {
      const s = steps[t];
      try { s.prep?.(i); } catch (e) { per[t].push({ ok: false, err: `prep: ${e.message}` }); continue; }
      // Untimed: the dirty pages earlier runs left (a repository, a restored tree) are written back now, not
      // during this run (openbp's fsync and O_DIRECT writes would wait behind them).
      sh('sync');
      warmMemory(WARM_BYTES);
      const r = await run(s.cmd(i), { cwd: s.cwd, env: ctx.env, openbp: s.openbp ? obp : null });
      if (!r.ok) ctx.broken(`${t} ${name} run ${i}: exit ${r.status}: ${r.err.split('\n').slice(-3).join(' | ')}`);
      if (s.openbp) await settle(obp.home); // untimed: what openbp does after its job ends, before the next tool's run
      // post checks the result (restores are verified); a failed check makes the run not count
      try { s.post?.(i); } catch (e) { ctx.broken(`${t} ${name}: ${e.message}`); Object.assign(r, { ok: false, err: `check: ${e.message}` }); }
      per[t].push(r);
      const where = r.cpuByName ? ` (${Object.entries(r.cpuByName).filter(([, v]) => v >= 0.05).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([n, v]) => `${n} ${v.toFixed(2)}`).join(', ')})` : '';
      log(`  ${t} run ${i + 1}: ${r.ok ? `${r.wallS.toFixed(3)} s, CPU ${r.cpuS.toFixed(2)} s${where}` : `FAILED (${r.status})`}`);
    }
  }
  for (const clean of ctx.afterCase.splice(0)) clean();
  const out = {};
  for (const t of tools) {
    const ok = per[t].filter((r) => r.ok);
    const wallS = median(ok.map((r) => r.wallS));
    const peak = {};
    for (const r of ok) for (const [n, v] of Object.entries(r.peakMiB ?? {})) peak[n] = Math.max(peak[n] ?? 0, v);
    const rec = {
      case: name, tool: t, runs: per[t].length, okRuns: ok.length,
      wallS, cpuS: median(ok.map((r) => r.cpuS)),
      mbps: bytes ? bytes / 1e6 / wallS : NaN, filesPerS: files ? files / wallS : NaN,
      rssMiB: Math.max(...ok.map((r) => r.rssMiB ?? 0), 0),
      peakMiB: steps[t].openbp ? peak : undefined,
      failed: ok.length < per[t].length ? per[t].find((r) => !r.ok).err : undefined,
      raw: per[t].map(({ err, ...r }) => r),
    };
    results.push(rec);
    out[t] = rec;
  }
  return out;
}
const na = (name, tool, why) => results.push({ case: name, tool, na: why });

// ---- cases ---------------------------------------------------------------------------------
const started = Date.now();
log(`work dir ${work}${QUICK ? ' (quick)' : ''}; runs ${RUNS}; warm page cache`);
const meta = {};
const extra = {};

if (CASES.has('big')) {
  log('generating big ...');
  meta.big = makeBig(path.join(ctx.data, 'big'), SIZES.big);
  await runCase('backup big', backupSteps(ctx, 'big'), meta.big);
  await runCase('restore big', restoreSpace('restore big', restoreSteps(ctx, 'big', meta.big), meta.big), meta.big);
}

if (['small', 'incr', 'one'].some((c) => CASES.has(c))) {
  log('generating small ...');
  meta.small = makeSmall(path.join(ctx.data, 'small'), SIZES.small);
  await runCase('backup small', backupSteps(ctx, 'small'), meta.small);
  if (CASES.has('small')) await runCase('restore small', restoreSpace('restore small', restoreSteps(ctx, 'small', meta.small), meta.small), meta.small);
  if (CASES.has('incr')) {
    await runCase('incr small (no change)', incrementalSteps(ctx, 'small'), meta.small);
    await runCase('incr small (1% changed)', incrementalSteps(ctx, 'small', 0.01), meta.small);
  }
  if (CASES.has('one')) {
    const i = Math.floor(SIZES.small.count / 2), d = Math.floor(i / 50);
    const rel = path.join('small', `t${String(Math.floor(d / 100)).padStart(3, '0')}`, `m${Math.floor(d / 10) % 10}`, `l${d % 10}`, `f${String(i).padStart(7, '0')}${i % 2 ? '.txt' : '.bin'}`);
    await runCase('restore one file (small)', restoreOneSteps(ctx, 'small', rel), {});
  }
}

if (CASES.has('job')) {
  const one = path.join(ctx.data, 'one');
  fs.mkdirSync(one, { recursive: true });
  fs.writeFileSync(path.join(one, 'file.txt'), 'hello\n');
  await runCase('job: bpbackup 1 file, daemons up', { openbp: { openbp: true, cmd: () => `bpbackup -w ${one}/file.txt` } }, { files: 1, runs: Math.max(RUNS, 5) });
  await runCase('job: bpbackup 1 file, cold', { openbp: { openbp: true, prep: () => sh('bp.kill_all >/dev/null', { env: ctx.env }), cmd: () => `bpbackup -w ${one}/file.txt` } }, { files: 1 });
}

if (CASES.has('tiny')) {
  log(`generating tiny (${SIZES.tiny.count} files) ...`);
  const t0 = Date.now();
  meta.tiny = makeTiny(path.join(ctx.data, 'tiny'), SIZES.tiny);
  log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const src = path.join(ctx.data, 'tiny');
  const entries = meta.tiny.files + meta.tiny.dirs;
  await runCase('backup tiny (catalogue)', { tar: backupSteps(ctx, 'tiny', { withRestic: false, withBorg: false, withSync: false }).tar, openbp: { openbp: true, cmd: () => `bpbackup -w ${src}` } }, { ...meta.tiny, files: entries });
  // the newest image is the tiny one: its .f file and its fragments
  const fFiles = sh(`ls -t ${home}/db/images/*/*/*.f | head -1`).trim();
  const backupid = sh(`ls -t ${home}/stu/*/*_C1_F*.img | head -1`).trim().replace(/.*\/(.*)_C1_F\d+\.img$/, '$1');
  const frags = sh(`ls ${home}/stu/*/${backupid}_C1_F*.img | sort -V`).trim().split('\n');
  extra.catalogue = { fFile: fFiles, fBytes: fs.statSync(fFiles).size, entries, bytesPerEntry: fs.statSync(fFiles).size / entries, fragments: frags.length };
  log(`  .f ${extra.catalogue.fBytes} B for ${entries} entries = ${extra.catalogue.bytesPerEntry.toFixed(1)} B/entry`);
  const dir = path.join(src, 'a000', 'b01');
  await runCase('list tiny image', {
    'tar -tvf': { cmd: () => `cat ${frags.join(' ')} | tar -tvf - > /dev/null` },
    'bplist -R': { openbp: true, cmd: () => `bplist -R ${src} > /dev/null` },
    'bplist -l -R': { openbp: true, cmd: () => `bplist -l -R ${src} > /dev/null` },
  }, { files: entries });
  await runCase('list one dir (1000 entries)', { 'bplist dir': { openbp: true, cmd: () => `bplist ${dir}/ > /dev/null` } }, { files: 1000, runs: Math.max(RUNS, 5) });
}

if (CASES.has('shm')) {
  log(`bench-shm.mjs --mib ${SIZES.shmMiB} --runs ${RUNS} ...`);
  const r = spawnSync('node', [path.join(root, 'scripts/bench-shm.mjs'), '--mib', String(SIZES.shmMiB), '--runs', String(RUNS)], { cwd: root, encoding: 'utf8' });
  const m = /ring vs pipe.*write ([\d.]+), read ([\d.]+), hand-off only ([\d.]+)/.exec(r.stdout);
  extra.shm = m ? { write: +m[1], read: +m[2], handoff: +m[3], output: r.stdout } : { error: (r.stderr || r.stdout).slice(-1000) };
  if (!m) ctx.broken(`bench-shm.mjs: ${extra.shm.error}`);
  else console.log(r.stdout.trim().split('\n').map((l) => `  ${l}`).join('\n'));
}

// ---- report --------------------------------------------------------------------------------
const targets = evaluateTargets(results, extra);
const m = machine();
console.log(`\nopenbp bench${QUICK ? ' --quick' : ''}: ${m.nproc} CPU (${m.cpu}), ${m.memGiB} GiB, ${m.kernel}, node ${m.node}; warm page cache, medians of ${RUNS}`);
console.log(`datasets: ${Object.entries(meta).map(([k, v]) => `${k} ${v.files} files ${(v.bytes / 1e6).toFixed(0)} MB`).join('; ')}`);
console.log(`restic: ${have.restic ? m.restic : 'not available'}; borg: ${have.borg ? m.borg : 'not available'}; tar+fsync = tar -cf then sync(1) of the archive (openbp fsyncs its fragments)\n`);
console.log(resultsTable(results));
console.log('\n' + targetsTable(targets));
if (broken.length) console.log(`\nproblems:\n${broken.map((b) => `  - ${b}`).join('\n')}`);
const jsonFile = writeJson(outDir, { date: new Date().toISOString(), quick: QUICK, runs: RUNS, machine: m, datasets: meta, results, extra, targets, broken, elapsedS: (Date.now() - started) / 1000 });
console.log(`\nJSON: ${jsonFile}  (total ${((Date.now() - started) / 1000).toFixed(0)} s)`);
