import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { BlobMissingError, type BlobStore, errorCode } from './blob-store';
import { safeDisplayName } from './file-names';

export interface BlobDownload {
  sha256: string;
  /** The stored display name; sent as the attachment's file name (RFC 6266, `filename*` for Unicode). */
  name: string;
  /** The sniffed type recorded at upload. */
  mime: string;
  size: number;
}

/**
 * Sends a stored blob as a download: always an attachment, with the type recorded at upload,
 * `nosniff` and a sandboxing CSP so no browser renders it as a page of this site, and
 * `no-store` because dossiers are confidential. A missing blob is a `BlobMissingError` (404),
 * thrown (and logged, since it means lost data) before any header is sent. Once bytes flow, a
 * read failure or a client that goes away just ends the response.
 */
export async function sendBlob(res: Response, store: BlobStore, file: BlobDownload): Promise<void> {
  let stream;
  try {
    stream = await store.createReadStream(file.sha256);
  } catch (err) {
    if (err instanceof BlobMissingError) res.req.log.error({ sha256: file.sha256 }, 'a file row points at a missing blob');
    throw err;
  }
  // attachment() also sets a Content-Type guessed from the name; the recorded type replaces it.
  res.attachment(safeDisplayName(file.name));
  res.set({
    'Content-Type': file.mime,
    'Content-Length': String(file.size),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  });
  try {
    await pipeline(stream, res);
  } catch (err) {
    if (errorCode(err) !== 'ERR_STREAM_PREMATURE_CLOSE') res.req.log.error({ err, sha256: file.sha256 }, 'download failed');
  }
}
