// A virtual tape library configured as NetBackup would be: vtladm create, tpconfig robot and drives, vmupdate,
// and a tape storage unit on it; plus a policy writing to that unit.

import fs from 'node:fs';
import os from 'node:os';
import type { OpenbpHome } from './openbp-home.js';

export interface TapeLibraryOptions {
  readonly robot: number;
  readonly drives: number;
  readonly slots: number;
  /** Barcode range or list, e.g. A00000L5-A00003L5. */
  readonly barcodes: string;
  /** Cartridge capacity and early warning, vtladm sizes (e.g. 4M, 256K). */
  readonly capacity: string;
  readonly earlyWarning?: string;
  /** Storage unit label; concurrent jobs (drives) and max fragment size in MB. */
  readonly unit: string;
  readonly cj?: number;
  readonly mfs?: number;
}

/** Creates the library under the home and configures robot, drives, volumes and the unit; returns the library directory. */
export async function setUpTapeLibrary(home: OpenbpHome, o: TapeLibraryOptions): Promise<string> {
  const lib = home.path(`vtl${o.robot}`);
  await home.ok('vtladm', ['create', lib, '--slots', String(o.slots), '--drives', String(o.drives), '--barcodes', o.barcodes, '--capacity', o.capacity,
    ...(o.earlyWarning ? ['--early-warning', o.earlyWarning] : [])]);
  await home.ok('tpconfig', ['-add', '-robot', String(o.robot), '-robtype', 'TLD', '-robpath', lib]);
  for (let n = 0; n < o.drives; n++) {
    await home.ok('tpconfig', ['-add', '-drive', '-type', 'hcart3', '-path', `${lib}/drive${n}`, '-robot', String(o.robot), '-robtype', 'TLD', '-robdrnum', String(n)]);
  }
  await home.ok('vmupdate', ['-rt', 'TLD', '-rn', String(o.robot)]);
  await home.ok('bpstuadd', ['-label', o.unit, '-density', 'hcart3', '-rt', 'TLD', '-rn', String(o.robot), '-cj', String(o.cj ?? o.drives), '-mfs', String(o.mfs ?? 1)]);
  return lib;
}

export const CLIENT = os.hostname().split('.')[0]!;

/** A policy with one client, a user-backup schedule (retention level `rl`) and residence `unit`, writing to `pool`. */
export async function tapePolicy(home: OpenbpHome, name: string, unit: string, include: string, pool = 'NetBackup', rl = 1): Promise<void> {
  await home.ok('bppolicynew', [name]);
  await home.ok('bpplinfo', [name, '-modify', '-residence', unit, '-pool', pool]);
  await home.ok('bpplclients', [name, '-add', CLIENT, 'Linux', 'Debian']);
  await home.ok('bpplinclude', [name, '-add', include]);
  await home.ok('bpplsched', [name, '-add', 'user', '-st', 'UBAK', '-rl', String(rl), '-window', '0', '86400']);
}

/** The sidecar of a cartridge: what the virtual drive counted (bytes read and written over its life). */
export function cartridgeCounters(lib: string, barcode: string): { bytesReadLife: number; bytesWrittenLife: number } {
  return JSON.parse(fs.readFileSync(`${lib}/cartridges/${barcode}.json`, 'utf8')) as { bytesReadLife: number; bytesWrittenLife: number };
}
