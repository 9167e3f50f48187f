#!/usr/bin/env node
// Bundles each binary (src/cmd/<name>.ts with src/cli/main.ts) into one CommonJS script, dist/bin/<name>.cjs, that
// bin/<name> and spawnBinary run: Node then reads and compiles one file at start instead of 20-80 modules. CommonJS
// because Node 20 starts it ~13 ms sooner than the same code as an ES module (no module graph to link and
// evaluate), on every one of the five starts of a job.
// Node built-ins, npm packages (loaded lazily: chalk, ora, commander) and the native addon stay outside.
// Part of `npm run build`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bin');
const names = fs.readdirSync(path.join(root, 'src/cmd')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();

// The entry of each bundle does what bin/<name> did: main(command).
const ENTRY_PREFIX = 'openbp-bin:';
const entries = {
  name: 'openbp-bin-entries',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${ENTRY_PREFIX}`) }, (a) => ({ path: a.path.slice(ENTRY_PREFIX.length), namespace: 'openbp-bin' }));
    b.onLoad({ filter: /.*/, namespace: 'openbp-bin' }, (a) => ({
      contents: `import { main } from './src/cli/main.ts';\nimport { command } from './src/cmd/${a.path}.ts';\nmain(command);\n`,
      resolveDir: root,
      loader: 'ts',
    }));
  },
};

fs.rmSync(outdir, { recursive: true, force: true });
const started = performance.now();
await build({
  entryPoints: Object.fromEntries(names.map((n) => [n, `${ENTRY_PREFIX}${n}`])),
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  // The sources are ES modules: strict, and import.meta.url is the bundle's own URL.
  banner: { js: '"use strict";\nvar __openbpBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__openbpBundleUrl' },
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // The sources' `.js` specifiers name the .ts files beside them.
  resolveExtensions: ['.ts', '.js'],
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [entries],
});
console.log(`${names.length} bundles in dist/bin (${Math.round(performance.now() - started)} ms)`);
