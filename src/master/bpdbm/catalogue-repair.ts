// bpdbm -consistency -repair, run inside bpdbm (the catalogue's single writer): acts on each finding of
// the check. Never touches a committed image whose header, .f and fragments are all there, nor a
// fragment file a listed image names; refuses while an image is being written.

import fs from 'node:fs';
import path from 'node:path';
import { syncDir } from '../../config/atomic-file.js';
import { OpenbpError } from '../../protocol/errors.js';
import { checkConsistency, damagedRoot, type Finding } from './consistency.js';
import type { ImageStore } from './image-store.js';

export interface RepairResult {
  /** One line per change made to the catalogue. */
  actions: string[];
  /** Fragment and .part files on the units that no image lists any more (the caller removes them). */
  stray: string[];
}

function removeFile(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  syncDir(path.dirname(file));
}

export function repairCatalogue(store: ImageStore, imagesRoot: string, units: string[]): RepairResult {
  const busy = store.writing();
  if (busy.length > 0) {
    throw new OpenbpError('DATABASE_ERROR', `images are being written (${busy.join(' ')}); run the repair when no job is active`);
  }
  const aside = damagedRoot(imagesRoot);
  const actions: string[] = [];
  const movedAside = new Set<string>();
  const act = (f: Finding): void => {
    switch (f.kind) {
      case '.f without header':
        removeFile(f.path);
        actions.push(`removed ${f.path}: no image header`);
        return;
      case 'unreadable header': {
        const to = path.join(aside, path.relative(imagesRoot, f.path));
        fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
        fs.renameSync(f.path, to);
        syncDir(path.dirname(f.path));
        actions.push(`moved unreadable header ${f.path} to ${to}`);
        return;
      }
      case 'pending image':
        store.abortImage(f.backupid!);
        actions.push(`aborted pending image ${f.backupid}`);
        return;
      case 'header without .f':
      case 'fragment missing':
      case 'fragment short':
        if (movedAside.has(f.backupid!) || !store.image(f.backupid!)) return;
        store.moveAside(f.backupid!, aside);
        movedAside.add(f.backupid!);
        actions.push(`moved image ${f.backupid} aside to ${aside} (${f.kind}): no longer listed or restorable`);
        return;
      case 'fragment not in catalogue':
      case 'partial fragment':
        return; // found again below, after the images above are settled
    }
  };
  for (const f of checkConsistency(imagesRoot, units).findings) act(f);
  const stray = checkConsistency(imagesRoot, units)
    .findings.filter((f) => f.kind === 'fragment not in catalogue' || f.kind === 'partial fragment')
    .map((f) => f.path);
  return { actions, stray };
}
