import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** The data version: the id of the newest audit event (`audit.repository`'s `latestAuditEventId`). */
export type DataVersion = (db: Kysely<Database>) => Promise<number | null>;

interface Slot<T> {
  version: number | null;
  value: Promise<T>;
}

/**
 * Values computed from the database (per inspection, per unit), kept until the data changes. The data
 * version is the id of the newest audit event: every write appends one in the transaction that
 * makes the change, so while that id stands still nothing committed has changed, whichever app
 * server wrote it. Checking costs one indexed lookup; a write anywhere invalidates everything.
 *
 * Correct as long as every write is audited in its own transaction (as every service does), and
 * `compute` reads everything it returns itself (after the version was read, so a value is never
 * older than the version it is filed under). Inside a transaction nothing is cached: its
 * uncommitted writes must not outlive it. Concurrent requests for the same version share one
 * computation. At most `capacity` values are kept per database, the least recently filled dropped first.
 */
export class VersionedCache<K, T> {
  private readonly byDatabase = new WeakMap<Kysely<Database>, Map<K, Slot<T>>>();

  constructor(
    private readonly capacity: number,
    private readonly versionOf: DataVersion,
  ) {}

  async get(db: Kysely<Database>, key: K, compute: () => Promise<T>): Promise<T> {
    if (db.isTransaction) return compute();
    const version = await this.versionOf(db);
    let slots = this.byDatabase.get(db);
    if (!slots) this.byDatabase.set(db, (slots = new Map()));
    const slot = slots.get(key);
    if (slot && slot.version === version) return slot.value;
    const value = compute();
    const filled = slots;
    filled.delete(key);
    filled.set(key, { version, value });
    if (filled.size > this.capacity) filled.delete(filled.keys().next().value as K);
    // A failed computation is not kept: the next request tries again.
    value.catch(() => {
      if (filled.get(key)?.value === value) filled.delete(key);
    });
    return value;
  }
}
