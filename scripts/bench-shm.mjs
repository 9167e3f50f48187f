#!/usr/bin/env node
// Measures bptm's shared-memory hand-off against a plain `cat | cat` pipe, on the same data in the same run.
//
//   node scripts/bench-shm.mjs [--mib 1024] [--runs 3] [--buffers 30] [--size 262144] [--out dist]
//
// --out is the compiled tree holding src/cli/main.js and src/cmd/bptm.js (default dist, else .build/b).
// Everything lives on /dev/shm (source, storage unit, buffer file), so the disk is not measured:
//   write: cat SRC | bptm (write, unit on tmpfs)    vs  cat SRC | cat > tmpfs file
//   read:  bptm (read, fragments on tmpfs) | cat    vs  cat FRAGMENT | cat   (both > /dev/null)
//   hand-off: the same read from stream byte 1, so no fragment is read whole and no sha256 is checked:
//          what is left is the ring itself (file -> ring -> pipe).
// The image is one fragment. bptm's numbers include its two node start-ups; write and the full read
// include the sha256 of the whole image (computed on write, checked on read). CPU (user+sys of the whole
// pipeline, GNU time) is printed per MB when /usr/bin/time exists.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
function opt(name, dflt) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
}
const MIB = Number(opt('mib', '1024'));
const RUNS = Number(opt('runs', '3'));
const BUFFERS = Number(opt('buffers', '30'));
const SIZE = Number(opt('size', String(256 * 1024)));
const outCandidates = [opt('out', ''), 'dist', '.build/b'].filter(Boolean).map((d) => path.resolve(root, d));
const out = outCandidates.find((d) => fs.existsSync(path.join(d, 'src/cmd/bptm.js')));
if (!out) {
  console.error(`no compiled bptm in ${outCandidates.join(', ')}; build first (npm run build)`);
  process.exit(2);
}

const work = fs.mkdtempSync(path.join('/dev/shm', 'openbp-bench-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const src = path.join(work, 'src.bin');
{
  const key = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const fd = fs.openSync(src, 'w');
  const zeros = Buffer.alloc(16 * 1024 * 1024);
  for (let done = 0; done < MIB * 1024 * 1024; done += zeros.length) fs.writeSync(fd, cipher.update(zeros));
  fs.closeSync(fd);
}
const bytes = fs.statSync(src).size;

const launcher = path.join(work, 'bptm.mjs');
fs.writeFileSync(
  launcher,
  `import { main } from ${JSON.stringify(path.join(out, 'src/cli/main.js'))};\nimport { command } from ${JSON.stringify(path.join(out, 'src/cmd/bptm.js'))};\nawait main(command, process.argv.slice(2));\n`,
);

const unitDir = path.join(work, 'stu');
const shmDir = path.join(work, 'ring');
fs.mkdirSync(shmDir);
let jobid = 1;
function writeSpec(over) {
  const spec = {
    jobid: jobid++,
    backupid: 'bench_1700000000',
    direction: 'write',
    unit: { label: 'bench', type: 'disk', path: unitDir, host: os.hostname(), concurrentJobs: 1, maxFragmentMB: 1024 * 1024, highWaterMark: 98, lowWaterMark: 80, onDemandOnly: false, maxMpx: 1 },
    numberOfBuffers: BUFFERS,
    bufferSize: SIZE,
    copy: 1,
    retentionLevel: 1,
    expiration: 2000000000,
    shmDir,
    ...over,
  };
  const f = path.join(work, `spec-${spec.jobid}.json`);
  fs.writeFileSync(f, JSON.stringify(spec));
  return f;
}

// user+sys CPU of the whole pipeline (every waited-for process) from GNU time, when it is installed.
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpuFile = path.join(work, 'cpu.txt');
const cpu = {};

function timed(cmd, name) {
  const argv = GNU_TIME ? [GNU_TIME, '-f', '%U %S', '-o', cpuFile, 'sh', '-c', cmd] : ['sh', '-c', cmd];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}`);
  if (GNU_TIME && name) {
    const [u, s] = fs.readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
    (cpu[name] ??= []).push(u + s);
  }
  return secs;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mbps = (s) => (bytes / 1e6 / s).toFixed(0);
const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

const results = { catWrite: [], bptmWrite: [], catRead: [], bptmRead: [], bptmHandoff: [] };
let fragments = [];
const sink = path.join(work, 'cat.out');
for (let run = 0; run < RUNS; run++) {
  results.catWrite.push(timed(`cat ${q(src)} | cat > ${q(sink)}`, 'catWrite'));
  fs.rmSync(sink, { force: true });

  fs.rmSync(unitDir, { recursive: true, force: true });
  const events = path.join(work, 'events.jsonl');
  results.bptmWrite.push(timed(`cat ${q(src)} | node ${q(launcher)} --spec ${q(writeSpec({}))} 3> ${q(events)}`, 'bptmWrite'));
  fragments = fs
    .readFileSync(events, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.kind === 'fragment')
    .map((e) => e.fragment);

  results.catRead.push(timed(`cat ${fragments.map((f) => q(f.mediaId)).join(' ')} | cat > /dev/null`, 'catRead'));
  results.bptmRead.push(timed(`node ${q(launcher)} --spec ${q(writeSpec({ direction: 'read', fragments }))} 3> /dev/null | cat > /dev/null`, 'bptmRead'));
  results.bptmHandoff.push(timed(`node ${q(launcher)} --spec ${q(writeSpec({ direction: 'read', fragments, rangeStart: 1 }))} 3> /dev/null | cat > /dev/null`, 'bptmHandoff'));
}

const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
const c = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)]));
const cpuOf = (k) => (c[k] === undefined ? '' : `  CPU ${c[k].toFixed(2)} s (${((c[k] * 1e3) / (bytes / 1e6)).toFixed(2)} ms/MB)`);
console.log(`data ${bytes} bytes; ring ${BUFFERS} x ${SIZE} bytes; ${RUNS} runs, medians; ${out}`);
console.log(`write  cat | cat > tmpfs      ${m.catWrite.toFixed(2)} s  ${mbps(m.catWrite)} MB/s${cpuOf('catWrite')}`);
console.log(`write  cat | bptm (tmpfs stu) ${m.bptmWrite.toFixed(2)} s  ${mbps(m.bptmWrite)} MB/s   ratio ${(m.catWrite / m.bptmWrite).toFixed(2)}${cpuOf('bptmWrite')}`);
console.log(`read   cat frags | cat        ${m.catRead.toFixed(2)} s  ${mbps(m.catRead)} MB/s${cpuOf('catRead')}`);
console.log(`read   bptm | cat             ${m.bptmRead.toFixed(2)} s  ${mbps(m.bptmRead)} MB/s   ratio ${(m.catRead / m.bptmRead).toFixed(2)}${cpuOf('bptmRead')}`);
console.log(`read   bptm | cat, no sha256  ${m.bptmHandoff.toFixed(2)} s  ${mbps(m.bptmHandoff)} MB/s   ratio ${(m.catRead / m.bptmHandoff).toFixed(2)}${cpuOf('bptmHandoff')}`);
console.log(
  `ring vs pipe (bptm throughput / cat|cat throughput): write ${(m.catWrite / m.bptmWrite).toFixed(2)}, read ${(m.catRead / m.bptmRead).toFixed(2)}, hand-off only ${(m.catRead / m.bptmHandoff).toFixed(2)}`,
);
