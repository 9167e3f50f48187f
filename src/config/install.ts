// Where this openbp installation's launchers are (bin/ beside dist/).

import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url)); // <root>/dist/src/config
export const INSTALL_ROOT = path.resolve(here, '..', '..', '..');
export const BIN_DIR = path.join(INSTALL_ROOT, 'bin');

export function binaryPath(name: string): string {
  return path.join(BIN_DIR, name);
}
