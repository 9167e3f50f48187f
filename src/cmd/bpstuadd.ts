// bpstuadd: add a disk storage unit (-path) or a tape (Media Manager) unit (-density -rt -rn).

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { STU_OPTIONS, stuAttributes, stuLabel } from '../cli/stu-options.js';
import { nbemm } from '../protocol/nbemm.js';
import { OpenbpError } from '../protocol/errors.js';
import { clientName, readBpConf } from '../config/bp-conf.js';

export const command = defineCommand({
  name: 'bpstuadd',
  summary: 'add a storage unit',
  options: STU_OPTIONS,
  async run(ctx, opts) {
    const label = stuLabel(opts);
    const a = stuAttributes(opts);
    const tape = a.density !== undefined || a.robotType !== undefined || a.robotNumber !== undefined;
    if (tape) {
      if (a.path !== undefined) throw new OpenbpError('INVALID_PARAMETER', '-path is for disk units; a tape unit takes -density -rt -rn');
      if (a.density === undefined || a.robotType === undefined || a.robotNumber === undefined) {
        throw new OpenbpError('INVALID_PARAMETER', 'a tape storage unit needs -density, -rt and -rn', { hint: 'e.g. bpstuadd -label L -density hcart3 -rt TLD -rn 0' });
      }
      await callDaemon(ctx.home, nbemm.addStorageUnit, {
        label, type: 'tape', path: '', host: a.host ?? clientName(readBpConf(ctx.home)), concurrentJobs: a.concurrentJobs ?? 1,
        maxFragmentMB: a.maxFragmentMB ?? 524288, highWaterMark: 0, lowWaterMark: 0, onDemandOnly: a.onDemandOnly ?? false, maxMpx: a.maxMpx ?? 1,
        density: a.density, robotType: a.robotType, robotNumber: a.robotNumber,
      });
      return { status: 0 };
    }
    if (a.path === undefined) throw new OpenbpError('INVALID_PARAMETER', '-path needs an absolute directory');
    const lwm = a.lowWaterMark ?? 80;
    const hwm = a.highWaterMark ?? 98;
    if (lwm > hwm) throw new OpenbpError('INVALID_PARAMETER', '-lwm must not exceed -hwm');
    await callDaemon(ctx.home, nbemm.addStorageUnit, {
      label, type: 'disk', path: a.path, host: a.host ?? clientName(readBpConf(ctx.home)), concurrentJobs: a.concurrentJobs ?? 1,
      maxFragmentMB: a.maxFragmentMB ?? 524288, highWaterMark: hwm, lowWaterMark: lwm, onDemandOnly: a.onDemandOnly ?? false, maxMpx: a.maxMpx ?? 1,
    });
    return { status: 0 };
  },
});
