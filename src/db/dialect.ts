import {
  CompiledQuery,
  type Expression,
  type Kysely,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresAdapter,
  type PrimitiveValueListNode,
  type QueryResult,
  type RawBuilder,
  type RootOperationNode,
  sql,
  type SqlBool,
  type UnknownRow,
  type ValueNode,
} from 'kysely';
import { ValidationError } from '../core/errors';
import type { Database } from './schema';

/**
 * Everything that differs between SQLite and PostgreSQL, in one place. The rest of the code writes
 * one Kysely query for both, which holds because of these choices, kept the same on both:
 * - times are ISO-8601 UTC strings in varchar columns, computed in JavaScript and compared as text
 *   (no timestamp types, no SQL date functions, so nothing differs in time zones or formats);
 * - flags are 0/1 integers, JSON is text written by `JSON.stringify` and read by `JSON.parse`, so
 *   the audit chain hashes the very bytes either database stores;
 * - upserts use Kysely's `onConflict`, which both compile to the same `ON CONFLICT … DO …`;
 * - bigint counts and sizes come back as numbers on both (see `database.ts`);
 * - on PostgreSQL write transactions run one at a time, as SQLite runs them (`WRITE_LOCK` below).
 * - text never holds U+0000, which PostgreSQL cannot store (`RefuseNulTextPlugin` below).
 * What cannot be written once lives here: the write lock, where Kysely keeps its migration
 * bookkeeping, identity counters after a bulk copy, and case- and accent-insensitive search.
 */

export type DialectName = 'sqlite' | 'postgres';

/**
 * The largest row id: `integer` columns are 32-bit on PostgreSQL (64-bit on SQLite), and a larger
 * number in a query fails it there. An id taken from a request is checked against this first.
 */
export const MAX_ROW_ID = 2_147_483_647;

/** Which database `db` (or a transaction of it) talks to. */
export function dialectOf(db: Kysely<Database>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Taken by every PostgreSQL transaction right after BEGIN (see `database.ts`), except one begun
 * read only, and held until it ends: write transactions run one at a time, across every app
 * server, as they do on SQLite. So the code written for SQLite keeps its meaning: the audit chain
 * reads its head and appends with no other writer in between (it never forks), a check-then-insert
 * cannot race into a duplicate, an entry's file count and status are settled by one writer at a
 * time, and since each transaction takes this lock before any row lock, two of them never deadlock
 * over rows. Reads are not held up. The key is an arbitrary constant ("hoso" in ASCII).
 */
export const WRITE_LOCK = CompiledQuery.raw('select pg_advisory_xact_lock(1752134511)');

function refuseNul(value: unknown): void {
  if (typeof value === 'string' && value.includes('\0')) {
    throw new ValidationError([{ field: '(text)', message: 'contains a NUL character (U+0000)' }]);
  }
}

class NulGuard extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    refuseNul(node.value);
    return node;
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    node.values.forEach(refuseNul);
    return node;
  }
}

/**
 * PostgreSQL refuses text holding U+0000 (the query fails) where SQLite stores it, so a NUL in a
 * URL or a form would be a 500 on one database and data on the other, and a city holding one could
 * not move to PostgreSQL. Installed on both (see `database.ts`): any query given such a text is
 * refused as invalid input (400) before it reaches the database.
 */
export class RefuseNulTextPlugin implements KyselyPlugin {
  private readonly guard = new NulGuard();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.guard.transformNode(args.node);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/**
 * The schema Kysely's Migrator should keep its bookkeeping tables in: on PostgreSQL the
 * connection's current schema, because without one the Migrator looks for its table in every
 * schema of the database and would take another schema's for its own. SQLite has no schemas.
 */
export async function migrationTableSchema(db: Kysely<Database>): Promise<string | undefined> {
  if (dialectOf(db) === 'sqlite') return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema;
}

/**
 * After rows were inserted with their ids given (a data copy), moves the table's identity counter
 * past the largest id so new rows do not collide. SQLite's AUTOINCREMENT keeps up by itself.
 */
export async function resetIdentity(db: Kysely<Database>, table: keyof Database): Promise<void> {
  if (dialectOf(db) === 'sqlite') return;
  await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(table)}), 0) + 1, false)`.execute(db);
}

/** The SQLite function `database.ts` registers to fold text for search (PostgreSQL uses `translate`). */
export const SQLITE_FOLD_FUNCTION = 'hoso_fold';

/**
 * Accented Latin letters (the Vietnamese ones among them) mapped to their bare lowercase letter,
 * and combining marks (text typed in decomposed form) to nothing. Built from Unicode's own
 * decompositions, so the JavaScript and SQL sides cannot drift apart.
 */
const FOLD = (() => {
  const letters = new Map<string, string>([['Đ', 'd'], ['đ', 'd']]);
  const marks: string[] = [];
  const ranges = [[0x00c0, 0x024f], [0x0300, 0x036f], [0x1e00, 0x1eff]] as const;
  for (const [from, to] of ranges) {
    for (let code = from; code <= to; code++) {
      const char = String.fromCodePoint(code);
      if (/\p{M}/u.test(char)) {
        marks.push(char);
        continue;
      }
      const bare = char.normalize('NFD').replace(/\p{M}/gu, '');
      if (bare !== char && /^[A-Za-z]$/.test(bare)) letters.set(char, bare.toLowerCase());
    }
  }
  // translate(text, from, to) deletes the characters of `from` that have no counterpart in `to`.
  return { letters, marks: new Set(marks), from: [...letters.keys()].join('') + marks.join(''), to: [...letters.values()].join('') };
})();

/** `text` as search compares it: without diacritics, lowercase ("Đảng uỷ phường Ỷ La" → "dang uy phuong y la"). */
export function foldForSearch(text: string): string {
  let folded = '';
  for (const char of text) folded += FOLD.marks.has(char) ? '' : (FOLD.letters.get(char) ?? char);
  return folded.toLowerCase();
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A condition: `column` contains `term`, ignoring case and diacritics, so "ỷ la", "Y LA" and
 * "Ỷ La" all find "Đảng uỷ phường Ỷ La". `%` and `_` in the term are matched literally.
 */
export function containsFolded(db: Kysely<Database>, column: Expression<string | null>, term: string): RawBuilder<SqlBool> {
  const pattern = `%${escapeLike(foldForSearch(term))}%`;
  const folded =
    dialectOf(db) === 'postgres'
      ? sql`lower(translate(${column}, ${FOLD.from}, ${FOLD.to}))`
      : sql`${sql.raw(SQLITE_FOLD_FUNCTION)}(${column})`;
  return sql<SqlBool>`${folded} like ${pattern} escape '\\'`;
}
