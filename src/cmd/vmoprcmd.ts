// vmoprcmd: drive status (-d) and drive state changes (-up N, -down N).

import { defineCommand, type CommandContext, type ParsedOptions } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { vmoprcmdDrives } from '../cli/reports/media.js';
import { nbemm } from '../protocol/nbemm.js';
import { readChanger } from '../storage/tape/robot-inventory.js';
import { mediaIdOf } from '../storage/tape/barcode.js';

export async function runVmoprcmd(ctx: CommandContext, opts: ParsedOptions) {
  for (const [key, status] of [['up', 'UP'], ['down', 'DOWN']] as const) {
    if (typeof opts[key] === 'number') {
      const d = await callDaemon(ctx.home, nbemm.setDriveStatus, { index: opts[key] as number, status });
      return { status: 0, json: d };
    }
  }
  const { robots, drives } = await callDaemon(ctx.home, nbemm.listDevices, {});
  const loaded = new Map<number, string>();
  for (const robot of robots) {
    const st = await readChanger(robot).catch(() => undefined);
    if (!st) continue;
    for (const d of drives.filter((x) => x.robotNumber === robot.number)) {
      const el = st.drives.find((x) => x.n === d.robotDrive);
      if (el?.full && el.barcode) loaded.set(d.index, mediaIdOf(el.barcode));
    }
  }
  return { status: 0, stdout: vmoprcmdDrives(drives, loaded), json: { drives, loaded: Object.fromEntries(loaded) } };
}

export const command = defineCommand({
  name: 'vmoprcmd',
  summary: 'show drive status; set drives UP or DOWN',
  options: [
    { flag: '-d', key: 'list', kind: 'flag', help: 'drive status (the default)' },
    { flag: '-up', key: 'up', kind: 'int', arg: 'drive_index', help: 'set a drive UP' },
    { flag: '-down', key: 'down', kind: 'int', arg: 'drive_index', help: 'set a drive DOWN' },
  ],
  run: (ctx, opts) => runVmoprcmd(ctx, opts),
});
