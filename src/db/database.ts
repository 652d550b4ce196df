import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  type KyselyConfig,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresDriver,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDatabase,
  type SqliteStatement,
  type TransactionSettings,
} from 'kysely';
import { Pool, TypeOverrides, types } from 'pg';
import { foldForSearch, RefuseNulTextPlugin, SQLITE_FOLD_FUNCTION, WRITE_LOCK } from './dialect';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface OpenOptions {
  /** SQLite only: fail instead of creating an empty database when the file is not there. */
  mustExist?: boolean;
}

/**
 * Opens the database named by `databaseUrl`: `sqlite:<path>`, `sqlite::memory:`, or a
 * `postgres://` / `postgresql://` URL. The same migrations and services run on either.
 */
export function openDatabase(databaseUrl: string, options: OpenOptions = {}): Db {
  return new Kysely<Database>(databaseConfig(databaseUrl, options));
}

/** What `openDatabase` gives Kysely: the dialect for `databaseUrl`, and the plugins both databases run with. */
export function databaseConfig(databaseUrl: string, options: OpenOptions = {}): KyselyConfig {
  return { dialect: createDialect(databaseUrl, options), plugins: [new RefuseNulTextPlugin()] };
}

function createDialect(databaseUrl: string, options: OpenOptions): Dialect {
  if (databaseUrl.startsWith('sqlite:')) return sqliteDialect(databaseUrl.slice('sqlite:'.length), options);
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return new SerialWritesPostgresDialect({ pool: postgresPool(databaseUrl) });
  throw new Error(`Unsupported DATABASE_URL: ${databaseUrl.split(':')[0]}: (expected sqlite:<path> or postgres://…)`);
}

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
 * SQLite runs in WAL mode with synchronous=FULL: the library's build defaults to NORMAL, which can
 * lose the last commit on power loss, and an accepted upload must survive that.
 */
function sqliteDialect(file: string, options: OpenOptions): Dialect {
  if (file !== ':memory:' && !options.mustExist) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file, { fileMustExist: options.mustExist === true });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.function(SQLITE_FOLD_FUNCTION, { deterministic: true }, (value: unknown) => (typeof value === 'string' ? foldForSearch(value) : value));
  return new SqliteDialectWithTransactionalDdl({ database: withStatementCache(sqlite) });
}

/** Prepared statements kept for reuse; queries with `in (…)` lists of many lengths age out. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew, which costs more than running the small queries a page makes.
 * Reusing a statement is safe here: Kysely runs one query at a time on its single SQLite
 * connection and the app never streams results (a statement being iterated could not be reused).
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(source: string): SqliteStatement {
      let statement = statements.get(source);
      if (statement) {
        statements.delete(source);
      } else {
        statement = sqlite.prepare(source);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
      }
      statements.set(source, statement);
      return statement;
    },
  };
}

/**
 * pg returns int8 (count(*), bigint columns such as files.size) and numeric (sum of a bigint) as
 * strings, because they can exceed a JavaScript number; SQLite returns numbers. Every such value
 * here is a count, a byte size or a figure well inside 2^53, so both parse to numbers, and an
 * int8 that would lose precision fails the query rather than come back wrong.
 */
function numberTypes(): TypeOverrides {
  const overrides = new TypeOverrides();
  overrides.setTypeParser(types.builtins.INT8, (text: string) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new RangeError(`integer ${text} is too large for a JavaScript number`);
    return n;
  });
  overrides.setTypeParser(types.builtins.NUMERIC, (text: string) => Number(text));
  return overrides;
}

function postgresPool(url: string): Pool {
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000, types: numberTypes() });
  // An idle connection that breaks (the server restarted) is dropped by the pool and replaced on
  // the next query; without a listener its 'error' event would end the process.
  pool.on('error', (err) => {
    process.stderr.write(`PostgreSQL: idle connection lost: ${err.message}\n`);
  });
  return pool;
}

/**
 * Takes the write lock (see `WRITE_LOCK` in dialect.ts) at the start of every transaction but a
 * read-only one, which wants a consistent snapshot and never holds writers up.
 */
class SerialWritesPostgresDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await super.beginTransaction(connection, settings);
    if (settings.accessMode !== 'read only') await connection.executeQuery(WRITE_LOCK);
  }
}

class SerialWritesPostgresDialect extends PostgresDialect {
  constructor(private readonly config: PostgresDialectConfig) {
    super(config);
  }

  override createDriver(): Driver {
    return new SerialWritesPostgresDriver(this.config);
  }
}
