// After a job, nbjm keeps a spare bpbrm, which keeps spares of a backup's bptm (with its child) and bpbkar: the next
// backup runs in them, and its tree comes back byte for byte and attribute for attribute. Spares go with the daemons
// (also when nbjm is killed), and bp.conf SPARE_JOB_PROCESSES = NO keeps none.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { makeFidelityTree } from '../helpers/make-tree.js';
import { compareTrees } from '../helpers/compare-trees.js';

const isRoot = process.getuid?.() === 0;

interface SpareProc {
  pid: number;
  ppid: number;
  /** bpbrm, bptm, bptm-child or bpbkar. */
  role: string;
}

/** The spares of a home: processes started as `<binary>.cjs --spare FD [--child]` that have not been handed a run. */
function sparesOf(root: string): SpareProc[] {
  const out: SpareProc[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      const i = argv.indexOf('--spare');
      if (i < 1 || fs.readFileSync(`/proc/${pid}/comm`, 'latin1').trim() !== 'node') continue;
      if (!fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`OPENBP_HOME=${root}`)) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const name = path.basename(argv[i - 1]!, '.cjs');
      out.push({ pid: Number(pid), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), role: argv.includes('--child') ? `${name}-child` : name });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Polls until the home's spares are the four of a backup (bpbrm; bptm, bpbkar under it; bptm's child under bptm). */
async function fourSpares(root: string, ms = 15_000): Promise<Record<string, SpareProc>> {
  let seen: SpareProc[] = [];
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    seen = sparesOf(root);
    const by = Object.fromEntries(seen.map((p) => [p.role, p]));
    if (seen.length === 4 && by.bpbrm && by.bptm?.ppid === by.bpbrm.pid && by.bpbkar?.ppid === by.bpbrm.pid && by['bptm-child']?.ppid === by.bptm.pid) return by;
  }
  throw new Error(`the spares never came: ${JSON.stringify(seen)}`);
}

async function noSpares(root: string, ms: number): Promise<SpareProc[]> {
  let seen: SpareProc[] = [];
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    seen = sparesOf(root);
    if (seen.length === 0) return seen;
  }
  return seen;
}

describe('spare job processes', () => {
  let home: OpenbpHome;
  let srcBase: string;
  let src: string;
  let dst: string;

  beforeAll(async () => {
    home = OpenbpHome.create();
    srcBase = fs.mkdtempSync(path.join(os.tmpdir(), 'obpspare-'));
    src = path.join(srcBase, 'tree');
    dst = path.join(srcBase, 'back');
    fs.mkdirSync(src);
    await makeFidelityTree(src);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(srcBase, { recursive: true, force: true });
  });

  it('runs the second backup in the spares the first left, and restores it exactly', async () => {
    await home.ok('bpbackup', ['-w', src]);
    const spares = await fourSpares(home.root);
    fs.writeFileSync(path.join(src, 'added.txt'), 'after the first backup\n');
    await home.ok('bpbackup', ['-w', src]);
    const log = fs.readdirSync(home.path('logs', 'bpbrm')).map((f) => fs.readFileSync(home.path('logs', 'bpbrm', f), 'utf8')).join('');
    // bpbrm logs as itself ([pid]) and names its children.
    const job2 = log.trimEnd().split('\n').filter((l) => / job 2: /.test(l));
    expect(job2.length).toBeGreaterThan(0);
    expect(job2.every((l) => l.includes(`[${spares.bpbrm.pid}]`))).toBe(true);
    expect(job2.some((l) => l.includes(`bptm pid ${spares.bptm.pid}, bpbkar pid ${spares.bpbkar.pid}`))).toBe(true);
    // The job's processes are gone; the next job's spares are new ones.
    const next = await fourSpares(home.root);
    for (const p of Object.values(spares)) {
      expect(fs.existsSync(`/proc/${p.pid}`)).toBe(false);
      expect(Object.values(next).map((n) => n.pid)).not.toContain(p.pid);
    }
    const rename = home.path('rename');
    fs.writeFileSync(rename, `change ${src} to ${dst}\n`);
    await home.ok('bprestore', ['-w', '-R', rename, src]);
    expect(await compareTrees(src, dst, { owners: isRoot, xattrs: true })).toEqual([]);
  });

  it('leaves no spare behind when nbjm is killed, nor with the daemons stopped', async () => {
    await fourSpares(home.root);
    const nbjm = Number(fs.readFileSync(home.path('run', 'nbjm.pid'), 'utf8'));
    process.kill(nbjm, 'SIGKILL');
    expect(await noSpares(home.root, 10_000)).toEqual([]);
    // A job restarts nbjm; its end leaves spares; bp.kill_all takes them with the daemons.
    await home.ok('bpbackup', ['-w', src]);
    await fourSpares(home.root);
    await home.ok('bp.kill_all');
    expect(await noSpares(home.root, 10_000)).toEqual([]);
  });

  it('keeps none with SPARE_JOB_PROCESSES = NO in bp.conf', async () => {
    fs.appendFileSync(home.path('bp.conf'), 'SPARE_JOB_PROCESSES = NO\n');
    await home.ok('bpbackup', ['-w', src]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(sparesOf(home.root)).toEqual([]);
    await home.ok('bpbackup', ['-w', src]);
    expect(sparesOf(home.root)).toEqual([]);
  });
});
