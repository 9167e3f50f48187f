// The printed table (results and targets) and the JSON file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execSync } from 'node:child_process';

const fmt = (x, d = 2) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(d)) : '-');

function pad(rows) {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((v, c) => (c < 2 ? String(v).padEnd(w[c]) : String(v).padStart(w[c]))).join('  ')).join('\n');
}

export function machine() {
  const tryx = (c) => { try { return execSync(c, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch { return '?'; } };
  return {
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    node: process.version,
    tar: tryx('tar --version | head -1'),
    restic: tryx('restic version'),
    borg: tryx('borg --version'),
  };
}

export function resultsTable(results) {
  const rows = [['case', 'tool', 'runs', 'wall s', 'MB/s', 'files/s', 'CPU s', 'peak RSS MiB', 'note']];
  for (const r of results) {
    if (r.na) { rows.push([r.case, r.tool, '-', 'n/a', '', '', '', '', r.na]); continue; }
    const rss = r.peakMiB ? Object.entries(r.peakMiB).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n, v]) => `${n} ${v}`).join(', ') : fmt(r.rssMiB, 0);
    rows.push([r.case, r.tool, `${r.okRuns}/${r.runs}`, fmt(r.wallS, 3), fmt(r.mbps, 1), fmt(r.filesPerS, 0), fmt(r.cpuS), rss, r.failed ? `FAILED: ${r.failed.slice(0, 60)}` : '']);
  }
  return pad(rows);
}

export function targetsTable(targets) {
  const rows = [['target', 'measured', 'goal', 'result']];
  for (const t of targets) rows.push([t.name, t.measured, t.goal, t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'FAIL']);
  return pad(rows);
}

export function writeJson(outDir, doc) {
  fs.mkdirSync(outDir, { recursive: true });
  const f = path.join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(f, JSON.stringify(doc, null, 2));
  return f;
}
