import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Actor } from '../core/actor';
import type { Database } from '../db/schema';
import type { BlobStore } from '../storage';
import { receiveUploads } from '../storage/upload';
import { virusScanner } from '../storage/virus-scan';
import type { FileView } from './dossiers.schemas';
import { checkUploadAllowed, storeUploads, type UploadTarget } from './dossiers.service';

/** How many files one upload request may carry (the form's `multiple` input and the API alike). */
export const MAX_FILES_PER_UPLOAD = 20;

export type UploadToEntry = (req: Request, res: Response, actor: Actor, target: UploadTarget) => Promise<FileView[]>;

/**
 * The one upload sequence the API and the dossier page share: refuse before reading a byte if the
 * actor may not upload here; stream the files to staging (hashed, sniffed); scan them when a
 * scanner is configured; store them; and always drop whatever staging is left.
 */
export function uploadToEntry(db: Kysely<Database>, store: BlobStore, config: Config): UploadToEntry {
  const scan = virusScanner(config.virusScanner);
  return async (req, res, actor, target) => {
    await checkUploadAllowed(db, actor, target);
    const staged = await receiveUploads(req, res, { field: 'file', maxBytes: config.maxUploadBytes, maxFiles: MAX_FILES_PER_UPLOAD, store });
    try {
      await scan(staged, req.log);
      return await storeUploads(db, store, actor, target, staged);
    } finally {
      await Promise.all(staged.map((s) => store.discard(s)));
    }
  };
}
