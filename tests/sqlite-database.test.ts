import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';

// SQLite only (left out of `npm run test:pg`); tests/postgres-database.test.ts holds their PostgreSQL twins.

describe('a SQLite database', () => {
  it('opens a file in WAL mode with synchronous=FULL and foreign keys on, creating its folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-db-'));
    const db = openDatabase(`sqlite:${path.join(dir, 'sub', 'hoso.db')}`);
    await migrateToLatest(db);
    const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db)).rows[0] ?? {})[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2);
    expect(await pragma('foreign_keys')).toBe(1);
    expect(Number(await pragma('busy_timeout'))).toBeGreaterThan(0);
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to create a file that must already exist', () => {
    const missing = path.join(os.tmpdir(), `hoso-missing-${process.pid}`, 'hoso.db');
    expect(() => openDatabase(`sqlite:${missing}`, { mustExist: true })).toThrow();
    expect(fs.existsSync(path.dirname(missing))).toBe(false);
  });
});
