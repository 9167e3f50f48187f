// A small GNU tar archive built with the real tar binary, for the DR test.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { tempDir, patternRecord } from './tape-fixtures.js';

export async function buildTar(): Promise<{ tar: Buffer; names: string[] }> {
  const dir = await tempDir('openbp-tar-');
  await fs.mkdir(path.join(dir, 'src', 'sub'), { recursive: true });
  await fs.writeFile(path.join(dir, 'src', 'a.txt'), 'hello tape\n');
  await fs.writeFile(path.join(dir, 'src', 'sub', 'b.bin'), patternRecord(300000, 5));
  execFileSync('tar', ['--format=gnu', '--sort=name', '-cf', path.join(dir, 'x.tar'), '-C', dir, 'src']);
  const tar = await fs.readFile(path.join(dir, 'x.tar'));
  const listed = execFileSync('tar', ['-tf', path.join(dir, 'x.tar')], { encoding: 'utf8' }).trim().split('\n');
  await fs.rm(dir, { recursive: true, force: true });
  if (listed.join(',') !== 'src/,src/a.txt,src/sub/,src/sub/b.bin') throw new Error(`unexpected tar listing ${listed.join(',')}`);
  return { tar, names: listed };
}
