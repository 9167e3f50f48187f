// The tape storage driver: bptm's StorageDriver for a Media Manager unit, on the drive and volumes nbrb gave.
//
// Write: the volume is mounted, labelled if blank, positioned at its EH and the image appended, one tape
// file per fragment, an EH after every finished fragment. At early warning the cartridge is closed (two
// filemarks), the volume reported full through `nextVolume`, and the image continues on the volume that
// comes back (spanning). A write-protected or foreign volume is reported the same way and replaced before
// anything is written. Read: each fragment's cartridge is mounted and the drive spaced straight to the
// fragment's tape file. close() puts the cartridge back into its slot.

import type { FragmentRecord, MountableVolume, StorageUnit, TapeAssignment } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import { maxFragmentBytes, type ImageReader, type ImageWriteRequest, type ImageWriter, type StorageDriver, type StreamRange } from '../driver.js';
import { densityOf } from './barcode.js';
import { positionAfterDebris } from './append-recovery.js';
import { TapeMounts } from './tape-mounts.js';
import { TapeImageReader } from './tape-reader.js';
import { isMediaFull, mountForWrite, positionForAppend, TapeImageWriter, type TapeWriterPlace } from './tape-writer.js';
import type { TapeHandle } from './tape-device.js';

export type VolumeTrouble = 'full' | 'write-protected' | 'unusable';

export interface TapeDriverDeps {
  readonly unit: StorageUnit;
  readonly assignment: TapeAssignment;
  /** Asks the master for the job's next volume after `mediaId` became unusable for `reason` (throws 96 when none). */
  nextVolume(mediaId: string, reason: VolumeTrouble): Promise<MountableVolume>;
  /** One line for bptm's log. */
  log?(line: string): void;
}

/** Statuses after which a volume is not this job's to write (its header says another media or none of ours). */
const UNUSABLE = new Set([93, 172]);

export class TapeDriver implements StorageDriver {
  readonly kind = 'tape' as const;
  private mounts: TapeMounts | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly deps: TapeDriverDeps) {
    this.log = deps.log ?? (() => {});
  }

  private async drive(): Promise<TapeMounts> {
    this.mounts ??= await TapeMounts.open(this.deps.assignment.robot, this.deps.assignment.drive, this.log);
    return this.mounts;
  }

  async openImageWriter(req: ImageWriteRequest): Promise<ImageWriter> {
    const first = this.deps.assignment.volume;
    if (!first) throw new OpenbpError('NO_MEDIA_AVAILABLE', 'no volume was allocated for this backup');
    const place = await this.mountForAppend(first, req);
    const writer = new TapeImageWriter(place, req);
    return new SpanningWriter(writer, async () => {
      const next = await this.deps.nextVolume(writer.mediaId, 'full');
      this.log(`${writer.mediaId} is full; continuing on ${next.mediaId}`);
      await writer.continueOn(await this.mountForAppend(next, req));
    });
  }

  /** Mounts a volume and positions it for appending; replaces it (and asks again) while it cannot be written. */
  private async mountForAppend(volume: MountableVolume, req: ImageWriteRequest): Promise<TapeWriterPlace> {
    const mounts = await this.drive();
    const unit = this.deps.unit;
    for (let v = volume; ; ) {
      const h = await mounts.mount(v.barcode, true);
      const trouble = await this.prepare(h, v, req).catch((e: unknown) => e);
      if (typeof trouble === 'number') {
        this.log(`appending to ${v.mediaId} at tape file ${trouble}`);
        return {
          handle: h, mediaId: v.mediaId, fileNumber: trouble, densityCode: densityOf(v.barcode).densityCode, host: unit.host,
          maxFragmentBytes: maxFragmentBytes(unit.maxFragmentMB, req.blockSize),
        };
      }
      const reason: VolumeTrouble | undefined =
        trouble === 'full' || trouble === 'write-protected' ? trouble : trouble instanceof OpenbpError && UNUSABLE.has(trouble.status) ? 'unusable' : undefined;
      if (!reason) throw trouble;
      this.log(`${v.mediaId} cannot be written (${trouble instanceof Error ? trouble.message : reason}): asking for another volume`);
      await mounts.unmount();
      v = await this.deps.nextVolume(v.mediaId, reason);
    }
  }

  /** The tape file number to append at; throws 'full' or 'write-protected' (as values) when the volume cannot take the image. */
  private async prepare(h: TapeHandle, v: MountableVolume, req: ImageWriteRequest): Promise<number> {
    if ((await h.status()).flags.wrProt) throw 'write-protected';
    const { labelled } = await mountForWrite(h, v.mediaId, {
      pool: this.deps.assignment.pool, retentionLevel: req.retentionLevel, densityCode: densityOf(v.barcode).densityCode, host: this.deps.unit.host,
    });
    if (labelled) this.log(`labelled ${v.mediaId}`);
    try {
      return await positionForAppend(h, v.mediaId);
    } catch (e) {
      if (!(e instanceof OpenbpError) || e.status !== 94 || e.media !== v.mediaId) throw e;
      const at = await positionAfterDebris(h, v.mediaId);
      if (at === 'full') throw 'full';
      this.log(`${v.mediaId} had no empty header after its last image (a writer died): appending after it`);
      return at;
    }
  }

  async openImageReader(fragments: readonly FragmentRecord[], range: StreamRange): Promise<ImageReader> {
    const volumes = new Map(this.deps.assignment.readVolumes.map((v) => [v.mediaId, v]));
    return new TapeImageReader(fragments, range, async (mediaId) => {
      const v = volumes.get(mediaId);
      if (!v) throw new OpenbpError('MEDIA_NOT_FOUND', `media ID ${mediaId} was not allocated to this job`, { media: mediaId });
      const mounts = await this.drive();
      if (mounts.mounted?.barcode !== v.barcode) this.log(`mounting ${mediaId} for reading`);
      return mounts.mount(v.barcode, false);
    }, (f) => this.log(`positioned to tape file ${f.fileNumber} of ${f.mediaId} (fragment ${f.fragment})`));
  }

  /** Tape fragments are not deleted: the space comes back when every image on the volume has expired. */
  async deleteFragments(): Promise<void> {}

  async close(): Promise<void> {
    await this.mounts?.unmount();
  }
}

/** The writer bptm sees: spanning to the next volume happens inside write(), invisible to the caller. */
class SpanningWriter implements ImageWriter {
  constructor(
    private readonly inner: TapeImageWriter,
    private readonly span: () => Promise<void>,
  ) {}

  get fragmentBytes(): number {
    return this.inner.fragmentBytes;
  }
  get room(): number {
    return this.inner.room;
  }
  get fragments(): readonly FragmentRecord[] {
    return this.inner.fragments;
  }

  async write(block: Uint8Array): Promise<void> {
    let step = () => this.inner.write(block);
    for (;;) {
      try {
        await step();
        return;
      } catch (e) {
        if (!isMediaFull(e)) throw e;
        step = this.span; // continueOn() writes the block that did not fit; a tiny next volume may fill up again
      }
    }
  }

  async finishFragment(): Promise<FragmentRecord> {
    let record: FragmentRecord;
    try {
      record = await this.inner.finishFragment();
    } catch (e) {
      // The fragment's filemark met the end of media: it was finished there and the cartridge closed.
      if (isMediaFull(e) && e.fragment) return e.fragment;
      throw e;
    }
    await this.inner.writeEndMark();
    return record;
  }

  async abort(): Promise<void> {
    await this.inner.abort();
  }
}
