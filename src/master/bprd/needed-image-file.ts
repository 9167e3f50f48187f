// bprd's neededimage file for a restore from tape: the volumes and tape positions the job will read.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Home } from '../../config/home.js';
import type { ImageRecord } from '../../protocol/records.js';
import { writeFileAtomic } from '../../config/atomic-file.js';
import { encodeNeededImage } from '../../formats/needed-image.js';
import { fragmentsInRange, type StreamRange } from '../../storage/driver.js';

const TAPE = 2;

/** Writes run/restore/<backupid>.<random>.neededimage when the range touches tape fragments; returns the job field. */
export function writeNeededImage(home: Home, image: ImageRecord, range: StreamRange): { neededImage?: string } {
  const frags = fragmentsInRange(image.fragments.filter((f) => f.mediaType === TAPE && f.copy === image.primaryCopy), range);
  if (frags.length === 0) return {};
  const dir = path.join(home.run, 'restore');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${image.backupid}.${crypto.randomBytes(4).toString('hex')}.neededimage`);
  writeFileAtomic(file, encodeNeededImage(image.backupid, frags));
  return { neededImage: file };
}
