// tpconfig: add, list and delete robots and tape drives in nbemm's device database.

import fs from 'node:fs';
import path from 'node:path';
import { defineCommand, type CommandContext, type ParsedOptions } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { KNOWN_DENSITIES, KNOWN_ROBOT_TYPES, tpconfigList } from '../cli/reports/media.js';
import { clientName, readBpConf } from '../config/bp-conf.js';
import { nbemm } from '../protocol/nbemm.js';
import { OpenbpError } from '../protocol/errors.js';

const bad = (msg: string) => new OpenbpError('INVALID_PARAMETER', msg, { hint: 'see tpconfig --help' });

function robotType(opts: ParsedOptions): string {
  const t = String(opts.robtype ?? '').toUpperCase();
  if (!KNOWN_ROBOT_TYPES.includes(t)) throw bad(`-robtype must be one of ${KNOWN_ROBOT_TYPES.join(', ')}`);
  return t;
}

function int(opts: ParsedOptions, key: string, flag: string): number {
  const v = opts[key];
  if (typeof v !== 'number') throw bad(`${flag} is required`);
  return v;
}

export async function runTpconfig(ctx: CommandContext, opts: ParsedOptions) {
  const host = clientName(readBpConf(ctx.home));
  const modes = ['add', 'delete', 'list'].filter((k) => opts[k] === true);
  if (modes.length !== 1) throw bad('give exactly one of -add, -delete, -d');
  if (opts.list === true) {
    const { robots, drives } = await callDaemon(ctx.home, nbemm.listDevices, {});
    return { status: 0, stdout: tpconfigList(robots, drives, host), json: { robots, drives } };
  }
  const drive = opts.drive;
  if (opts.delete === true) {
    if (typeof drive === 'string') {
      if (!/^\d+$/.test(drive)) throw bad(`-drive needs a drive index, not '${drive}'`);
      await callDaemon(ctx.home, nbemm.deleteDrive, { index: Number(drive) });
      return { status: 0 };
    }
    if (typeof opts.robot === 'number') {
      await callDaemon(ctx.home, nbemm.deleteRobot, { number: opts.robot });
      return { status: 0 };
    }
    throw bad('-delete needs -drive INDEX or -robot N');
  }
  if (drive !== undefined) {
    const type = String(opts.type ?? '').toLowerCase();
    if (!KNOWN_DENSITIES.includes(type)) throw bad(`-type must be one of ${KNOWN_DENSITIES.join(', ')}`);
    if (typeof opts.path !== 'string' || opts.path === '') throw bad('-path is required (a /dev/nst* device or a virtual library drive DIR/driveN)');
    const status = opts.drstatus === undefined ? undefined : String(opts.drstatus).toUpperCase();
    if (status !== undefined && status !== 'UP' && status !== 'DOWN') throw bad('-drstatus must be UP or DOWN');
    const robotic = opts.robot !== undefined;
    const d = await callDaemon(ctx.home, nbemm.addDrive, {
      type,
      path: opts.path,
      ...(typeof opts.name === 'string' ? { name: opts.name } : {}),
      ...(typeof drive === 'string' && /^\d+$/.test(drive) ? { index: Number(drive) } : {}),
      ...(robotic ? { robotNumber: int(opts, 'robot', '-robot'), robotType: robotType(opts), robotDrive: int(opts, 'robdrnum', '-robdrnum') } : {}),
      ...(status ? { status: status as 'UP' | 'DOWN' } : {}),
    });
    return { status: 0, json: d };
  }
  if (opts.robot !== undefined) {
    const number = int(opts, 'robot', '-robot');
    const type = robotType(opts);
    if (typeof opts.robpath !== 'string' || opts.robpath === '') throw bad('-robpath is required (a vtladm library DIR or a changer /dev/sg*)');
    const robpath = opts.robpath.startsWith('/dev/') ? opts.robpath : path.resolve(opts.robpath);
    if (!robpath.startsWith('/dev/') && !fs.existsSync(path.join(robpath, 'library.json'))) throw bad(`${robpath} is not a virtual tape library (create one with vtladm create)`);
    await callDaemon(ctx.home, nbemm.addRobot, { number, type, path: robpath, host });
    return { status: 0 };
  }
  throw bad('-add needs -robot or -drive');
}

export const command = defineCommand({
  name: 'tpconfig',
  summary: 'configure robots and tape drives',
  options: [
    { flag: '-add', key: 'add', kind: 'flag', help: 'add a robot (-robot) or a drive (-drive)' },
    { flag: '-delete', key: 'delete', kind: 'flag', help: 'delete a drive (-drive INDEX) or a robot (-robot N)' },
    { flag: '-d', key: 'list', kind: 'flag', help: 'list the configured drives and robots' },
    { flag: '-drive', key: 'drive', kind: 'flag', optionalValue: /^\d+$/, arg: 'drvindex', help: 'a drive (with -delete: its index)' },
    { flag: '-robot', key: 'robot', kind: 'int', arg: 'robnum', help: 'robot number' },
    { flag: '-robtype', key: 'robtype', kind: 'string', arg: 'robtype', help: 'robot type (TLD)' },
    { flag: '-robpath', key: 'robpath', kind: 'string', arg: 'path', help: 'robot control path: a vtladm library DIR or /dev/sgN' },
    { flag: '-type', key: 'type', kind: 'string', arg: 'drvtype', help: 'drive type (density): hcart3, hcart2, hcart, dlt, 4mm, 8mm, ...' },
    { flag: '-path', key: 'path', kind: 'string', arg: 'drivepath', help: 'drive path: /dev/nstN or DIR/driveN of a virtual library' },
    { flag: '-robdrnum', key: 'robdrnum', kind: 'int', arg: 'n', help: 'drive number inside the robot (0-based, as mtx)' },
    { flag: '-drstatus', key: 'drstatus', kind: 'string', arg: 'UP|DOWN', help: 'initial drive state (UP)' },
    { flag: '-asciiname', key: 'name', kind: 'string', arg: 'drive_name', help: 'drive name (default TYPE.NNN)' },
  ],
  run: (ctx, opts) => runTpconfig(ctx, opts),
});
