// bpimport phase 1's findings: images seen on cartridges and not yet in the catalogue (db/import/candidates.json).

import fs from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeFileAtomic } from '../../config/atomic-file.js';
import { OpenbpError } from '../../protocol/errors.js';
import { importCandidate, type ImportCandidate } from '../../protocol/records.js';

const FORMAT = 'openbp-import-candidates';
const VERSION = 1;

export interface CandidateFilter {
  backupid?: string;
  mediaId?: string;
  client?: string;
  policy?: string;
  since?: number;
  until?: number;
}

export class ImportCandidates {
  private readonly byId = new Map<string, ImportCandidate>();
  private readonly file: string;

  constructor(dir: string, log: (line: string) => void) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'candidates.json');
    const body = readJsonFile<{ candidates?: unknown[] }>(this.file);
    for (const c of body?.candidates ?? []) {
      try {
        const cand = importCandidate.parse(c);
        this.byId.set(cand.backupid, cand);
      } catch (e) {
        log(`candidates.json: skipped an entry: ${(e as Error).message}`);
      }
    }
  }

  private save(): void {
    const candidates = [...this.byId.values()].sort((a, b) => a.backupTime - b.backupTime || a.backupid.localeCompare(b.backupid));
    writeFileAtomic(this.file, `${JSON.stringify({ format: FORMAT, version: VERSION, candidates }, null, 1)}\n`);
  }

  /** Records what phase 1 read on `mediaId`; `isCatalogued` says which backup IDs need no import. */
  record(mediaId: string, found: readonly ImportCandidate[], isCatalogued: (backupid: string) => boolean): { recorded: string[]; known: string[] } {
    const recorded: string[] = [];
    const known: string[] = [];
    for (const c of found) {
      if (isCatalogued(c.backupid)) {
        known.push(c.backupid);
        continue;
      }
      const old = this.byId.get(c.backupid);
      const elsewhere = old ? old.fragments.filter((f) => f.mediaId !== mediaId) : [];
      const fragments = [...elsewhere, ...c.fragments.filter((f) => f.mediaId === mediaId)].sort((a, b) => a.streamOffset - b.streamOffset || a.fragment - b.fragment);
      this.byId.set(c.backupid, { ...(old && !c.described ? { ...c, ...pickDescription(old) } : c), fragments });
      recorded.push(c.backupid);
    }
    this.save();
    return { recorded, known };
  }

  list(f: CandidateFilter): ImportCandidate[] {
    return [...this.byId.values()]
      .filter((c) => f.backupid === undefined || c.backupid === f.backupid)
      .filter((c) => f.mediaId === undefined || c.fragments.some((x) => x.mediaId === f.mediaId))
      .filter((c) => f.client === undefined || c.client === f.client)
      .filter((c) => f.policy === undefined || c.policy === f.policy)
      .filter((c) => (f.since === undefined || c.backupTime >= f.since) && (f.until === undefined || c.backupTime <= f.until))
      .sort((a, b) => a.backupTime - b.backupTime || a.backupid.localeCompare(b.backupid));
  }

  forget(backupid: string): void {
    if (!this.byId.delete(backupid)) throw new OpenbpError('NO_ENTITY', `no import candidate ${backupid} (run bpimport -create_db_info first)`);
    this.save();
  }
}

/** An earlier cartridge's BH may have described the image when this one did not. */
function pickDescription(c: ImportCandidate): Pick<ImportCandidate, 'client' | 'policy' | 'policyType' | 'schedLabel' | 'schedType' | 'described'> {
  return { client: c.client, policy: c.policy, policyType: c.policyType, schedLabel: c.schedLabel, schedType: c.schedType, described: c.described };
}
