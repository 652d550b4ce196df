import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { runTask } from './cli-context';

runTask(async () => {
  const config = loadConfig();
  const db = openDatabase(config.databaseUrl);
  const applied = await migrateToLatest(db);
  process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n');
  await db.destroy();
});
