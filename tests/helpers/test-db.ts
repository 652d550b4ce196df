import { randomBytes } from 'node:crypto';
import { Kysely } from 'kysely';
import { Client } from 'pg';
import type { Actor } from '../../src/core/actor';
import { databaseConfig, type Db, openDatabase } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import type { Database } from '../../src/db/schema';
import { findUserByUsername } from '../../src/users/users.repository';
import { ensureAdmin } from '../../src/users/users.service';

export const ADMIN_PASSWORD = 'Quan-tri-vien-2023';

/**
 * Set by `npm run test:pg` (scripts/test-pg.sh): the PostgreSQL database the tests run against.
 * Unset, tests run on SQLite in memory.
 */
export const testDatabaseUrl = process.env.HOSO_TEST_DATABASE_URL;
export const onPostgres = testDatabaseUrl !== undefined;

/** Runs one statement on the test database itself, outside any test's schema. */
async function adminQuery(statement: string): Promise<void> {
  const client = new Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A schema of its own, created empty; `drop` removes it and everything in it. */
export async function createTestSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!testDatabaseUrl) throw new Error('HOSO_TEST_DATABASE_URL is not set');
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const url = new URL(testDatabaseUrl);
  // libpq's `options` sets search_path for every connection, so unqualified names mean this schema.
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => adminQuery(`drop schema if exists ${schema} cascade`) };
}

/** Destroying it also drops the test's schema, so the tests' usual `db.destroy()` cleans up. */
class SchemaScopedKysely extends Kysely<Database> {
  constructor(
    url: string,
    private readonly dropSchema: () => Promise<void>,
  ) {
    super(databaseConfig(url));
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    await this.dropSchema();
  }
}

/**
 * An empty, unmigrated database: SQLite in memory, or under `npm run test:pg` a fresh PostgreSQL
 * schema, dropped by `db.destroy()`. `url` opens the same database from another pool or process.
 */
export async function createEmptyTestDb(): Promise<{ db: Db; url: string }> {
  if (!onPostgres) return { db: openDatabase('sqlite::memory:'), url: 'sqlite::memory:' };
  const { url, drop } = await createTestSchema();
  return { db: new SchemaScopedKysely(url, drop), url };
}

/** A migrated database holding only the `admin` account (password `ADMIN_PASSWORD`). */
export async function createTestDb(): Promise<{ db: Db; admin: Actor; url: string }> {
  const { db, url } = await createEmptyTestDb();
  await migrateToLatest(db);
  await ensureAdmin(db, ADMIN_PASSWORD);
  const row = await findUserByUsername(db, 'admin');
  if (!row) throw new Error('admin was not created');
  return { db, url, admin: { id: row.id, username: row.username, displayName: row.display_name, role: 'admin', unitId: null } };
}
