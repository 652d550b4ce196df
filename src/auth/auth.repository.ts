import type { Kysely } from 'kysely';
import type { Database, SessionsTable } from '../db/schema';

type Conn = Kysely<Database>;

export async function insertSession(db: Conn, row: SessionsTable): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function findSessionWithUser(db: Conn, id: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id', 'sessions.csrf_token', 'sessions.created_at', 'sessions.last_seen_at',
      'users.id as user_id', 'users.username', 'users.display_name', 'users.role', 'users.unit_id',
      'users.active', 'users.lang',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
}

export async function touchSession(db: Conn, id: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
}

export async function deleteSession(db: Conn, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function deleteSessionsOfUser(db: Conn, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export async function insertLoginFailure(db: Conn, username: string, ip: string, at: string): Promise<void> {
  await db.insertInto('login_attempts').values({ username, ip, at }).execute();
}

/** Failures since `since` for the username and for the address, with the oldest of each. */
export async function recentFailures(db: Conn, username: string, ip: string, since: string) {
  const count = (column: 'username' | 'ip', value: string) =>
    db
      .selectFrom('login_attempts')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
      .where(column, '=', value)
      .where('at', '>=', since)
      .executeTakeFirstOrThrow();
  const [byUser, byIp] = await Promise.all([count('username', username), count('ip', ip)]);
  return { byUser: { n: Number(byUser.n), oldest: byUser.oldest }, byIp: { n: Number(byIp.n), oldest: byIp.oldest } };
}

export async function clearLoginFailures(db: Conn, username: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('username', '=', username).execute();
}

export async function pruneLoginFailures(db: Conn, before: string): Promise<void> {
  await db.deleteFrom('login_attempts').where('at', '<', before).execute();
}
