import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import type { BlobStore } from '../storage';

/** What every route and page factory is built from: one typed object instead of positional arguments. */
export interface AppContext {
  config: Config;
  db: Kysely<Database>;
  store: BlobStore;
  logger: Logger;
}
