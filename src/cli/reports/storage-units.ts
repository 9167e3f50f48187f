// bpstulist layouts: the raw one-line form and the -U / -L human form.

import type { StorageUnit } from '../../protocol/records.js';

export function stuRawLine(u: StorageUnit): string {
  const robot = u.type === 'disk' ? '0 -1 -1' : '8 0 20';
  const pathField = u.type === 'disk' ? `"${u.path}"` : '"*NULL*"';
  return `${u.label} ${u.type === 'disk' ? 0 : 2} ${u.host} ${robot} ${u.concurrentJobs} 0 ${pathField} ${u.onDemandOnly ? 1 : 0} ${u.maxMpx} ${u.maxFragmentMB} ${u.host} 0 ${u.type === 'disk' ? 1 : 0} ${u.highWaterMark} ${u.lowWaterMark} 0 0 *NULL* ${u.host} 0`;
}

export function stuHuman(u: StorageUnit): string {
  const pad = (k: string) => `${k}:`.padEnd(22);
  const lines = [
    `${pad('Label')}${u.label}`,
    `${pad('Storage Unit Type')}${u.type === 'disk' ? 'Disk' : 'Media Manager'}`,
    `${pad('Media Subtype')}${u.type === 'disk' ? 'Basic (1)' : 'Unknown'}`,
    `${pad('Host Connection')}${u.host}`,
    `${pad('Concurrent Jobs')}${u.concurrentJobs}`,
    `${pad('On Demand Only')}${u.onDemandOnly ? 'yes' : 'no'}`,
    `${pad('Max MPX')}${u.maxMpx}`,
    `${pad('Path')}"${u.path}"`,
    `${pad('Robot Type/Number')}(not robotic)`,
    `${pad('Max Fragment Size')}${u.maxFragmentMB} MB`,
    `${pad('High Water Mark')}${u.highWaterMark}%`,
    `${pad('Low Water Mark')}${u.lowWaterMark}%`,
    `${pad('Ok On Root')}no`,
  ];
  return lines.join('\n');
}
