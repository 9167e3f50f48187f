// The issue's targets, as ratios within one run (or absolute limits where the issue gives them).
const get = (results, c, tool) => results.find((r) => r.case === c && r.tool === tool && !r.na && r.okRuns > 0);
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');

export function evaluateTargets(results, extra) {
  const out = [];
  const ratio = (name, c, metric, ref, min) => {
    const a = get(results, c, 'openbp'), b = get(results, c, ref);
    if (!a || !b) return out.push({ name, measured: !a ? 'openbp missing/failed' : `${ref} not available`, goal: `>= ${min}x`, pass: null });
    const x = a[metric] / b[metric];
    out.push({ name, measured: `${f2(x)}x (${a[metric].toFixed(0)} vs ${b[metric].toFixed(0)} ${metric === 'mbps' ? 'MB/s' : 'files/s'})`, goal: `>= ${min}x`, pass: x >= min, value: x });
  };
  const limit = (name, r, max, unit = 's') => {
    if (!r) return out.push({ name, measured: 'missing/failed', goal: `<= ${max} ${unit}`, pass: null });
    out.push({ name, measured: `${r.wallS.toFixed(3)} s`, goal: `<= ${max} ${unit}`, pass: r.wallS <= max, value: r.wallS });
  };
  if (get(results, 'backup big', 'openbp')) ratio('backup big MB/s vs tar -cf', 'backup big', 'mbps', 'tar', 0.8);
  if (get(results, 'backup small', 'openbp')) {
    ratio('backup small files/s vs tar -cf', 'backup small', 'filesPerS', 'tar', 0.7);
    ratio('backup small files/s vs restic', 'backup small', 'filesPerS', 'restic', 2);
    ratio('backup small files/s vs borg', 'backup small', 'filesPerS', 'borg', 2);
  }
  if (get(results, 'restore big', 'openbp')) ratio('restore big MB/s vs tar -xf', 'restore big', 'mbps', 'tar', 0.8);
  if (get(results, 'restore small', 'openbp')) ratio('restore small MB/s vs tar -xf', 'restore small', 'mbps', 'tar', 0.7);
  for (const [c, name] of [['incr small (no change)', 'incremental, nothing changed'], ['incr small (1% changed)', 'incremental, 1% changed']]) {
    const o = get(results, c, 'openbp'), t = get(results, c, 'tar');
    if (!o || !t) {
      if (results.some((r) => r.case === c)) out.push({ name, measured: !o ? 'openbp missing/failed' : 'tar missing', goal: '<= 1.5x tar, < restic, borg', pass: null });
      continue;
    }
    const x = o.wallS / t.wallS;
    const peers = ['restic', 'borg'].map((p) => get(results, c, p)).filter(Boolean);
    const beats = peers.every((p) => o.wallS < p.wallS);
    const vs = peers.map((p) => `${p.tool} ${p.wallS.toFixed(2)} s`).join(', ');
    out.push({ name: `${name} (wall vs tar --listed-incremental)`, measured: `${f2(x)}x (${o.wallS.toFixed(2)} vs ${t.wallS.toFixed(2)} s${vs ? `; ${vs}` : ''})`, goal: '<= 1.5x, faster than restic, borg', pass: x <= 1.5 && beats, value: x });
  }
  if (results.some((r) => r.case.startsWith('restore one'))) limit('restore one file, daemons up', get(results, 'restore one file (small)', 'openbp'), 0.5);
  const list = get(results, 'list tiny image', 'bplist -R'), tarList = get(results, 'list tiny image', 'tar -tvf');
  if (list && tarList) {
    const x = tarList.wallS / list.wallS;
    out.push({ name: `bplist -R vs tar -tvf (${list.filesPerS ? Math.round(list.filesPerS * list.wallS) : '?'} entries)`, measured: `${f2(x)}x faster (${list.wallS.toFixed(2)} vs ${tarList.wallS.toFixed(2)} s)`, goal: '>= 3x', pass: x >= 3, value: x });
  }
  if (results.some((r) => r.case.startsWith('list one dir'))) limit('bplist one directory', get(results, 'list one dir (1000 entries)', 'bplist dir'), 0.1);
  if (extra.shm) {
    const x = extra.shm.handoff;
    out.push({ name: 'bptm shm hand-off vs cat | cat', measured: x ? `${f2(x)}x (write ${f2(extra.shm.write)}x, read ${f2(extra.shm.read)}x)` : 'failed', goal: '>= 0.8x', pass: x ? x >= 0.8 : null, value: x });
  }
  if (results.some((r) => r.case.startsWith('job'))) {
    limit('job overhead, 1 file, daemons up', get(results, 'job: bpbackup 1 file, daemons up', 'openbp'), 0.5);
    limit('job overhead, 1 file, cold', get(results, 'job: bpbackup 1 file, cold', 'openbp'), 2);
  }
  for (const [c, tool] of [['backup tiny (catalogue)', 'openbp'], ['list tiny image', 'bplist -R'], ['list tiny image', 'bplist -l -R']]) {
    const r = get(results, c, tool);
    if (!r?.peakMiB) continue;
    const [name, mib] = Object.entries(r.peakMiB).sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
    out.push({ name: `peak RSS, ${c} (${tool})`, measured: `${mib} MiB (${name})`, goal: '<= 150 MB', pass: mib * 1.048576 <= 150, value: mib });
  }
  if (extra.catalogue) {
    const x = extra.catalogue.bytesPerEntry;
    out.push({ name: `catalogue .f size (${extra.catalogue.entries} entries)`, measured: `${x.toFixed(1)} B/entry`, goal: '<= 100 B', pass: x <= 100, value: x });
  }
  return out;
}
