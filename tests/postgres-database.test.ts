import { sql } from 'kysely';
import { migrations } from '../migrations';
import { verifyChain } from '../src/audit/audit.service';
import type { Actor } from '../src/core/actor';
import { openDatabase, type Db } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { createUnit } from '../src/units/units.service';
import { createEmptyTestDb, createTestDb } from './helpers/test-db';

// PostgreSQL only (run by `npm run test:pg`). Two pools on one database stand for two app servers.

const tableNames = async (db: Db) =>
  (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() order by 1`.execute(db)).rows.map((r) => r.name);

describe('migrations on PostgreSQL', () => {
  it('keep their bookkeeping per schema, so a second city in the same database migrates too', async () => {
    const first = await createTestDb();
    const second = await createEmptyTestDb();
    expect(await migrateToLatest(second.db)).toEqual(Object.keys(migrations));
    expect(await tableNames(second.db)).toEqual(expect.arrayContaining(['audit_events', 'kysely_migration', 'units']));
    await Promise.all([first.db.destroy(), second.db.destroy()]);
  });

  it('run once when two servers start at the same moment', async () => {
    const { db, url } = await createEmptyTestDb();
    const other = openDatabase(url);
    const applied = await Promise.all([migrateToLatest(db), migrateToLatest(other)]);
    expect(applied.flat()).toEqual(Object.keys(migrations));
    await other.destroy();
    await db.destroy();
  });
});

describe('two app servers writing to one PostgreSQL database', () => {
  let db: Db;
  let other: Db;
  let admin: Actor;
  beforeEach(async () => {
    const created = await createTestDb();
    ({ db, admin } = created);
    other = openDatabase(created.url);
  });
  afterEach(async () => {
    await other.destroy();
    await db.destroy();
  });

  it('never fork the audit chain, however their writes interleave', async () => {
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        createUnit(i % 2 ? db : other, admin, { code: `P-${i + 1}`, name: `Đảng uỷ phường số ${i + 1}` }),
      ),
    );
    expect(await verifyChain(db)).toMatchObject({ ok: true, events: 25 });
  });

  it('answer duplicates created at the same moment with 409, as on SQLite, not a database error', async () => {
    const input = { code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La' };
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => createUnit(i % 2 ? db : other, admin, input)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect(r).toMatchObject({ reason: { status: 409 } });
  });

  it('take writes one at a time, while a read-only transaction goes ahead', async () => {
    const events: string[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let signalInside = () => {};
    const inside = new Promise<void>((resolve) => (signalInside = resolve));
    const first = db.transaction().execute(async (trx) => {
      await createUnit(trx, admin, { code: 'P-1', name: 'Đảng uỷ phường Phan Thiết' });
      signalInside();
      await held;
    });
    await inside;
    const second = other.transaction().execute(async (trx) => {
      events.push('second writer started');
      await createUnit(trx, admin, { code: 'P-2', name: 'Đảng uỷ phường Minh Xuân' });
    });

    const seen = await other.transaction().setAccessMode('read only').execute((trx) => trx.selectFrom('units').select('code').execute());
    expect(seen).toEqual([]);
    // The second writer waits for the lock the first one holds (PostgreSQL says so in pg_locks).
    for (let waiting = 0; waiting === 0; ) {
      const { rows } = await sql<{ n: number }>`select count(*) as n from pg_locks where locktype = 'advisory' and not granted`.execute(db);
      waiting = rows[0]?.n ?? 0;
    }
    expect(events).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(events).toEqual(['second writer started']);
    expect(await verifyChain(db)).toMatchObject({ ok: true, events: 3 });
  });

  it('refuse, rather than round, a bigint beyond what a JavaScript number holds', async () => {
    expect((await sql<{ n: number }>`select 9007199254740991::int8 as n`.execute(db)).rows[0]?.n).toBe(Number.MAX_SAFE_INTEGER);
    await expect(sql`select 9007199254740993::int8 as n`.execute(db)).rejects.toThrow(/too large/);
  });
});
