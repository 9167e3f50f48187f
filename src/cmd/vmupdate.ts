// vmupdate: inventory a robot (read its slots and barcodes) and update the volume database.

import { defineCommand, type CommandContext, type ParsedOptions } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { nbemm } from '../protocol/nbemm.js';
import { OpenbpError } from '../protocol/errors.js';
import { readChanger, slotInventory } from '../storage/tape/robot-inventory.js';

const bad = (msg: string) => new OpenbpError('INVALID_PARAMETER', msg, { hint: 'see vmupdate --help' });

export async function runVmupdate(ctx: CommandContext, opts: ParsedOptions) {
  if (typeof opts.rn !== 'number') throw bad('-rn robot_number is required');
  const { robots, drives } = await callDaemon(ctx.home, nbemm.listDevices, {});
  const robot = robots.find((r) => r.number === opts.rn);
  if (!robot) throw bad(`robot ${opts.rn} is not configured: add it with tpconfig -add -robot`);
  if (typeof opts.rt === 'string' && opts.rt.toUpperCase() !== robot.type) throw bad(`robot ${robot.number} is ${robot.type}, not ${opts.rt}`);
  const density = typeof opts.density === 'string' ? opts.density : drives.find((d) => d.robotNumber === robot.number)?.type ?? 'hcart3';
  const slots = slotInventory(await readChanger(robot));
  const r = await callDaemon(ctx.home, nbemm.inventoryRobot, { robotNumber: robot.number, density, slots, ...(typeof opts.pool === 'string' ? { pool: opts.pool } : {}) });
  const lines = [
    `Robot ${robot.type}(${robot.number}) inventory: ${slots.length} barcoded cartridges`,
    ...r.added.map((id) => `  added ${id}`),
    ...r.moved.map((id) => `  updated slot of ${id}`),
    ...r.removed.map((id) => `  ${id} is no longer in the robot (now standalone)`),
    `Volume configuration successfully updated: ${r.added.length} added, ${r.moved.length} moved, ${r.removed.length} removed, ${r.unchanged.length} unchanged.`,
  ];
  return { status: 0, stdout: `${lines.join('\n')}\n`, json: r };
}

export const command = defineCommand({
  name: 'vmupdate',
  summary: 'inventory a robot and update the volume database',
  options: [
    { flag: '-rt', key: 'rt', kind: 'string', arg: 'robot_type', help: 'robot type (TLD)' },
    { flag: '-rn', key: 'rn', kind: 'int', arg: 'robot_number', help: 'robot number' },
    { flag: '-p', key: 'pool', kind: 'string', arg: 'pool_name', help: 'pool for new volumes (default Scratch)' },
    { flag: '-d', key: 'density', kind: 'string', arg: 'density', help: 'density of new volumes (default: the robot drives\' type, else hcart3)' },
    { flag: '-full', key: 'full', kind: 'flag', help: 'full inventory (the only kind openbp does)' },
    { flag: '-use_barcode_rules', key: 'barcodeRules', kind: 'flag', help: 'accepted; media IDs are the last six barcode characters' },
  ],
  run: (ctx, opts) => runVmupdate(ctx, opts),
});
