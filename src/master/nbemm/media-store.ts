// nbemm's device and volume database (db/emm/devices.json, db/emm/volumes.json): robots, drives, pools, volumes.

import { nowSeconds } from '../../config/clock.js';
import path from 'node:path';
import { OpenbpError } from '../../protocol/errors.js';
import {
  driveRecord, robotRecord, volumePool, volumeRecord,
  type DriveRecord, type RobotRecord, type VolumePool, type VolumeRecord,
} from '../../protocol/records.js';
import type { Schema } from '../../protocol/schema.js';
import { readJsonFile, writeFileAtomic } from '../../config/atomic-file.js';
import type { LogLine } from '../../config/daemon-log.js';
import { mediaIdOf } from '../../storage/tape/barcode.js';
import { isFrozen, MEDIA_STATUS, unassigned } from './volume-state.js';

const DEVICES_FORMAT = 'openbp-emm-devices';
const VOLUMES_FORMAT = 'openbp-emm-volumes';
const VERSION = 1;

export { MEDIA_STATUS } from './volume-state.js';

/** The pools every volume database starts with. None and NetBackup keep NetBackup's numbers. */
export const DEFAULT_POOLS: readonly VolumePool[] = [
  { number: 0, name: 'None', description: 'the None pool' },
  { number: 1, name: 'NetBackup', description: 'the NetBackup pool' },
  { number: 2, name: 'Scratch', description: 'scratch pool: blank volumes any pool may take' },
  { number: 3, name: 'CatalogBackup', description: 'NetBackup catalog backup pool' },
];
export const SCRATCH_POOL = 'Scratch';

/** NetBackup media IDs are at most six characters; with barcodes, the last six of the barcode. */
export function checkMediaId(id: string): string {
  if (id.length === 0) throw new OpenbpError('INVALID_PARAMETER', 'a media ID is required');
  if (id.length > 6) throw new OpenbpError('MEDIA_ID_TOO_LONG', `media id ${id} must be 6 or less characters`);
  return id.toUpperCase();
}


/** NetBackup's default volume group name for a robot: <host 000>_<robot number 00000>_<type>. */
export function volumeGroupOf(robotType: string, robotNumber: number): string {
  return `000_${String(robotNumber).padStart(5, '0')}_${robotType}`;
}

function parseList<T>(items: unknown[] | undefined, schema: Schema<T>, what: string, log: LogLine): T[] {
  const out: T[] = [];
  for (const item of items ?? []) {
    try {
      out.push(schema.parse(item));
    } catch (e) {
      log(`${what}: skipped an entry: ${(e as Error).message}`);
    }
  }
  return out;
}

export interface InventoryResult {
  added: string[];
  moved: string[];
  unchanged: string[];
  removed: string[];
}

/** The in-memory database; every change is written through before the call returns. */
export class MediaStore {
  readonly robots = new Map<number, RobotRecord>();
  readonly drives = new Map<number, DriveRecord>();
  readonly pools = new Map<number, VolumePool>();
  readonly volumes = new Map<string, VolumeRecord>();
  private readonly devicesFile: string;
  private readonly volumesFile: string;

  constructor(dir: string, private readonly log: LogLine, private readonly now: () => number = nowSeconds) {
    this.devicesFile = path.join(dir, 'devices.json');
    this.volumesFile = path.join(dir, 'volumes.json');
    const dev = readJsonFile<{ robots?: unknown[]; drives?: unknown[] }>(this.devicesFile);
    for (const r of parseList(dev?.robots, robotRecord, 'devices.json', log)) this.robots.set(r.number, r);
    for (const d of parseList(dev?.drives, driveRecord, 'devices.json', log)) this.drives.set(d.index, d);
    const vol = readJsonFile<{ pools?: unknown[]; volumes?: unknown[] }>(this.volumesFile);
    for (const p of DEFAULT_POOLS) this.pools.set(p.number, p);
    for (const p of parseList(vol?.pools, volumePool, 'volumes.json', log)) this.pools.set(p.number, p);
    for (const v of parseList(vol?.volumes, volumeRecord, 'volumes.json', log)) this.volumes.set(v.mediaId, v);
  }

  private saveDevices(): void {
    const body = { format: DEVICES_FORMAT, version: VERSION, robots: this.sortedRobots(), drives: this.sortedDrives() };
    writeFileAtomic(this.devicesFile, `${JSON.stringify(body, null, 1)}\n`);
  }

  private saveVolumes(): void {
    const body = { format: VOLUMES_FORMAT, version: VERSION, pools: this.sortedPools(), volumes: this.sortedVolumes() };
    writeFileAtomic(this.volumesFile, `${JSON.stringify(body, null, 1)}\n`);
  }

  sortedRobots(): RobotRecord[] {
    return [...this.robots.values()].sort((a, b) => a.number - b.number);
  }
  sortedDrives(): DriveRecord[] {
    return [...this.drives.values()].sort((a, b) => a.index - b.index);
  }
  sortedPools(): VolumePool[] {
    return [...this.pools.values()].sort((a, b) => a.number - b.number);
  }
  sortedVolumes(): VolumeRecord[] {
    return [...this.volumes.values()].sort((a, b) => a.mediaId.localeCompare(b.mediaId));
  }

  // ---- devices ----

  addRobot(r: RobotRecord): void {
    if (r.number < 0) throw new OpenbpError('INVALID_PARAMETER', 'the robot number must be 0 or more');
    if (this.robots.has(r.number)) throw new OpenbpError('INVALID_PARAMETER', `robot ${r.number} already exists`);
    this.robots.set(r.number, r);
    this.saveDevices();
    this.log(`added robot ${r.type}(${r.number}) at ${r.path}`);
  }

  deleteRobot(n: number): void {
    if (!this.robots.has(n)) throw new OpenbpError('NO_ENTITY', `robot ${n} does not exist`);
    if ([...this.drives.values()].some((d) => d.robotNumber === n)) throw new OpenbpError('INVALID_PARAMETER', `robot ${n} still has drives: delete them first`);
    this.robots.delete(n);
    this.saveDevices();
  }

  addDrive(d: Omit<DriveRecord, 'index' | 'name' | 'status'> & { index?: number; name?: string; status?: 'UP' | 'DOWN' }): DriveRecord {
    let index = d.index;
    if (index === undefined) for (index = 0; this.drives.has(index); index++);
    if (index < 0) throw new OpenbpError('INVALID_PARAMETER', 'the drive index must be 0 or more');
    if (this.drives.has(index)) throw new OpenbpError('INVALID_PARAMETER', `drive index ${index} is in use`);
    if (d.robotNumber !== undefined) {
      const robot = this.robots.get(d.robotNumber);
      if (!robot) throw new OpenbpError('INVALID_PARAMETER', `robot ${d.robotNumber} does not exist: add it with tpconfig -add -robot`);
      if (d.robotType !== undefined && d.robotType !== robot.type) throw new OpenbpError('INVALID_PARAMETER', `robot ${d.robotNumber} is ${robot.type}, not ${d.robotType}`);
      if (d.robotDrive === undefined) throw new OpenbpError('INVALID_PARAMETER', 'a robotic drive needs -robdrnum');
      const clash = [...this.drives.values()].find((x) => x.robotNumber === d.robotNumber && x.robotDrive === d.robotDrive);
      if (clash) throw new OpenbpError('INVALID_PARAMETER', `robot drive number ${d.robotDrive} is already drive ${clash.index}`);
    }
    const drive: DriveRecord = {
      index,
      name: d.name ?? `${d.type.toUpperCase()}.${String(index).padStart(3, '0')}`,
      type: d.type,
      path: d.path,
      ...(d.robotNumber !== undefined ? { robotNumber: d.robotNumber, robotType: this.robots.get(d.robotNumber)!.type, robotDrive: d.robotDrive! } : {}),
      status: d.status ?? 'UP',
    };
    this.drives.set(index, drive);
    this.saveDevices();
    this.log(`added drive ${index} (${drive.name}) at ${drive.path}`);
    return drive;
  }

  deleteDrive(index: number): void {
    if (!this.drives.delete(index)) throw new OpenbpError('NO_ENTITY', `drive index ${index} does not exist`);
    this.saveDevices();
  }

  setDriveStatus(index: number, status: 'UP' | 'DOWN'): DriveRecord {
    const d = this.drives.get(index);
    if (!d) throw new OpenbpError('NO_ENTITY', `drive index ${index} does not exist`);
    const next = { ...d, status };
    this.drives.set(index, next);
    this.saveDevices();
    this.log(`drive ${index} is ${status}`);
    return next;
  }

  // ---- pools ----

  poolByName(name: string): VolumePool {
    const p = [...this.pools.values()].find((x) => x.name === name);
    if (!p) throw new OpenbpError('NO_SUCH_POOL', `volume pool ${name} does not exist`);
    return p;
  }

  poolByNumber(n: number): VolumePool {
    const p = this.pools.get(n);
    if (!p) throw new OpenbpError('NO_SUCH_POOL', `volume pool number ${n} does not exist`);
    return p;
  }

  addPool(name: string, description = ''): VolumePool {
    if (!/^[A-Za-z0-9_.+-]{1,20}$/.test(name)) throw new OpenbpError('INVALID_PARAMETER', `'${name}' is not a valid pool name (letters, digits, _ . + -; up to 20)`);
    if ([...this.pools.values()].some((p) => p.name === name)) throw new OpenbpError('INVALID_PARAMETER', `volume pool ${name} already exists`);
    const number = Math.max(...this.pools.keys()) + 1;
    const pool = { number, name, description };
    this.pools.set(number, pool);
    this.saveVolumes();
    this.log(`added volume pool ${name} (${number})`);
    return pool;
  }

  // ---- volumes ----

  volume(id: string): VolumeRecord {
    const v = this.volumes.get(checkMediaId(id));
    if (!v) throw new OpenbpError('MEDIA_NOT_FOUND', `media ID ${id} is not in the volume database`);
    return v;
  }

  listVolumes(q: { mediaId?: string; pool?: string; robotNumber?: number }): VolumeRecord[] {
    if (q.mediaId !== undefined) return [this.volume(q.mediaId)];
    const pool = q.pool !== undefined ? this.poolByName(q.pool).number : undefined;
    return this.sortedVolumes().filter((v) => (pool === undefined || v.pool === pool) && (q.robotNumber === undefined || v.robotNumber === q.robotNumber));
  }

  /** Puts a robot's slot inventory into the volume database (vmupdate). */
  inventory(robotNumber: number, density: string, slots: readonly { slot: number; barcode: string }[], poolName = SCRATCH_POOL): InventoryResult {
    const robot = this.robots.get(robotNumber);
    if (!robot) throw new OpenbpError('INVALID_PARAMETER', `robot ${robotNumber} does not exist: add it with tpconfig -add -robot`);
    const pool = this.poolByName(poolName);
    const res: InventoryResult = { added: [], moved: [], unchanged: [], removed: [] };
    const seen = new Set<string>();
    const now = this.now();
    for (const { slot, barcode } of slots) {
      if (/^CLN/i.test(barcode)) continue; // cleaning tapes are not volumes for data
      const id = mediaIdOf(barcode);
      seen.add(id);
      const old = this.volumes.get(id);
      if (!old) {
        this.volumes.set(id, {
          mediaId: id, barcode, density, description: 'Added by Media Manager', pool: pool.number, previousPool: 0,
          robotType: robot.type, robotNumber, slot, volumeGroup: volumeGroupOf(robot.type, robotNumber),
          created: now, assigned: 0, firstMount: 0, lastMount: 0, lastWritten: 0, lastRead: 0, expiration: 0,
          mounts: 0, status: 0, retentionLevel: 0, kbytes: 0, images: 0, validImages: 0, restores: 0,
        });
        res.added.push(id);
      } else if (old.robotNumber !== robotNumber || old.slot !== slot || old.barcode !== barcode) {
        this.volumes.set(id, { ...old, barcode, robotType: robot.type, robotNumber, slot, volumeGroup: volumeGroupOf(robot.type, robotNumber) });
        res.moved.push(id);
      } else res.unchanged.push(id);
    }
    for (const v of this.volumes.values()) {
      if (v.robotNumber !== robotNumber || seen.has(v.mediaId)) continue;
      const { robotNumber: _r, slot: _s, ...rest } = v;
      this.volumes.set(v.mediaId, { ...rest, robotType: 'NONE', volumeGroup: '---' });
      res.removed.push(v.mediaId);
    }
    this.saveVolumes();
    this.log(`vmupdate robot ${robotNumber}: ${res.added.length} added, ${res.moved.length} moved, ${res.removed.length} removed`);
    return res;
  }

  changeVolume(c: { mediaId: string; poolNumber?: number; poolName?: string; setStatus?: number; clearStatus?: number }): VolumeRecord {
    const v = this.volume(c.mediaId);
    let next = { ...v };
    const pool = c.poolName !== undefined ? this.poolByName(c.poolName) : c.poolNumber !== undefined ? this.poolByNumber(c.poolNumber) : undefined;
    if (pool && pool.number !== v.pool) next = { ...next, pool: pool.number, previousPool: v.pool };
    next.status = ((next.status | (c.setStatus ?? 0)) & ~(c.clearStatus ?? 0)) >>> 0;
    this.volumes.set(v.mediaId, next);
    this.saveVolumes();
    this.log(`changed volume ${v.mediaId}: pool ${next.pool}, status 0x${next.status.toString(16)}`);
    return next;
  }

  /**
   * A tape job takes the volume: Scratch moves to `poolName`; first use sets assigned and the retention level; counts
   * the mount. lastWritten is stamped now, so an expiry that listed the volume before this cannot unassign it.
   */
  assignVolume(mediaId: string, poolName: string, retentionLevel: number): VolumeRecord {
    const v = this.volume(mediaId);
    const pool = this.poolByName(poolName);
    const now = this.now();
    let next: VolumeRecord = { ...v, mounts: v.mounts + 1, lastMount: now, firstMount: v.firstMount || now, lastWritten: Math.max(v.lastWritten, now) };
    if (v.pool !== pool.number) next = { ...next, pool: pool.number, previousPool: v.pool };
    if (v.assigned === 0 || v.images === 0) next = { ...next, assigned: v.assigned || now, retentionLevel };
    return this.put(next, `assigned to pool ${pool.name}, retention level ${next.retentionLevel}`);
  }

  /** An image with `kbytes` on the volume was committed. */
  volumeWritten(w: { mediaId: string; kbytes: number; images: number; written: number }): VolumeRecord {
    const v = this.volume(w.mediaId);
    const next: VolumeRecord = { ...v, kbytes: v.kbytes + w.kbytes, images: v.images + w.images, validImages: v.validImages + w.images, lastWritten: Math.max(v.lastWritten, w.written) };
    return this.put(next, `${w.images} image(s), ${w.kbytes} KB written`);
  }

  /** A restore read the volume (mounted it once). */
  volumeRead(r: { mediaId: string; read: number }): VolumeRecord {
    const v = this.volume(r.mediaId);
    const next: VolumeRecord = {
      ...v, restores: v.restores + 1, mounts: v.mounts + 1, lastMount: Math.max(v.lastMount, r.read), firstMount: v.firstMount || r.read, lastRead: Math.max(v.lastRead, r.read),
    };
    return this.put(next, `read by a restore (${next.restores} restore(s))`);
  }

  private put(v: VolumeRecord, what: string): VolumeRecord {
    this.volumes.set(v.mediaId, v);
    this.saveVolumes();
    this.log(`volume ${v.mediaId}: ${what}`);
    return v;
  }

  /** bplabel wrote a new media header: unassigned (FROZEN kept), moved to `pool` when given. */
  labelVolume(mediaId: string, poolName?: string): VolumeRecord {
    const v = this.volume(mediaId);
    const pool = poolName !== undefined ? this.poolByName(poolName) : undefined;
    const next = unassigned(v);
    if (pool && pool.number !== v.pool) Object.assign(next, { pool: pool.number, previousPool: v.pool });
    return this.put(next, `labelled, pool ${next.pool}`);
  }

  /**
   * Every image on the volume has expired: unassign it (scratch pool again when it came from there). A FROZEN
   * volume stays as it is; a volume written after `listedAt` too (a job put an image on it meanwhile).
   */
  volumeImagesExpired(mediaId: string, listedAt: number): { volume: VolumeRecord; unassigned: boolean } {
    const v = this.volume(mediaId);
    if (isFrozen(v) || v.lastWritten > listedAt || (v.assigned === 0 && v.images === 0)) return { volume: v, unassigned: false };
    const scratch = [...this.pools.values()].find((p) => p.name === SCRATCH_POOL);
    const next = unassigned(v);
    if (scratch && v.previousPool === scratch.number && v.pool !== scratch.number) Object.assign(next, { pool: scratch.number, previousPool: v.pool });
    return { volume: this.put(next, `all images expired: unassigned, pool ${next.pool}`), unassigned: true };
  }

  /** bpimport phase 2 catalogued `images` images of this volume. */
  volumeImported(c: { mediaId: string; images: number; kbytes: number; expiration: number; retentionLevel: number }): VolumeRecord {
    const v = this.volume(c.mediaId);
    const now = this.now();
    return this.put(
      {
        ...v,
        assigned: v.assigned || now,
        images: v.images + c.images,
        validImages: v.validImages + c.images,
        kbytes: v.kbytes + c.kbytes,
        expiration: Math.max(v.expiration, c.expiration),
        retentionLevel: v.assigned ? v.retentionLevel : c.retentionLevel,
        status: (v.status | MEDIA_STATUS.IMPORTED) >>> 0,
      },
      `${c.images} image(s) imported`,
    );
  }
}
