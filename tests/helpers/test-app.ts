import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { type Config, loadConfig } from '../../src/config';
import type { Actor } from '../../src/core/actor';
import type { Db } from '../../src/db/database';
import { createTestDb } from './test-db';

export { ADMIN_PASSWORD, createTestDb } from './test-db';

export interface TestContext {
  config: Config;
  db: Db;
  app: Express;
  admin: Actor;
  close: () => Promise<void>;
}

/**
 * The real app over a fresh database (SQLite in memory, or a PostgreSQL schema under
 * `npm run test:pg`) and a temporary file store, with logging silenced.
 */
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
