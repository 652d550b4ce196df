import { createHash, randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { finished, type Readable } from 'node:stream';
import { BlobMissingError, type BlobStore, blobKey, errorCode, SHA256_HEX, type StagedBlob, StorageError } from './blob-store';

/**
 * The filesystem calls the store makes, injectable so tests can make the disk fail (ENOSPC on
 * write, EIO on fsync or rename) at exactly one step. `nodeStorageFs` is the real thing.
 */
export interface StorageFs {
  open(file: string, flags: string, mode?: number): Promise<FileHandle>;
  /** Writes every byte of `data` at the handle's current position. */
  write(handle: FileHandle, data: Uint8Array): Promise<void>;
  fsync(handle: FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  /** Creates one directory level; fails with EEXIST when it is already there. */
  mkdir(dir: string): Promise<void>;
  readdir(dir: string): Promise<Dirent[]>;
  /** Whether `file` exists; other failures (EACCES, EIO) are thrown. */
  exists(file: string): Promise<boolean>;
  /** When `file` was last written, in ms since the epoch. */
  mtimeMs(file: string): Promise<number>;
}

export const nodeStorageFs: StorageFs = {
  open: (file, flags, mode) => fsp.open(file, flags, mode),
  async write(handle, data) {
    for (let offset = 0; offset < data.length; ) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset, null);
      offset += bytesWritten;
    }
  },
  fsync: (handle) => handle.sync(),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (file) => fsp.unlink(file),
  mkdir: async (dir) => {
    await fsp.mkdir(dir, { mode: 0o750 });
  },
  readdir: (dir) => fsp.readdir(dir, { withFileTypes: true }),
  exists: async (file) => {
    try {
      await fsp.stat(file);
      return true;
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return false;
      throw err;
    }
  },
  mtimeMs: async (file) => (await fsp.stat(file)).mtimeMs,
};

/** Staging files are named `<uuid>.upload`; `cleanStaging` removes only those, whatever else shares the folder. */
const STAGING_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.upload$/;
const FAN_OUT_DIR = /^[0-9a-f]{2}$/;
/** Sibling staging folders of other servers sharing the volume (see `createBlobStore`). */
const STAGING_DIR = /^[A-Za-z0-9._-]{1,128}$/;
/**
 * An upload in flight writes its staging file continuously; one untouched this long belongs to a
 * server that died and will not come back under the same name.
 */
export const ABANDONED_STAGING_MS = 60 * 60 * 1000;

/** Runs one filesystem step; a failure becomes a `StorageError` that keeps the system error as its cause. */
async function step<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (err) {
    throw new StorageError(err);
  }
}

/**
 * A `BlobStore` over a local directory: blob `abcd…` lives at `<filesDir>/ab/cd/abcd…`.
 * `stagingDir` must be on the same filesystem (e.g. `<dataDir>/tmp`) so that committing is an
 * atomic rename; across filesystems the rename fails with EXDEV, reported as a `StorageError`.
 */
export class LocalBlobStore implements BlobStore {
  constructor(
    readonly filesDir: string,
    readonly stagingDir: string,
    private readonly fs: StorageFs = nodeStorageFs,
  ) {}

  /** The absolute path of a blob (which may not exist). For the integrity checker and backups. */
  blobPath(sha256: string): string {
    return path.join(this.filesDir, blobKey(sha256));
  }

  async stage(source: Readable): Promise<StagedBlob> {
    const stagingPath = path.join(this.stagingDir, `${randomUUID()}.upload`);
    let handle: FileHandle;
    try {
      await this.makeDirsDurably(this.stagingDir);
      handle = await step(this.fs.open(stagingPath, 'wx', 0o640));
    } catch (err) {
      source.resume();
      throw err;
    }
    const hash = createHash('sha256');
    let size = 0;
    try {
      await consume(source, async (chunk) => {
        hash.update(chunk);
        size += chunk.length;
        await step(this.fs.write(handle, chunk));
      });
      await step(handle.close());
    } catch (err) {
      await handle.close().catch(() => undefined);
      await this.removeQuietly(stagingPath);
      throw err;
    }
    return { stagingPath, sha256: hash.digest('hex'), size };
  }

  async commit(staged: StagedBlob): Promise<void> {
    try {
      const target = this.blobPath(staged.sha256);
      // Blobs are never overwritten: the same content uploaded again is already there.
      if (await step(this.fs.exists(target))) return;
      await this.sync(staged.stagingPath);
      await this.makeDirsDurably(path.dirname(target));
      await step(this.fs.rename(staged.stagingPath, target));
      // Should this last fsync fail, the complete blob stays in place unreferenced (the caller
      // commits no row), which is harmless; removing it could race a concurrent identical upload.
      await this.sync(path.dirname(target));
    } finally {
      await this.discard(staged);
    }
  }

  async discard(staged: StagedBlob): Promise<void> {
    await this.removeQuietly(staged.stagingPath);
  }

  async has(sha256: string): Promise<boolean> {
    return step(this.fs.exists(this.blobPath(sha256)));
  }

  async createReadStream(sha256: string): Promise<Readable> {
    const file = this.blobPath(sha256);
    let handle: FileHandle;
    try {
      handle = await this.fs.open(file, 'r');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') throw new BlobMissingError(sha256);
      throw new StorageError(err, 'file.readFailed');
    }
    // The stream owns the handle and closes it when it ends or is destroyed.
    return handle.createReadStream();
  }

  async *listBlobs(): AsyncIterable<string> {
    for (const a of await this.names(this.filesDir, 'dir', FAN_OUT_DIR)) {
      for (const b of await this.names(path.join(this.filesDir, a), 'dir', FAN_OUT_DIR)) {
        for (const name of await this.names(path.join(this.filesDir, a, b), 'file', SHA256_HEX)) {
          if (name.startsWith(a + b)) yield name;
        }
      }
    }
  }

  async cleanStaging(): Promise<number> {
    let removed = await this.removeStaging(this.stagingDir, () => true);
    // Other servers stage beside this one on a shared volume: only what they abandoned is taken.
    const parent = path.dirname(this.stagingDir);
    const cutoff = Date.now() - ABANDONED_STAGING_MS;
    for (const dir of await this.names(parent, 'dir', STAGING_DIR)) {
      const other = path.join(parent, dir);
      if (other !== this.stagingDir) removed += await this.removeStaging(other, async (file) => (await this.fs.mtimeMs(file)) < cutoff);
    }
    return removed;
  }

  private async removeStaging(dir: string, abandoned: (file: string) => Promise<boolean> | boolean): Promise<number> {
    let removed = 0;
    for (const name of await this.names(dir, 'file', STAGING_NAME)) {
      const file = path.join(dir, name);
      if (!(await abandoned(file))) continue;
      await step(this.fs.unlink(file));
      removed += 1;
    }
    return removed;
  }

  /** ENOENT is the normal case after a commit; any other failure leaves a file for cleanStaging. */
  private async removeQuietly(stagingPath: string): Promise<void> {
    await this.fs.unlink(stagingPath).catch(() => undefined);
  }

  /** Sorted names of the files or folders in `dir` that match `pattern`; none when `dir` does not exist. */
  private async names(dir: string, kind: 'file' | 'dir', pattern: RegExp): Promise<string[]> {
    let entries: Dirent[];
    try {
      entries = await this.fs.readdir(dir);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return [];
      throw new StorageError(err);
    }
    return entries
      .filter((e) => (kind === 'dir' ? e.isDirectory() : e.isFile()) && pattern.test(e.name))
      .map((e) => e.name)
      .sort();
  }

  /** fsync of a file makes its bytes durable; of a directory, the entries created or renamed in it. */
  private async sync(fileOrDir: string): Promise<void> {
    const handle = await step(this.fs.open(fileOrDir, 'r'));
    try {
      await step(this.fs.fsync(handle));
    } finally {
      // Once fsync has answered, a failing close changes nothing on disk.
      await handle.close().catch(() => undefined);
    }
  }

  /** `mkdir -p` that fsyncs the parent of every directory it creates, so the new path survives a crash. */
  private async makeDirsDurably(dir: string): Promise<void> {
    if (await step(this.fs.exists(dir))) return;
    const parent = path.dirname(dir);
    if (parent !== dir) await this.makeDirsDurably(parent);
    try {
      await this.fs.mkdir(dir);
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return; // a concurrent commit created it
      throw new StorageError(err);
    }
    await this.sync(parent);
  }
}

/**
 * Feeds every chunk of `source` to `write`, one at a time (the source is paused meanwhile, so
 * memory stays bounded by one chunk). On failure it stops writing but keeps draining `source`,
 * because a multipart parser cannot move past a part that nobody reads; it settles only once
 * the write in flight has finished, so the caller may then close the file. `finished` also
 * catches a source destroyed before we got to it (a request that failed while the staging file
 * was being opened), which would otherwise never end nor fail.
 */
function consume(source: Readable, write: (chunk: Buffer) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let inFlight: Promise<void> = Promise.resolve();
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      source.off('data', onData);
      source.resume();
      void inFlight.finally(() => reject(err));
    };
    const onData = (chunk: Buffer) => {
      source.pause();
      inFlight = write(chunk).then(() => {
        if (!failed) source.resume();
      }, fail);
    };
    source.on('data', onData);
    // The listeners finished() leaves behind are kept on purpose: a late error of a stream we
    // are done with must not become an uncaught exception.
    finished(source, (err) => {
      if (err) fail(err);
      else void inFlight.then(() => !failed && resolve());
    });
  });
}
