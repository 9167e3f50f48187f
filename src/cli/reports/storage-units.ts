// bpstulist layouts: the raw one-line form and the -U / -L human form, for disk and tape (Media Manager) units.

import type { StorageUnit } from '../../protocol/records.js';
import { densityCode, densityText, robotTypeCode } from './media.js';

export function stuRawLine(u: StorageUnit): string {
  const tape = u.type === 'tape';
  const robot = tape ? `${robotTypeCode(u.robotType ?? '')} ${u.robotNumber ?? -1} ${densityCode(u.density ?? '')}` : '0 -1 -1';
  const pathField = tape ? '"*NULL*"' : `"${u.path}"`;
  return `${u.label} ${tape ? 2 : 0} ${u.host} ${robot} ${u.concurrentJobs} 0 ${pathField} ${u.onDemandOnly ? 1 : 0} ${u.maxMpx} ${u.maxFragmentMB} ${u.host} 0 ${tape ? 0 : 1} ${u.highWaterMark} ${u.lowWaterMark} 0 0 *NULL* ${u.host} 0`;
}

export function stuHuman(u: StorageUnit): string {
  const pad = (k: string) => `${k}:`.padEnd(22);
  if (u.type === 'tape') {
    return [
      `${pad('Label')}${u.label}`,
      `${pad('Storage Unit Type')}Media Manager`,
      `${pad('Host Connection')}${u.host}`,
      `${pad('Number of Drives')}${u.concurrentJobs}`,
      `${pad('On Demand Only')}${u.onDemandOnly ? 'yes' : 'no'}`,
      `${pad('Max MPX/drive')}${u.maxMpx}`,
      `${pad('Density')}${densityText(u.density ?? '')}`,
      `${pad('Robot Type/Number')}${u.robotType ?? 'NONE'} / ${u.robotNumber ?? -1}`,
      `${pad('Max Fragment Size')}${u.maxFragmentMB} MB`,
    ].join('\n');
  }
  const lines = [
    `${pad('Label')}${u.label}`,
    `${pad('Storage Unit Type')}Disk`,
    `${pad('Media Subtype')}Basic (1)`,
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
