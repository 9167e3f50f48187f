// nbemm's storage-unit table (db/emm/stunits.json), with the embedded default disk unit.

import fs from 'node:fs';
import path from 'node:path';
import { route } from '../../ipc/rpc-server.js';
import { nbemm } from '../../protocol/nbemm.js';
import { storageUnit, type StorageUnit } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { Home } from '../../config/home.js';
import { clientName, readBpConf } from '../../config/bp-conf.js';
import { readJsonFile, writeFileAtomic } from '../../config/atomic-file.js';
import type { LogLine } from '../../config/daemon-log.js';
import type { DaemonService } from '../../cli/serve-daemon.js';
import { MediaStore } from './media-store.js';
import { mediaRoutes } from './media-routes.js';

export const DEFAULT_STU_LABEL = 'openbp-default-disk';
const FORMAT = 'openbp-stunits';
const VERSION = 1;

export function defaultStorageUnit(home: Home): StorageUnit {
  return {
    label: DEFAULT_STU_LABEL,
    type: 'disk',
    path: home.defaultStu,
    host: clientName(readBpConf(home)),
    concurrentJobs: 4,
    maxFragmentMB: 524288,
    highWaterMark: 98,
    lowWaterMark: 80,
    onDemandOnly: false,
    maxMpx: 1,
  };
}

function makeUnitDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new OpenbpError('MKDIR_FAILED', `cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function createNbemm(home: Home, log: LogLine): DaemonService {
  const file = path.join(home.emm, 'stunits.json');
  const stored = readJsonFile<{ format: string; version: number; units: unknown[] }>(file);
  const units = new Map<string, StorageUnit>();
  for (const u of stored?.units ?? []) {
    try {
      const su = storageUnit.parse(u);
      units.set(su.label, su);
    } catch (e) {
      log(`stunits.json: skipped a unit: ${(e as Error).message}`);
    }
  }
  const persist = () => writeFileAtomic(file, `${JSON.stringify({ format: FORMAT, version: VERSION, units: [...units.values()] }, null, 1)}\n`);
  if (!units.has(DEFAULT_STU_LABEL) && !stored) {
    const def = defaultStorageUnit(home);
    fs.mkdirSync(def.path, { recursive: true, mode: 0o700 });
    units.set(def.label, def);
    persist();
    log(`created default disk storage unit ${def.label} at ${def.path}`);
  }

  return {
    routes: [
      route(nbemm.listStorageUnits, (body) => {
        if (body.label !== undefined) {
          const u = units.get(body.label);
          if (!u) throw new OpenbpError('NO_ENTITY', `storage unit ${body.label} does not exist`);
          return { units: [u] };
        }
        return { units: [...units.values()].sort((a, b) => a.label.localeCompare(b.label)) };
      }),
      route(nbemm.addStorageUnit, (body) => {
        if (units.has(body.label)) throw new OpenbpError('INVALID_PARAMETER', `storage unit ${body.label} already exists`);
        if (body.type === 'disk') makeUnitDir(body.path);
        units.set(body.label, body);
        persist();
        log(`added storage unit ${body.label}`);
        return {};
      }),
      route(nbemm.updateStorageUnit, ({ label, ...changes }) => {
        const old = units.get(label);
        if (!old) throw new OpenbpError('NO_ENTITY', `storage unit ${label} does not exist`);
        const next = { ...old, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) } as StorageUnit;
        if (next.lowWaterMark > next.highWaterMark) throw new OpenbpError('INVALID_PARAMETER', 'the low water mark must not exceed the high water mark');
        if (next.type === 'disk' && next.path !== old.path) makeUnitDir(next.path);
        units.set(label, next);
        persist();
        log(`changed storage unit ${label}`);
        return next;
      }),
      route(nbemm.deleteStorageUnit, (body) => {
        if (!units.delete(body.label)) throw new OpenbpError('NO_ENTITY', `storage unit ${body.label} does not exist`);
        persist();
        return {};
      }),
      ...mediaRoutes(new MediaStore(home.emm, log)),
    ],
    close: async () => {},
  };
}
