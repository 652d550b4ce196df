import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { copyData, verifyBlobs } from '../src/db/copy-data';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { LocalBlobStore } from '../src/storage';
import { runTask } from './cli-context';
import { progressPrinter } from './progress';

const usage = `Copies a city's data from one database to another, e.g. from SQLite to PostgreSQL:

  npm run migrate-data -- --from sqlite:./data/hoso.db --to postgres://hoso@db.example/hoso [--files ./data/files]

The target is migrated, must be empty, and is written in one transaction that commits only when
every table's row count and the audit chain match the source. Then every file the database names
is checked in the file store (--files, default $HOSO_DATA_DIR/files): present, and its SHA-256 right.
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
    process.stdout.write(
      `Copied ${report.tables.reduce((sum, t) => sum + t.rows, 0)} rows; row counts match the source.\n` +
        `Audit chain: ${report.chain.events} events, ${report.chain.ok ? `verifies (head ${report.chain.head ?? '-'})` : `broken at event ${report.chain.firstBroken?.id}, as in the source`}.\n`,
    );

    const checking = progressPrinter('files');
    const store = new LocalBlobStore(filesDir, path.join(path.dirname(filesDir), 'tmp'));
    const blobs = await verifyBlobs(target, store, (done, total) => checking.update(done, total, 'files'));
    checking.finish();
    if (blobs.missing.length || blobs.corrupt.length) {
      const list = (label: string, hashes: string[]) => (hashes.length ? `  ${label} (${hashes.length}): ${hashes.slice(0, 20).join(', ')}${hashes.length > 20 ? ', …' : ''}\n` : '');
      throw new Error(
        `The data is copied, but the file store ${filesDir} does not hold every file it names:\n` +
          list('missing', blobs.missing) + list('content changed', blobs.corrupt),
      );
    }
    process.stdout.write(`Files: all ${blobs.checked} present in ${filesDir} with the right SHA-256.\n`);
  } finally {
    await Promise.all([source.destroy(), target.destroy()]);
  }
});
