import { loadConfig, type Config } from '../src/config';
import { type Db, openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';

/** What every command-line task starts from: the validated config and a migrated database. */
export async function openCliContext(): Promise<{ config: Config; db: Db }> {
  const config = loadConfig();
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db);
  return { config, db };
}

/** Runs a task, printing a readable error and exiting non-zero on failure. */
export function runTask(task: () => Promise<void>): void {
  task().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
