import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app';
import { type Config, loadConfig } from '../../src/config';
import { createLogger } from '../../src/http/logger';
import type { TestContext } from './test-app';
import { createTestDb } from './test-db';

export interface LoggedTestContext extends TestContext {
  /** Everything the app has logged so far, as the JSON lines it would write to stdout. */
  logText: () => string;
}

/**
 * Like `createTestApp`, but with the production logger (its redaction included) at `trace`,
 * writing into memory so a test can read what an operator's log would hold.
 */
export async function createLoggedTestApp(overrides: Partial<Config> = {}): Promise<LoggedTestContext> {
  const { db, admin } = await createTestDb();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-test-'));
  const config = loadConfig({ HOSO_DATA_DIR: dataDir, HOSO_LANG: 'vi' }, overrides);
  const lines: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
  const app = createApp({ config, db, logger });
  const close = async () => {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { config, db, app, admin, close, logText: () => lines.join('') };
}
