import { type Kysely, sql } from 'kysely';
import { migrations } from '../../migrations';
import { type ChainReport, verifyChain } from '../audit/audit.service';
import type { Db } from '../db/database';
import { resetIdentity } from '../db/dialect';
import type { Database } from '../db/schema';

/**
 * Every table, parents before children, with the columns that order its rows. `identity`: its
 * `id` comes from an identity counter, reset after the copy. `parent`: a column pointing into the
 * same table (units nest), so its rows are put in tree order rather than id order.
 */
export const COPY_ORDER: readonly { table: keyof Database; key: readonly string[]; identity?: true; parent?: string }[] = [
  { table: 'units', key: ['id'], identity: true, parent: 'parent_id' },
  { table: 'users', key: ['id'], identity: true },
  { table: 'sessions', key: ['id'] },
  { table: 'login_attempts', key: ['id'], identity: true },
  { table: 'templates', key: ['id'], identity: true },
  { table: 'template_items', key: ['id'], identity: true },
  { table: 'inspections', key: ['id'], identity: true },
  { table: 'inspection_items', key: ['id'], identity: true },
  { table: 'inspection_units', key: ['inspection_id', 'unit_id'] },
  { table: 'inspection_members', key: ['inspection_id', 'user_id'] },
  { table: 'entries', key: ['id'], identity: true },
  { table: 'blobs', key: ['sha256'] },
  { table: 'files', key: ['id'], identity: true },
  { table: 'reviews', key: ['id'], identity: true },
  { table: 'findings', key: ['inspection_id', 'unit_id'] },
  { table: 'audit_events', key: ['id'], identity: true },
  { table: 'app_secrets', key: ['name'] },
];

type Row = Record<string, unknown>;
/** The copy moves every table the same way, by name, so it sees rows as plain records. */
type AnyTables = Record<string, Row>;

function untyped(db: Db): Kysely<AnyTables> {
  return db as unknown as Kysely<AnyTables>;
}

export class CopyError extends Error {}

export interface CopyOptions {
  /** Rows read and written per statement (default 500: far below either database's parameter limit). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CopyReport {
  tables: { table: string; rows: number }[];
  /** The copied audit chain, recomputed: the same as the source's. */
  chain: ChainReport;
}

async function countRows(db: Db, table: string): Promise<number> {
  const { n } = await untyped(db).selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(n);
}

export async function appliedMigrations(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}

/** Rows in key order, `batchSize` at a time: keyset paging, so each batch costs the same. */
async function* readBatches(db: Db, table: string, key: readonly string[], batchSize: number): AsyncGenerator<Row[]> {
  let after: unknown[] | undefined;
  for (;;) {
    let query = untyped(db).selectFrom(table).selectAll().limit(batchSize);
    for (const column of key) query = query.orderBy(sql.ref(column));
    if (after) {
      const last = after;
      query = query.where(sql<boolean>`(${sql.join(key.map((k) => sql.ref(k)))}) > (${sql.join(last)})`);
    }
    const rows = await query.execute();
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    const final = rows[rows.length - 1] as Row;
    after = key.map((k) => final[k]);
  }
}

/** Units nest: every parent goes in before its children, whatever their ids. */
function treeOrder(rows: Row[], parentColumn: string): Row[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ordered: Row[] = [];
  const placed = new Set<unknown>();
  const place = (row: Row, path: Set<unknown>) => {
    if (placed.has(row.id)) return;
    if (path.has(row.id)) throw new CopyError(`the units form a cycle at id ${String(row.id)}`);
    path.add(row.id);
    const parent = byId.get(row[parentColumn]);
    if (parent) place(parent, path);
    placed.add(row.id);
    ordered.push(row);
  };
  for (const row of rows) place(row, new Set());
  return ordered;
}

/**
 * Copies every table of `source` into `target`, which must be migrated to the same version and
 * empty. The source is read in one consistent snapshot (a running city may keep writing; what it
 * writes after the snapshot is not copied). The target is written in one transaction that only
 * commits when every table holds as many rows as in the snapshot and the copied audit chain
 * recomputes exactly as the source's: events keep their ids, times and hashes. Identity counters
 * then continue after the largest copied id.
 */
export async function copyData(source: Db, target: Db, options: CopyOptions = {}): Promise<CopyReport> {
  const batchSize = options.batchSize ?? 500;
  const [from, to] = await Promise.all([appliedMigrations(source), appliedMigrations(target)]);
  const known = Object.keys(migrations).sort();
  if (from.join() !== known.join() || to.join() !== known.join()) {
    throw new CopyError(`both databases must be at the latest migration (${known.join(', ')}); source has [${from.join(', ')}], target [${to.join(', ')}]`);
  }
  for (const { table } of COPY_ORDER) {
    if ((await countRows(target, table)) > 0) throw new CopyError(`the target is not empty: table ${table} has rows`);
  }

  return source
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (snapshot) => {
      const counts = new Map<string, number>();
      for (const { table } of COPY_ORDER) counts.set(table, await countRows(snapshot, table));
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const sourceChain = await verifyChain(snapshot);

      return target.transaction().execute(async (trx) => {
        let done = 0;
        for (const { table, key, parent } of COPY_ORDER) {
          const insert = async (rows: Row[]) => {
            for (let i = 0; i < rows.length; i += batchSize) await untyped(trx).insertInto(table).values(rows.slice(i, i + batchSize)).execute();
            done += rows.length;
            options.onProgress?.(done, total);
          };
          if (parent) {
            const rows: Row[] = [];
            for await (const batch of readBatches(snapshot, table, key, batchSize)) rows.push(...batch);
            await insert(treeOrder(rows, parent));
          } else {
            for await (const batch of readBatches(snapshot, table, key, batchSize)) await insert(batch);
          }
        }

        const tables: CopyReport['tables'] = [];
        for (const { table, identity } of COPY_ORDER) {
          const rows = await countRows(trx, table);
          if (rows !== counts.get(table)) throw new CopyError(`table ${table}: ${counts.get(table)} rows in the source, ${rows} copied`);
          if (identity) await resetIdentity(trx, table);
          tables.push({ table, rows });
        }
        const chain = await verifyChain(trx);
        if (JSON.stringify(chain) !== JSON.stringify(sourceChain)) {
          throw new CopyError(`the copied audit chain does not verify as the source's: ${JSON.stringify(sourceChain)} → ${JSON.stringify(chain)}`);
        }
        return { tables, chain };
      });
    });
}
