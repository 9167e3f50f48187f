// The storage unit attributes bpstuadd and bpsturep take, declared and validated once.

import path from 'node:path';
import type { OptionSpec, ParsedOptions } from './command.js';
import { OpenbpError } from '../protocol/errors.js';
import { KNOWN_DENSITIES, KNOWN_ROBOT_TYPES } from './reports/media.js';

export const STU_LABEL = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

export const STU_OPTIONS: readonly OptionSpec[] = [
  { flag: '-label', key: 'label', kind: 'string', arg: 'storage_unit_label', help: 'name of the storage unit' },
  { flag: '-path', key: 'path', kind: 'string', arg: 'path_name', help: 'directory of a disk storage unit' },
  { flag: '-host', key: 'host', kind: 'string', arg: 'host_name', help: 'media server (default: this host)' },
  { flag: '-cj', key: 'cj', kind: 'int', arg: 'max_concurrent_jobs', help: 'maximum concurrent jobs (default 1)' },
  { flag: '-mfs', key: 'mfs', kind: 'int', arg: 'max_fragment_size', help: 'maximum fragment size in MB (default 524288)' },
  { flag: '-hwm', key: 'hwm', kind: 'int', arg: 'high_water_mark', help: 'high water mark, percent (default 98)' },
  { flag: '-lwm', key: 'lwm', kind: 'int', arg: 'low_water_mark', help: 'low water mark, percent (default 80)' },
  { flag: '-odo', key: 'odo', kind: 'int', arg: 'on_demand_only', help: '1 = used only when a policy names it' },
  { flag: '-maxmpx', key: 'maxmpx', kind: 'int', arg: 'mpx_factor', help: 'maximum multiplexing (default 1)' },
  { flag: '-density', key: 'density', kind: 'string', arg: 'density', help: 'tape (Media Manager) unit: drive type, e.g. hcart3' },
  { flag: '-rt', key: 'rt', kind: 'string', arg: 'robot_type', help: 'tape unit: robot type (TLD)' },
  { flag: '-rn', key: 'rn', kind: 'int', arg: 'robot_number', help: 'tape unit: robot number' },
];

export interface StuAttributes {
  path?: string;
  host?: string;
  concurrentJobs?: number;
  maxFragmentMB?: number;
  highWaterMark?: number;
  lowWaterMark?: number;
  onDemandOnly?: boolean;
  maxMpx?: number;
  density?: string;
  robotType?: string;
  robotNumber?: number;
}

function bounded(v: unknown, min: number, max: number, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new OpenbpError('INVALID_PARAMETER', `${flag} must be between ${min} and ${max}`);
  return n;
}

export function stuLabel(opts: ParsedOptions): string {
  const label = opts.label;
  if (typeof label !== 'string' || !STU_LABEL.test(label)) throw new OpenbpError('INVALID_PARAMETER', '-label needs a storage unit name (letters, digits, . _ - +)');
  return label;
}

/** The attributes given on the command line (absent ones stay undefined). */
export function stuAttributes(opts: ParsedOptions): StuAttributes {
  if (opts.path !== undefined && (typeof opts.path !== 'string' || !path.isAbsolute(opts.path))) {
    throw new OpenbpError('INVALID_PARAMETER', '-path needs an absolute directory');
  }
  const a: StuAttributes = {};
  if (typeof opts.path === 'string') a.path = path.resolve(opts.path);
  if (typeof opts.host === 'string') a.host = opts.host;
  const set = <K extends keyof StuAttributes>(k: K, v: StuAttributes[K] | undefined) => {
    if (v !== undefined) a[k] = v;
  };
  set('concurrentJobs', bounded(opts.cj, 0, 65535, '-cj'));
  set('maxFragmentMB', bounded(opts.mfs, 1, 524288, '-mfs'));
  set('highWaterMark', bounded(opts.hwm, 1, 100, '-hwm'));
  set('lowWaterMark', bounded(opts.lwm, 0, 100, '-lwm'));
  const odo = bounded(opts.odo, 0, 1, '-odo');
  if (odo !== undefined) a.onDemandOnly = odo === 1;
  set('maxMpx', bounded(opts.maxmpx, 1, 32, '-maxmpx'));
  if (opts.density !== undefined) {
    const d = String(opts.density).toLowerCase();
    if (!KNOWN_DENSITIES.includes(d)) throw new OpenbpError('INVALID_PARAMETER', `-density must be one of ${KNOWN_DENSITIES.join(', ')}`);
    a.density = d;
  }
  if (opts.rt !== undefined) {
    const t = String(opts.rt).toUpperCase();
    if (!KNOWN_ROBOT_TYPES.includes(t)) throw new OpenbpError('INVALID_PARAMETER', `-rt must be one of ${KNOWN_ROBOT_TYPES.join(', ')}`);
    a.robotType = t;
  }
  set('robotNumber', bounded(opts.rn, 0, 32767, '-rn'));
  if (a.highWaterMark !== undefined && a.lowWaterMark !== undefined && a.lowWaterMark > a.highWaterMark) {
    throw new OpenbpError('INVALID_PARAMETER', '-lwm must not exceed -hwm');
  }
  return a;
}
