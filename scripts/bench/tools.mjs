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

/** Reads files or trees through the page cache (untimed). */
const warm = (...paths) => {
  if (paths.length > 0) sh(`tar -cf - ${paths.map(q).join(' ')} | cat > /dev/null`);
};

/**
 * Drops a file's or tree's pages from the page cache (written back first): a tool's output (an archive, a
 * repository) is not left to fill memory for the runs after it. With every tool's 3.2 GB output of the
 * full-size big case kept, the page cache held over 15 GB and the tools that write through it (tar,
 * restic, borg) spent their runs reclaiming it (tar -cf: 6-9 s of CPU, against 4.5 s alone), while openbp,
 * writing with O_DIRECT, did not.
 */
const EVICT = `import os, sys
for top in sys.argv[1:]:
    paths = [top] if os.path.isfile(top) else [os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs]
    for p in paths:
        try:
            fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)`;
const evict = (...paths) => {
  if (paths.length === 0) return;
  sh(`sync && python3 -c ${q(EVICT)} ${paths.map(q).join(' ')}`);
};

/**
 * Every run of a backup case starts with the source in the page cache: each step's prep ends by reading
 * the tree (untimed). borg drops what it reads from the cache (posix_fadvise DONTNEED), so without this
 * the tool after borg in each round read the tree from disk: openbp's quick small backup took 1.9-2.2 s
 * right after borg and 0.9 s otherwise.
 */
function warmSource(steps, src) {
  for (const s of Object.values(steps)) {
    const prep = s.prep;
    s.prep = (i) => {
      prep?.(i);
      warm(src);
    };
  }
  return steps;
}

/** Full backup of dataset `ds` (a directory name under ctx.data). */
export function backupSteps(ctx, ds, { withRestic = true, withBorg = true, withSync = true } = {}) {
  const src = path.join(ctx.data, ds);
  const steps = {
    tar: { prep: () => rmrf(tarFile(ctx, ds)), cmd: () => `tar -cf ${q(tarFile(ctx, ds))} ${q(ds)}`, post: () => evict(tarFile(ctx, ds)) },
  };
  if (withSync) {
    const f = path.join(ctx.work, 'out', `tar-sync-${ds}.tar`);
    steps['tar+fsync'] = { prep: () => rmrf(f), cmd: () => `tar -cf ${q(f)} ${q(ds)} && sync ${q(f)}`, post: () => rmrf(f) };
  }
  if (withRestic && ctx.have.restic) {
    steps.restic = {
      prep: () => { rmrf(resticRepo(ctx, ds)); sh(`restic -q -r ${q(resticRepo(ctx, ds))} init`, { env: ctx.env }); },
      cmd: () => `restic -q -r ${q(resticRepo(ctx, ds))} backup ${q(src)}`, // absolute: restores under <target>/<abs path>
      post: () => evict(resticRepo(ctx, ds)),
    };
  }
  if (withBorg && ctx.have.borg) {
    steps.borg = {
      prep: () => { rmrf(borgRepo(ctx, ds)); sh(`borg init -e none ${q(borgRepo(ctx, ds))}`, { env: ctx.env }); },
      cmd: () => `borg create ${q(borgRepo(ctx, ds))}::full ${q(ds)}`,
      post: () => evict(borgRepo(ctx, ds)),
    };
  }
  steps.openbp = { openbp: true, cmd: () => `bpbackup -w ${q(src)}` };
  for (const s of Object.values(steps)) s.cwd = ctx.data;
  return warmSource(steps, src);
}

/**
 * A restored tree of many files is removed when the case ends, not between runs: ext4 passes over inodes
 * deleted in the last minute or five (recently_deleted() in its inode allocator) when it allocates, so a
 * run that follows the removal of 8,000 files creates its files slower, and each removal adds to the next
 * (tar -xf of the quick small set, each into a fresh directory after removing the last: 2.3, 3.8, 5.4, 6.9 s;
 * perf: find_get_block_common and recently_deleted): seconds added to every run, more to each later one.
 */
const MANY_FILES = 1000;
function removeRestored(ctx, dir, files) {
  if ((files ?? 0) > MANY_FILES) ctx.afterCase.push(() => rmrf(dir));
  else rmrf(dir);
}

/**
 * Full restore of dataset `ds` from the images the backup case left behind. The restored tree is written back
 * and dropped from the page cache after its run, like every tool's output: kept, the full-size small case's
 * twelve trees (40 GB) outgrew memory, so later runs reclaimed earlier ones' pages and wrote back their dirty
 * data: tar -xf of the same archive took 10.7, 12.7 and 4.1 s; with each tree dropped after its run, 6.7, 6.2
 * and 4.9 s.
 */
export function restoreSteps(ctx, ds, meta, { withRestic = true, withBorg = true } = {}) {
  const src = path.join(ctx.data, ds);
  // `input`: what the tool reads (its archive, repository or image), warmed before its run and dropped after.
  const mk = (tool, cmd, input, extra = {}) => ({
    prep: (i) => { rmrf(target(ctx, tool, i)); fs.mkdirSync(target(ctx, tool, i), { recursive: true }); warm(...input()); },
    cmd: (i) => cmd(target(ctx, tool, i), i),
    post: (i) => {
      const t = target(ctx, tool, i);
      try { if (i === 0) ctx.verify(tool, ds, meta, extra.restored?.(t) ?? path.join(t, ds)); } finally { evict(t, ...input()); removeRestored(ctx, t, meta.files); }
    },
    ...extra,
  });
  const steps = { tar: mk('tar', (t) => `tar -xf ${q(tarFile(ctx, ds))} -C ${q(t)}`, () => [tarFile(ctx, ds)]) };
  if (withRestic && ctx.have.restic && fs.existsSync(resticRepo(ctx, ds))) {
    steps.restic = mk('restic', (t) => `restic -q -r ${q(resticRepo(ctx, ds))} restore latest --target ${q(t)}`, () => [resticRepo(ctx, ds)], { restored: (t) => path.join(t, src) });
  }
  if (withBorg && ctx.have.borg && fs.existsSync(borgRepo(ctx, ds))) {
    steps.borg = mk('borg', (t) => `cd ${q(t)} && borg extract ${q(borgRepo(ctx, ds))}::full`, () => [borgRepo(ctx, ds)]);
  }
  steps.openbp = mk('openbp', (t) => `bprestore -w -R ${q(renameFile(ctx, src, path.join(t, ds)))} ${q(src)}`, () => newestImage(ctx), { openbp: true });
  for (const s of Object.values(steps)) s.cwd ??= ctx.data;
  return steps;
}

/**
 * The fragments of the newest image. The bench compares with a warm page cache: tar's archive and the
 * repositories were written through the cache; bptm writes images with O_DIRECT, so the image a restore
 * reads is read once, untimed, before each restore run, as the others' inputs are.
 */
function newestImage(ctx) {
  const newest = sh(`ls -t ${q(ctx.home)}/stu/*/*_C1_F*.img 2>/dev/null | head -1`).trim();
  const id = newest.replace(/.*\/(.*)_C1_F\d+\.img$/, '$1');
  if (!id || id === newest) return [];
  return fs.readdirSync(path.dirname(newest)).filter((f) => f.startsWith(`${id}_C1_F`)).map((f) => path.join(path.dirname(newest), f));
}

/**
 * Backup after a full with nothing changed (`changed` = 0) or with that fraction of the files rewritten
 * before every timed run (the same files each time, so each tool sees them changed since its last run).
 * openbp runs an INCR schedule of a policy whose full was taken untimed first.
 */
export function incrementalSteps(ctx, ds, changed = 0) {
  const tag = changed ? `c${Math.round(changed * 1000)}` : 'c0';
  const snap0 = path.join(ctx.work, 'out', `tar-${ds}-${tag}.snar0`);
  const snap1 = path.join(ctx.work, 'out', `tar-${ds}-${tag}.snar1`);
  const inc1 = path.join(ctx.work, 'out', `tar-${ds}-${tag}-inc1.tar`);
  const policy = `bench-incr-${tag}`;
  const victims = changed ? changedFiles(path.join(ctx.data, ds), changed) : [];
  let touch = 0;
  const change = () => { touch++; for (const f of victims) fs.writeFileSync(f, `changed ${touch}\n`); };
  const steps = {
    tar: {
      prep: (i) => {
        // A level 0 from a fresh snapshot: with one left by an earlier --keep run it would be an incremental.
        if (i === 0) {
          rmrf(snap0);
          sh(`tar -cf ${q(path.join(ctx.work, 'out', `tar-${ds}-${tag}-inc0.tar`))} --listed-incremental=${q(snap0)} ${q(ds)}`, { cwd: ctx.data });
        }
        fs.copyFileSync(snap0, snap1);
        rmrf(inc1);
        change();
      },
      cmd: () => `tar -cf ${q(inc1)} --listed-incremental=${q(snap1)} ${q(ds)}`,
    },
  };
  if (ctx.have.restic && fs.existsSync(resticRepo(ctx, ds))) steps.restic = { prep: change, cmd: () => `restic -q -r ${q(resticRepo(ctx, ds))} backup ${q(path.join(ctx.data, ds))}` };
  if (ctx.have.borg && fs.existsSync(borgRepo(ctx, ds))) steps.borg = { prep: change, cmd: (i) => `borg create ${q(borgRepo(ctx, ds))}::inc-${tag}-${i} ${q(ds)}` };
  steps.openbp = {
    openbp: true,
    prep: (i) => {
      if (i === 0) {
        const client = sh('hostname -s', { env: ctx.env }).trim();
        for (const c of [
          `bppolicynew ${policy}`,
          `bpplclients ${policy} -add ${q(client)} Linux Debian`,
          `bpplinclude ${policy} -add ${q(path.join(ctx.data, ds))}`,
          `bpplsched ${policy} -add full -st FULL`,
          `bpplsched ${policy} -add incr -st INCR`,
          `bpbackup -i -p ${policy} -s full -w`,
        ]) sh(c, { env: ctx.env });
      }
      change();
    },
    cmd: () => `bpbackup -i -p ${policy} -s incr -w`,
  };
  for (const s of Object.values(steps)) s.cwd = ctx.data;
  return warmSource(steps, path.join(ctx.data, ds));
}

/** Every 1/fraction-th regular file under dir, in a stable order. */
function changedFiles(dir, fraction) {
  const files = [];
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) files.push(path.join(e.parentPath, e.name));
  files.sort();
  const step = Math.max(1, Math.round(1 / fraction));
  return files.filter((_, i) => i % step === 0);
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
