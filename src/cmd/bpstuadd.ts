// bpstuadd: add a disk storage unit.

import path from 'node:path';
import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { nbemm } from '../protocol/nbemm.js';
import { OpenbpError } from '../protocol/errors.js';
import { clientName, readBpConf } from '../config/bp-conf.js';

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

export const command = defineCommand({
  name: 'bpstuadd',
  summary: 'add a storage unit',
  options: [
    { flag: '-label', key: 'label', kind: 'string', arg: 'storage_unit_label', help: 'name of the new storage unit' },
    { flag: '-path', key: 'path', kind: 'string', arg: 'path_name', help: 'directory of a disk storage unit' },
    { flag: '-host', key: 'host', kind: 'string', arg: 'host_name', help: 'media server (default: this host)' },
    { flag: '-cj', key: 'cj', kind: 'int', arg: 'max_concurrent_jobs', help: 'maximum concurrent jobs (default 1)' },
    { flag: '-mfs', key: 'mfs', kind: 'int', arg: 'max_fragment_size', help: 'maximum fragment size in MB (default 524288)' },
    { flag: '-hwm', key: 'hwm', kind: 'int', arg: 'high_water_mark', help: 'high water mark, percent (default 98)' },
    { flag: '-lwm', key: 'lwm', kind: 'int', arg: 'low_water_mark', help: 'low water mark, percent (default 80)' },
    { flag: '-odo', key: 'odo', kind: 'int', arg: 'on_demand_only', help: '1 = used only when a policy names it' },
    { flag: '-maxmpx', key: 'maxmpx', kind: 'int', arg: 'mpx_factor', help: 'maximum multiplexing (default 1)' },
  ],
  async run(ctx, opts) {
    const label = opts.label;
    if (typeof label !== 'string' || !LABEL.test(label)) throw new OpenbpError('INVALID_PARAMETER', '-label needs a storage unit name (letters, digits, . _ - +)');
    if (typeof opts.path !== 'string' || !path.isAbsolute(opts.path)) throw new OpenbpError('INVALID_PARAMETER', '-path needs an absolute directory');
    const int = (v: unknown, def: number, min: number, max: number, flag: string): number => {
      if (v === undefined) return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) throw new OpenbpError('INVALID_PARAMETER', `${flag} must be between ${min} and ${max}`);
      return n;
    };
    const hwm = int(opts.hwm, 98, 1, 100, '-hwm');
    const lwm = int(opts.lwm, 80, 0, 100, '-lwm');
    if (lwm > hwm) throw new OpenbpError('INVALID_PARAMETER', '-lwm must not exceed -hwm');
    await callDaemon(ctx.home, nbemm.addStorageUnit, {
      label, type: 'disk', path: path.resolve(opts.path), host: typeof opts.host === 'string' ? opts.host : clientName(readBpConf(ctx.home)),
      concurrentJobs: int(opts.cj, 1, 0, 65535, '-cj'), maxFragmentMB: int(opts.mfs, 524288, 1, 524288, '-mfs'),
      highWaterMark: hwm, lowWaterMark: lwm, onDemandOnly: int(opts.odo, 0, 0, 1, '-odo') === 1, maxMpx: int(opts.maxmpx, 1, 1, 32, '-maxmpx'),
    });
    return { status: 0 };
  },
});
