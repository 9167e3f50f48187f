// struct mtget as data, and its rendering byte for byte as mt-st v1.8 `mt status` prints it.

/** General status bits (mt_gstat), as in linux/mtio.h GMT_* macros. */
export const GMT = {
  EOF: 0x80000000,
  BOT: 0x40000000,
  EOT: 0x20000000,
  SM: 0x10000000,
  EOD: 0x08000000,
  WR_PROT: 0x04000000,
  ONLINE: 0x01000000,
  D_6250: 0x00800000,
  D_1600: 0x00400000,
  D_800: 0x00200000,
  DR_OPEN: 0x00040000,
  IM_REP_EN: 0x00010000,
  CLN: 0x00008000,
} as const;

const BIT_ORDER: readonly (keyof typeof GMT)[] = [
  'EOF', 'BOT', 'EOT', 'SM', 'EOD', 'WR_PROT', 'ONLINE', 'D_6250', 'D_1600', 'D_800', 'DR_OPEN', 'IM_REP_EN', 'CLN',
];

/** mt-st's density table (the part that covers LTO drives). */
export const DENSITY_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'default'],
  [0x40, 'DLT1 40 GB, or Ultrium'],
  [0x42, 'LTO-2'],
  [0x44, 'LTO-3'],
  [0x46, 'LTO-4'],
  [0x58, 'LTO-5'],
  [0x5a, 'LTO-6'],
  [0x5c, 'LTO-7'],
  [0x5d, 'LTO-7-M8'],
  [0x5e, 'LTO-8'],
]);

export interface TapeStatusFlags {
  eof: boolean;
  bot: boolean;
  eot: boolean;
  eod: boolean;
  wrProt: boolean;
  online: boolean;
  drOpen: boolean;
  imRepEn: boolean;
  cln: boolean;
}

/** Mirrors struct mtget; -1 = unknown counter. */
export interface TapeStatus {
  readonly fileNumber: number;
  readonly blockNumber: number;
  readonly partition: number;
  readonly blockSize: number;
  readonly densityCode: number;
  readonly softErrors: number;
  readonly gstat: number;
  readonly flags: TapeStatusFlags;
  /** Byte-exact mt-st `mt status` rendering (SCSI 2 drive type). */
  text(): string;
}

export interface TapeStatusFields {
  fileNumber: number;
  blockNumber: number;
  partition?: number;
  blockSize: number;
  densityCode: number;
  softErrors?: number;
  gstat: number;
}

function flagsOf(gstat: number): TapeStatusFlags {
  const on = (bit: number) => (gstat & bit) !== 0;
  return {
    eof: on(GMT.EOF), bot: on(GMT.BOT), eot: on(GMT.EOT), eod: on(GMT.EOD), wrProt: on(GMT.WR_PROT),
    online: on(GMT.ONLINE), drOpen: on(GMT.DR_OPEN), imRepEn: on(GMT.IM_REP_EN), cln: on(GMT.CLN),
  };
}

/** Renders `mt status` for a SCSI-2 drive (mt_type 0x72), exactly as mt-st's do_status. */
export function renderMtStatus(s: TapeStatusFields): string {
  const gstat = s.gstat >>> 0;
  const density = DENSITY_NAMES.get(s.densityCode) ?? 'no translation';
  let bits = '';
  for (const name of BIT_ORDER) if ((gstat & GMT[name]) !== 0) bits += ` ${name}`;
  return (
    'SCSI 2 tape drive:\n' +
    `File number=${s.fileNumber}, block number=${s.blockNumber}, partition=${s.partition ?? 0}.\n` +
    `Tape block size ${s.blockSize} bytes. Density code 0x${s.densityCode.toString(16)} (${density}).\n` +
    `Soft error count since last status=${s.softErrors ?? 0}\n` +
    `General status bits on (${gstat.toString(16)}):\n` +
    `${bits}\n`
  );
}

export function makeTapeStatus(s: TapeStatusFields): TapeStatus {
  const gstat = s.gstat >>> 0;
  return {
    fileNumber: s.fileNumber,
    blockNumber: s.blockNumber,
    partition: s.partition ?? 0,
    blockSize: s.blockSize,
    densityCode: s.densityCode,
    softErrors: s.softErrors ?? 0,
    gstat,
    flags: flagsOf(gstat),
    text: () => renderMtStatus({ ...s, gstat }),
  };
}

/** Parses mt-st `mt status` output back into a TapeStatus (used by StDrive's `mt` fallback). */
export function parseMtStatus(out: string): TapeStatus {
  const pos = /File number=(-?\d+), block number=(-?\d+)(?:, partition=(-?\d+))?\./.exec(out);
  const blk = /Tape block size (\d+) bytes\. Density code 0x([0-9a-f]+)/i.exec(out);
  const soft = /Soft error count since last status=(\d+)/.exec(out);
  const gs = /General status bits on \(([0-9a-f]+)\):/i.exec(out);
  if (!pos || !gs) throw new Error(`cannot parse mt status output: ${JSON.stringify(out.slice(0, 200))}`);
  return makeTapeStatus({
    fileNumber: Number(pos[1]),
    blockNumber: Number(pos[2]),
    partition: pos[3] !== undefined ? Number(pos[3]) : 0,
    blockSize: blk ? Number(blk[1]) : 0,
    densityCode: blk ? parseInt(blk[2]!, 16) : 0,
    softErrors: soft ? Number(soft[1]) : 0,
    gstat: parseInt(gs[1]!, 16),
  });
}
