// Starts the master daemons that are not running (the embedded default needs no set-up).

import type { Home } from '../config/home.js';

export async function ensureDaemons(_home: Home): Promise<void> {
  throw new Error('ensureDaemons: not implemented yet');
}
