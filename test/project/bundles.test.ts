// Every launcher in bin/ runs its binary's bundle (dist/bin/<name>.cjs, made by the build), not the tsc modules.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/openbp-home.js';

const names = fs.readdirSync(path.join(REPO_ROOT, 'src/cmd')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));

let dir: string;
let register: string;

// A module resolve hook that appends every URL the process imports to $OPENBP_TEST_IMPORTS, and every file it
// requires (CommonJS loads do not pass that hook).
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openbp-bundles-'));
  fs.writeFileSync(
    path.join(dir, 'hooks.mjs'),
    `import fs from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  fs.appendFileSync(process.env.OPENBP_TEST_IMPORTS, r.url + '\\n');\n  return r;\n}\n`,
  );
  // Preloaded as CommonJS (-r): with --import, node would load the launcher itself as ESM and refuse bp.kill_all's extension.
  register = path.join(dir, 'register.cjs');
  fs.writeFileSync(
    register,
    `const Module = require('node:module');\nModule.register(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n` +
      `const resolve = Module._resolveFilename;\nModule._resolveFilename = function (...a) {\n  const f = resolve.apply(this, a);\n` +
      `  if (f.startsWith('/')) require('node:fs').appendFileSync(process.env.OPENBP_TEST_IMPORTS, require('node:url').pathToFileURL(f).href + '\\n');\n  return f;\n};\n`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function runHelp(name: string): Promise<{ code: number | null; stdout: string; imports: string[] }> {
  const log = path.join(dir, `${name}.imports`);
  fs.writeFileSync(log, '');
  const child = spawn(process.execPath, ['-r', register, path.join(REPO_ROOT, 'bin', name), '--help'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, OPENBP_TEST_IMPORTS: log, NO_COLOR: '1' },
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => {
    // 'close', not 'exit': the last of stdout may still be on its way when the process has exited.
    child.on('close', (code) => {
      const root = pathToFileURL(REPO_ROOT).href;
      const imports = fs.readFileSync(log, 'utf8').split('\n').filter((u) => u.startsWith(root) && !u.includes('/node_modules/'));
      resolve({ code, stdout, imports: [...new Set(imports.map((u) => u.slice(root.length + 1)))] });
    });
  });
}

describe('bundles', () => {
  it.concurrent.each(names)('bin/%s runs its bundle and no other module of ours', async (name) => {
    expect(fs.existsSync(path.join(REPO_ROOT, 'dist/bin', `${name}.cjs`))).toBe(true);
    const run = await runHelp(name);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: ${name}`);
    expect(run.imports).toEqual([`bin/${name}`, `dist/bin/${name}.cjs`]);
  });
});
