// bpdbm -consistency: a read-only check of the image catalogue against itself and the disk storage
// units it names (headers without .f, .f without header, images left pending, fragments missing or
// short on storage, fragment files on a unit that no image lists). It reports; it never changes a file.

import fs from 'node:fs';
import path from 'node:path';
import { FILES_SUFFIX, PENDING_SUFFIX, imagePaths } from '../../formats/catalog-paths.js';
import { parseImageHeader } from '../../formats/image-header.js';
import type { ImageRecord } from '../../protocol/records.js';
import { PART_SUFFIX, parseFragmentFileName } from '../../storage/disk/fragment-names.js';

export type FindingKind =
  | 'header without .f'
  | '.f without header'
  | 'unreadable header'
  | 'pending image'
  | 'fragment missing'
  | 'fragment short'
  | 'fragment not in catalogue'
  | 'partial fragment';

export interface Finding {
  kind: FindingKind;
  path: string;
  backupid?: string;
}

export interface ConsistencyReport {
  images: number;
  fragments: number;
  findings: Finding[];
}

const HEADER_NAME = /_\d+_(FULL|INCR|CINC|UBAK|UARC)(\.pending)?$/;

function entries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Checks db/images and the disk units its fragments live on (plus `extraUnits`, e.g. every configured disk unit). */
export function checkConsistency(imagesRoot: string, extraUnits: string[] = []): ConsistencyReport {
  const findings: Finding[] = [];
  const images: ImageRecord[] = [];
  const pending: ImageRecord[] = [];
  for (const c of entries(imagesRoot)) {
    if (!c.isDirectory()) continue;
    for (const b of entries(path.join(imagesRoot, c.name))) {
      if (!b.isDirectory() || !/^\d{10}$/.test(b.name)) continue;
      const dir = path.join(imagesRoot, c.name, b.name);
      for (const f of entries(dir)) {
        const file = path.join(dir, f.name);
        if (!f.isFile() || f.name.startsWith('.')) continue;
        if (f.name.endsWith(FILES_SUFFIX)) {
          const header = file.slice(0, -FILES_SUFFIX.length);
          if (!fs.existsSync(header) && !fs.existsSync(header + PENDING_SUFFIX)) findings.push({ kind: '.f without header', path: file });
          continue;
        }
        // Headers only: <policy>_<ctime>_<SCHED>[.pending]; sidecars (e.g. block checksums) belong to their header.
        if (!HEADER_NAME.test(f.name)) continue;
        let image: ImageRecord;
        try {
          image = parseImageHeader(fs.readFileSync(file, 'latin1'));
        } catch {
          findings.push({ kind: 'unreadable header', path: file });
          continue;
        }
        const paths = imagePaths(imagesRoot, image);
        if (f.name.endsWith(PENDING_SUFFIX)) {
          if (!fs.existsSync(paths.header)) {
            pending.push(image);
            findings.push({ kind: 'pending image', path: file, backupid: image.backupid });
          }
          continue;
        }
        images.push(image);
        if (!fs.existsSync(paths.files)) findings.push({ kind: 'header without .f', path: file, backupid: image.backupid });
      }
    }
  }
  // Disk fragments: mediaId is the fragment file's path (tape fragments name a cartridge and are not checked here).
  const listed = new Set<string>();
  const units = new Set(extraUnits.map((u) => path.resolve(u)));
  let fragments = 0;
  for (const image of images) {
    for (const frag of image.fragments) {
      if (!path.isAbsolute(frag.mediaId)) continue;
      fragments++;
      listed.add(frag.mediaId);
      units.add(path.dirname(frag.mediaId));
      let size: number;
      try {
        size = fs.statSync(frag.mediaId).size;
      } catch {
        findings.push({ kind: 'fragment missing', path: frag.mediaId, backupid: image.backupid });
        continue;
      }
      if (frag.bytes > 0 && size < frag.bytes) findings.push({ kind: 'fragment short', path: frag.mediaId, backupid: image.backupid });
    }
  }
  const pendingIds = new Set(pending.map((p) => p.backupid));
  for (const unit of [...units].sort()) {
    for (const f of entries(unit)) {
      const file = path.join(unit, f.name);
      if (!f.isFile()) continue;
      const base = f.name.endsWith(PART_SUFFIX) ? f.name.slice(0, -PART_SUFFIX.length) : f.name;
      const parsed = parseFragmentFileName(base);
      if (!parsed || listed.has(file)) continue;
      if (pendingIds.has(parsed.backupid)) continue; // reported with its pending image
      findings.push({ kind: f.name.endsWith(PART_SUFFIX) ? 'partial fragment' : 'fragment not in catalogue', path: file, backupid: parsed.backupid });
    }
  }
  return { images: images.length, fragments, findings };
}

/** The report as text: one line per finding, then a summary line. */
export function formatConsistency(r: ConsistencyReport): string {
  const lines = r.findings.map((f) => `${f.kind}: ${f.path}${f.backupid ? ` (${f.backupid})` : ''}`);
  lines.push(`checked ${r.images} images and ${r.fragments} disk fragments: ${r.findings.length === 0 ? 'the catalogue is consistent' : `${r.findings.length} inconsistencies found`}`);
  return lines.join('\n') + '\n';
}
