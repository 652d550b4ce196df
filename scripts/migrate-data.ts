import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { checkData, formatCheckReport } from '../src/ops/check';
import { copyData } from '../src/ops/copy-data';
import { createBlobStore } from '../src/storage';
import { runTask } from './cli-context';
import { fileProgress, progressPrinter } from './progress';

const usage = `Copies a city's data from one database to another, e.g. from SQLite to PostgreSQL:

  npm run migrate-data -- --from sqlite:./data/hoso.db --to postgres://hoso@db.example/hoso [--files ./data/files]

The target is migrated, must be empty, and is written in one transaction that commits only when
every table's row count and the audit chain match the source. Then the copy is checked as
\`npm run check\` does against the file store (--files, default $HOSO_DATA_DIR/files): every file
the database names is there and every stored file still has its SHA-256.
Options: --batch <rows per statement> (default 500).
`;

runTask(async () => {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, files: { type: 'string' }, batch: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || !values.from || !values.to) {
    process.stdout.write(usage);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const batchSize = values.batch === undefined ? undefined : Number(values.batch);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) throw new Error('--batch must be a positive whole number');
  const filesDir = path.resolve(values.files ?? loadConfig().filesDir);

  const source = openDatabase(values.from, { mustExist: true });
  const target = openDatabase(values.to);
  try {
    const applied = await migrateToLatest(target);
    if (applied.length) process.stdout.write(`Target migrated: ${applied.join(', ')}\n`);

    const copying = progressPrinter('copy');
    const report = await copyData(source, target, { batchSize, onProgress: (done, total) => copying.update(done, total, 'rows') });
    copying.finish();
    for (const { table, rows } of report.tables) process.stdout.write(`  ${table.padEnd(20)} ${rows}\n`);
    process.stdout.write(`Copied ${report.tables.reduce((sum, t) => sum + t.rows, 0)} rows; row counts and the audit chain match the source.\n`);

    // The store the servers will share: its staging folder sits beside files/, as createBlobStore puts it.
    const store = createBlobStore({ dataDir: path.dirname(filesDir), filesDir });
    const checking = fileProgress('check');
    const check = await checkData(target, store, { onProgress: checking.onProgress }).finally(checking.finish);
    process.stdout.write(formatCheckReport(check));
    if (!check.ok) throw new Error(`The data is copied, but the check above found problems (file store: ${filesDir}).`);
  } finally {
    await Promise.all([source.destroy(), target.destroy()]);
  }
});
