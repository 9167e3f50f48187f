// The st driver's per-drive state (st.h ST_NOEOF..ST_EOD, rw, counters) and how MTIOCGET derives its bits.

import { GMT } from './tape-status.js';

/** st.h eof states, in st.h order: comparisons like `>= EOD_1` rely on it. */
export const EOF_STATES = ['NOEOF', 'FM_HIT', 'FM', 'EOM_OK', 'EOM_ERROR', 'EOD_1', 'EOD_2', 'EOD'] as const;
export type EofState = (typeof EOF_STATES)[number];
export type RwState = 'idle' | 'reading' | 'writing';

export function eofAtLeast(s: EofState, than: EofState): boolean {
  return EOF_STATES.indexOf(s) >= EOF_STATES.indexOf(than);
}

export interface DriveState {
  /** SSC logical object number of the current position (records and filemarks count). */
  pos: number;
  /** Byte offset in the .tap file of object `pos`. */
  off: number;
  /** st's drv_file / drv_block; -1 = unknown. */
  file: number;
  blk: number;
  eof: EofState;
  rw: RwState;
  /** 0 = variable block mode. */
  blockSize: number;
  compression: boolean;
}

export function bot(blockSize: number, compression = true): DriveState {
  return { pos: 0, off: 0, file: 0, blk: 0, eof: 'NOEOF', rw: 'idle', blockSize, compression };
}

export function atBot(s: DriveState): void {
  s.pos = 0;
  s.off = 0;
  s.file = 0;
  s.blk = 0;
  s.eof = 'NOEOF';
  s.rw = 'idle';
}

/** mt_gstat as st's MTIOCGET computes it for a loaded, ready drive. */
export function gstatOf(s: DriveState, writeProtected: boolean): number {
  let g = GMT.ONLINE | GMT.IM_REP_EN;
  if (writeProtected) g |= GMT.WR_PROT;
  if (s.blk === 0) g |= s.file === 0 ? GMT.BOT : GMT.EOF;
  if (s.eof === 'EOM_OK' || s.eof === 'EOM_ERROR') g |= GMT.EOT;
  else if (eofAtLeast(s.eof, 'EOD_1')) g |= GMT.EOD;
  return g >>> 0;
}

export const NO_TAPE_GSTAT = (GMT.DR_OPEN | GMT.IM_REP_EN) >>> 0;
