import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { type Config, loadConfig } from '../../src/config';
import { type Db, openDatabase } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import type { Actor } from '../../src/http/request-context';
import { findUserByUsername } from '../../src/users/users.repository';
import { ensureAdmin } from '../../src/users/users.service';

export const ADMIN_PASSWORD = 'Quan-tri-vien-2023';

export interface TestContext {
  config: Config;
  db: Db;
  app: Express;
  admin: Actor;
  close: () => Promise<void>;
}

/** A migrated in-memory database holding only the `admin` account. */
export async function createTestDb(): Promise<{ db: Db; admin: Actor }> {
  const db = openDatabase('sqlite::memory:');
  await migrateToLatest(db);
  await ensureAdmin(db, ADMIN_PASSWORD);
  const row = await findUserByUsername(db, 'admin');
  if (!row) throw new Error('admin was not created');
  return { db, admin: { id: row.id, username: row.username, displayName: row.display_name, role: 'admin', unitId: null } };
}

/** The real app over a fresh in-memory database and a temporary file store, with logging silenced. */
export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestContext> {
  const { db, admin } = await createTestDb();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-test-'));
  const config = loadConfig({ HOSO_DATA_DIR: dataDir, HOSO_LANG: 'vi' }, overrides);
  const app = createApp({ config, db, logger: pino({ level: 'silent' }) });
  const close = async () => {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { config, db, app, admin, close };
}

/** Signs in through the API and returns the bearer token. */
export async function loginToken(app: Express, username: string, password: string): Promise<string> {
  const res = await request(app).post('/api/v1/session').send({ username, password });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { token: string }).token;
}
