#!/usr/bin/env node
// Writes bin/<name> launchers and package.json "bin" for every src/cmd/<name>.ts. Run after adding a command.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const names = fs.readdirSync(path.join(root, 'src/cmd')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
const pkgPath = path.join(root, 'package.json');
const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
pkg.bin = {};
// A shell line that JavaScript reads as a string and a comment: run from a shell, the launcher starts
// node without NODE_EXTRA_CA_CERTS (openbp speaks no TLS; Node would parse that CA bundle at every
// start, ~50 ms of CPU); run as `node bin/NAME` (as openbp spawns its binaries), it is plain JavaScript.
const LAUNCH = `#!/bin/sh\n':' //; unset NODE_EXTRA_CA_CERTS; exec node "$0" "$@"\n`;
for (const name of names) {
  const file = path.join(root, 'bin', name);
  // The build's bundle of the binary (scripts/build-bundles.mjs, one file to load); the tsc output if there is none.
  const text =
    `${LAUNCH}'use strict';\n` +
    // Stack traces name src/ lines through the bundle's source map when OPENBP_DEBUG is set (~5 ms more per start).
    `if (process.env.OPENBP_DEBUG) process.setSourceMapsEnabled(true);\n` +
    `if (require('fs').existsSync(\`\${__dirname}/../dist/bin/${name}.cjs\`)) require('../dist/bin/${name}.cjs');\n` +
    `else Promise.all([import('../dist/src/cli/main.js'), import('../dist/src/cmd/${name}.js')]).then(([m, c]) => m.main(c.command));\n`;
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text, { mode: 0o755 });
  fs.chmodSync(file, 0o755);
  pkg.bin[name] = `bin/${name}`;
}
fs.writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
// Launchers are CommonJS so that names with a dot (bp.kill_all) are not taken for file extensions.
fs.writeFileSync(path.join(root, 'bin', 'package.json'), '{ "type": "commonjs" }\n');
console.log(`${names.length} launchers`);
