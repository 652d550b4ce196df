import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/database';
import { BlobMissingError, errorCode } from '../storage/blob-store';
import type { LocalBlobStore } from '../storage/local-blob-store';
import { fsyncPath } from './folders';

/** How far a long task has got: items (blobs) and bytes, each done of total. */
export interface OpsProgress {
  done: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
}

export type OnProgress = (progress: OpsProgress) => void;

/** Counts work done and tells `onProgress` after each item. */
export class ProgressCounter {
  private readonly state: OpsProgress;

  constructor(
    total: number,
    bytesTotal: number,
    private readonly onProgress: OnProgress | undefined,
  ) {
    this.state = { done: 0, total, bytesDone: 0, bytesTotal };
    onProgress?.({ ...this.state });
  }

  add(bytes: number): void {
    this.state.done += 1;
    this.state.bytesDone += bytes;
    this.onProgress?.({ ...this.state });
  }
}

/**
 * Every blob the database points at, from the `files` and `blobs` tables, with its size as
 * recorded at upload; sorted by hash.
 */
export async function referencedBlobs(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('files')
    .select(['sha256', 'size'])
    .union(db.selectFrom('blobs').select(['sha256', 'size']))
    .execute();
  rows.sort((a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0));
  return new Map(rows.map((r) => [r.sha256, Number(r.size)]));
}

/** The SHA-256 of everything `stream` yields, read in full. */
export async function sha256Of(stream: AsyncIterable<unknown>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The SHA-256 of a stored blob's content, read now (which should be its name). */
export async function hashStoredBlob(store: LocalBlobStore, sha256: string): Promise<string> {
  return sha256Of(await store.createReadStream(sha256));
}

export type BlobCopyOutcome = 'copied' | 'missing' | 'corrupt';

/**
 * Puts blob `sha256` of `from` into `to`, checking its content against its name on the way:
 * streamed through `to`'s staging and committed there (fsync, rename, fsync) only when the bytes
 * hash right. With `link`, the new name is a hard link to the same file instead of a copy (the
 * bytes are still read and checked); across filesystems it falls back to copying. A blob whose
 * content does not match is left out and reported `corrupt`; one that is not there, `missing`.
 */
export async function copyBlob(from: LocalBlobStore, to: LocalBlobStore, sha256: string, link = false): Promise<BlobCopyOutcome> {
  try {
    if (link && (await linkBlob(from, to, sha256))) {
      if ((await hashStoredBlob(to, sha256)) === sha256) return 'copied';
      await fsp.unlink(to.blobPath(sha256));
      return 'corrupt';
    }
    const staged = await to.stage(await from.createReadStream(sha256));
    if (staged.sha256 !== sha256) {
      await to.discard(staged);
      return 'corrupt';
    }
    await to.commit(staged);
    return 'copied';
  } catch (err) {
    if (err instanceof BlobMissingError) return 'missing';
    throw err;
  }
}

/**
 * Copies the given blobs (hash → size) with `copyBlob`, one at a time, counting progress by
 * bytes; returns those that could not be copied as "<sha256> (missing|corrupt)" lines.
 */
export async function copyBlobs(
  from: LocalBlobStore,
  to: LocalBlobStore,
  blobs: Map<string, number>,
  options: { link?: boolean; onProgress?: OnProgress } = {},
): Promise<string[]> {
  const bytes = [...blobs.values()].reduce((sum, size) => sum + size, 0);
  const progress = new ProgressCounter(blobs.size, bytes, options.onProgress);
  const failed: string[] = [];
  for (const [sha256, size] of blobs) {
    const outcome = await copyBlob(from, to, sha256, options.link === true);
    if (outcome !== 'copied') failed.push(`${sha256} (${outcome})`);
    progress.add(size);
  }
  return failed;
}

/** The first lines of a list for a message, indented, with "…" when there are more. */
export function firstLines(lines: string[], max = 20): string {
  return lines.slice(0, max).map((l) => `  ${l}`).join('\n') + (lines.length > max ? '\n  …' : '');
}

/** Hard-links the blob into `to`; false when the two stores are on different filesystems. */
async function linkBlob(from: LocalBlobStore, to: LocalBlobStore, sha256: string): Promise<boolean> {
  const target = to.blobPath(sha256);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  try {
    await fsp.link(from.blobPath(sha256), target);
  } catch (err) {
    if (errorCode(err) === 'EXDEV') return false;
    if (errorCode(err) === 'EEXIST') return true;
    if (errorCode(err) === 'ENOENT') throw new BlobMissingError(sha256);
    throw err;
  }
  // The new name, and the fan-out folders mkdir may just have made, must survive a crash.
  for (let dir = path.dirname(target); dir.startsWith(to.filesDir); dir = path.dirname(dir)) await fsyncPath(dir);
  return true;
}
