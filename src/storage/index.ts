import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config';
import { LocalBlobStore } from './local-blob-store';

export { BlobMissingError, type BlobStore, blobKey, isSha256, type StagedBlob, type StagedFile, StorageError } from './blob-store';
export { type BlobDownload, sendBlob } from './download';
export { FALLBACK_FILE_NAME, safeDisplayName } from './file-names';
export { ABANDONED_STAGING_MS, LocalBlobStore, nodeStorageFs, type StorageFs } from './local-blob-store';
export { sniffMime } from './sniff';
export { receiveUploads, type ReceiveUploadsOptions } from './upload';

/**
 * The file store of a configured app: blobs under `config.filesDir`, uploads staged in
 * `<dataDir>/tmp/<host>-<port>` (the same filesystem, so committing is a rename). Each server
 * stages in a folder of its own, so one restarting on a shared volume never removes an upload
 * another is receiving. Call `cleanStaging()` once at start to remove what a crash left there.
 */
export function createBlobStore(config: Pick<Config, 'dataDir' | 'filesDir'> & Partial<Pick<Config, 'port'>>): LocalBlobStore {
  // A command-line task has no port; its process id keeps its folder its own.
  const instance = `${os.hostname()}-${config.port ?? `pid${process.pid}`}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return new LocalBlobStore(config.filesDir, path.join(config.dataDir, 'tmp', instance));
}
