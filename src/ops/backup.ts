import { createReadStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { verifyChain } from '../audit/audit.service';
import type { Config } from '../config';
import { nowIso } from '../core/clock';
import type { Db } from '../db/database';
import { appVersion } from '../paths';
import { createBlobStore, LocalBlobStore } from '../storage';
import { copyBlobs, firstLines, type OnProgress, referencedBlobs, sha256Of } from './blobs';
import { appliedMigrations, COPY_ORDER } from './copy-data';
import { placeDurably, prepareEmptyDir } from './folders';
import { OpsError } from './ops-error';
import { openExistingDatabase, snapshotSqlite, sqliteFileOf, sqliteProblems, withSqliteReadOnly } from './sqlite';

/** The names inside a backup folder. */
export const BACKUP_MANIFEST = 'backup.json';
export const BACKUP_DATABASE = 'hoso.db';
export const BACKUP_FILES = 'files';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Count = z.number().int().nonnegative();

/** `backup.json`: what the backup holds, written last, so a folder without it is an unfinished backup. */
export const BackupManifestSchema = z.object({
  format: z.literal('hoso-backup'),
  version: z.literal(1),
  createdAt: z.string(),
  appVersion: z.string(),
  database: z.object({ engine: z.literal('sqlite'), file: z.literal(BACKUP_DATABASE), bytes: Count, sha256: Sha256, migrations: z.array(z.string()) }),
  /** Rows per table in the snapshot. */
  counts: z.record(z.string(), Count),
  audit: z.object({ events: Count, head: Sha256.nullable(), verified: z.boolean() }),
  blobs: z.object({ count: Count, bytes: Count, hardLinked: z.boolean() }),
});
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

export interface BackupOptions {
  /** Hard-link blobs instead of copying them when the backup is on the same filesystem. */
  link?: boolean;
  onProgress?: OnProgress;
}

const PG_DUMP_ADVICE =
  'Back it up with PostgreSQL\'s own tool, e.g. `pg_dump --format=custom --file=hoso.dump "$DATABASE_URL"`, ' +
  'and copy the file store ($HOSO_DATA_DIR/files) after the dump has finished (see docs/operations.md).';

/**
 * Takes a consistent backup of a running (or stopped) instance into `targetDir`, which must be
 * empty or not exist: first a snapshot of the database (`VACUUM INTO`, one read transaction, the
 * app keeps writing), then every blob that snapshot points at. The order is what makes it
 * consistent: a blob is committed before the row naming it, blobs never change or go away, so
 * every blob the snapshot names is in the store by then. Each blob is checked against its
 * SHA-256 as it is copied; a blob that is missing or damaged in the live store fails the backup
 * (run `npm run check`). `backup.json` is written last. SQLite only: PostgreSQL has pg_dump.
 */
export async function backupData(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'filesDir'>, targetDir: string, options: BackupOptions = {}): Promise<BackupManifest> {
  sqliteFileOf(config.databaseUrl, PG_DUMP_ADVICE); // refuses PostgreSQL, which pg_dump backs up
  const live = openExistingDatabase(config.databaseUrl);
  const snapshotFile = path.join(targetDir, BACKUP_DATABASE);
  // The moment the data is from: the snapshot holds what was committed before it.
  const takenAt = nowIso();
  try {
    await prepareEmptyDir(targetDir, 'The backup folder', 'Back up into a new folder each time, e.g. one named after the date.');
    await snapshotSqlite(live, snapshotFile);
    // It holds password hashes, sessions and the app's secrets: for the operator's eyes only.
    await fsp.chmod(snapshotFile, 0o600);
  } finally {
    await live.destroy();
  }

  const facts = await withSqliteReadOnly(snapshotFile, describeSnapshot);

  const source = createBlobStore(config);
  const target = new LocalBlobStore(path.join(targetDir, BACKUP_FILES), path.join(targetDir, 'tmp'));
  const failed = await copyBlobs(source, target, facts.blobs, options);
  await fsp.rm(target.stagingDir, { recursive: true, force: true });
  if (failed.length) {
    throw new OpsError(
      `The backup in ${targetDir} is incomplete: ${failed.length} file(s) the database names could not be copied from ${config.filesDir}:\n` +
        `${firstLines(failed)}\nRun \`npm run check\` for the dossiers concerned.`,
    );
  }

  const manifest: BackupManifest = {
    format: 'hoso-backup',
    version: 1,
    createdAt: takenAt,
    appVersion,
    database: { engine: 'sqlite', file: BACKUP_DATABASE, bytes: (await fsp.stat(snapshotFile)).size, sha256: await sha256Of(createReadStream(snapshotFile)), migrations: facts.migrations },
    counts: facts.counts,
    audit: facts.audit,
    blobs: { count: facts.blobs.size, bytes: [...facts.blobs.values()].reduce((sum, size) => sum + size, 0), hardLinked: options.link === true },
  };
  await placeDurably(path.join(targetDir, BACKUP_MANIFEST), (partial) => fsp.writeFile(partial, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' }));
  return manifest;
}

interface SnapshotFacts {
  migrations: string[];
  counts: Record<string, number>;
  audit: BackupManifest['audit'];
  blobs: Map<string, number>;
}

/**
 * What a database snapshot holds. Throws when SQLite finds its pages damaged: that is no backup.
 * Rows that break a foreign key are kept as they are (`npm run check` reports them): a backup of
 * imperfect data beats none.
 */
export async function describeSnapshot(db: Db): Promise<SnapshotFacts> {
  const problems = (await sqliteProblems(db, { foreignKeys: false })) ?? [];
  if (problems.length) throw new OpsError(`The database snapshot is damaged:\n${firstLines(problems)}`);
  const counts: Record<string, number> = {};
  for (const { table } of COPY_ORDER) {
    const { n } = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(n);
  }
  const chain = await verifyChain(db);
  return {
    migrations: await appliedMigrations(db),
    counts,
    audit: { events: chain.events, head: chain.head, verified: chain.ok },
    blobs: await referencedBlobs(db),
  };
}
