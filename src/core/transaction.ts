import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Runs `fn` in a transaction: the caller's own when `db` already is one, else a new one. Kysely
 * cannot nest transactions, so services that write through this can also be composed into one
 * larger transaction (a batch import writes every row, or none).
 */
export function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
