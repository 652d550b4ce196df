import { Migrator } from 'kysely';
import { migrations } from '../../migrations';
import type { Db } from './database';
import { migrationTableSchema } from './dialect';

/**
 * Applies every pending migration in one transaction (SQLite and PostgreSQL both roll back DDL),
 * so a failure leaves the database as it was; the first error stops the run and is thrown.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableSchema: await migrationTableSchema(db),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
