// Samples every openbp process of one OPENBP_HOME from /proc while a command runs.
//
// A process is openbp's when /proc/<pid>/comm is one of the names in bin/ (the binaries set
// process.title, which sets comm) and its environ holds OPENBP_HOME=<home>. Every ~50 ms we read:
//   /proc/<pid>/status VmHWM  -> peak RSS per process (max kept per name)
//   /proc/<pid>/stat utime+stime+cutime+cstime -> CPU. The c* fields hold the CPU of children that
//     process has reaped, so a job process (bpbrm, bptm, bpbkar, nbtar) that came and went between
//     samples is still counted in its daemon's delta; its own last sample is kept for the record.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const HZ = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export function openbpNames(binDir) {
  return new Set(fs.readdirSync(binDir).filter((n) => !n.includes('.json')).map((n) => n.slice(0, 15)));
}

function readStat(pid) {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state); field n is f[n - 3]
  return { ppid: Number(f[1]), self: (Number(f[11]) + Number(f[12])) / HZ, children: (Number(f[13]) + Number(f[14])) / HZ, start: f[19] };
}

function readHwmKiB(pid) {
  const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** CPU seconds used so far by every process of the home, whatever its title (spares are titled node). */
function homeCpuS(envNeedle) {
  let sum = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!(fs.readFileSync(`/proc/${pid}/environ`, 'latin1') + '\0').includes(envNeedle)) continue;
      sum += readStat(pid).self;
    } catch {}
  }
  return sum;
}

/**
 * Waits (at most maxMs) until the home's processes are quiet: after a job, nbjm starts the spares of the next one
 * (~0.2 s of CPU), which must not run beside the next tool's timed run.
 */
export async function settle(home, maxMs = 5000) {
  const needle = `OPENBP_HOME=${path.resolve(home)}\0`;
  let before = homeCpuS(needle);
  for (const end = Date.now() + maxMs; Date.now() < end; ) {
    await new Promise((r) => setTimeout(r, 200));
    const now = homeCpuS(needle);
    if (now - before < 2 / HZ) return;
    before = now;
  }
}

export class ProcMon {
  constructor({ home, names, intervalMs = 50 }) {
    this.envNeedle = `OPENBP_HOME=${path.resolve(home)}\0`;
    this.names = names;
    this.intervalMs = intervalMs;
    this.known = new Map(); // `${pid}:${start}` -> record or null (not ours)
  }

  scan() {
    this.round = (this.round ?? 0) + 1;
    let pids;
    try { pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return; }
    for (const pid of pids) {
      try {
        const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        if (!this.names.has(comm)) continue;
        const st = readStat(pid);
        const key = `${pid}:${st.start}`;
        let rec = this.known.get(key);
        if (rec === undefined) {
          const env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1') + '\0';
          rec = env.includes(this.envNeedle) ? { pid: Number(pid), name: comm, first: null, last: null, hwmKiB: 0 } : null;
          this.known.set(key, rec);
        }
        if (!rec) continue;
        rec.name = comm; // first seen between a fork and its exec, a job process still had its parent's name
        const cpu = { self: st.self, children: st.children };
        rec.ppid = st.ppid;
        rec.seenAt = this.round;
        if (!rec.first) rec.first = this.started ? { self: 0, children: 0 } : cpu; // new during the run: from 0
        rec.last = cpu;
        rec.hwmKiB = Math.max(rec.hwmKiB, readHwmKiB(pid));
      } catch {
        // the process went away between readdir and read
      }
    }
  }

  start() {
    this.started = false;
    this.scan(); // baseline of what already runs (daemons)
    this.started = true;
    this.timer = setInterval(() => this.scan(), this.intervalMs);
  }

  /** Stops sampling. excludeNames: processes whose CPU the caller measures itself (the CLI). */
  stop({ excludeNames = new Set() } = {}) {
    clearInterval(this.timer);
    this.scan();
    const recs = [...this.known.values()].filter(Boolean);
    const pids = new Set(recs.map((r) => r.pid));
    const peakMiB = {};
    // Each process's own CPU (not its reaped children's) summed by name: where a job's CPU went. A job process
    // gone before the last sample counts up to its last sample (at most ~50 ms short).
    const cpuByName = {};
    let cpu = 0;
    let transientSampled = 0;
    for (const r of recs) {
      peakMiB[r.name] = Math.max(peakMiB[r.name] ?? 0, Math.round(r.hwmKiB / 1024));
      if (excludeNames.has(r.name) || !r.first) continue;
      cpuByName[r.name] = Math.round(((cpuByName[r.name] ?? 0) + r.last.self - r.first.self) * 100) / 100;
      const d = r.last.self - r.first.self + (r.last.children - r.first.children);
      const transient = r.first.self === 0 && r.first.children === 0;
      if (transient) transientSampled += r.last.self + r.last.children;
      // Count a process whose parent is not an openbp process we track (daemons, or anything
      // re-parented to init), and a child still alive at the end (not yet reaped). A child that was
      // reaped by a tracked parent is already in that parent's cutime/cstime.
      const alive = r.seenAt === this.round;
      if (!pids.has(r.ppid) || alive) cpu += d;
    }
    return { cpuS: cpu, transientSampledCpuS: transientSampled, cpuByName, peakMiB, processes: recs.length };
  }
}
