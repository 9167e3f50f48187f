// Spare processes (ipc/spare-process.ts, keepSpare in ipc/spawn.ts): a real binary started ahead, handed its run
// later, behaves as the same binary started for that run; a spare that cannot be the run, or is not needed, is let go.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { dropSpare, dropSpares, hasSpare, keepSpare, spawnBinary, waitForExit } from '../../src/ipc/spawn.js';
import { binaryEntry } from '../../src/config/install.js';

/** Whether the process is gone (or a zombie nobody reaped yet), polled for up to `ms`. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.startsWith('Z')) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/** Until the spare has loaded its code and sleeps in its recvmsg (the kernel's wait for a packet). */
async function waiting(child: ChildProcess): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (fs.readFileSync(`/proc/${child.pid}/wchan`, 'latin1').includes('wait_for_more_packets')) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`spare ${child.pid} never came to wait for its run`);
}

describe('spare processes', () => {
  let dir: string;
  const env = { ...process.env, OPENBP_HOME: '' };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-spare-'));
    env.OPENBP_HOME = path.join(dir, 'home');
  });
  afterEach(() => {
    dropSpares();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** bperror -S 71 with stdout and stderr into files, as a new process or a spare: [code, stdout, stderr]. */
  async function bperror(status: string): Promise<{ pid: number | undefined; code: number | null; out: string; err: string }> {
    const out = path.join(dir, `out.${Math.random()}`);
    const err = path.join(dir, `err.${Math.random()}`);
    const [o, e] = [fs.openSync(out, 'w'), fs.openSync(err, 'w')];
    const child = spawnBinary('bperror', ['-S', status], { stdio: ['ignore', o, e], env });
    fs.closeSync(o);
    fs.closeSync(e);
    const { code } = await waitForExit(child);
    return { pid: child.pid, code, out: fs.readFileSync(out, 'utf8'), err: fs.readFileSync(err, 'utf8') };
  }

  it('is handed its arguments and descriptors: the run is the one a new process makes, in the spare', async () => {
    const cold = await bperror('71');
    expect(cold.code).toBe(0);
    expect(cold.out).toMatch(/none of the files in the file list exist/i);
    const spare = keepSpare('bperror', { env })!;
    await waiting(spare);
    expect(hasSpare('bperror')).toBe(true);
    const warm = await bperror('71');
    expect(warm.pid).toBe(spare.pid);
    expect(hasSpare('bperror')).toBe(false);
    expect(warm).toEqual({ ...cold, pid: spare.pid });
    // Its failures too (a bad status: 20 and a one-line error on its stderr).
    keepSpare('bperror', { env });
    const bad = await bperror('nonsense');
    expect(bad.code).toBe(20);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
  });

  it('is handed a run also while it is still starting (the invocation waits in its socket)', async () => {
    const spare = keepSpare('bperror', { env })!;
    const warm = await bperror('0');
    expect(warm.pid).toBe(spare.pid);
    expect(warm.code).toBe(0);
  });

  it('is let go, and a new process started, when the run asks for another environment or a pipe it does not have', async () => {
    const spare = keepSpare('bperror', { env })!;
    const other = spawnBinary('bperror', ['-S', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, OPENBP_X: '1' } });
    let out = '';
    other.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const closed = new Promise((resolve) => other.once('close', resolve)); // its output read to the end
    expect(other.pid).not.toBe(spare.pid);
    expect(await waitForExit(spare)).toEqual({ code: 0, signal: null });
    expect(await closed).toBe(0);
    expect(out).toMatch(/successfully completed/);
    // Same environment, but standard output a pipe to us (a spare has only descriptors handed over): a new process.
    const spare2 = keepSpare('bperror', { env })!;
    const piped = spawnBinary('bperror', ['-S', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    expect(piped.pid).not.toBe(spare2.pid);
    expect((await waitForExit(piped)).code).toBe(0);
    expect(await goneWithin(spare2.pid!, 10_000)).toBe(true);
  });

  it('ends, status 0, when it is dropped, and a dead spare is passed over for a new process', async () => {
    const spare = keepSpare('bperror', { env })!;
    await waiting(spare);
    dropSpare('bperror');
    expect(hasSpare('bperror')).toBe(false);
    expect(await waitForExit(spare)).toEqual({ code: 0, signal: null });
    const dead = keepSpare('bperror', { env })!;
    dead.kill('SIGKILL');
    await waitForExit(dead);
    const run = await bperror('71');
    expect(run.pid).not.toBe(dead.pid);
    expect(run.code).toBe(0);
  });

  it('ends when the process that kept it dies (its end of the control pair closes)', async () => {
    const spawnJs = path.resolve(path.dirname(binaryEntry('bperror')), '..', 'src', 'ipc', 'spawn.js');
    const script = `import { keepSpare } from ${JSON.stringify(spawnJs)}; const s = keepSpare('bperror'); console.log(s.pid); setInterval(() => {}, 1000);`;
    const keeper = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env });
    const pid = await new Promise<number>((resolve) => keeper.stdout!.once('data', (c: Buffer) => resolve(Number(c.toString().trim()))));
    expect(await goneWithin(pid, 1000)).toBe(false); // it waits
    keeper.kill('SIGKILL');
    expect(await goneWithin(pid, 10_000)).toBe(true);
  });

  it('refuses --spare from the command line with a one-line error and status 20', async () => {
    for (const args of [['--spare'], ['--spare', '1'], ['--spare', 'x'], ['--spare', '57']]) {
      const child = spawn(process.execPath, [binaryEntry('bperror'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
      let err = '';
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      const { code } = await waitForExit(child);
      expect(code).toBe(20);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toMatch(/^bperror: .*--spare/);
    }
  });
});
