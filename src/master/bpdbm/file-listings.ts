// bpdbm's open listings: a bplist's answer sent a page at a time, one .f block in memory, until its connection closes.

import { randomBytes } from 'node:crypto';
import { OpenbpError } from '../../protocol/errors.js';
import type { RequestContext } from '../../ipc/rpc-server.js';
import { noEntity, walkListing, type ListFilesRequest, type ListedBlock } from './file-queries.js';
import type { ImageStore } from './image-store.js';

export const DEFAULT_PAGE_ENTRIES = 20000;
const MAX_PAGE_ENTRIES = 100000;
/** A listing nobody asked for in this long is closed (its reader with it). */
const IDLE_MS = 5 * 60 * 1000;
const MAX_OPEN = 64;

export interface ListingRun {
  backupid: string;
  backupTime: number;
  count: number;
  /** Base64 of the entries' .f block payload. */
  entries: string;
}

export interface ListingPage {
  runs: ListingRun[];
  next?: string;
}

interface Open {
  it: Iterator<ListedBlock>;
  ahead?: ListedBlock;
  timer?: NodeJS.Timeout;
}

export class FileListings {
  private readonly open = new Map<string, Open>();

  constructor(private readonly store: ImageStore) {}

  /** The first page of a new listing (227 when nothing matches), or the next page of `q.cursor`. */
  page(q: ListFilesRequest & { cursor?: string; pageSize?: number }, ctx: RequestContext): ListingPage {
    const want = Math.min(Math.max(1, q.pageSize ?? DEFAULT_PAGE_ENTRIES), MAX_PAGE_ENTRIES);
    let id = q.cursor;
    let o: Open | undefined;
    if (id !== undefined) {
      o = this.open.get(id);
      if (!o) throw new OpenbpError('INVALID_REQUEST', `listing ${id} is not open (finished, idle too long, or opened on another connection)`);
      this.open.delete(id);
      clearTimeout(o.timer);
    } else {
      id = randomBytes(8).toString('hex');
      o = { it: walkListing(this.store, q) };
    }
    const runs: ListingRun[] = [];
    let n = 0;
    let done = false;
    while (n < want) {
      const b = o.ahead ?? this.pull(o);
      delete o.ahead;
      if (!b) {
        done = true;
        break;
      }
      runs.push(toRun(b));
      n += b.run.count;
    }
    if (!done) {
      o.ahead = this.pull(o);
      done = o.ahead === undefined;
    }
    if (q.cursor === undefined && runs.length === 0) throw noEntity(q);
    if (done) return { runs };
    this.keep(id, o, ctx);
    return { runs, next: id };
  }

  /** Closes every open listing. */
  close(): void {
    for (const id of [...this.open.keys()]) this.drop(id);
  }

  private pull(o: Open): ListedBlock | undefined {
    const r = o.it.next();
    return r.done ? undefined : r.value;
  }

  private keep(id: string, o: Open, ctx: RequestContext): void {
    if (this.open.size >= MAX_OPEN) this.drop(this.open.keys().next().value!);
    o.timer = setTimeout(() => this.drop(id), IDLE_MS);
    o.timer.unref();
    this.open.set(id, o);
    if (!ctx.isClosed()) void ctx.closed.then(() => this.drop(id));
    else this.drop(id);
  }

  private drop(id: string): void {
    const o = this.open.get(id);
    if (!o) return;
    this.open.delete(id);
    clearTimeout(o.timer);
    o.it.return?.(undefined);
  }
}

function toRun(b: ListedBlock): ListingRun {
  return { backupid: b.image.backupid, backupTime: b.image.backupTime, count: b.run.count, entries: b.run.encoded().toString('base64') };
}
