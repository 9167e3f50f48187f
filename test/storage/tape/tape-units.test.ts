// Unit tests of the tape layer's pieces: mt/mtx text, barcodes, index checkpoints, dump, StDrive's mt fallback.

import fs from 'node:fs/promises';
import path from 'node:path';
import { expandBarcodes, mediaIdOf, mediaKindOf, densityOf } from '../../../src/storage/tape/barcode.js';
import { createCartridge } from '../../../src/storage/tape/cartridge.js';
import { makeChangerStatus, parseMtxStatus } from '../../../src/storage/tape/changer-status.js';
import { readSidecar, sidecarPathOf } from '../../../src/storage/tape/sidecar.js';
import { openSync, closeSync } from 'node:fs';
import { StDrive, MT_OP } from '../../../src/storage/tape/st-drive.js';
import { sys } from '../../../src/native/sys.js';
import { dumpCartridge, formatDumpEntry, BP_HEADER_MAGIC } from '../../../src/storage/tape/tap-tools.js';
import { makeTapeStatus, parseMtStatus } from '../../../src/storage/tape/tape-status.js';
import { VirtualDrive } from '../../../src/storage/tape/virtual-drive.js';
import type { CommandRunner } from '../../../src/storage/tape/command-runner.js';
import { tempDir, patternRecord } from './tape-fixtures.js';

describe('mt status text', () => {
  it('renders the examples of tape.md §1.6 byte for byte and parses them back', () => {
    const eod = makeTapeStatus({ fileNumber: 3, blockNumber: -1, blockSize: 0, densityCode: 0x58, gstat: 0x9010000 });
    expect(eod.text()).toBe(
      'SCSI 2 tape drive:\nFile number=3, block number=-1, partition=0.\nTape block size 0 bytes. Density code 0x58 (LTO-5).\n' +
        'Soft error count since last status=0\nGeneral status bits on (9010000):\n EOD ONLINE IM_REP_EN\n',
    );
    const fsf = makeTapeStatus({ fileNumber: 1, blockNumber: 0, blockSize: 0, densityCode: 0x60, gstat: 0x81010000 });
    expect(fsf.text()).toContain('Density code 0x60 (no translation).\n');
    expect(fsf.text()).toContain('General status bits on (81010000):\n EOF ONLINE IM_REP_EN\n');
    const back = parseMtStatus(eod.text());
    expect([back.fileNumber, back.blockNumber, back.gstat, back.flags.eod, back.densityCode]).toEqual([3, -1, 0x9010000, true, 0x58]);
    expect(back.text()).toBe(eod.text());
  });
});

describe('mtx status text', () => {
  it('round-trips through the parser, including Unknown source and IE slots', () => {
    const st = makeChangerStatus(
      '/dev/sg4',
      [
        { n: 0, full: true, barcode: 'ULT003L5', sourceSlot: 3 },
        { n: 1, full: true, barcode: null, sourceSlot: null },
        { n: 2, full: false, barcode: null, sourceSlot: null },
      ],
      [
        { n: 1, full: true, barcode: 'ULT001L5', importExport: false },
        { n: 2, full: false, barcode: null, importExport: false },
        { n: 3, full: true, barcode: 'CLN001L1', importExport: true },
      ],
    );
    expect(st.text()).toBe(
      '  Storage Changer /dev/sg4:3 Drives, 3 Slots ( 1 Import/Export )\n' +
        'Data Transfer Element 0:Full (Storage Element 3 Loaded):VolumeTag = ULT003L5\n' +
        'Data Transfer Element 1:Full (Unknown Storage Element Loaded)\n' +
        'Data Transfer Element 2:Empty\n' +
        '      Storage Element 1:Full :VolumeTag=ULT001L5\n' +
        '      Storage Element 2:Empty\n' +
        '      Storage Element 3 IMPORT/EXPORT:Full :VolumeTag=CLN001L1\n',
    );
    const p = parseMtxStatus(st.text());
    expect(p.text()).toBe(st.text());
    expect(p.drives[0]).toEqual({ n: 0, full: true, barcode: 'ULT003L5', sourceSlot: 3 });
  });
});

describe('barcodes', () => {
  it('expands ranges and derives media ID, kind and density as mhvtl does', () => {
    expect(expandBarcodes('A00000L5-A00003L5')).toEqual(['A00000L5', 'A00001L5', 'A00002L5', 'A00003L5']);
    expect(expandBarcodes('A00008L5-A00011L5,CLN001L1')).toEqual(['A00008L5', 'A00009L5', 'A00010L5', 'A00011L5', 'CLN001L1']);
    expect(() => expandBarcodes('A00005L5-B00001L5')).toThrow(RangeError);
    expect(mediaIdOf('01450000')).toBe('450000');
    expect([mediaKindOf('CLN001L1'), mediaKindOf('W00001L5'), mediaKindOf('A00001LV'), mediaKindOf('A00001L5')]).toEqual(['cleaning', 'worm', 'worm', 'data']);
    expect(densityOf('A00001L6')).toEqual({ density: 'LTO-6', densityCode: 0x5a });
  });
});

describe('cartridge index', () => {
  it('locate and bsf across thousands of objects use checkpoints; a lost sidecar is rebuilt by a scan', async () => {
    const dir = await tempDir();
    const tap = await createCartridge(dir, { barcode: 'I00001L5', capacityBytes: 1 << 30 });
    const d = new VirtualDrive('vtl:idx', tap);
    const h = await d.open({ rewindOnClose: false, write: true });
    for (let i = 0; i < 3000; i++) {
      await h.writeBlock(patternRecord(16, i));
      if (i % 1000 === 999) await h.writeFilemarks(1);
    }
    await h.close();
    const sc = (await readSidecar(sidecarPathOf(tap)))!;
    expect(sc.checkpoints.map((c) => c.objectId)).toEqual([1024, 2048]);
    expect(sc.tap).toMatchObject({ objects: 3003, filemarks: 3 });
    await fs.rm(sidecarPathOf(tap));
    const h2 = await new VirtualDrive('vtl:idx', tap).open({ rewindOnClose: false, write: false });
    await h2.locate(2500); // object 2500 = record 2498 (two marks before it)
    expect(Buffer.from(await h2.readBlock(64)).equals(patternRecord(16, 2498))).toBe(true);
    await h2.spaceFiles(-1);
    expect(await h2.tell()).toBe(2001); // BOT side of the mark ending file 1
    await h2.close();
    expect((await readSidecar(sidecarPathOf(tap)))!.checkpoints.map((c) => c.objectId)).toEqual([1024, 2048]);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('dump', () => {
  it('prints one line per object and flags NetBackup media headers', async () => {
    const dir = await tempDir();
    const tap = await createCartridge(dir, { barcode: 'D00001L5', capacityBytes: 1 << 24 });
    const h = await new VirtualDrive('vtl:dump', tap).open({ rewindOnClose: true, write: true });
    const mh = Buffer.alloc(1024);
    mh.write('VOL1D00001', 0, 'latin1');
    mh.write(BP_HEADER_MAGIC, 0o160, 'latin1');
    await h.writeBlock(mh);
    await h.close();
    const lines: string[] = [];
    for await (const e of dumpCartridge(tap)) lines.push(formatDumpEntry(e));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ +0 +0 +0 +0 +1024 [0-9a-f]{8} \|VOL1D00001\.\.\.\.\.\.\| +VOL1,ThIs Is A BP tApE hEaDer$/);
    expect(lines[1]).toMatch(/^ +1 +0 +1 +1032 +0 -------- \* +FILEMARK$/);
    expect((await readSidecar(sidecarPathOf(tap)))!.labelHint).toMatch(/^VOL1D00001/);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('st ioctls through the native addon (no hardware)', () => {
  it('reach the kernel: on a device that is not a tape MTIOCGET, MTIOCPOS and MTIOCTOP fail with ENOTTY', async () => {
    const fd = openSync('/dev/null', 'r');
    try {
      expect(() => sys().mtGet(fd)).toThrow(expect.objectContaining({ code: 'ENOTTY', syscall: 'ioctl(MTIOCGET)' }));
      expect(() => sys().mtPos(fd)).toThrow(expect.objectContaining({ code: 'ENOTTY', syscall: 'ioctl(MTIOCPOS)' }));
      await expect(sys().mtOp(fd, MT_OP.REW, 1)).rejects.toMatchObject({ code: 'ENOTTY', syscall: 'ioctl(MTIOCTOP)' });
      await expect(sys().mtOp(-1, MT_OP.REW, 1)).rejects.toMatchObject({ code: 'EBADF' });
    } finally {
      closeSync(fd);
    }
  });
});

describe('StDrive mt fallback (fake device, no hardware)', () => {
  it('uses mt when the device refuses the st ioctls; runs it with the right arguments and maps failures to errnos', async () => {
    const dir = await tempDir();
    const dev = path.join(dir, 'nst0');
    await fs.writeFile(dev, '');
    const calls: string[] = [];
    const run: CommandRunner = async (_cmd, args) => {
      calls.push(args.slice(2).join(' '));
      if (args[2] === 'fsf') return { code: 2, stdout: '', stderr: `${dev}: Input/output error\n` };
      if (args[2] === 'status') return { code: 0, stdout: makeTapeStatus({ fileNumber: 1, blockNumber: 0, blockSize: 0, densityCode: 0x58, gstat: 0x81010000 }).text(), stderr: '' };
      return { code: 0, stdout: 'At block 7.\n', stderr: '' };
    };
    const h = await new StDrive(dev, { run }).open({ rewindOnClose: false, write: true });
    await h.writeBlock(Buffer.from('x'));
    await h.writeFilemarks(2); // the close already wrote one
    await expect(h.spaceFiles(3)).rejects.toMatchObject({ errno: 'EIO' });
    expect(await h.tell()).toBe(7);
    expect((await h.status()).fileNumber).toBe(1);
    await h.writeBlock(Buffer.from('y'));
    await expect(h.tell()).rejects.toMatchObject({ errno: 'EINVAL' });
    await h.spaceFiles(-1);
    await h.close();
    expect(calls).toEqual(['weof 1', 'fsf 3', 'tell', 'status', 'bsf 2']);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
