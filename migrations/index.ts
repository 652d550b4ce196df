import type { Migration } from 'kysely';
import * as m0001 from './0001_init';
import * as m0002 from './0002_app_secrets';
import * as m0003 from './0003_read_indexes';

/** The explicit, ordered registry of migrations (no directory scanning: works from src and dist). */
export const migrations: Record<string, Migration> = {
  '0001_init': m0001,
  '0002_app_secrets': m0002,
  '0003_read_indexes': m0003,
};
