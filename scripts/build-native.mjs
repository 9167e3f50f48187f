#!/usr/bin/env node
// Builds the native addon (build/Release/openbp_sys.node) with node-gyp, only when it is missing or older than its sources.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'build', 'Release', 'openbp_sys.node');
const blake3 = path.join(root, 'src', 'native', 'blake3');
const sources = [path.join(root, 'binding.gyp'), path.join(root, 'src', 'native', 'openbp-sys.c'), path.join(root, 'src', 'native', 'incremental-base.c'), path.join(root, 'src', 'native', 'incremental-base.h'), ...fs.readdirSync(blake3).map((f) => path.join(blake3, f))];

function mtimeOf(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function findNodeGyp() {
  const candidates = [];
  const npmPrefix = spawnSync('npm', ['prefix', '-g'], { encoding: 'utf8' });
  const prefix = npmPrefix.status === 0 ? npmPrefix.stdout.trim() : '';
  if (prefix) candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push('/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  candidates.push('/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  candidates.push(path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  for (const c of candidates) if (fs.existsSync(c)) return c;
  return null;
}

const built = mtimeOf(output);
const newest = Math.max(...sources.map(mtimeOf));
if (built >= 0 && built >= newest && !process.argv.includes('--force')) process.exit(0);

const gyp = findNodeGyp();
if (!gyp) {
  process.stderr.write('build-native: node-gyp not found (it ships with npm); install npm or node-gyp\n');
  process.exit(1);
}
const args = [gyp, 'rebuild', '--directory', root];
// Headers: prefer the installed Node's own (nodedir) so no download is needed.
if (fs.existsSync('/usr/include/node/node_api.h') && !process.env.npm_config_nodedir) args.push('--nodedir=/usr');
const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  process.stderr.write(`build-native: node-gyp failed (status ${r.status})\n`);
  process.exit(r.status ?? 1);
}
if (!fs.existsSync(output)) {
  process.stderr.write(`build-native: ${output} was not produced\n`);
  process.exit(1);
}
