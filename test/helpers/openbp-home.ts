// A temporary $OPENBP_HOME with the real binaries (bin/ → dist/): what every scenario test starts from.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

const here = path.dirname(fileURLToPath(import.meta.url)); // <root>/dist/test/helpers
export const REPO_ROOT = path.resolve(here, '..', '..', '..');
export const BIN = path.join(REPO_ROOT, 'bin');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export class OpenbpHome {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;

  private constructor(root: string) {
    this.root = root;
    this.env = { ...process.env, OPENBP_HOME: root, NO_COLOR: '1', PATH: `${BIN}:${process.env.PATH ?? ''}` };
  }

  /** A fresh home under /tmp (short path: socket names must stay under 108 bytes). */
  static create(prefix = 'obp'): OpenbpHome {
    return new OpenbpHome(fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`)));
  }

  path(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  /** Runs bin/<name> with this home; never throws on a non-zero exit. */
  async run(name: string, args: readonly string[] = [], opts: Options = {}): Promise<RunResult> {
    const r = await execa(path.join(BIN, name), args, { env: this.env, reject: false, encoding: 'buffer', stdin: 'ignore', ...opts } as Options);
    const out = Buffer.from(r.stdout as unknown as Uint8Array);
    const err = Buffer.from(r.stderr as unknown as Uint8Array);
    return { code: r.exitCode ?? -1, stdout: out.toString('utf8'), stderr: err.toString('utf8'), stdoutBytes: out };
  }

  /** Runs and insists on exit 0. */
  async ok(name: string, args: readonly string[] = [], opts: Options = {}): Promise<RunResult> {
    const r = await this.run(name, args, opts);
    if (r.code !== 0) throw new Error(`${name} ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\n${this.logTail()}`);
    return r;
  }

  /** The last lines of every process log, for failure messages. */
  logTail(lines = 15): string {
    const out: string[] = [];
    const logs = this.path('logs');
    if (!fs.existsSync(logs)) return '';
    for (const proc of fs.readdirSync(logs)) {
      for (const f of fs.readdirSync(path.join(logs, proc))) {
        const text = fs.readFileSync(path.join(logs, proc, f), 'utf8').trimEnd().split('\n').slice(-lines);
        out.push(`--- ${proc}/${f}`, ...text);
      }
    }
    return out.join('\n');
  }

  /**
   * Waits for a command at most `ms`; past that the test fails with the process table and every
   * process log, so a hang in CI says where it hung.
   */
  async within<T>(run: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void this.run('bpps').then((ps) => reject(new Error(`${what} still running after ${ms} ms\n${ps.stdout}\n${this.logTail(30)}`)));
      }, ms);
    });
    try {
      return await Promise.race([run, late]);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Stops everything and removes the home. */
  async destroy(): Promise<void> {
    await this.run('bp.kill_all').catch(() => {});
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
