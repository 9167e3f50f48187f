// The tape conformance suite of reference/tape.md §5c, written once and run against every TapeDevice.

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { Changer, TapeDevice, TapeHandle } from '../../../src/storage/tape/tape-device.js';
import { BP_HEADER_MAGIC } from '../../../src/storage/tape/tap-tools.js';
import { errnoOf, expectErrno, patternRecord, scanFiles } from './tape-fixtures.js';

export interface ChangerFixture {
  readonly changer: Changer;
  /** Drive 0 of the library (holds nothing at the start; slots 1..3 hold cartridges, slot 4..5 empty). */
  readonly drive0: TapeDevice;
  /** `mtx status` text expected for the initial state, or null to skip the exact comparison. */
  readonly initialText: string | null;
  /** A new changer on the same library, as a fresh process would see it. */
  reopen(): Promise<Changer>;
  /** Runs the status command in a separate process and returns its stdout, or null if not available. */
  statusFromOtherProcess?(): Promise<string>;
}

export interface TapeFixture {
  readonly label: string;
  /** A drive holding a scratch cartridge (contents irrelevant: tests write from BOT). Not open. */
  fresh(): Promise<TapeDevice>;
  /** Density shown by `mt status` for the scratch cartridge (exact text() comparison), if known. */
  readonly density?: { readonly code: number; readonly name: string };
  /** Raw `mt status` of the device, for comparing text() on hardware. */
  rawStatus?(): Promise<string>;
  /** Drive with a write-protected cartridge that holds one record, patternRecord(1000, 7). */
  writeProtected?(): Promise<TapeDevice>;
  /** Drive with a blank cartridge of the given capacity and early-warning zone (bytes). */
  smallCartridge?(capacityBytes: number, earlyWarningBytes: number): Promise<TapeDevice>;
  /** A library with a changer (slots 1..3 full). */
  changer?(): Promise<ChangerFixture>;
  /** Test 23: write n records in a child process killed mid-write; returns a drive on the crashed cartridge. */
  crash?(n: number, recordBytes: number): Promise<{ device: TapeDevice; lostStatistics(): Promise<number>; corruptTail(): Promise<TapeDevice> }>;
  /** Test 25: a process whose stdout is tape file `file` minus `skipRecords` records of the last fresh() drive. */
  drStream?(file: number, skipRecords: number): Promise<ChildProcess>;
}

const NST = { rewindOnClose: false, write: true } as const;
const MiB = 1024 * 1024;

async function withTape<T>(dev: TapeDevice, fn: (h: TapeHandle) => Promise<T>, o: { rewindOnClose: boolean; write: boolean } = NST): Promise<T> {
  const h = await dev.open(o);
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

/** Writes files of the given record counts, each closed by a filemark; record seeds = file*100 + index. */
async function writeFiles(h: TapeHandle, counts: number[], size = 1000): Promise<void> {
  for (let f = 0; f < counts.length; f++) {
    for (let r = 0; r < counts[f]!; r++) await h.writeBlock(patternRecord(size, f * 100 + r));
    await h.writeFilemarks(1);
  }
}

function skipIt(name: string, reason: string): void {
  it.skip(`${name} (skipped: ${reason})`, () => {});
}

export function tapeConformance(fx: TapeFixture): void {
  describe(`tape conformance: ${fx.label}`, () => {
    it('01 load/rewind: BOT status, tell 0, mt status text', async () => {
      const dev = await fx.fresh();
      await withTape(dev, async (h) => {
        await h.rewind();
        const s = await h.status();
        expect([s.fileNumber, s.blockNumber]).toEqual([0, 0]);
        expect(s.flags.bot && s.flags.online && !s.flags.eof).toBe(true);
        expect(await h.tell()).toBe(0);
        if (fx.density) {
          expect(s.text()).toBe(
            'SCSI 2 tape drive:\n' +
              'File number=0, block number=0, partition=0.\n' +
              `Tape block size 0 bytes. Density code 0x${fx.density.code.toString(16)} (${fx.density.name}).\n` +
              'Soft error count since last status=0\n' +
              'General status bits on (41010000):\n' +
              ' BOT ONLINE IM_REP_EN\n',
          );
        }
        if (fx.rawStatus) expect(s.text()).toBe(await fx.rawStatus());
      });
    });

    it('02 variable round trip: one read returns exactly one record', async () => {
      const sizes = [1, 511, 512, 65536, 262144, 1048576];
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        for (const [i, n] of sizes.entries()) expect(await h.writeBlock(patternRecord(n, i))).toBe(n);
        await h.rewind();
        for (const [i, n] of sizes.entries()) expect(Buffer.from(await h.readBlock(2 * MiB)).equals(patternRecord(n, i))).toBe(true);
      });
    });

    it('03 short buffer: ENOMEM consumes the record; bsr 1 recovers it', async () => {
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        await h.writeBlock(patternRecord(65536, 1));
        await h.writeBlock(patternRecord(1024, 2));
        await h.rewind();
        await expectErrno(h.readBlock(32768), 'ENOMEM');
        await h.spaceRecords(-1);
        expect(Buffer.from(await h.readBlock(65536)).equals(patternRecord(65536, 1))).toBe(true);
        await h.rewind();
        await expectErrno(h.readBlock(32768), 'ENOMEM');
        expect(Buffer.from(await h.readBlock(32768)).equals(patternRecord(1024, 2))).toBe(true);
      });
    });

    it('04 filemark read: R R FM R -> len len 0 len; EOF bit at file 1 blk 0', async () => {
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        await h.writeBlock(patternRecord(100, 1));
        await h.writeBlock(patternRecord(200, 2));
        await h.writeFilemarks(1);
        await h.writeBlock(patternRecord(300, 3));
        await h.rewind();
        expect((await h.readBlock(MiB)).length).toBe(100);
        expect((await h.readBlock(MiB)).length).toBe(200);
        expect((await h.readBlock(MiB)).length).toBe(0);
        const s = await h.status();
        expect([s.fileNumber, s.blockNumber, s.flags.eof, s.flags.bot]).toEqual([1, 0, true, false]);
        expect((await h.readBlock(MiB)).length).toBe(300);
      });
    });

    it('05 EOD after a filemark: R FM -> len 0 0 EIO; R FM FM -> len 0 0 0 EIO', async () => {
      const dev = await fx.fresh();
      for (const marks of [1, 2]) {
        await withTape(dev, async (h) => {
          await h.rewind();
          await h.writeBlock(patternRecord(100, 1));
          await h.writeFilemarks(marks);
          await h.rewind();
          expect((await h.readBlock(MiB)).length).toBe(100);
          for (let i = 0; i < marks + 1; i++) expect((await h.readBlock(MiB)).length).toBe(0);
          await expectErrno(h.readBlock(MiB), 'EIO');
          expect((await h.status()).flags.eod).toBe(true);
          await expectErrno(h.readBlock(MiB), 'EIO');
        });
      }
    });

    it('06 read at EOD without a filemark just before (after seekEod) -> EIO at once', async () => {
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        await h.writeBlock(patternRecord(100, 1));
        await h.writeFilemarks(1);
        await h.rewind();
        await h.seekEod();
        const s = await h.status();
        expect([s.fileNumber, s.blockNumber, s.flags.eod]).toEqual([1, -1, true]);
        await expectErrno(h.readBlock(MiB), 'EIO');
      });
    });

    it('07 close after write writes exactly one filemark', async () => {
      const dev = await fx.fresh();
      await withTape(dev, async (h) => {
        await h.rewind();
        for (let i = 0; i < 3; i++) await h.writeBlock(patternRecord(500, i));
      });
      await withTape(dev, async (h) => {
        await h.rewind();
        for (let i = 0; i < 3; i++) expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(500, i))).toBe(true);
        expect((await h.readBlock(MiB)).length).toBe(0);
        expect((await h.status()).fileNumber).toBe(1);
        await h.rewind();
        await h.spaceFiles(1);
        expect((await errnoOf(h.spaceFiles(1))).errno).toBe('EIO');
      });
    });

    it('08 no extra filemark after writeFilemarks, a read, or MTWEOFI', async () => {
      const dev = await fx.fresh();
      const eodFile = () =>
        withTape(dev, async (h) => {
          await h.rewind();
          await h.seekEod();
          return (await h.status()).fileNumber;
        });
      await withTape(dev, async (h) => {
        await h.rewind();
        await h.writeBlock(patternRecord(100, 1));
        await h.writeFilemarks(1);
      });
      expect(await eodFile()).toBe(1);
      await withTape(dev, async (h) => {
        await h.rewind();
        await h.readBlock(MiB);
      });
      expect(await eodFile()).toBe(1);
      await withTape(dev, async (h) => {
        await h.rewind();
        await h.writeBlock(patternRecord(100, 1));
        await h.writeFilemarks(1, { immediate: true });
      });
      expect(await eodFile()).toBe(1);
    });

    it('09 rewind node rewinds on close; no-rewind node keeps the position', async () => {
      const dev = await fx.fresh();
      await withTape(dev, async (h) => {
        await h.rewind();
        await h.writeBlock(patternRecord(100, 1));
        await h.writeBlock(patternRecord(100, 2));
        await h.writeFilemarks(1);
      }, { rewindOnClose: true, write: true });
      await withTape(dev, async (h) => {
        const s = await h.status();
        expect([s.fileNumber, s.blockNumber, s.flags.bot]).toEqual([0, 0, true]);
        await h.readBlock(MiB);
      });
      await withTape(dev, async (h) => {
        expect((await h.status()).blockNumber).toBe(1);
        expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(100, 2))).toBe(true);
      });
    });

    it('10 fsf/bsf/fsfm/bsfm counters and sides of the mark', async () => {
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        await writeFiles(h, [1, 1, 1, 1, 1]);
        await h.rewind();
        await h.spaceFiles(2);
        let s = await h.status();
        expect([s.fileNumber, s.blockNumber, s.flags.eof]).toEqual([2, 0, true]);
        await h.spaceFiles(-1);
        s = await h.status();
        expect([s.fileNumber, s.blockNumber]).toEqual([1, -1]);
        expect((await h.readBlock(MiB)).length).toBe(0); // the mark ending file 1
        await h.spaceFiles(-1);
        await h.spaceFiles(1);
        s = await h.status();
        expect([s.fileNumber, s.blockNumber]).toEqual([2, 0]);
        expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(1000, 200))).toBe(true);
        await h.rewind();
        await h.spaceFilesM(2); // BOT side of the 2nd mark
        s = await h.status();
        expect([s.fileNumber, s.blockNumber]).toEqual([1, -1]);
        expect((await h.readBlock(MiB)).length).toBe(0);
        expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(1000, 200))).toBe(true);
        await h.spaceFilesM(-1); // back to the start of file 2
        s = await h.status();
        expect([s.fileNumber, s.blockNumber]).toEqual([2, 0]);
        expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(1000, 200))).toBe(true);
      });
    });

    it('11 fsr/bsr inside a file; crossing a filemark -> EIO with residual', async () => {
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        await writeFiles(h, [5, 2]);
        await h.rewind();
        await h.spaceRecords(2);
        expect((await h.status()).blockNumber).toBe(2);
        await h.spaceRecords(-1);
        expect((await h.status()).blockNumber).toBe(1);
        expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(1000, 1))).toBe(true);
        const fwd = await errnoOf(h.spaceRecords(10));
        expect(fwd).toEqual({ errno: 'EIO', residual: 7 });
        let s = await h.status();
        expect([s.fileNumber, s.blockNumber]).toEqual([1, 0]);
        expect(await errnoOf(h.spaceRecords(-1))).toEqual({ errno: 'EIO', residual: 1 });
        s = await h.status();
        expect([s.fileNumber, s.blockNumber]).toEqual([0, -1]);
        expect((await h.readBlock(MiB)).length).toBe(0);
      });
    });

    it('12 bsr/bsf at BOT -> EIO at BOT; fsf past the last mark -> EIO, EOD, file = marks', async () => {
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        await writeFiles(h, [1, 1]);
        await h.rewind();
        await expectErrno(h.spaceRecords(-1), 'EIO');
        expect((await h.status()).flags.bot).toBe(true);
        await expectErrno(h.spaceFiles(-1), 'EIO');
        expect((await h.status()).flags.bot).toBe(true);
        await expectErrno(h.spaceFiles(5), 'EIO');
        const s = await h.status();
        expect([s.fileNumber, s.blockNumber, s.flags.eod]).toEqual([2, -1, true]);
      });
    });

    it('13 btape append test: eod finds file 3; append; 4 files, 7 records', async () => {
      const dev = await fx.fresh();
      await withTape(dev, async (h) => {
        await h.rewind();
        await writeFiles(h, [1, 2, 3], 64448);
      });
      await withTape(dev, async (h) => {
        await h.rewind();
        await h.seekEod();
        expect((await h.status()).fileNumber).toBe(3);
        await h.writeBlock(patternRecord(64448, 999));
        await h.writeFilemarks(1);
        await h.rewind();
        const files = await scanFiles(h);
        expect(files).toEqual([1, 2, 3, 1, 0]);
      });
    });

    it('14 btape fsf test: 1,2,3,2,1 records', async () => {
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        await writeFiles(h, [1, 2, 3, 2, 1]);
        await h.rewind();
        const file = async () => (await h.status()).fileNumber;
        await h.spaceFiles(1);
        expect(await file()).toBe(1);
        await h.spaceFiles(2);
        expect(await file()).toBe(3);
        await h.rewind();
        await h.spaceFiles(4);
        expect(await file()).toBe(4);
        await h.spaceFiles(1);
        expect(await file()).toBe(5);
      });
    });

    it('15 overwrite truncates: a write in file 1 makes the new end of data', async () => {
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        await writeFiles(h, [1, 1, 1]);
        await h.rewind();
        await h.spaceFiles(1);
        await h.writeBlock(patternRecord(777, 42));
        await h.rewind(); // writes the implicit filemark first
        await h.spaceFiles(1);
        expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(777, 42))).toBe(true);
        expect((await h.readBlock(MiB)).length).toBe(0);
        expect((await h.readBlock(MiB)).length).toBe(0);
        await expectErrno(h.readBlock(MiB), 'EIO');
      });
    });

    it('16 tell/locate: SSC logical objects count records and filemarks', async () => {
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        await writeFiles(h, [3, 2, 2]);
        await h.rewind();
        await h.spaceFiles(2);
        const t = await h.tell();
        expect(t).toBe(3 + 1 + 2 + 1);
        await h.rewind();
        await h.locate(t);
        let s = await h.status();
        expect([s.fileNumber, s.blockNumber]).toEqual([-1, -1]);
        expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(1000, 200))).toBe(true);
        await h.locate(1);
        expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(1000, 1))).toBe(true);
        await h.locate(0);
        s = await h.status();
        expect([s.fileNumber, s.blockNumber]).toEqual([0, 0]);
      });
    });

    it('17 fixed block mode: multiples only, k records per write, wrong-size record -> EIO', async () => {
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        await h.setBlockSize(512);
        const two = Buffer.concat([patternRecord(512, 1), patternRecord(512, 2)]);
        expect(await h.writeBlock(two)).toBe(1024);
        await expectErrno(h.writeBlock(Buffer.alloc(1000)), 'EINVAL');
        const s = await h.status();
        expect(s.blockSize).toBe(512);
        expect(s.text()).toContain('Tape block size 512 bytes.');
        await h.writeFilemarks(1);
        await h.setBlockSize(0);
        await h.writeBlock(patternRecord(65536, 3));
        await h.writeFilemarks(1);
        await h.rewind();
        await h.setBlockSize(512);
        expect(Buffer.from(await h.readBlock(512)).equals(patternRecord(512, 1))).toBe(true);
        expect(Buffer.from(await h.readBlock(512)).equals(patternRecord(512, 2))).toBe(true);
        expect((await h.readBlock(512)).length).toBe(0);
        await expectErrno(h.readBlock(512), 'EIO');
        await h.setBlockSize(0);
        expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(65536, 3))).toBe(true);
      });
    });

    it('18 write protection: WR_PROT + EACCES; O_RDONLY: EACCES without WR_PROT', async () => {
      if (fx.writeProtected) {
        await withTape(await fx.writeProtected(), async (h) => {
          await h.rewind();
          expect((await h.status()).flags.wrProt).toBe(true);
          await expectErrno(h.writeBlock(Buffer.alloc(100)), 'EACCES');
          await expectErrno(h.writeFilemarks(1), 'EACCES');
          await expectErrno(h.erase(), 'EACCES');
          expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(1000, 7))).toBe(true);
        });
      }
      const dev = await fx.fresh();
      await withTape(dev, async (h) => {
        await h.rewind();
        await h.writeBlock(patternRecord(100, 1));
        await h.writeFilemarks(1);
      });
      await withTape(dev, async (h) => {
        await h.rewind();
        expect((await h.status()).flags.wrProt).toBe(false);
        await expectErrno(h.writeBlock(Buffer.alloc(100)), 'EACCES');
        await expectErrno(h.writeFilemarks(1), 'EACCES');
        expect((await h.readBlock(MiB)).length).toBe(100);
      }, { rewindOnClose: false, write: false });
    });

    if (fx.smallCartridge) {
      it('19 early warning: crossing write completes, then ENOSPC/count alternate; EOT; filemarks still work', async () => {
        const dev = await fx.smallCartridge!(MiB, 256 * 1024);
        await withTape(dev, async (h) => {
          const rec = (i: number) => patternRecord(65536, i);
          let written = 0;
          for (;;) {
            expect(await h.writeBlock(rec(written))).toBe(65536);
            written++;
            if ((await h.status()).flags.eot) break;
            expect(written).toBeLessThan(100);
          }
          expect(written).toBe(12); // 12 * 65544 bytes crosses 768 KiB
          await expectErrno(h.writeBlock(rec(written)), 'ENOSPC');
          expect(await h.writeBlock(rec(written))).toBe(65536);
          written++;
          expect((await h.status()).flags.eot).toBe(true);
          await expectErrno(h.writeBlock(rec(written)), 'ENOSPC');
          await h.writeFilemarks(2);
          await h.rewind();
          const files = await scanFiles(h);
          expect(files).toEqual([written, 0, 0]);
        });
      });
    } else skipIt('19 early warning', 'needs a small cartridge (emulator) or a small partition');

    if (fx.smallCartridge) {
      it('20 physical EOM: ENOSPC with nothing written, then EIO; earlier records readable; two marks close it', async () => {
        const dev = await fx.smallCartridge!(512 * 1024, 128 * 1024);
        await withTape(dev, async (h) => {
          const ok: number[] = [];
          const errs: string[] = [];
          for (let i = 0; i < 100; i++) {
            const r = await errnoOf(h.writeBlock(patternRecord(65536, i)));
            if (r.errno === 'none') ok.push(i);
            else errs.push(r.errno);
            if (r.errno === 'EIO') break;
          }
          expect(errs.slice(-2)).toEqual(['ENOSPC', 'EIO']);
          expect(ok.length).toBe(7); // 7 * 65544 + 4 filemark bytes <= 512 KiB
          await h.writeFilemarks(2);
          await h.rewind();
          for (const i of ok) expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(65536, i))).toBe(true);
          expect((await h.readBlock(MiB)).length).toBe(0);
          expect((await h.readBlock(MiB)).length).toBe(0);
        });
      });
    } else skipIt('20 physical EOM', 'emulator only (destructive on hardware)');

    it('21 offline: unload -> ENOMEDIUM, DR_OPEN; the robot may then move the cartridge', async () => {
      const cf = fx.changer ? await fx.changer() : null;
      const dev = cf ? cf.drive0 : await fx.fresh();
      if (cf) await cf.changer.load(1, 0);
      const h = await dev.open(NST);
      try {
        await h.writeBlock(patternRecord(100, 1));
        if (cf) await expect(cf.changer.unload(0)).rejects.toThrow('Drive needs offline before move');
        await h.unload();
        await expectErrno(h.readBlock(MiB), 'ENOMEDIUM');
        await expectErrno(h.writeBlock(Buffer.alloc(10)), 'ENOMEDIUM');
        const s = await h.status();
        expect([s.flags.drOpen, s.flags.online, s.fileNumber]).toEqual([true, false, -1]);
        expect(s.text()).toContain(' DR_OPEN IM_REP_EN\n');
        if (cf) {
          await cf.changer.unload(0);
          const st = await cf.changer.status();
          expect(st.slots[0]).toMatchObject({ n: 1, full: true });
          expect(st.drives[0]!.full).toBe(false);
        }
      } finally {
        await h.close();
      }
      if (cf) {
        await cf.changer.load(1, 0);
        await withTape(cf.drive0, async (h2) => {
          const files = await scanFiles(h2);
          expect(files).toEqual([1, 0]); // the unload wrote the filemark after the record
        });
      }
    });

    if (fx.changer) {
      it('22 changer: mtx status text, mtx errors, transfer and import/export, state persists', async () => {
        const cf = await fx.changer!();
        const c = cf.changer;
        if (cf.initialText !== null) expect((await c.status()).text()).toBe(cf.initialText);
        await c.load(1, 0);
        await expect(c.load(2, 0)).rejects.toThrow('Drive 0 Full (Storage Element 1 loaded)');
        await expect(c.unload(0, 3)).rejects.toThrow('Storage Element 3 is Already Full');
        await expect(c.load(5, 1)).rejects.toThrow('Source Element Address 5 is Empty');
        await expect(c.transfer(4, 5)).rejects.toThrow('Source Element Address 4 is Empty');
        await expect(c.transfer(2, 3)).rejects.toThrow('Destination Element Address 3 is Already Full');
        await expect(c.load(1, 9)).rejects.toThrow("illegal <drive-number> argument '9' to 'load' command");
        await c.transfer(3, 5);
        await c.importExport('open');
        await c.importExport('insert', 'NEW001L5');
        let st = await c.status();
        const ie = st.slots.find((s) => s.importExport)!;
        expect(ie).toMatchObject({ full: true, barcode: 'NEW001L5' });
        await c.transfer(ie.n, 4);
        await c.transfer(2, ie.n);
        await c.importExport('remove', 'A00001L5');
        await c.importExport('close');
        st = await c.status();
        expect(st.text()).toContain('Data Transfer Element 0:Full (Storage Element 1 Loaded):VolumeTag = A00000L5\n');
        expect(st.text()).toContain('      Storage Element 4:Full :VolumeTag=NEW001L5\n');
        expect(st.text()).toContain('      Storage Element 5:Full :VolumeTag=A00002L5\n');
        expect(st.text()).toContain(`      Storage Element ${ie.n} IMPORT/EXPORT:Empty\n`);
        const again = await (await cf.reopen()).status();
        expect(again.text()).toBe(st.text());
        if (cf.statusFromOtherProcess) expect(await cf.statusFromOtherProcess()).toBe(st.text());
        await c.unload(0);
        expect((await c.status()).slots[0]).toMatchObject({ full: true, barcode: 'A00000L5' });
      });
    } else skipIt('22 changer', 'needs a library (set OPENBP_TEST_CHANGER=/dev/sgN for a real one)');

    if (fx.crash) {
      it('23 crash: SIGKILL mid-write keeps every completed record, drops the torn one, no phantom filemark', async () => {
        const n = 20;
        const { device, lostStatistics, corruptTail } = await fx.crash!(n, 4000);
        await withTape(device, async (h) => {
          await h.rewind();
          for (let i = 0; i < n; i++) expect(Buffer.from(await h.readBlock(MiB)).equals(patternRecord(4000, i))).toBe(true);
          await expectErrno(h.readBlock(MiB), 'EIO');
          expect(await h.tell()).toBe(n);
        });
        expect(await lostStatistics()).toBeGreaterThanOrEqual(1);
        const dev2 = await corruptTail(); // clean sidecar, but garbage appended to the .tap
        await withTape(dev2, async (h) => {
          await h.rewind();
          const files = await scanFiles(h);
          expect(files).toEqual([n]);
          await h.seekEod();
          expect(await h.tell()).toBe(n);
        });
      });
    } else skipIt('23 crash', 'emulator only (needs fault injection)');

    it('24 NetBackup media layout: MH * BH img * BH img * EH *, append over the EH', async () => {
      const mh = Buffer.alloc(1024);
      mh.write('VOL1A00000', 0, 'latin1');
      mh.write(BP_HEADER_MAGIC, 0o160, 'latin1');
      const hdr = (kind: string, n: number) => {
        const b = Buffer.alloc(1024);
        b.write(`${kind}${n}`, 0, 'latin1');
        return b;
      };
      const img = (n: number, k: number) => patternRecord(65536, n * 1000 + k);
      await withTape(await fx.fresh(), async (h) => {
        await h.rewind();
        await h.writeBlock(mh);
        await h.writeFilemarks(1);
        await h.writeBlock(hdr('BH', 1));
        for (let k = 0; k < 3; k++) await h.writeBlock(img(1, k));
        await h.writeFilemarks(1);
        await h.writeBlock(hdr('EH', 0));
        await h.writeFilemarks(1);
        // append backup 2: position to the EH, verify it, step back over it and overwrite it
        await h.rewind();
        await h.spaceFiles(2);
        expect(Buffer.from(await h.readBlock(1024)).subarray(0, 3).toString()).toBe('EH0');
        await h.spaceRecords(-1);
        await h.writeBlock(hdr('BH', 2));
        for (let k = 0; k < 2; k++) await h.writeBlock(img(2, k));
        await h.writeFilemarks(1);
        await h.writeBlock(hdr('EH', 0));
        await h.writeFilemarks(1);
        await h.rewind();
        expect(await scanFiles(h)).toEqual([1, 4, 3, 1, 0]);
        for (const [file, n] of [[1, 1], [2, 2]] as const) {
          await h.rewind();
          await h.spaceFiles(file);
          expect(Buffer.from(await h.readBlock(1024)).equals(hdr('BH', n))).toBe(true);
          expect(Buffer.from(await h.readBlock(MiB)).equals(img(n, 0))).toBe(true);
        }
      });
    });

    if (fx.drStream) {
      it('25 DR with GNU tar: the image file minus its BH lists with tar -t', async () => {
        const { buildTar } = await import('./tar-sample.js');
        const sample = await buildTar();
        const dev = await fx.fresh();
        await withTape(dev, async (h) => {
          await h.rewind();
          const mh = Buffer.alloc(1024);
          mh.write('VOL1A00000', 0, 'latin1');
          await h.writeBlock(mh);
          await h.writeFilemarks(1);
          await h.writeBlock(Buffer.alloc(1024, 0x42)); // BH
          for (let at = 0; at < sample.tar.length; at += 10240) await h.writeBlock(sample.tar.subarray(at, at + 10240));
          await h.writeFilemarks(1);
          await h.writeBlock(Buffer.alloc(1024, 0x45)); // EH
          await h.writeFilemarks(1);
        });
        const src = await fx.drStream!(1, 1);
        const tar = spawn('tar', ['-t', '-f', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
        src.stdout!.pipe(tar.stdin!);
        const chunks: Buffer[] = [];
        tar.stdout!.on('data', (c: Buffer) => chunks.push(c));
        const [srcCode, tarCode] = await Promise.all([
          new Promise<number | null>((r) => src.on('close', r)),
          new Promise<number | null>((r) => tar.on('close', r)),
        ]);
        expect([srcCode, tarCode]).toEqual([0, 0]);
        expect(Buffer.concat(chunks).toString().trim().split('\n')).toEqual(sample.names);
      });
    } else skipIt('25 DR with GNU tar', 'no way to stream a tape file for this device');
  });
}
