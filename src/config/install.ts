// Where this openbp installation's launchers are (bin/ beside dist/).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This module runs from <root>/dist/src/config (tsc output) or inside a bundle, <root>/dist/bin/<name>.cjs:
// the root is the nearest ancestor with package.json and bin/.
function installRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; ) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bin'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(here, '..', '..', '..');
    dir = up;
  }
}

export const INSTALL_ROOT = installRoot();
export const BIN_DIR = path.join(INSTALL_ROOT, 'bin');
/** The bundles of the binaries (scripts/build-bundles.mjs, part of the build). */
export const BUNDLE_DIR = path.join(INSTALL_ROOT, 'dist', 'bin');

/** The launcher: what a user runs, and what bpps shows. */
export function binaryPath(name: string): string {
  return path.join(BIN_DIR, name);
}

/** What openbp runs to start one of its binaries: the bundle, or the launcher when there is no bundle. */
export function binaryEntry(name: string): string {
  const bundle = path.join(BUNDLE_DIR, `${name}.cjs`);
  return fs.existsSync(bundle) ? bundle : binaryPath(name);
}
