import type { Request, Response } from 'express';
import multer, { MulterError } from 'multer';
import { AppError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors';
import { type BlobStore, type StagedFile, StorageError } from './blob-store';
import { safeDisplayName } from './file-names';
import { sniffMime } from './sniff';

export interface ReceiveUploadsOptions {
  /** The multipart field that carries the files; a file in any other field is refused. */
  field: string;
  /** Largest accepted file, in bytes (config.maxUploadBytes). */
  maxBytes: number;
  maxFiles: number;
  store: BlobStore;
}

/** A few small text fields may travel with the files (a CSRF token, a note); nothing more. */
const FIELD_LIMITS = { fields: 20, fieldSize: 16 * 1024, fieldNameSize: 100, headerPairs: 20 } as const;
/** Room for part headers (long Unicode names) and boundaries around each file. */
const PART_OVERHEAD_BYTES = 16 * 1024;
const MIB = 1024 * 1024;

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError('upload.tooLarge', { maxMb: Math.round((maxBytes / MIB) * 100) / 100 });
}

/**
 * A multer storage engine that stages each file in the store while hashing it, then sniffs its
 * type. It remembers what it staged so that a failed request leaves nothing behind, even a file
 * whose staging finishes after the request has already failed.
 */
class StagingEngine implements multer.StorageEngine {
  private readonly staged = new Map<string, StagedFile>();
  private abandoned = false;

  constructor(
    private readonly store: BlobStore,
    private readonly maxBytes: number,
  ) {}

  _handleFile(_req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    this.receive(file).then((staged) => callback(null, { path: staged.stagingPath, size: staged.size }), callback);
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    void this.remove(file.path).then(() => callback(null));
  }

  /** The staged files in the order multer listed them. */
  inOrder(files: Express.Multer.File[]): StagedFile[] {
    return files.flatMap((f) => this.staged.get(f.path) ?? []);
  }

  async abandon(): Promise<void> {
    this.abandoned = true;
    await Promise.all([...this.staged.keys()].map((p) => this.remove(p)));
  }

  private async receive(file: Express.Multer.File): Promise<StagedFile> {
    const blob = await this.store.stage(file.stream);
    try {
      const originalName = safeDisplayName(file.originalname);
      // busboy stops at maxBytes + 1 and marks the stream truncated; multer reports the 413.
      if ((file.stream as { truncated?: boolean }).truncated) throw tooLarge(this.maxBytes);
      if (blob.size === 0) throw new ValidationError([{ field: file.fieldname, message: 'empty file' }], 'upload.empty', { name: originalName });
      const mime = await sniffMime(blob.stagingPath, originalName);
      if (this.abandoned) throw new Error('the request failed while this file was being received');
      const staged: StagedFile = { ...blob, mime, originalName };
      this.staged.set(staged.stagingPath, staged);
      return staged;
    } catch (err) {
      await this.store.discard(blob);
      throw err;
    }
  }

  private async remove(stagingPath: string): Promise<void> {
    const staged = this.staged.get(stagingPath);
    this.staged.delete(stagingPath);
    if (staged) await this.store.discard(staged);
  }
}

/**
 * Receives the files of a `multipart/form-data` request into staging: streamed to disk while
 * hashed (never buffered whole), limited in size and count, typed by their content, names made
 * safe. The caller then `store.commit`s each file before committing the rows that point at them,
 * and must `store.discard` them if it gives up instead.
 *
 * Failures, after which nothing of the request is left in staging:
 * - not multipart/form-data → 415 `UnsupportedMediaTypeError` (the body is of the wrong kind);
 * - multipart but unparseable (no boundary, truncated, too many parts or fields, oversized
 *   fields, a file in another field, more than `maxFiles` files, no file at all, an empty file)
 *   → 400 `ValidationError`;
 * - a file over `maxBytes` → 413 `PayloadTooLargeError`;
 * - a type outside the allowed list, or HTML/SVG/script inside → 415 `UnsupportedMediaTypeError`;
 * - the disk failing → `StorageError` (507 when full, else 500).
 * On an error the rest of the body is drained before the promise settles, so the client, which
 * is usually still sending, reads the answer instead of a reset connection.
 */
export async function receiveUploads(req: Request, res: Response, options: ReceiveUploadsOptions): Promise<StagedFile[]> {
  const { field, maxBytes, maxFiles, store } = options;
  if (!req.is('multipart/form-data')) {
    req.resume();
    throw new UnsupportedMediaTypeError('upload.notMultipart');
  }
  // A body declared larger than any acceptable upload is refused before a byte is written.
  const declared = Number(req.headers['content-length']);
  if (declared > maxFiles * (maxBytes + PART_OVERHEAD_BYTES) + FIELD_LIMITS.fields * FIELD_LIMITS.fieldSize) {
    req.resume();
    throw tooLarge(maxBytes);
  }

  const engine = new StagingEngine(store, maxBytes);
  const parse = multer({
    storage: engine,
    defParamCharset: 'utf8', // names arrive as UTF-8; busboy's default latin1 would mangle "Sổ theo dõi"
    limits: { ...FIELD_LIMITS, fileSize: maxBytes, files: maxFiles, parts: maxFiles + FIELD_LIMITS.fields },
  }).array(field, maxFiles);
  try {
    await new Promise<void>((resolve, reject) => {
      parse(req, res, (err: unknown) => {
        if (err === undefined) resolve();
        else reject(err instanceof Error ? err : new Error('multipart parsing failed', { cause: err }));
      });
    });
    const files = engine.inOrder((req.files ?? []) as Express.Multer.File[]);
    if (files.length === 0) throw new ValidationError([{ field, message: 'no file' }], 'upload.noFile', { field });
    return files;
  } catch (err) {
    await engine.abandon();
    req.resume();
    const typed = toUploadError(err, options);
    // The error handler does not log typed errors; a failing disk must reach the operator.
    if (typed instanceof StorageError) req.log.error({ err: typed.cause }, 'upload could not be staged');
    throw typed;
  }
}

/** Turns what multer and busboy throw into the typed errors above; our own errors pass through. */
function toUploadError(err: unknown, { field, maxBytes, maxFiles }: ReceiveUploadsOptions): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof MulterError) {
    const details = [{ field: err.field ?? '(body)', message: err.message }];
    switch (err.code) {
      case 'LIMIT_FILE_SIZE':
        return tooLarge(maxBytes);
      case 'LIMIT_FILE_COUNT':
        return new ValidationError(details, 'upload.tooManyFiles', { max: maxFiles });
      case 'LIMIT_UNEXPECTED_FILE':
        return new ValidationError(details, 'upload.unexpectedField', { field });
      default:
        return new ValidationError(details, 'upload.malformed');
    }
  }
  // busboy reports a broken body ("Unexpected end of form", "Multipart: Boundary not found",
  // "Malformed part header") and multer a dropped connection as plain Errors; a programming
  // error (TypeError…) is a subclass and stays a 500.
  if (err instanceof Error && Object.getPrototypeOf(err) === Error.prototype) {
    return new ValidationError([{ field: '(body)', message: err.message }], 'upload.malformed');
  }
  return err;
}
