// At a terminal (a real pty), bpbackup -w shows a spinner with the job's progress and a coloured
// EXIT STATUS line; NO_COLOR turns the colour off; in a pipe there is neither (see the round trip).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pty from 'node-pty';
import { OpenbpHome, BIN } from '../helpers/openbp-home.js';

function runInPty(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const term = pty.spawn(cmd, args, { name: 'xterm-256color', cols: 120, rows: 30, env: env as Record<string, string> });
    let output = '';
    term.onData((d) => (output += d));
    term.onExit(({ exitCode }) => setTimeout(() => resolve({ code: exitCode, output }), 50));
  });
}

describe('terminal use', () => {
  let home: OpenbpHome;
  let data: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obptty-'));
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(data, `f${i}`), crypto.randomBytes(32 * 1024 * 1024));
    env = { ...home.env, TERM: 'xterm-256color' };
    delete env.NO_COLOR;
    delete env.CI;
    await home.ok('bp.start_all');
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('shows the job progress and a green EXIT STATUS 0 line', async () => {
    const r = await runInPty(path.join(BIN, 'bpbackup'), ['-w', data], env);
    expect(r.code).toBe(0);
    // The spinner's last line stays: even a job that ends before the first poll shows how it ended.
    expect(r.output).toMatch(/Backup job \d+: done, \d+ files, /);
    expect(r.output).toContain('\x1b[32mEXIT STATUS 0: the requested operation was successfully completed\x1b[39m');
  });

  it('prints the EXIT STATUS line without colour when NO_COLOR is set', async () => {
    const r = await runInPty(path.join(BIN, 'bpbackup'), ['-w', data], { ...env, NO_COLOR: '1' });
    expect(r.code).toBe(0);
    const line = r.output.split(/\r?\n/).find((l) => l.includes('EXIT STATUS 0'))!;
    expect(line).not.toMatch(/\x1b\[3\dm/);
  });

  it('colours a failure red on stderr', async () => {
    const r = await runInPty(path.join(BIN, 'bpbackup'), ['-w', path.join(data, 'nothing-here')], env);
    expect(r.code).toBe(71);
    expect(r.output).toContain('\x1b[31mEXIT STATUS 71: none of the files in the file list exist');
  });
});
