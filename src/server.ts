import { createApp } from './app';
import { PAGE_COOKIE_KEY, sharedSecret } from './auth/app-secrets';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { migrateToLatest } from './db/migrate';
import { createLogger } from './http/logger';
import { createBlobStore } from './storage';
import { ensureAdmin } from './users/users.service';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = openDatabase(config.databaseUrl);
  const applied = await migrateToLatest(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const admin = await ensureAdmin(db, config.adminPassword);
  if (admin.generatedPassword) {
    // Printed once, to the console only (not the structured log), so it is not kept anywhere.
    process.stdout.write(`\nCreated user "admin" with password: ${admin.generatedPassword}\nChange it after signing in.\n\n`);
  } else if (admin.created) {
    logger.info('created user "admin" with the password from HOSO_ADMIN_PASSWORD');
  }

  const store = createBlobStore(config);
  const leftovers = await store.cleanStaging();
  if (leftovers) logger.warn({ leftovers }, 'removed unfinished uploads left by an earlier stop');

  const app = createApp({ config, db, logger, store, pageCookieKey: await sharedSecret(db, PAGE_COOKIE_KEY) });
  const server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ port, dataDir: config.dataDir }, `Hồ sơ listening on http://${config.host}:${port}`);
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      void db.destroy().then(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Hồ sơ failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
