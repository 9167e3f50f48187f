// bpdbm's routes: every message of protocol/bpdbm.ts answered from the image store and the policy files.

import path from 'node:path';
import type { Home } from '../../config/home.js';
import { route, type Route } from '../../ipc/rpc-server.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { ImageRecord } from '../../protocol/records.js';
import { repairCatalogue } from './catalogue-repair.js';
import { ImageFilePager, resolveRestore } from './file-queries.js';
import { FileListings } from './file-listings.js';
import { ImageStore, pendingImagesOnDisk } from './image-store.js';
import { ImportCandidates } from './import-candidates.js';
import { deletePolicy, getPolicy, listPolicies, putPolicy } from './policy-store.js';

export { ensureDefaultPolicy, DEFAULT_POLICY_NAME } from './policy-store.js';

export interface Bpdbm {
  readonly routes: Route[];
  /** Images being written or left pending by an earlier run (not listed; abort them to reclaim storage). */
  pendingImages(): ImageRecord[];
  close(): Promise<void>;
}

export function createBpdbm(home: Home, log: (line: string) => void): Bpdbm {
  const store = new ImageStore(home.images, log);
  const pager = new ImageFilePager(store);
  const listings = new FileListings(store);
  const candidates = new ImportCandidates(path.join(home.db, 'import'), log);
  const routes: Route[] = [
    route(bpdbm.createImage, (image) => {
      store.createImage(image);
      return {};
    }),
    route(bpdbm.addFiles, ({ backupid, files }) => {
      store.addFiles(backupid, files);
      return {};
    }),
    route(bpdbm.addFileBlock, ({ backupid, count, block }) => {
      store.addFileBlock(backupid, block, count);
      return {};
    }),
    route(bpdbm.addFragment, ({ backupid, fragment, blocks }) => {
      store.addFragment(backupid, fragment, blocks ? Buffer.from(blocks, 'base64') : undefined);
      return {};
    }),
    route(bpdbm.imageBlocks, ({ backupid }) => ({ index: store.blockIndex(backupid).toString('base64') })),
    route(bpdbm.commitImage, (req) => store.commitImage(req)),
    route(bpdbm.abortImage, ({ backupid }) => ({ fragments: store.abortImage(backupid) })),
    route(bpdbm.repairCatalogue, ({ units }) => {
      pager.close();
      listings.close();
      return repairCatalogue(store, home.images, units);
    }),
    route(bpdbm.listImages, (filter) => ({ images: store.listImages(filter) })),
    route(bpdbm.setExpiration, ({ backupid, expiration, client }) => store.setExpiration(backupid, expiration, client)),
    route(bpdbm.deleteImage, ({ backupid, client }) => {
      pager.close();
      const image = store.deleteImage(backupid, client);
      return { image, fragments: image.fragments };
    }),
    route(bpdbm.listFiles, (q, ctx) => listings.page(q, ctx)),
    route(bpdbm.resolveRestore, (q) => resolveRestore(store, q)),
    route(bpdbm.imageFiles, ({ backupid, start, count }) => pager.page(backupid, start, Math.min(count, 20000))),
    route(bpdbm.exportImageFiles, ({ backupid, file }) => {
      // Only a job's base file: bpdbm writes nowhere a caller chooses.
      if (path.dirname(file) !== path.join(home.run, 'jobs') || !/^[0-9]+\.base\.f$/.test(path.basename(file))) {
        throw new OpenbpError('INVALID_PARAMETER', `export-image-files: ${file} is not a job base file in ${path.join(home.run, 'jobs')}`);
      }
      return store.exportFiles(backupid, file);
    }),
    route(bpdbm.recordImportCandidates, ({ mediaId, candidates: found }) =>
      candidates.record(mediaId, found, (id) => store.image(id) !== undefined || store.pendingImages().some((p) => p.backupid === id)),
    ),
    route(bpdbm.listImportCandidates, (f) => ({ candidates: candidates.list(f) })),
    route(bpdbm.forgetImportCandidate, ({ backupid }) => {
      candidates.forget(backupid);
      return {};
    }),
    route(bpdbm.getPolicy, ({ name }) => getPolicy(home, name)),
    route(bpdbm.listPolicies, () => ({ policies: listPolicies(home, log) })),
    route(bpdbm.putPolicy, ({ policy, create }) => {
      putPolicy(home, policy, create);
      return {};
    }),
    route(bpdbm.deletePolicy, ({ name }) => {
      deletePolicy(home, name);
      return {};
    }),
  ];
  return {
    routes,
    pendingImages: () => store.pendingImages(),
    close: async () => {
      pager.close();
      listings.close();
      store.close();
    },
  };
}

/** Pending images read from disk, for a process other than bpdbm (e.g. nbjm after a restart). */
export function pendingImages(home: Home, log: (line: string) => void = () => {}): ImageRecord[] {
  return pendingImagesOnDisk(home.images, log);
}
