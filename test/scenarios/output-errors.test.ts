// Where a command's output goes wrong: standard output on a full disk is a failure (status 14, one line), never a
// listing cut short that exits 0; a reader that goes away (`| head`) just ends the output; a standard error that
// cannot be written leaves the exit status as it was (no crash with 1).

import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { OpenbpHome, BIN } from '../helpers/openbp-home.js';

describe('output that cannot be written', () => {
  let home: OpenbpHome;
  let tree: string;

  /** Runs a shell line with the home's environment: exit code and stderr. */
  async function sh(line: string): Promise<{ code: number; stderr: string; stdout: string }> {
    const r = await execa('bash', ['-c', line], { env: home.env, reject: false, stdin: 'ignore' });
    return { code: r.exitCode ?? -1, stderr: String(r.stderr), stdout: String(r.stdout) };
  }

  beforeAll(async () => {
    home = OpenbpHome.create('obp-out');
    tree = home.path('src');
    // Enough entries that a listing of them is well beyond a pipe's 64 KiB.
    for (let d = 0; d < 20; d++) {
      fs.mkdirSync(path.join(tree, `directory-with-a-long-name-${d}`), { recursive: true });
      for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(tree, `directory-with-a-long-name-${d}`, `file-with-a-long-name-${i}.txt`), `${d}.${i}`);
    }
    await home.ok('bp.start_all');
    await home.ok('bpbackup', ['-w', tree]);
  }, 60_000);

  afterAll(async () => {
    await home.run('bp.kill_all');
    home.destroy();
  });

  it.each([
    ['bplist (streamed)', "bplist -R '{tree}'"],
    ['bpimagelist', 'bpimagelist -U'],
    ['bperror', 'bperror -S 14'],
    ['--help', 'bpbackup --help'],
  ])('%s to a full disk exits 14 with one line naming it', async (_name, cmd) => {
    const r = await sh(`${BIN}/${cmd.replace('{tree}', tree)} > /dev/full`);
    expect(r.code).toBe(14);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cannot write standard output: .*ENOSPC.*\(status 14\)$/);
  });

  it('ends quietly with its status when the reader goes away', async () => {
    const r = await sh(`${BIN}/bplist -R '${tree}' | head -c 100 > /dev/null; echo "exit \${PIPESTATUS[0]}" >&2`);
    expect(r.stderr.trim()).toBe('exit 0');
    // The listing was long enough for the reader's going away to be noticed (a write into a pipe without reader).
    const whole = await home.ok('bplist', ['-R', tree]);
    expect(whole.stdout.length).toBeGreaterThan(128 * 1024);
  });

  it('keeps the exit status when standard error cannot be written', async () => {
    expect((await sh(`${BIN}/bplist -C nosuchclient -R / 2> /dev/full`)).code).toBe(227);
    expect((await sh(`${BIN}/bperror --bogus 2> /dev/full`)).code).toBe(20);
  });
});
