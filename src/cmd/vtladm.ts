// vtladm: create and inspect the built-in virtual tape library (status, dump, cat, robot moves, write protection).

import path from 'node:path';
import { defineCommand, type CommandResult, type ParsedOptions } from '../cli/command.js';
import { OpenbpError } from '../protocol/errors.js';
import { ChangerError } from '../storage/tape/tape-device.js';
import { TapeError } from '../storage/tape/tape-error.js';
import { VirtualLibrary } from '../storage/tape/library.js';
import { catTapeFile, dumpCartridge, formatDumpEntry, DUMP_HEADER } from '../storage/tape/tap-tools.js';

const USAGE = `Usage:
  vtladm create DIR --slots N --drives N --barcodes A00000L5-A00009L5 --capacity SIZE [--early-warning SIZE] [--ie-slots N]
  vtladm status DIR
  vtladm dump DIR BARCODE | dump FILE.tap
  vtladm cat DIR BARCODE --file N [--skip-records K] | cat FILE.tap --file N [--skip-records K]
  vtladm load DIR SLOT DRIVE
  vtladm unload DIR DRIVE [SLOT]
  vtladm transfer DIR FROM TO
  vtladm import DIR BARCODE | export DIR [BARCODE]
  vtladm write-protect DIR BARCODE on|off
SIZE takes K, M, G, T suffixes (powers of 1024).`;

function bad(msg: string): OpenbpError {
  return new OpenbpError('INVALID_PARAMETER', msg, { hint: 'see vtladm --help' });
}

/** "100M" -> 104857600; plain numbers are bytes. */
export function parseSize(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i.exec(s.trim());
  if (!m) throw bad(`${what}: '${s}' is not a size (e.g. 512K, 100M, 1G)`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  return Math.floor(Number(m[1]) * mult);
}

function intArg(v: string | undefined, what: string): number {
  if (v === undefined || !/^\d+$/.test(v)) throw bad(`${what} must be a number${v === undefined ? '' : `, not '${v}'`}`);
  return Number(v);
}

function need(args: string[], n: number, usage: string): void {
  if (args.length < n) throw bad(`usage: vtladm ${usage}`);
}

/** Core errors become NetBackup statuses: bad requests 20, busy/no media 83, read failures 85. */
function toStatusError(e: unknown): unknown {
  if (e instanceof RangeError || e instanceof ChangerError) return bad(e.message);
  if (e instanceof TapeError) {
    if (e.errno === 'ENXIO' || e.errno === 'EINVAL') return bad(e.message);
    if (e.errno === 'EBUSY' || e.errno === 'ENOMEDIUM' || e.errno === 'EACCES') return new OpenbpError('MEDIA_OPEN_ERROR', e.message);
    return new OpenbpError('MEDIA_READ_ERROR', e.message);
  }
  return e;
}

/** The cartridge file: DIR BARCODE, DIR FILE.tap, or a lone FILE.tap (a cartridge copied out of its library). */
async function tapOf(dir: string, cart: string | undefined): Promise<string> {
  if (cart === undefined && dir.endsWith('.tap')) return path.resolve(dir);
  if (cart === undefined) throw bad('name the cartridge: DIR BARCODE or FILE.tap');
  if (cart.endsWith('.tap')) return path.resolve(cart);
  const lib = await VirtualLibrary.open(dir);
  return lib.cartridgePath(cart);
}

export async function runVtladm(opts: ParsedOptions, args: string[]): Promise<CommandResult> {
  const [sub, dir, ...rest] = args;
  if (sub === undefined) throw bad('a subcommand is required');
  if (dir === undefined) throw bad(`usage: vtladm ${sub} DIR ...`);
  switch (sub) {
    case 'create': {
      for (const k of ['slots', 'drives', 'barcodes', 'capacity'] as const) if (opts[k] === undefined) throw bad(`create needs --${k}`);
      const lib = await VirtualLibrary.create(dir, {
        slots: intArg(String(opts.slots), '--slots'),
        drives: intArg(String(opts.drives), '--drives'),
        ieSlots: opts.ieSlots === undefined ? 1 : intArg(String(opts.ieSlots), '--ie-slots'),
        barcodes: String(opts.barcodes),
        capacityBytes: parseSize(String(opts.capacity), '--capacity'),
        ...(opts.earlyWarning !== undefined ? { earlyWarningBytes: parseSize(String(opts.earlyWarning), '--early-warning') } : {}),
      });
      return { status: 0, stdout: (await lib.changer().status()).text(), json: lib.state };
    }
    case 'status': {
      const st = await (await VirtualLibrary.open(dir)).changer().status();
      return { status: 0, stdout: st.text(), json: { device: st.device, drives: st.drives, slots: st.slots } };
    }
    case 'dump': {
      const lines = [DUMP_HEADER];
      const it = dumpCartridge(await tapOf(dir, rest[0]));
      const entries = [];
      let r = await it.next();
      while (!r.done) {
        entries.push(r.value);
        lines.push(formatDumpEntry(r.value));
        r = await it.next();
      }
      lines.push(`# EOD at object ${r.value.objects}, offset ${r.value.size}`);
      return { status: 0, stdout: `${lines.join('\n')}\n`, json: { objects: entries, eod: r.value } };
    }
    case 'cat': {
      if (opts.file === undefined) throw bad('cat needs --file N');
      const file = intArg(String(opts.file), '--file');
      const skip = opts.skipRecords === undefined ? 0 : intArg(String(opts.skipRecords), '--skip-records');
      return { status: 0, stdout: catTapeFile(await tapOf(dir, rest[0]), file, skip) };
    }
    case 'load': {
      need(rest, 2, 'load DIR SLOT DRIVE');
      const slot = intArg(rest[0], 'SLOT');
      const drive = intArg(rest[1], 'DRIVE');
      await (await VirtualLibrary.open(dir)).changer().load(slot, drive);
      return { status: 0, stdout: `Loading media from Storage Element ${slot} into drive ${drive}...done\n` };
    }
    case 'unload': {
      need(rest, 1, 'unload DIR DRIVE [SLOT]');
      const drive = intArg(rest[0], 'DRIVE');
      const lib = await VirtualLibrary.open(dir);
      const slot = rest[1] !== undefined ? intArg(rest[1], 'SLOT') : undefined;
      const barcode = lib.state.drives.find((d) => d.n === drive)?.barcode ?? null;
      await lib.changer().unload(drive, slot);
      const into = lib.state.slots.concat(lib.state.ieSlots).find((s) => barcode !== null && s.barcode === barcode)?.n ?? slot ?? '?';
      return { status: 0, stdout: `Unloading drive ${drive} into Storage Element ${into}...done\n` };
    }
    case 'transfer': {
      need(rest, 2, 'transfer DIR FROM TO');
      await (await VirtualLibrary.open(dir)).changer().transfer(intArg(rest[0], 'FROM'), intArg(rest[1], 'TO'));
      return { status: 0 };
    }
    case 'import': {
      need(rest, 1, 'import DIR BARCODE');
      await (await VirtualLibrary.open(dir)).changer().importExport('insert', rest[0]);
      return { status: 0 };
    }
    case 'export': {
      await (await VirtualLibrary.open(dir)).changer().importExport('remove', rest[0]);
      return { status: 0 };
    }
    case 'write-protect': {
      need(rest, 2, 'write-protect DIR BARCODE on|off');
      if (rest[1] !== 'on' && rest[1] !== 'off') throw bad(`write-protect takes on or off, not '${rest[1]}'`);
      await (await VirtualLibrary.open(dir)).setWriteProtected(rest[0]!, rest[1] === 'on');
      return { status: 0 };
    }
    default:
      throw bad(`unknown subcommand '${sub}'`);
  }
}

export const command = defineCommand({
  name: 'vtladm',
  summary: 'administer the virtual tape library (cartridges as SIMH .tap files)',
  args: '<subcommand> [args...]',
  options: [
    { flag: '--slots', key: 'slots', kind: 'int', arg: 'N', help: 'create: storage slots' },
    { flag: '--drives', key: 'drives', kind: 'int', arg: 'N', help: 'create: tape drives' },
    { flag: '--ie-slots', key: 'ieSlots', kind: 'int', arg: 'N', help: 'create: import/export slots (default 1)' },
    { flag: '--barcodes', key: 'barcodes', kind: 'string', arg: 'FIRST-LAST', help: 'create: barcodes for the first slots, e.g. A00000L5-A00009L5' },
    { flag: '--capacity', key: 'capacity', kind: 'string', arg: 'SIZE', help: 'create: cartridge capacity, e.g. 100M' },
    { flag: '--early-warning', key: 'earlyWarning', kind: 'string', arg: 'SIZE', help: 'create: early warning zone before the end (default 2M)' },
    { flag: '--file', key: 'file', kind: 'int', arg: 'N', help: 'cat: tape file number (0 = first file)' },
    { flag: '--skip-records', key: 'skipRecords', kind: 'int', arg: 'K', help: 'cat: records to skip at the start of the file' },
  ],
  epilog: USAGE,
  async run(_ctx, opts, args) {
    try {
      return await runVtladm(opts, args);
    } catch (e) {
      throw toStatusError(e);
    }
  },
});
