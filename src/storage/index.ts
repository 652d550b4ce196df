import path from 'node:path';
import type { Config } from '../config';
import { LocalBlobStore } from './local-blob-store';

export { BlobMissingError, type BlobStore, blobKey, isSha256, type StagedBlob, type StagedFile, StorageError } from './blob-store';
export { type BlobDownload, sendBlob } from './download';
export { FALLBACK_FILE_NAME, safeDisplayName } from './file-names';
export { LocalBlobStore, nodeStorageFs, type StorageFs } from './local-blob-store';
export { sniffMime } from './sniff';
export { receiveUploads, type ReceiveUploadsOptions } from './upload';

/**
 * The file store of a configured app: blobs under `config.filesDir`, uploads staged in
 * `<dataDir>/tmp` (the same filesystem, so committing is a rename). Call `cleanStaging()` once
 * at start to remove what a crash left there.
 */
export function createBlobStore(config: Pick<Config, 'dataDir' | 'filesDir'>): LocalBlobStore {
  return new LocalBlobStore(config.filesDir, path.join(config.dataDir, 'tmp'));
}
