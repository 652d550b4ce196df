import type { Kysely } from 'kysely';
import type { AuditEventRow, Database } from '../db/schema';

type Conn = Kysely<Database>;

export async function lastEventHash(db: Conn): Promise<string | undefined> {
  const row = await db.selectFrom('audit_events').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.hash;
}

export async function insertEvent(db: Conn, row: Omit<AuditEventRow, 'id'>): Promise<void> {
  await db.insertInto('audit_events').values(row).execute();
}

export async function eventsAfter(db: Conn, afterId: number, limit: number): Promise<AuditEventRow[]> {
  return db.selectFrom('audit_events').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

export async function listEvents(
  db: Conn,
  filter: { inspectionCode?: string; afterId?: number; limit: number },
): Promise<AuditEventRow[]> {
  let q = db.selectFrom('audit_events').selectAll().orderBy('id').limit(filter.limit);
  if (filter.inspectionCode !== undefined) q = q.where('inspection_code', '=', filter.inspectionCode);
  if (filter.afterId !== undefined) q = q.where('id', '>', filter.afterId);
  return q.execute();
}

/** The id of the newest audit event: the data version `VersionedCache` checks (one index lookup). */
export async function latestAuditEventId(db: Conn): Promise<number | null> {
  const row = await db.selectFrom('audit_events').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.id ?? null;
}
