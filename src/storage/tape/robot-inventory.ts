// What a robot holds: its changer read through mtx (/dev/sg*) or a virtual library directory.

import { OpenbpError } from '../../protocol/errors.js';
import type { RobotRecord } from '../../protocol/records.js';
import type { ChangerStatus } from './changer-status.js';
import { VirtualLibrary } from './library.js';
import { MtxChanger } from './mtx-changer.js';

/** Reads a robot's changer: a /dev/sg* path goes through mtx, anything else is a vtladm library directory. */
export async function readChanger(robot: RobotRecord): Promise<ChangerStatus> {
  try {
    if (robot.path.startsWith('/dev/')) return await new MtxChanger(robot.path).status();
    return await (await VirtualLibrary.open(robot.path)).changer().status();
  } catch (e) {
    throw new OpenbpError('MEDIA_OPEN_ERROR', `cannot read robot ${robot.type}(${robot.number}) at ${robot.path}: ${(e as Error).message}`);
  }
}

/** Barcoded cartridges by home slot: storage slots, plus cartridges in drives at the slot they came from. */
export function slotInventory(st: ChangerStatus): { slot: number; barcode: string }[] {
  const out = st.slots.filter((s) => s.full && s.barcode && !s.importExport).map((s) => ({ slot: s.n, barcode: s.barcode! }));
  for (const d of st.drives) if (d.full && d.barcode && d.sourceSlot !== null) out.push({ slot: d.sourceSlot, barcode: d.barcode });
  return out.sort((a, b) => a.slot - b.slot);
}
