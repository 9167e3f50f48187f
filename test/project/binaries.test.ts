// Every binary has its launcher, its package.json bin entry, a man page and --help.

import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/openbp-home.js';
import { parseInvocation } from '../../src/cli/main.js';
import type { CommandSpec } from '../../src/cli/command.js';

const names = fs.readdirSync(path.join(REPO_ROOT, 'src/cmd')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };

describe('binaries', () => {
  it.each(names)('%s has a launcher, a bin entry and a man page', (name) => {
    expect(pkg.bin[name]).toBe(`bin/${name}`);
    const launcher = fs.readFileSync(path.join(REPO_ROOT, 'bin', name), 'utf8');
    expect(launcher).toContain(`/dist/src/cmd/${name}.js`);
    expect(launcher).toContain(`/dist/bin/${name}.cjs`);
    const pages = ['man1', 'man8'].flatMap((s) => [path.join(REPO_ROOT, 'man', s, `${name}.${s.slice(3)}`)]).filter((p) => fs.existsSync(p));
    expect([name, pages.length]).toEqual([name, 1]);
    expect(fs.readFileSync(pages[0]!, 'utf8')).toMatch(/^\.TH /m);
  });

  it.each(names)('%s answers --help', async (name) => {
    const mod = (await import(path.join(REPO_ROOT, 'dist/src/cmd', `${name}.js`))) as { command: CommandSpec };
    const help = parseInvocation(mod.command, ['--help']).help!;
    expect(help).toContain(`Usage: ${name}`);
  });
});
