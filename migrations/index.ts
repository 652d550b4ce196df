import type { Migration } from 'kysely';
import * as m0001 from './0001_init';
import * as m0002 from './0002_app_secrets';

/** The explicit, ordered registry of migrations (no directory scanning: works from src and dist). */
export const migrations: Record<string, Migration> = {
  '0001_init': m0001,
  '0002_app_secrets': m0002,
};
