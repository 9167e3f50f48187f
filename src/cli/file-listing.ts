// A bpdbm file listing as the commands read it: pages fetched one ahead on one connection, runs decoded as they come.

import type { Home } from '../config/home.js';
import { bpdbm } from '../protocol/bpdbm.js';
import type { MessageSpec, ReplyOf, RequestOf } from '../protocol/message.js';
import { connectDaemon } from './daemon-call.js';

/** Entries of one image: `payload` is their .f block encoding (decodeBlock / skimBlock of formats/files-file). */
export interface ListingRun {
  backupid: string;
  backupTime: number;
  count: number;
  payload: Buffer;
}

/** bpdbm.listFiles, or bprd.listFiles (same request and reply) for a user who lists through bprd. */
type ListingSpec = typeof bpdbm.listFiles;
type Page = ReplyOf<ListingSpec>;

/**
 * Opens a listing (rejects with bpdbm's error, 227 when no image holds the path) and returns its runs
 * in order, still encoded. The next page is asked for before the current one is decoded, so bpdbm reads while the
 * caller prints; the connection closes when the iteration ends.
 */
export async function openFileListing(home: Home, spec: MessageSpec<RequestOf<ListingSpec>, Page>, req: RequestOf<ListingSpec>): Promise<AsyncIterable<ListingRun>> {
  const conn = await connectDaemon(home, spec.daemon);
  const requestPage = (r: RequestOf<ListingSpec>) => conn.request(spec, r);
  let first: Page;
  try {
    first = await requestPage(req);
  } catch (e) {
    conn.close();
    throw e;
  }
  return (async function* runs(): AsyncGenerator<ListingRun> {
    try {
      let page: Page | undefined = first;
      while (page) {
        const next: Promise<Page> | undefined = page.next !== undefined ? requestPage({ ...req, cursor: page.next }) : undefined;
        next?.catch(() => {}); // awaited below; a failure there is reported then
        for (const r of page.runs) {
          yield { backupid: r.backupid, backupTime: r.backupTime, count: r.count, payload: Buffer.from(r.entries, 'base64') };
        }
        page = next ? await next : undefined;
      }
    } finally {
      conn.close();
    }
  })();
}
