// Runs the tape conformance suite against the emulator always, and against a real drive when
// OPENBP_TEST_TAPE names one (e.g. /dev/nst0; the cartridge in it will be overwritten).

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCartridge } from '../../../src/storage/tape/cartridge.js';
import { VirtualLibrary } from '../../../src/storage/tape/library.js';
import { readSidecar, sidecarPathOf } from '../../../src/storage/tape/sidecar.js';
import { StDrive } from '../../../src/storage/tape/st-drive.js';
import { MtxChanger } from '../../../src/storage/tape/mtx-changer.js';
import { VirtualDrive } from '../../../src/storage/tape/virtual-drive.js';
import { spawnCommandModule } from '../../helpers/run-binary.js';
import { tapeConformance, type TapeFixture } from './conformance.js';
import { patternRecord, tempDir } from './tape-fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function scratchDir(): Promise<string> {
  const d = await tempDir();
  dirs.push(d);
  return d;
}

let lastTap = '';

const emulator: TapeFixture = {
  label: 'VirtualDrive (emulator)',
  density: { code: 0x58, name: 'LTO-5' },
  async fresh() {
    lastTap = await createCartridge(await scratchDir(), { barcode: 'T00001L5', capacityBytes: 256 * 1024 * 1024 });
    return new VirtualDrive('vtl:test/drive0', lastTap);
  },
  async writeProtected() {
    const tap = await createCartridge(await scratchDir(), { barcode: 'WP0001L5', capacityBytes: 1024 * 1024 * 1024 });
    const d = new VirtualDrive('vtl:test/wp', tap);
    const h = await d.open({ rewindOnClose: true, write: true });
    await h.writeBlock(patternRecord(1000, 7));
    await h.close();
    const lib = path.dirname(tap);
    const sc = (await readSidecar(sidecarPathOf(tap)))!;
    sc.writeProtected = true;
    await fs.writeFile(path.join(lib, 'WP0001L5.json'), JSON.stringify(sc));
    return new VirtualDrive('vtl:test/wp', tap);
  },
  async smallCartridge(capacityBytes, earlyWarningBytes) {
    const tap = await createCartridge(await scratchDir(), { barcode: 'S00001L5', capacityBytes, earlyWarningBytes });
    return new VirtualDrive('vtl:test/small', tap);
  },
  async changer() {
    const dir = await scratchDir();
    const lib = await VirtualLibrary.create(dir, { slots: 5, drives: 2, barcodes: 'A00000L5-A00002L5', capacityBytes: 8 * 1024 * 1024 });
    const dev = lib.dir;
    return {
      changer: lib.changer(),
      drive0: lib.drive(0),
      initialText:
        `  Storage Changer ${dev}:2 Drives, 6 Slots ( 1 Import/Export )\n` +
        'Data Transfer Element 0:Empty\n' +
        'Data Transfer Element 1:Empty\n' +
        '      Storage Element 1:Full :VolumeTag=A00000L5\n' +
        '      Storage Element 2:Full :VolumeTag=A00001L5\n' +
        '      Storage Element 3:Full :VolumeTag=A00002L5\n' +
        '      Storage Element 4:Empty\n' +
        '      Storage Element 5:Empty\n' +
        '      Storage Element 6 IMPORT/EXPORT:Empty\n',
      reopen: async () => (await VirtualLibrary.open(dir)).changer(),
      statusFromOtherProcess: async () => {
        const p = spawnCommandModule('vtladm', ['status', dir]);
        let out = '';
        p.stdout!.on('data', (c: Buffer) => (out += c.toString()));
        await new Promise((r) => p.on('close', r));
        return out;
      },
    };
  },
  async crash(n, recordBytes) {
    const tap = await createCartridge(await scratchDir(), { barcode: 'C00001L5', capacityBytes: 64 * 1024 * 1024 });
    const child = spawn(process.execPath, [path.join(here, 'crash-writer.js'), tap, String(n), String(recordBytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const exited = new Promise((r) => child.on('exit', r));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes(`ok ${n}\n`)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`crash writer exited early (${code}): ${out}`)));
    });
    const complete = n * (8 + recordBytes);
    for (let i = 0; i < 500 && (await fs.stat(tap)).size <= complete; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await fs.stat(tap)).size).toBeGreaterThan(complete); // the torn record is on disk
    expect(child.exitCode).toBeNull(); // still alive, in the middle of the write
    child.kill('SIGKILL');
    await exited;
    expect((await readSidecar(sidecarPathOf(tap)))!.dirty).toBe(true);
    return {
      device: new VirtualDrive('vtl:test/crashed', tap),
      lostStatistics: async () => (await readSidecar(sidecarPathOf(tap)))!.lostStatistics,
      corruptTail: async () => {
        await fs.appendFile(tap, Buffer.from([0x10, 0x00, 0x00, 0x00, 1, 2, 3]));
        return new VirtualDrive('vtl:test/corrupt', tap);
      },
    };
  },
  async drStream(file, skip) {
    return spawnCommandModule('vtladm', ['cat', path.dirname(lastTap), lastTap, '--file', String(file), '--skip-records', String(skip)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  },
};

tapeConformance(emulator);

const realTape = process.env.OPENBP_TEST_TAPE;
if (realTape) {
  const changerDev = process.env.OPENBP_TEST_CHANGER;
  const hardware: TapeFixture = {
    label: `StDrive ${realTape} (real hardware)`,
    async fresh() {
      return new StDrive(realTape);
    },
    async rawStatus() {
      return execFileSync('mt', ['-f', realTape, 'status'], { encoding: 'utf8' });
    },
    async drStream(file, skip) {
      const script = `mt -f "$1" rewind && mt -f "$1" fsf ${file} && mt -f "$1" setblk 0 && dd if="$1" bs=16M count=${skip} of=/dev/null 2>/dev/null; dd if="$1" bs=16M 2>/dev/null`;
      return spawn('sh', ['-c', script, 'sh', realTape], { stdio: ['ignore', 'pipe', 'inherit'] });
    },
    ...(changerDev
      ? {
          async changer() {
            const c = new MtxChanger(changerDev);
            return { changer: c, drive0: new StDrive(realTape), initialText: null, reopen: async () => new MtxChanger(changerDev) };
          },
        }
      : {}),
  };
  tapeConformance(hardware);
} else {
  describe('tape conformance: StDrive (real hardware)', () => {
    it.skip('needs a real tape drive: set OPENBP_TEST_TAPE=/dev/nstN', () => {});
  });
}
