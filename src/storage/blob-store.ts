import type { Readable } from 'node:stream';
import { AppError, NotFoundError, ValidationError } from '../core/errors';
import type { MessageKey } from '../i18n/messages';

/** Bytes written to the staging area and hashed, not yet visible in the store. */
export interface StagedBlob {
  readonly stagingPath: string;
  readonly sha256: string;
  readonly size: number;
}

/** An accepted upload: the staged bytes plus what the file row records about them. */
export interface StagedFile extends StagedBlob {
  /** Sniffed from the content, never taken from the client. */
  readonly mime: string;
  /** The client's name made safe for display and download (see `safeDisplayName`); never a path. */
  readonly originalName: string;
}

/**
 * Content-addressed file storage. Bytes go through two steps so that a crash at any moment
 * leaves either the whole file or nothing visible: `stage` writes and hashes them somewhere
 * private, `commit` makes them durable under their SHA-256. The caller commits the database row
 * that points at a blob only after `commit` has returned. Today there is one implementation over
 * a local directory (`LocalBlobStore`); an object store can implement the same interface.
 */
export interface BlobStore {
  /** A local directory on the same filesystem as the store, so that `commit` is a rename. */
  readonly stagingDir: string;
  /**
   * Streams `source` into a new staging file while computing its SHA-256; nothing is buffered
   * whole. On failure the staging file is removed, the rest of `source` is drained, and a storage
   * fault is thrown as `StorageError` (a failure of `source` itself is rethrown as it is).
   */
  stage(source: Readable): Promise<StagedBlob>;
  /**
   * Makes a staged blob durable under its hash and removes the staging file. If the blob is
   * already stored (same content uploaded before) the staged copy is simply dropped.
   * Throws `StorageError`; the staging file is gone either way.
   */
  commit(staged: StagedBlob): Promise<void>;
  /** Removes a staging file that will not be committed. Never throws (`cleanStaging` is the backstop). */
  discard(staged: StagedBlob): Promise<void>;
  has(sha256: string): Promise<boolean>;
  /** Opens a stored blob; throws `BlobMissingError` (404) before anything is sent when it is not there. */
  createReadStream(sha256: string): Promise<Readable>;
  /** Every stored hash, for the integrity checker. */
  listBlobs(): AsyncIterable<string>;
  /** Removes staging files left by a crash; call once at start, before serving. Returns how many. */
  cleanStaging(): Promise<number>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** Where a blob lives relative to the store root: `ab/cd/abcd…`. Checks the hash before any path is built. */
export function blobKey(sha256: string): string {
  if (!isSha256(sha256)) {
    throw new ValidationError([{ field: 'sha256', message: 'must be 64 lowercase hexadecimal digits' }]);
  }
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

/** A file row points at a blob that is not in the store: data was lost or moved outside the app. */
export class BlobMissingError extends NotFoundError {
  constructor(readonly sha256: string) {
    super('file.blobMissing');
  }
}

const OUT_OF_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/**
 * The disk failed under an operation (ENOSPC, EIO, EACCES…). A full disk answers 507 so an
 * operator can tell it apart; anything else is a 500. The system error is kept as `cause`.
 */
export class StorageError extends AppError {
  constructor(cause: unknown, key: MessageKey = 'upload.storageFailed') {
    const full = OUT_OF_SPACE.has(errorCode(cause) ?? '');
    super(full ? 507 : 500, full ? 'insufficient_storage' : 'storage_failed', full ? 'upload.storageFull' : key);
    this.cause = cause;
  }
}

/** The `code` of a Node system error (`ENOENT`, `EIO`…), if it has one. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
