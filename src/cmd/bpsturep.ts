// bpsturep: change attributes of a storage unit.

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { STU_OPTIONS, stuAttributes, stuLabel } from '../cli/stu-options.js';
import { nbemm } from '../protocol/nbemm.js';
import { OpenbpError } from '../protocol/errors.js';

export const command = defineCommand({
  name: 'bpsturep',
  summary: 'replace attributes of a storage unit',
  options: STU_OPTIONS,
  async run(ctx, opts) {
    const label = stuLabel(opts);
    const changes = stuAttributes(opts);
    if (Object.keys(changes).length === 0) throw new OpenbpError('INVALID_PARAMETER', 'nothing to change: give at least one attribute (-path, -cj, -mfs, ...)');
    const unit = await callDaemon(ctx.home, nbemm.updateStorageUnit, { label, ...changes });
    return { status: 0, json: { unit } };
  },
});
