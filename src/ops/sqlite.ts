import fs from 'node:fs';
import SQLite from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { type Db, openDatabase } from '../db/database';
import { dialectOf } from '../db/dialect';
import type { Database } from '../db/schema';
import { fsyncPath } from './folders';
import { OpsError } from './ops-error';

/**
 * The SQLite file a `DATABASE_URL` names. Backup and restore copy that file; a PostgreSQL
 * database is PostgreSQL's to dump and restore (`advice` says with which tool).
 */
export function sqliteFileOf(databaseUrl: string, advice: string): string {
  if (databaseUrl.startsWith('sqlite:') && databaseUrl !== 'sqlite::memory:') return databaseUrl.slice('sqlite:'.length);
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new OpsError(`DATABASE_URL points at PostgreSQL. ${advice}`);
  }
  throw new OpsError(`DATABASE_URL does not name a database file (${databaseUrl.split(':')[0]}:…).`);
}

/**
 * Opens the instance's database for an operator's task, never creating one: a wrong
 * HOSO_DATA_DIR or DATABASE_URL is said plainly instead of checking or backing up an empty file.
 * Does not migrate: these tasks read the schema as the running server left it.
 */
export function openExistingDatabase(databaseUrl: string): Db {
  if (databaseUrl.startsWith('sqlite:') && !fs.existsSync(databaseUrl.slice('sqlite:'.length))) {
    throw new OpsError(`There is no database at ${databaseUrl.slice('sqlite:'.length)}: check HOSO_DATA_DIR (or DATABASE_URL).`);
  }
  return openDatabase(databaseUrl, { mustExist: true });
}

/**
 * A SQLite file opened read-only, for looking at a snapshot or a database nobody else may be
 * changing (a backup, a data directory after a crash). Unlike `openDatabase` it never writes:
 * no pragma that changes the file, no migration.
 */
export function openSqliteReadOnly(file: string): Db {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(file, { readonly: true, fileMustExist: true }) }) });
}

/** Runs `look` on the SQLite file opened read-only (see `openSqliteReadOnly`), then closes it. */
export async function withSqliteReadOnly<T>(file: string, look: (db: Db) => Promise<T>): Promise<T> {
  const db = openSqliteReadOnly(file);
  try {
    return await look(db);
  } finally {
    await db.destroy();
  }
}

/**
 * What SQLite finds wrong with the file: `PRAGMA integrity_check` (pages, indexes, constraints)
 * and, unless `foreignKeys` is false, `PRAGMA foreign_key_check`; empty when all is well. Null on
 * PostgreSQL, which checks its own pages as it reads them.
 */
export async function sqliteProblems(db: Db, { foreignKeys = true } = {}): Promise<string[] | null> {
  if (dialectOf(db) !== 'sqlite') return null;
  const integrity = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db);
  const problems = integrity.rows.map((r) => r.integrity_check).filter((line) => line !== 'ok');
  if (!foreignKeys) return problems;
  const keys = await sql<{ table: string; rowid: number | null; parent: string }>`pragma foreign_key_check`.execute(db);
  for (const k of keys.rows) problems.push(`${k.table} row ${k.rowid ?? '?'} points at a missing ${k.parent} row`);
  return problems;
}

/**
 * Writes a consistent copy of the live database to `file` (which must not exist) while the app
 * keeps writing: `VACUUM INTO` reads inside one transaction, so the copy holds exactly the
 * transactions committed before it began, WAL included, and never blocks writers in WAL mode.
 * The copy is one self-contained file (rollback journal, no -wal beside it), made durable.
 */
export async function snapshotSqlite(db: Db, file: string): Promise<void> {
  await sql`vacuum into ${file}`.execute(db);
  await fsyncPath(file);
}
