// Mounting cartridges for a tape job: the robot moves the barcode into the job's drive, the drive is opened.
//
// One drive per job (nbrb's allocation). A cartridge another job left in the drive (a killed bptm) is put
// back into its slot first; a wanted cartridge left in another drive is fetched from there.

import type { DriveRecord, RobotRecord } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { Changer, TapeDevice, TapeHandle } from './tape-device.js';
import { VirtualLibrary } from './library.js';
import { MtxChanger } from './mtx-changer.js';
import { StDrive } from './st-drive.js';

export interface MountedTape {
  readonly barcode: string;
  readonly handle: TapeHandle;
}

/** Where a tape job's cartridges go: a robot's changer and one of its drives. */
export class TapeMounts {
  private current: MountedTape | undefined;

  private constructor(
    private readonly changer: Changer,
    private readonly device: TapeDevice,
    private readonly robotDrive: number,
    private readonly log: (line: string) => void,
  ) {}

  /** A virtual library directory, or a real changer (/dev/sg*) with an st drive (/dev/nst*). */
  static async open(robot: RobotRecord, drive: DriveRecord, log: (line: string) => void = () => {}): Promise<TapeMounts> {
    if (drive.robotDrive === undefined) throw new OpenbpError('MEDIA_OPEN_ERROR', `drive ${drive.name} is not in a robot`);
    try {
      if (robot.path.startsWith('/dev/')) return new TapeMounts(new MtxChanger(robot.path), new StDrive(drive.path), drive.robotDrive, log);
      const lib = await VirtualLibrary.open(robot.path);
      return new TapeMounts(lib.changer(), lib.drive(drive.robotDrive), drive.robotDrive, log);
    } catch (e) {
      if (e instanceof OpenbpError) throw e;
      throw new OpenbpError('MEDIA_OPEN_ERROR', `cannot open robot ${robot.type}(${robot.number}) at ${robot.path}: ${(e as Error).message}`, { cause: e });
    }
  }

  get mounted(): MountedTape | undefined {
    return this.current;
  }

  /** Loads `barcode` into the job's drive (if it is not there already) and opens the drive (no-rewind node). */
  async mount(barcode: string, write: boolean): Promise<TapeHandle> {
    if (this.current?.barcode === barcode) return this.current.handle;
    await this.unmount();
    try {
      let st = await this.changer.status();
      const here = st.drives.find((d) => d.n === this.robotDrive);
      if (here?.full && here.barcode !== barcode) {
        this.log(`drive ${this.robotDrive} holds ${here.barcode ?? 'an unknown cartridge'}: putting it back`);
        await this.changer.unload(this.robotDrive);
        st = await this.changer.status();
      }
      const elsewhere = st.drives.find((d) => d.n !== this.robotDrive && d.full && d.barcode === barcode);
      if (elsewhere) {
        this.log(`${barcode} was left in drive ${elsewhere.n}: putting it back`);
        await this.changer.unload(elsewhere.n);
        st = await this.changer.status();
      }
      if (!st.drives.some((d) => d.n === this.robotDrive && d.full && d.barcode === barcode)) {
        const slot = st.slots.find((s) => s.full && s.barcode === barcode);
        if (!slot) throw new OpenbpError('MEDIA_NOT_FOUND', `cartridge ${barcode} is not in the robot`, { media: barcode });
        await this.changer.load(slot.n, this.robotDrive);
        this.log(`loaded ${barcode} from slot ${slot.n} into drive ${this.robotDrive}`);
      }
      const handle = await this.device.open({ rewindOnClose: false, write });
      this.current = { barcode, handle };
      return handle;
    } catch (e) {
      if (e instanceof OpenbpError) throw e;
      throw new OpenbpError('MEDIA_OPEN_ERROR', `mounting ${barcode} in drive ${this.robotDrive}: ${(e as Error).message}`, { cause: e, media: barcode });
    }
  }

  /** Closes the drive and puts the cartridge back into its slot. Never throws (logs what failed). */
  async unmount(): Promise<void> {
    const m = this.current;
    if (!m) return;
    this.current = undefined;
    try {
      await m.handle.close();
    } catch (e) {
      this.log(`closing drive ${this.robotDrive}: ${(e as Error).message}`);
    }
    try {
      await this.changer.unload(this.robotDrive);
      this.log(`unloaded ${m.barcode} from drive ${this.robotDrive}`);
    } catch (e) {
      this.log(`unloading ${m.barcode}: ${(e as Error).message}`);
    }
  }
}
