import { createReadStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config';
import { createBlobStore, LocalBlobStore } from '../storage';
import { BACKUP_DATABASE, BACKUP_FILES, BACKUP_MANIFEST, type BackupManifest, BackupManifestSchema, describeSnapshot } from './backup';
import { copyBlobs, firstLines, type OnProgress, sha256Of } from './blobs';
import { placeDurably, prepareEmptyDir } from './folders';
import { OpsError } from './ops-error';
import { sqliteFileOf, withSqliteReadOnly } from './sqlite';

const PG_RESTORE_ADVICE =
  'Restore it with PostgreSQL\'s own tools (`pg_restore --dbname="$DATABASE_URL" hoso.dump` into an empty database), ' +
  'then copy the backed-up files into $HOSO_DATA_DIR/files (see docs/operations.md).';

export interface RestoreOptions {
  onProgress?: OnProgress;
}

/**
 * Restores the backup in `backupDir` (made by `backupData`) into the configured data directory,
 * which must be empty or not exist: a restore never mixes with or overwrites live data. Before a
 * byte lands it checks that the backup is complete (`backup.json`), that the database file is the
 * one the manifest describes (SHA-256), sound (integrity check) and that its audit chain is the
 * one recorded. Every blob is checked against its SHA-256 as it is copied; a missing or damaged
 * one stops the restore. The database file is put in place last, so an interrupted restore leaves
 * no database that names files that are not there.
 */
export async function restoreData(backupDir: string, config: Pick<Config, 'databaseUrl' | 'dataDir' | 'filesDir'>, options: RestoreOptions = {}): Promise<BackupManifest> {
  const databaseFile = path.resolve(sqliteFileOf(config.databaseUrl, PG_RESTORE_ADVICE));
  await prepareEmptyDir(config.dataDir, 'The data directory', 'A restore never overwrites data: stop the server, move this folder aside, and restore into an empty one.');
  if (await exists(databaseFile)) throw new OpsError(`${databaseFile} already exists. Restore only into an empty data directory and a new database file.`);
  const manifest = await readManifest(backupDir);
  const snapshotFile = path.join(backupDir, BACKUP_DATABASE);
  if ((await sha256Of(createReadStream(snapshotFile))) !== manifest.database.sha256) {
    throw new OpsError(`${snapshotFile} is not the database this backup was made with (its SHA-256 differs from ${BACKUP_MANIFEST}).`);
  }
  const facts = await withSqliteReadOnly(snapshotFile, describeSnapshot);
  for (const what of ['audit', 'counts'] as const) {
    if (JSON.stringify(facts[what]) !== JSON.stringify(manifest[what])) {
      throw new OpsError(`${snapshotFile} does not hold what ${BACKUP_MANIFEST} recorded at backup time (${what}: ${JSON.stringify(facts[what])}, expected ${JSON.stringify(manifest[what])}).`);
    }
  }

  const source = new LocalBlobStore(path.join(backupDir, BACKUP_FILES), path.join(backupDir, 'tmp'));
  const target = createBlobStore(config);
  const failed = await copyBlobs(source, target, facts.blobs, options);
  if (failed.length) {
    throw new OpsError(
      `The backup in ${backupDir} lacks ${failed.length} file(s) its database names, or holds them damaged:\n${firstLines(failed)}\n` +
        `Nothing was put in place as a database; empty ${config.dataDir} before trying another backup.`,
    );
  }

  await fsp.mkdir(path.dirname(databaseFile), { recursive: true });
  await placeDurably(databaseFile, (partial) => fsp.copyFile(snapshotFile, partial, fsp.constants.COPYFILE_EXCL));
  return manifest;
}

/** The manifest of a finished backup; a folder without one is not (or not yet) a backup. */
export async function readManifest(backupDir: string): Promise<BackupManifest> {
  const file = path.join(backupDir, BACKUP_MANIFEST);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    throw new OpsError(`${backupDir} holds no ${BACKUP_MANIFEST}: it is not a Hồ sơ backup, or the backup did not finish.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new OpsError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = BackupManifestSchema.safeParse(json);
  if (!parsed.success) throw new OpsError(`${file} is not a Hồ sơ backup manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

async function exists(file: string): Promise<boolean> {
  return fsp.stat(file).then(() => true, () => false);
}
