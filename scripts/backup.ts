import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { backupData } from '../src/ops/backup';
import { formatBytes } from '../src/ops/format';
import { runTask } from './cli-context';
import { fileProgress } from './progress';

const usage = `Backs up the database and the file store of $HOSO_DATA_DIR (default ./data) into DIR,
a new or empty folder, while the server keeps running:

  npm run backup -- DIR [--link]

The database is snapshotted first, then every file it names is copied and checked against its
SHA-256; DIR/backup.json is written last. --link hard-links the files instead of copying them
(same filesystem only; a copy is safer, since a link shares the disk blocks of the live file).
For a PostgreSQL DATABASE_URL use pg_dump instead (see docs/operations.md).
`;

runTask(async () => {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { link: { type: 'boolean' }, help: { type: 'boolean' } } });
  const [dir] = positionals;
  if (values.help || !dir || positionals.length > 1) {
    process.stdout.write(usage);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const target = path.resolve(dir);
  const progress = fileProgress('backup');
  const manifest = await backupData(loadConfig(), target, { link: values.link, onProgress: progress.onProgress }).finally(progress.finish);
  process.stdout.write(
    `Backup written to ${target}\n` +
      `  database: ${manifest.database.file} (${formatBytes(manifest.database.bytes)}), ${manifest.audit.events} audit events${manifest.audit.verified ? '' : ' (the audit chain does NOT verify: run npm run check)'}\n` +
      `  files:    ${manifest.blobs.count} (${formatBytes(manifest.blobs.bytes)}), each checked against its SHA-256${manifest.blobs.hardLinked ? ', hard-linked' : ''}\n` +
      `Restore with: HOSO_DATA_DIR=<empty folder> npm run restore -- ${target}\n`,
  );
});
