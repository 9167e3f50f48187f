// Media manager layouts: vmquery (-a/-m long form, -w wide, -b brief), bpmedialist (-U, -l, -L), tpconfig -d, vmoprcmd -d, vmpool -list.

import type { DriveRecord, RobotRecord, VolumePool, VolumeRecord } from '../../protocol/records.js';
import { formatNbDateMinutes } from '../dates.js';

/** NetBackup robot type numbers [M]. */
const ROBOT_TYPES: Record<string, { code: number; name: string }> = {
  NONE: { code: 0, name: 'NONE - Not Robotic' },
  ACS: { code: 1, name: 'ACS - Automated Cartridge System' },
  TL8: { code: 6, name: 'TL8 - Tape Library 8MM' },
  TL4: { code: 7, name: 'TL4 - Tape Library 4MM' },
  TLD: { code: 8, name: 'TLD - Tape Library DLT' },
  TLH: { code: 12, name: 'TLH - Tape Library Half-inch' },
  TLM: { code: 13, name: 'TLM - Tape Library Multimedia' },
};
export const KNOWN_ROBOT_TYPES = Object.keys(ROBOT_TYPES).filter((t) => t !== 'NONE');

/** Density codes as bpmedialist prints them (netbackup.md §1.10). */
const DENSITY_CODES: Record<string, number> = { qscsi: 0, hcart: 6, '4mm': 12, dlt: 13, hcart2: 14, dlt2: 15, '8mm': 16, dtf: 19, hcart3: 20 };
export const KNOWN_DENSITIES = Object.keys(DENSITY_CODES);

/** vmquery "media type:" text; only hcart3 (24) is confirmed, the others are [M]. */
const MEDIA_TYPES: Record<string, string> = {
  hcart: '1/2" cartridge tape (12)',
  hcart2: '1/2" cartridge tape 2 (22)',
  hcart3: '1/2" cartridge tape 3 (24)',
  dlt: 'DLT cartridge tape (11)',
  dlt2: 'DLT cartridge tape 2 (16)',
  '4mm': '4MM cartridge tape (9)',
  '8mm': '8MM cartridge tape (10)',
  qscsi: '1/4" cartridge tape (8)',
  dtf: 'DTF cartridge tape (20)',
};

export function robotTypeText(type: string): string {
  const t = ROBOT_TYPES[type];
  return t ? `${t.name} (${t.code})` : type;
}

export function densityCode(density: string): number {
  return DENSITY_CODES[density] ?? 0;
}

/** NetBackup's robot type number (TLD 8); 0 for an unknown type. */
export function robotTypeCode(type: string): number {
  return ROBOT_TYPES[type]?.code ?? 0;
}

/** bpstulist's density text, e.g. "hcart3 - 1/2 Inch Cartridge 3" [M]. */
const DENSITY_TEXT: Record<string, string> = {
  hcart: '1/2 Inch Cartridge', hcart2: '1/2 Inch Cartridge 2', hcart3: '1/2 Inch Cartridge 3', dlt: 'DLT Cartridge', dlt2: 'DLT Cartridge 2',
  '4mm': '4mm Cartridge', '8mm': '8mm Cartridge', qscsi: '1/4 Inch Cartridge', dtf: 'DTF Cartridge',
};
export function densityText(density: string): string {
  return `${density} - ${DENSITY_TEXT[density] ?? density}`;
}

function poolName(pools: readonly VolumePool[], n: number): string {
  return pools.find((p) => p.number === n)?.name ?? String(n);
}

const CTIME_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const CTIME_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** `Mon Jan 01 10:00:00 2012` (local time); `---` for never. */
export function vmqueryDate(epoch: number): string {
  if (epoch === 0) return '---';
  const d = new Date(epoch * 1000);
  return `${CTIME_DAYS[d.getDay()]} ${CTIME_MONTHS[d.getMonth()]} ${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

/** Two whitespace-separated words for -w: `MM/DD/YYYY HH:MM`, `00/00/0000 00:00` for never. */
function wideDate(epoch: number): string {
  return epoch === 0 ? '00/00/0000 00:00' : formatNbDateMinutes(epoch);
}

const LABEL = (label: string) => `${label}:`.padEnd(23);
const SEPARATOR = '='.repeat(80);

/** vmquery -m / -a long form for one volume: labels padded so that values start at column 24. */
export function vmqueryLong(v: VolumeRecord, pools: readonly VolumePool[], host: string): string {
  const robotic = v.robotNumber !== undefined;
  const rows: [string, string][] = [
    ['media ID', v.mediaId],
    ['media type', MEDIA_TYPES[v.density] ?? `${v.density} (0)`],
    ['barcode', v.barcode || '--------'],
    ['media description', v.description || '---'],
    ['volume pool', `${poolName(pools, v.pool)} (${v.pool})`],
    ['robot type', robotTypeText(v.robotType)],
  ];
  if (robotic) rows.push(['robot number', String(v.robotNumber)], ['robot slot', String(v.slot ?? '---')], ['robot control host', host]);
  rows.push(
    ['volume group', v.volumeGroup || '---'],
    ['vault name', '---'],
    ['vault sent date', '---'],
    ['vault return date', '---'],
    ['vault slot', '---'],
    ['vault session id', '---'],
    ['vault container id', '-'],
    ['created', vmqueryDate(v.created)],
    ['assigned', vmqueryDate(v.assigned)],
    ['last mounted', vmqueryDate(v.lastMount)],
    ['first mount', vmqueryDate(v.firstMount)],
    ['expiration date', vmqueryDate(v.expiration)],
    ['number of mounts', String(v.mounts)],
    ['max mounts allowed', '---'],
    ['status', `0x${v.status.toString(16)}`],
  );
  return rows.map(([k, val]) => `${LABEL(k)}${val}`).join('\n');
}

/** vmquery -a / -m: each volume between lines of '='. */
export function vmqueryLongList(vols: readonly VolumeRecord[], pools: readonly VolumePool[], host: string): string {
  if (vols.length === 0) return '';
  return `${vols.map((v) => `${SEPARATOR}\n${vmqueryLong(v, pools, host)}\n`).join('')}${SEPARATOR}\n`;
}

export const VMQUERY_WIDE_HEADER = [
  'media   optical  media  barcode            robot      robot robot robot side/ volume        volume           pool  prev         mount  max    clean  created           assigned          first mount       last mount        expiration        status offsite  offsite sent      offsite return    off  off   ver description',
  'ID      partner  type                      host       type  #     slot  face  group         pool             #     pool         count  mounts count                                                                                               location                                      slot sess',
  '-'.repeat(330),
];

/** vmquery -a -w: one line per volume, 37 whitespace-separated fields (netbackup.md §1.10), '-' for blank. */
export function vmqueryWideLine(v: VolumeRecord, pools: readonly VolumePool[], host: string): string {
  const robotic = v.robotNumber !== undefined;
  const f = [
    v.mediaId.padEnd(7),
    '-'.padEnd(8),
    v.density.toUpperCase().padEnd(6),
    (v.barcode || '-').padEnd(18),
    '-',
    (robotic ? host : '-').padEnd(10),
    v.robotType.padEnd(5),
    (robotic ? String(v.robotNumber) : '-').padEnd(5),
    (robotic && v.slot !== undefined ? String(v.slot) : '-').padEnd(5),
    '-'.padEnd(5),
    (v.volumeGroup || '---').padEnd(13),
    poolName(pools, v.pool).padEnd(16),
    String(v.pool).padEnd(5),
    poolName(pools, v.previousPool).padEnd(12),
    String(v.mounts).padEnd(6),
    '0'.padEnd(6),
    '0'.padEnd(6),
    wideDate(v.created),
    wideDate(v.assigned),
    wideDate(v.firstMount),
    wideDate(v.lastMount),
    wideDate(v.expiration),
    `0x${v.status.toString(16)}`.padEnd(6),
    '-'.padEnd(8),
    wideDate(0),
    wideDate(0),
    '-'.padEnd(4),
    '-'.padEnd(5),
    '50 ',
    v.description || '---',
  ];
  return f.join(' ');
}

export function vmqueryWide(vols: readonly VolumeRecord[], pools: readonly VolumePool[], host: string): string {
  return `${[...VMQUERY_WIDE_HEADER, ...vols.map((v) => vmqueryWideLine(v, pools, host))].join('\n')}\n`;
}

/** vmquery -b: brief, one line per volume. */
export function vmqueryBrief(vols: readonly VolumeRecord[]): string {
  const head = 'media   media  robot  robot  robot  side/  optical  # mounts/  last\nID      type   type     #    slot   face   partner  cleanings  mount time\n' + '-'.repeat(79);
  const lines = vols.map((v) => {
    const robotic = v.robotNumber !== undefined;
    return `${v.mediaId.padEnd(8)}${v.density.toUpperCase().padEnd(7)}${v.robotType.padEnd(7)}${(robotic ? String(v.robotNumber) : '-').padStart(3).padEnd(5)}${(robotic && v.slot !== undefined ? String(v.slot) : '-').padStart(5).padEnd(7)}${'-'.padEnd(7)}${'-'.padEnd(9)}${String(v.mounts).padStart(5).padEnd(11)}${v.lastMount ? formatNbDateMinutes(v.lastMount) : '---'}`;
  });
  return `${[head, ...lines].join('\n')}\n`;
}

// ---- bpmedialist ----

export const MEDIA_STATUS_WORDS: readonly [number, string][] = [[0x1, 'FROZEN'], [0x2, 'SUSPENDED'], [0x8, 'FULL'], [0x40, 'IMPORTED']];

export function statusWords(status: number): string {
  return MEDIA_STATUS_WORDS.filter(([bit]) => (status & bit) !== 0).map(([, w]) => w).join(' ');
}

const INFINITY_EPOCH = 0x7ffffffe;

function mlistDate(epoch: number): string {
  if (epoch === 0) return '    N/A         ';
  if (epoch >= INFINITY_EPOCH) return 'INFINITY        ';
  return `${formatNbDateMinutes(epoch)} `;
}

export const MLIST_U_HEADER = [
  ' id     rl  images   allocated        last updated      density  kbytes restores',
  '           vimages   expiration       last read         <------- STATUS ------->',
  '           On Hold',
  '-'.repeat(80),
];

/** bpmedialist -mlist -U: three lines per volume and a blank line (netbackup.md §1.6). */
export function mlistUser(v: VolumeRecord): string {
  const l1 = `${v.mediaId.padEnd(6)}${String(v.retentionLevel).padStart(4)}${String(v.images).padStart(7)}   ${mlistDate(v.assigned).padEnd(16).slice(0, 16)}  ${mlistDate(v.lastWritten).padEnd(16).slice(0, 16)}  ${v.density.padEnd(6)}${String(v.kbytes).padStart(12)}${String(v.restores).padStart(6)}`;
  const expiration = v.expiration >= INFINITY_EPOCH ? 'INFINITY' : v.expiration === 0 ? 'N/A' : formatNbDateMinutes(v.expiration);
  const l2 = `${String(v.validImages).padStart(17)}   ${expiration.padEnd(16)}  ${mlistDate(v.lastRead)}${statusWords(v.status)}`.trimEnd();
  const l3 = `${'0'.padStart(12)}`;
  return `${l1}\n${l2}\n${l3}\n`;
}

export function mlistUserReport(host: string, vols: readonly VolumeRecord[]): string {
  return `Server Host = ${host}\n\n${MLIST_U_HEADER.join('\n')}\n${vols.map((v) => `${mlistUser(v)}\n`).join('')}`;
}

/** bpmedialist -mlist -l: one raw line per volume, status in hex at 0-based field 14. */
export function mlistRaw(v: VolumeRecord): string {
  return [
    v.mediaId, '-', 50, densityCode(v.density), v.assigned, v.lastWritten, v.expiration, v.lastRead, v.kbytes, v.images, v.validImages,
    v.retentionLevel, v.pool, v.restores, `0x${v.status.toString(16)}`, 0, 0, 0, 0, v.mounts, 0, 0,
  ].join(' ');
}

function longDate(epoch: number): string {
  if (epoch === 0) return 'N/A (0)';
  if (epoch >= INFINITY_EPOCH) return `INFINITY (${epoch})`;
  return `${formatNbDateMinutes(epoch)} (${epoch})`;
}

/** bpmedialist -mlist -L: key = value lines per volume, blank line between. */
export function mlistLong(v: VolumeRecord, pools: readonly VolumePool[]): string {
  const words = statusWords(v.status);
  return [
    `media_id = ${v.mediaId}, partner_id = -, version = 50, density = ${v.density} (${densityCode(v.density)})`,
    `allocated = ${longDate(v.assigned)}`,
    `last_written = ${longDate(v.lastWritten)}`,
    `expiration = ${longDate(v.expiration)}`,
    `last_read = ${longDate(v.lastRead)}`,
    `kbytes = ${v.kbytes}, nimages = ${v.images}, vimages = ${v.validImages}`,
    `retention_level = ${v.retentionLevel}, num_restores = ${v.restores}`,
    `volume_pool = ${poolName(pools, v.pool)} (${v.pool}), mounts = ${v.mounts}`,
    `status = 0x${v.status.toString(16)}${words ? `, ${words}` : ''}`,
  ].join('\n');
}

export function mlistLongReport(host: string, vols: readonly VolumeRecord[], pools: readonly VolumePool[]): string {
  return `Server Host = ${host}\n\n${vols.map((v) => `${mlistLong(v, pools)}\n\n`).join('')}`;
}

// ---- tpconfig -d, vmoprcmd -d, vmpool -list ----

/** tpconfig -d: drives (two lines each) then the robots. */
export function tpconfigList(robots: readonly RobotRecord[], drives: readonly DriveRecord[], emmServer: string): string {
  const out: string[] = [];
  out.push('Id  DriveName           Type   Residence');
  out.push('      Drive Path                                                       Status');
  out.push('*'.repeat(76));
  for (const d of drives) {
    const residence = d.robotNumber !== undefined ? `${d.robotType}(${d.robotNumber})  DRIVE=${d.robotDrive}` : 'Standalone';
    out.push(`${String(d.index).padEnd(4)}${d.name.padEnd(20)}${d.type.padEnd(7)}${residence}`);
    out.push(`      ${d.path.padEnd(65)}${d.status}`);
  }
  if (drives.length === 0) out.push('No drives are configured');
  out.push('');
  if (robots.length === 0) out.push('No robots are configured');
  else {
    out.push('Currently defined robotics are:');
    for (const r of robots) out.push(`  ${`${r.type}(${r.number})`.padEnd(11)}robotic path = ${r.path}`);
  }
  out.push('', `EMM Server = ${emmServer}`);
  return `${out.join('\n')}\n`;
}

/** vmoprcmd -d: pending requests (none) and drive status; `loaded` maps drive index to the media ID in it. */
export function vmoprcmdDrives(drives: readonly DriveRecord[], loaded: ReadonlyMap<number, string>): string {
  const out = ['', '                                PENDING REQUESTS', '', '                                     <NONE>', '', '                                  DRIVE STATUS', ''];
  out.push('Drv Type   Control  User      Label  RecMID  ExtMID  Ready   Wr.Enbl.  ReqId');
  for (const d of drives) {
    const kind = d.robotType ?? 'AVR';
    const control = d.status === 'DOWN' ? `DOWN-${kind}` : kind;
    const mid = loaded.get(d.index);
    out.push(`${String(d.index).padStart(3)} ${d.type.padEnd(7)}${control.padEnd(9)}${''.padEnd(10)}${(mid ? 'Yes' : 'No').padEnd(7)}${(mid ?? '-').padEnd(8)}${(mid ?? '').padEnd(8)}${(mid ? 'Yes' : 'No').padEnd(8)}${(mid ? 'Yes' : '-').padEnd(10)}-`);
  }
  out.push('', '                             ADDITIONAL DRIVE STATUS', '', 'Drv DriveName            Shared    Assigned        Comment');
  for (const d of drives) out.push(`${String(d.index).padStart(3)} ${d.name.padEnd(21)}${'No'.padEnd(10)}${'-'.padEnd(16)}`.trimEnd());
  return `${out.join('\n')}\n`;
}

/** vmpool -list: NetBackup's per-pool blocks. */
export function vmpoolList(pools: readonly VolumePool[]): string {
  return pools
    .map((p) => `${'='.repeat(80)}\npool number:  ${p.number}\npool name:    ${p.name}\ndescription:  ${p.description || '---'}\npool host:    ANYHOST\npool user:    ANY\npool group:   NONE\n`)
    .join('')
    .concat(pools.length ? `${'='.repeat(80)}\n` : '');
}

// ---- bpmedialist -mheader / -mcontents (read from the cartridge) ----

/** `media id = A00001, allocated 09/14/2005 21:13, retention level = 6` (the first line of -mheader and -mcontents). */
export function mediaHeaderLine(h: { mediaId: string; created: number; retentionLevel: number }): string {
  return `media id = ${h.mediaId}, allocated ${formatNbDateMinutes(h.created)}, retention level = ${h.retentionLevel}`;
}

export interface ContentsEntry {
  readonly fileNumber: number;
  readonly backupid: string;
  readonly backupTime: number;
  readonly expiration: number;
  readonly retentionLevel: number;
  readonly copy: number;
  readonly fragment: number;
  readonly blockSize: number;
}

/** bpmedialist -mcontents: the header line, then one block per tape file holding a fragment. */
export function mcontentsReport(h: { mediaId: string; created: number; retentionLevel: number }, files: readonly ContentsEntry[]): string {
  const blocks = files.map((f) =>
    [
      `File number ${f.fileNumber}`,
      `  Backup id = ${f.backupid}`,
      `  Creation date = ${formatNbDateMinutes(f.backupTime)}`,
      `  Expiration date = ${f.expiration >= INFINITY_EPOCH ? 'INFINITY' : formatNbDateMinutes(f.expiration)}`,
      `  Retention level = ${f.retentionLevel}`,
      `  Copy number = ${f.copy}`,
      `  Fragment number = ${f.fragment}`,
      `  Block size (in bytes) = ${f.blockSize}`,
      '',
    ].join('\n'),
  );
  return `${mediaHeaderLine(h)}\n\n${blocks.join('\n')}`;
}
