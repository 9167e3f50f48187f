// Multiple data streams: how a policy's selection list splits into streams, and which images form one stream.

import type { ImageRecord } from './records.js';

/** The selection-list directive that starts a new stream (NetBackup's NEW_STREAM). */
export const NEW_STREAM = 'NEW_STREAM';
/** Directives a selection list may hold besides absolute paths. */
export const SELECTION_DIRECTIVES: ReadonlySet<string> = new Set([NEW_STREAM, 'ALL_LOCAL_DRIVES']);

/** The paths of a selection list without NEW_STREAM lines (what a single-stream backup reads). */
export function selectionPaths(include: readonly string[]): string[] {
  return include.filter((p) => p !== NEW_STREAM);
}

/**
 * The selections of each stream, stream 1 first. As NetBackup: when NEW_STREAM is the first line the
 * list is in administrator-defined mode, each NEW_STREAM starting a stream that holds the lines up to
 * the next one (empty streams dropped); otherwise it is in auto-discovery mode, each selection its own
 * stream and any later NEW_STREAM lines ignored.
 */
export function splitStreams(include: readonly string[]): string[][] {
  if (include[0] !== NEW_STREAM) return selectionPaths(include).map((p) => [p]);
  const streams: string[][] = [];
  for (const line of include) {
    if (line === NEW_STREAM) streams.push([]);
    else streams[streams.length - 1]!.push(line);
  }
  return streams.filter((s) => s.length > 0);
}

/** An image's stream number: 1.. for a stream of a multi-stream backup, 0 for a single-stream backup. */
export function streamOf(image: Pick<ImageRecord, 'streamNumber'>): number {
  return image.streamNumber ?? 0;
}

/** Two images of the same client, policy and stream: one may be the base of the other's incremental. */
export function sameStream(a: Pick<ImageRecord, 'client' | 'policy' | 'streamNumber'>, b: Pick<ImageRecord, 'client' | 'policy' | 'streamNumber'>): boolean {
  return a.client === b.client && a.policy === b.policy && streamOf(a) === streamOf(b);
}
