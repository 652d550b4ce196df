import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor } from '../core/actor';
import { nowIso } from '../core/clock';
import { inTransaction } from '../core/transaction';
import type { AuditEventRow, Database } from '../db/schema';
import { eventsAfter, insertEvent, lastEventHash, listEvents } from './audit.repository';

const GENESIS = '0'.repeat(64);

export interface AuditInput {
  action: string;
  objectType: string;
  objectId: string;
  inspectionCode?: string | null;
  details?: Record<string, unknown>;
}

function eventHash(e: Omit<AuditEventRow, 'id' | 'hash'>): string {
  const canonical = JSON.stringify([
    e.prev_hash, e.at, e.actor_id, e.actor_username, e.action, e.object_type, e.object_id, e.inspection_code, e.details,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Appends one event chained to the previous one. Call it with the transaction that makes the
 * change, so the change and its record commit together or not at all. Reading the head and
 * appending always happen in a transaction, and on PostgreSQL every transaction holds the write
 * lock (`WRITE_LOCK` in db/dialect.ts), so no other writer, in this app server or another, can
 * chain an event to the same head: the chain never forks.
 */
export async function recordEvent(db: Kysely<Database>, actor: Actor | null, input: AuditInput): Promise<void> {
  await inTransaction(db, async (trx) => {
    const base = {
      at: nowIso(),
      actor_id: actor?.id ?? null,
      actor_username: actor?.username ?? null,
      action: input.action,
      object_type: input.objectType,
      object_id: input.objectId,
      inspection_code: input.inspectionCode ?? null,
      details: JSON.stringify(input.details ?? {}),
      prev_hash: (await lastEventHash(trx)) ?? GENESIS,
    };
    await insertEvent(trx, { ...base, hash: eventHash(base) });
  });
}

export interface ChainReport {
  ok: boolean;
  events: number;
  head: string | null;
  firstBroken?: { id: number; reason: 'hash_mismatch' | 'prev_mismatch' };
}

/** Recomputes the whole chain in order and reports the first event whose link does not hold. */
export async function verifyChain(db: Kysely<Database>): Promise<ChainReport> {
  let expectedPrev = GENESIS;
  let events = 0;
  let afterId = 0;
  for (;;) {
    const batch = await eventsAfter(db, afterId, 1000);
    if (batch.length === 0) break;
    for (const e of batch) {
      if (e.prev_hash !== expectedPrev) return { ok: false, events, head: expectedPrev, firstBroken: { id: e.id, reason: 'prev_mismatch' } };
      if (eventHash(e) !== e.hash) return { ok: false, events, head: expectedPrev, firstBroken: { id: e.id, reason: 'hash_mismatch' } };
      expectedPrev = e.hash;
      events += 1;
      afterId = e.id;
    }
  }
  return { ok: true, events, head: events ? expectedPrev : null };
}

export function presentEvent(e: AuditEventRow) {
  return {
    id: e.id,
    at: e.at,
    actor: e.actor_username,
    action: e.action,
    objectType: e.object_type,
    objectId: e.object_id,
    inspection: e.inspection_code,
    details: JSON.parse(e.details) as unknown,
    hash: e.hash,
  };
}

export async function listAuditEvents(db: Kysely<Database>, filter: { inspectionCode?: string; afterId?: number; limit: number }) {
  return (await listEvents(db, filter)).map(presentEvent);
}
