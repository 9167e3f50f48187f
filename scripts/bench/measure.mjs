// Runs one shell command and measures it: wall time (hrtime around the spawn), user+sys CPU and
// peak RSS of the command and every descendant it waited for (GNU time's getrusage of children),
// plus, for openbp, the CPU and peak RSS of the daemons and job processes sampled from /proc.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { ProcMon } from './procmon.mjs';

const TIME = '/usr/bin/time';

/** Untimed helper step: runs a shell command and throws on failure. */
export function sh(cmd, { cwd, env } = {}) {
  const r = spawnSync('bash', ['-c', cmd], { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd}: exit ${r.status}\n${r.stderr.toString().slice(-2000)}`);
  return r.stdout.toString();
}

/**
 * Untimed helper step: touches up to `bytes` of memory in a child process, which then exits. On a VM whose balloon
 * reports free pages to the host (virtio free page reporting: /sys/module/page_reporting), the first write to a
 * page freed a while ago faults on the host and costs several times a warm one, so that the run after a large
 * removal paid for it (tar -cf of 3.2 GB: 11.2 s of CPU cold, 2.3 s just after this warm-up, 1.9-2.2 s either way
 * once warm). Run before every timed run, it gives each tool the same memory to start with. Leaves 1 GiB of
 * MemFree untouched (the sources must stay in the page cache); returns the bytes touched.
 */
export function warmMemory(bytes) {
  const free = Number(/MemFree:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) * 1024;
  const n = Math.min(bytes, free - 2 ** 30);
  if (n < 2 ** 28) return 0;
  const chunk = 2 ** 30;
  const js = `const n=${n};for(let d=0;d<n;d+=${chunk}){const b=Buffer.allocUnsafe(Math.min(${chunk},n-d));b.fill(1);globalThis['k'+d]=b}`;
  const r = spawnSync(process.execPath, ['-e', js], { stdio: 'ignore' });
  return r.status === 0 ? n : 0;
}

/**
 * run(cmd, {cwd, env, openbp: {home, names, cliNames}}) -> {ok, status, wallS, cpuS, rssMiB, peakMiB, err}
 * With openbp set, cpuS adds the daemons' and job processes' CPU and peakMiB holds the peak RSS of
 * every openbp process by name (VmHWM, sampled every 50 ms), cpuByName each name's own CPU.
 */
export async function run(cmd, { cwd, env, openbp } = {}) {
  const tfile = path.join(os.tmpdir(), `bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const mon = openbp ? new ProcMon({ home: openbp.home, names: openbp.names }) : null;
  mon?.start();
  const t0 = process.hrtime.bigint();
  const child = spawn(TIME, ['-f', '%U %S %M', '-o', tfile, 'bash', '-c', cmd], { cwd, env: env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err = (err + d.toString()).slice(-4000); });
  const status = await new Promise((resolve) => child.on('close', (code) => resolve(code)));
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const sampled = mon?.stop({ excludeNames: openbp.cliNames });
  let user = NaN, sys = NaN, rssKiB = NaN;
  try {
    const line = fs.readFileSync(tfile, 'utf8').trim().split('\n').pop();
    [user, sys, rssKiB] = line.split(' ').map(Number);
  } catch {}
  fs.rmSync(tfile, { force: true });
  const res = { ok: status === 0, status, wallS, cpuS: user + sys, rssMiB: Math.round(rssKiB / 1024), err: status === 0 ? '' : err.trim() };
  if (sampled) {
    res.cliCpuS = res.cpuS;
    res.cpuS += sampled.cpuS;
    res.peakMiB = sampled.peakMiB;
    res.transientSampledCpuS = sampled.transientSampledCpuS;
    res.cpuByName = sampled.cpuByName;
  }
  return res;
}

export const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
