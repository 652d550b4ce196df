import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { checkData, formatCheckReport } from '../src/ops/check';
import { openExistingDatabase } from '../src/ops/sqlite';
import { createBlobStore } from '../src/storage';
import { runTask } from './cli-context';
import { fileProgress } from './progress';

const usage = `Checks the integrity of $HOSO_DATA_DIR (default ./data) and of DATABASE_URL; safe while the server runs:

  npm run check

Reads every stored file and compares it with its SHA-256, lists files the database names that
are missing or damaged (with the dossiers that hold them) and stored files no row names,
recomputes the audit log's hash chain, and on SQLite runs PRAGMA integrity_check.
Exit code: 0 when all is well, 1 when a problem was found (the report says which).
`;

runTask(async () => {
  const { values } = parseArgs({ options: { help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const config = loadConfig();
  const db = openExistingDatabase(config.databaseUrl);
  const progress = fileProgress('check');
  try {
    const report = await checkData(db, createBlobStore(config), { onProgress: progress.onProgress }).finally(progress.finish);
    process.stdout.write(formatCheckReport(report));
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await db.destroy();
  }
});
