// The commands each tool runs for each kind of case. A step is {prep?, cmd, post?, cwd?, openbp?}:
// prep and post are untimed (fresh repositories, empty targets, clean-up), cmd is timed.
import fs from 'node:fs';
import path from 'node:path';
import { sh } from './measure.mjs';

const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

export function toolEnv(ctx) {
  return {
    ...process.env,
    OPENBP_HOME: ctx.home,
    PATH: `${ctx.bin}:${process.env.PATH}`,
    RESTIC_PASSWORD: 'bench',
    RESTIC_CACHE_DIR: path.join(ctx.work, 'cache', 'restic'),
    BORG_BASE_DIR: path.join(ctx.work, 'cache', 'borg'),
    BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
    BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
  };
}

const tarFile = (ctx, ds) => path.join(ctx.work, 'out', `tar-${ds}.tar`);
const resticRepo = (ctx, ds) => path.join(ctx.work, 'out', `restic-${ds}`);
const borgRepo = (ctx, ds) => path.join(ctx.work, 'out', `borg-${ds}`);
const target = (ctx, tool, i) => path.join(ctx.work, 'restore', `${tool}-${i}`);
const renameFile = (ctx, from, to) => {
  const f = path.join(ctx.work, 'out', `rename-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(f, `change ${from} to ${to}\n`);
  return f;
};
const rmrf = (p) => fs.rmSync(p, { recursive: true, force: true });

/** Full backup of dataset `ds` (a directory name under ctx.data). */
export function backupSteps(ctx, ds, { withRestic = true, withBorg = true, withSync = true } = {}) {
  const src = path.join(ctx.data, ds);
  const steps = {
    tar: { prep: () => rmrf(tarFile(ctx, ds)), cmd: () => `tar -cf ${q(tarFile(ctx, ds))} ${q(ds)}` },
  };
  if (withSync) {
    const f = path.join(ctx.work, 'out', `tar-sync-${ds}.tar`);
    steps['tar+fsync'] = { prep: () => rmrf(f), cmd: () => `tar -cf ${q(f)} ${q(ds)} && sync ${q(f)}`, post: () => rmrf(f) };
  }
  if (withRestic && ctx.have.restic) {
    steps.restic = {
      prep: () => { rmrf(resticRepo(ctx, ds)); sh(`restic -q -r ${q(resticRepo(ctx, ds))} init`, { env: ctx.env }); },
      cmd: () => `restic -q -r ${q(resticRepo(ctx, ds))} backup ${q(src)}`, // absolute: restores under <target>/<abs path>
    };
  }
  if (withBorg && ctx.have.borg) {
    steps.borg = {
      prep: () => { rmrf(borgRepo(ctx, ds)); sh(`borg init -e none ${q(borgRepo(ctx, ds))}`, { env: ctx.env }); },
      cmd: () => `borg create ${q(borgRepo(ctx, ds))}::full ${q(ds)}`,
    };
  }
  steps.openbp = { openbp: true, cmd: () => `bpbackup -w ${q(src)}` };
  for (const s of Object.values(steps)) s.cwd = ctx.data;
  return steps;
}

/** Full restore of dataset `ds` from the images the backup case left behind. */
export function restoreSteps(ctx, ds, meta, { withRestic = true, withBorg = true } = {}) {
  const src = path.join(ctx.data, ds);
  const mk = (tool, cmd, extra = {}) => ({
    prep: (i) => { rmrf(target(ctx, tool, i)); fs.mkdirSync(target(ctx, tool, i), { recursive: true }); },
    cmd: (i) => cmd(target(ctx, tool, i), i),
    post: (i) => {
      try { if (i === 0) ctx.verify(tool, ds, meta, extra.restored?.(target(ctx, tool, i)) ?? path.join(target(ctx, tool, i), ds)); } finally { rmrf(target(ctx, tool, i)); }
    },
    ...extra,
  });
  const steps = { tar: mk('tar', (t) => `tar -xf ${q(tarFile(ctx, ds))} -C ${q(t)}`) };
  if (withRestic && ctx.have.restic && fs.existsSync(resticRepo(ctx, ds))) {
    steps.restic = mk('restic', (t) => `restic -q -r ${q(resticRepo(ctx, ds))} restore latest --target ${q(t)}`, { restored: (t) => path.join(t, src) });
  }
  if (withBorg && ctx.have.borg && fs.existsSync(borgRepo(ctx, ds))) {
    steps.borg = mk('borg', (t) => `cd ${q(t)} && borg extract ${q(borgRepo(ctx, ds))}::full`);
  }
  steps.openbp = mk('openbp', (t) => `bprestore -w -R ${q(renameFile(ctx, src, path.join(t, ds)))} ${q(src)}`, { openbp: true });
  for (const s of Object.values(steps)) s.cwd ??= ctx.data;
  return steps;
}

/** Backup with nothing changed since the full backup. openbp has no incrementals yet. */
export function incrementalSteps(ctx, ds) {
  const snap0 = path.join(ctx.work, 'out', `tar-${ds}.snar0`);
  const snap1 = path.join(ctx.work, 'out', `tar-${ds}.snar1`);
  const inc1 = path.join(ctx.work, 'out', `tar-${ds}-inc1.tar`);
  const steps = {
    tar: {
      prep: (i) => {
        if (i === 0) sh(`tar -cf ${q(path.join(ctx.work, 'out', `tar-${ds}-inc0.tar`))} --listed-incremental=${q(snap0)} ${q(ds)}`, { cwd: ctx.data });
        fs.copyFileSync(snap0, snap1);
        rmrf(inc1);
      },
      cmd: () => `tar -cf ${q(inc1)} --listed-incremental=${q(snap1)} ${q(ds)}`,
    },
  };
  if (ctx.have.restic && fs.existsSync(resticRepo(ctx, ds))) steps.restic = { cmd: () => `restic -q -r ${q(resticRepo(ctx, ds))} backup ${q(path.join(ctx.data, ds))}` };
  if (ctx.have.borg && fs.existsSync(borgRepo(ctx, ds))) steps.borg = { cmd: (i) => `borg create ${q(borgRepo(ctx, ds))}::inc-${i} ${q(ds)}` };
  for (const s of Object.values(steps)) s.cwd = ctx.data;
  return steps;
}

/** Restore of one file (`rel` under ctx.data) from the full image/archive of `ds`. */
export function restoreOneSteps(ctx, ds, rel) {
  const abs = path.join(ctx.data, rel);
  const mk = (tool, cmd, extra = {}) => ({
    cwd: ctx.data,
    prep: (i) => { rmrf(target(ctx, tool, i)); fs.mkdirSync(target(ctx, tool, i), { recursive: true }); },
    cmd: (i) => cmd(target(ctx, tool, i)),
    post: (i) => {
      const got = extra.restored ? extra.restored(target(ctx, tool, i)) : path.join(target(ctx, tool, i), rel);
      const good = fs.existsSync(got) && fs.statSync(got).size === fs.statSync(abs).size;
      rmrf(target(ctx, tool, i));
      if (!good) throw new Error(`restore of one file: ${got} missing or wrong size`);
    },
    ...extra,
  });
  const steps = { tar: mk('tar', (t) => `tar -xf ${q(tarFile(ctx, ds))} -C ${q(t)} ${q(rel)}`) };
  if (ctx.have.restic && fs.existsSync(resticRepo(ctx, ds))) {
    steps.restic = mk('restic', (t) => `restic -q -r ${q(resticRepo(ctx, ds))} restore latest --target ${q(t)} --include ${q(abs)}`, { restored: (t) => path.join(t, abs) });
  }
  if (ctx.have.borg && fs.existsSync(borgRepo(ctx, ds))) steps.borg = mk('borg', (t) => `cd ${q(t)} && borg extract ${q(borgRepo(ctx, ds))}::full ${q(rel)}`);
  steps.openbp = mk('openbp', (t) => `bprestore -w -R ${q(renameFile(ctx, abs, path.join(t, 'one')))} ${q(abs)}`, { openbp: true, restored: (t) => path.join(t, 'one') });
  return steps;
}
