// How bpbrm turns its children's ends into one NetBackup status for the job.

export interface SideEnd {
  /** Status the process reported in its end event, if it got that far. */
  reported?: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A client process (bpbkar/nbtar) that died without reporting: 50, client process aborted. */
export function clientStatus(end: SideEnd): number {
  if (end.reported !== undefined) return end.reported;
  if (end.signal) return 50;
  return end.code ?? 50;
}

/** The media side (bptm): its reported status; killed means the write or read broke. */
export function mediaStatus(end: SideEnd, direction: 'write' | 'read'): number {
  if (end.reported !== undefined) return end.reported;
  if (end.signal) return direction === 'write' ? 84 : 85;
  return end.code ?? (direction === 'write' ? 84 : 85);
}

/**
 * Backup: a media failure (disk full, write error) decides the job, since the client then only sees a
 * broken pipe; otherwise the client's status (0, 1 partial, 71 nothing existed...). Media 90 (no data)
 * after a client failure is the client's fault.
 */
export function backupOutcome(client: number, media: number): number {
  if (media !== 0 && media !== 90) return media;
  if (client !== 0) return client;
  return media;
}

/**
 * Restore: the client's (nbtar) status unless the media side failed to deliver the data. nbtar sees a
 * stream cut short by a dead bptm only as a damaged archive (1): the media failure decides then too.
 */
export function restoreOutcome(client: number, media: number): number {
  if (media !== 0 && (client === 0 || client === 1 || client === 50 || client === 185)) return media;
  return client;
}
