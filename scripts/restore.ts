import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { formatBytes } from '../src/ops/format';
import { restoreData } from '../src/ops/restore';
import { runTask } from './cli-context';
import { fileProgress } from './progress';

const usage = `Restores a backup made by npm run backup into $HOSO_DATA_DIR (default ./data), which must
be empty or not exist:

  HOSO_DATA_DIR=/srv/hoso/data npm run restore -- DIR

The backup's database is checked (SHA-256, integrity, audit chain) and every file against its
SHA-256 before the database is put in place. Then start the server on that data directory.
`;

runTask(async () => {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean' } } });
  const [dir] = positionals;
  if (values.help || !dir || positionals.length > 1) {
    process.stdout.write(usage);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const progress = fileProgress('restore');
  const manifest = await restoreData(path.resolve(dir), config, { onProgress: progress.onProgress }).finally(progress.finish);
  process.stdout.write(
    `Restored the backup of ${manifest.createdAt} (Hồ sơ ${manifest.appVersion}) into ${config.dataDir}\n` +
      `  database: ${manifest.audit.events} audit events, chain as recorded\n` +
      `  files:    ${manifest.blobs.count} (${formatBytes(manifest.blobs.bytes)}), each checked against its SHA-256\n` +
      'Start the server on it with: npm start\n',
  );
});
