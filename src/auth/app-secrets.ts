import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { nowIso } from '../core/clock';
import type { Database } from '../db/schema';

/**
 * The named secret every app server shares, created on first use. Two servers starting at once
 * both try to insert; the loser's insert does nothing and both read the winner's value.
 */
export async function sharedSecret(db: Kysely<Database>, name: string): Promise<Buffer> {
  await db
    .insertInto('app_secrets')
    .values({ name, value: randomBytes(32).toString('base64url'), created_at: nowIso() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('app_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64url');
}

export const PAGE_COOKIE_KEY = 'page-cookie-signing';
