import type { Kysely } from 'kysely';
import type { Database, NewUser, UserUpdate } from '../db/schema';

type Conn = Kysely<Database>;

function usersWithUnit(db: Conn) {
  return db
    .selectFrom('users')
    .leftJoin('units', 'units.id', 'users.unit_id')
    .select([
      'users.id', 'users.username', 'users.display_name', 'users.password_hash', 'users.role',
      'users.unit_id', 'users.active', 'users.lang', 'units.code as unit_code',
    ]);
}

export type UserWithUnit = NonNullable<Awaited<ReturnType<typeof findUserByUsername>>>;

export async function findUserByUsername(db: Conn, username: string) {
  return usersWithUnit(db).where('users.username', '=', username).executeTakeFirst();
}

export async function findUsersByUsernames(db: Conn, usernames: string[]) {
  if (usernames.length === 0) return [];
  return usersWithUnit(db).where('users.username', 'in', usernames).execute();
}

export async function listUsers(db: Conn) {
  return usersWithUnit(db).orderBy('users.username').execute();
}

export async function countUsers(db: Conn): Promise<number> {
  const { n } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(n);
}

export async function insertUser(db: Conn, row: NewUser): Promise<number> {
  const { id } = await db.insertInto('users').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateUser(db: Conn, id: number, patch: UserUpdate): Promise<void> {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
}
