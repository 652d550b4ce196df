import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect } from 'kysely';
import type { Database } from './schema';

export type Db = Kysely<Database>;

/**
 * SQLite rolls back schema changes with the transaction, but Kysely's adapter says it does not, so
 * its Migrator would run migrations outside one and a failure would leave half a schema behind.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class SqliteDialectWithTransactionalDdl extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/**
 * Opens the database named by `databaseUrl` (`sqlite:<path>` or `sqlite::memory:`).
 * SQLite runs in WAL mode with synchronous=FULL: the library's build defaults to NORMAL, which can
 * lose the last commit on power loss, and an accepted upload must survive that.
 */
export function openDatabase(databaseUrl: string): Db {
  if (!databaseUrl.startsWith('sqlite:')) {
    throw new Error(`Unsupported DATABASE_URL: ${databaseUrl.split(':')[0]}: (PostgreSQL support is not built yet)`);
  }
  const file = databaseUrl.slice('sqlite:'.length);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialectWithTransactionalDdl({ database: sqlite }) });
}
