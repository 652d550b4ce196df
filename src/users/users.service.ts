import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { recordEvent } from '../audit/audit.service';
import { deleteSessionsOfUser } from '../auth/auth.repository';
import type { UserSchema } from '../auth/auth.schemas';
import { hashPassword } from '../auth/password';
import { authorize, DIRECTORY } from '../auth/policy';
import type { Actor } from '../core/actor';
import { nowIso } from '../core/clock';
import { ConflictError, NotFoundError, ReferenceNotFoundError, ValidationError } from '../core/errors';
import { inTransaction } from '../core/transaction';
import { isLang, isUnitRole } from '../core/vocabulary';
import type { Database, UserUpdate } from '../db/schema';
import { findUnitByCode } from '../units/units.repository';
import * as repo from './users.repository';
import type { CreateUserInput, UpdateUserInput } from './users.schemas';

export type UserView = z.infer<typeof UserSchema>;

export function presentUser(u: repo.UserWithUnit): UserView {
  return {
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    unitCode: u.unit_code ?? null,
    active: u.active === 1,
    lang: isLang(u.lang) ? u.lang : null,
  };
}

async function mustFindUser(db: Kysely<Database>, username: string): Promise<repo.UserWithUnit> {
  const user = await repo.findUserByUsername(db, username);
  if (!user) throw new NotFoundError('user.notFound', { username });
  return user;
}

/** Who may create which account: an admin; a secretary names a unit, nobody else does. */
function refuseInvalidNewUser(actor: Actor, input: CreateUserInput): void {
  authorize(actor, 'manage', DIRECTORY);
  if (isUnitRole(input.role) && !input.unitCode) {
    throw new ValidationError([{ field: 'unitCode', message: 'required for a secretary' }], 'user.secretaryNeedsUnit');
  }
  if (!isUnitRole(input.role) && input.unitCode) {
    throw new ValidationError([{ field: 'unitCode', message: 'only for a secretary' }], 'user.onlySecretaryHasUnit');
  }
}

/** Creates an account; a secretary must name their unit, nobody else may. Secrets never leave. */
export async function createUser(db: Kysely<Database>, actor: Actor, input: CreateUserInput): Promise<UserView> {
  refuseInvalidNewUser(actor, input);
  return createUserWithHash(db, actor, input, await hashPassword(input.password));
}

/**
 * `createUser` for a caller that hashed `input.password` already, joining `db`'s transaction when it
 * is one: a batch hashes every password first, so its one transaction does not hold the database
 * through seconds of argon2.
 */
export async function createUserWithHash(db: Kysely<Database>, actor: Actor, input: CreateUserInput, passwordHash: string): Promise<UserView> {
  refuseInvalidNewUser(actor, input);
  return inTransaction(db, async (trx) => {
    if (await repo.findUserByUsername(trx, input.username)) throw new ConflictError('user.exists', { username: input.username });
    let unitId: number | null = null;
    if (input.unitCode) {
      const unit = await findUnitByCode(trx, input.unitCode);
      if (!unit) throw new ReferenceNotFoundError('unitCode', 'unit.notFound', { code: input.unitCode });
      unitId = unit.id;
    }
    const now = nowIso();
    await repo.insertUser(trx, {
      username: input.username, display_name: input.displayName, password_hash: passwordHash, role: input.role,
      unit_id: unitId, active: 1, lang: null, created_at: now, updated_at: now,
    });
    await recordEvent(trx, actor, {
      action: 'user.create', objectType: 'user', objectId: input.username,
      details: { role: input.role, unitCode: input.unitCode ?? null, displayName: input.displayName },
    });
    return presentUser(await mustFindUser(trx, input.username));
  });
}

/**
 * Changes an account: display name, password reset, (de)activation. Deactivating or resetting the
 * password ends every session of that user at once.
 */
export async function updateUser(db: Kysely<Database>, actor: Actor, username: string, input: UpdateUserInput): Promise<UserView> {
  authorize(actor, 'manage', DIRECTORY);
  if (input.active === false && username === actor.username) {
    throw new ValidationError([{ field: 'active', message: 'self' }], 'user.cannotDeactivateSelf');
  }
  const passwordHash = input.password ? await hashPassword(input.password) : undefined;
  return inTransaction(db, async (trx) => {
    const user = await mustFindUser(trx, username);
    const patch: UserUpdate = { updated_at: nowIso() };
    if (input.displayName !== undefined) patch.display_name = input.displayName;
    if (input.active !== undefined) patch.active = input.active ? 1 : 0;
    if (input.lang !== undefined) patch.lang = input.lang;
    if (passwordHash) patch.password_hash = passwordHash;
    await repo.updateUser(trx, user.id, patch);
    if (passwordHash || input.active === false) await deleteSessionsOfUser(trx, user.id);
    await recordEvent(trx, actor, {
      action: 'user.update', objectType: 'user', objectId: username,
      details: { displayName: input.displayName, active: input.active, lang: input.lang, passwordReset: Boolean(passwordHash) },
    });
    return presentUser(await mustFindUser(trx, username));
  });
}

/** Remembers the language a signed-in user picked (§5: `?lang=` is remembered). */
export async function setOwnLanguage(db: Kysely<Database>, actor: Actor, lang: 'vi' | 'en'): Promise<void> {
  await repo.updateUser(db, actor.id, { lang, updated_at: nowIso() });
}

export async function listUsers(db: Kysely<Database>, actor: Actor): Promise<UserView[]> {
  authorize(actor, 'read', DIRECTORY);
  return (await repo.listUsers(db)).map(presentUser);
}

export async function getUser(db: Kysely<Database>, actor: Actor, username: string): Promise<UserView> {
  if (actor.username !== username) authorize(actor, 'read', DIRECTORY);
  return presentUser(await mustFindUser(db, username));
}

/**
 * On an empty database, creates the `admin` account. Returns the password when it was generated
 * (so the caller prints it once), `null` when it came from the configuration or nothing was done.
 */
export async function ensureAdmin(db: Kysely<Database>, configured: string | undefined): Promise<{ created: boolean; generatedPassword: string | null }> {
  if ((await repo.countUsers(db)) > 0) return { created: false, generatedPassword: null };
  const password = configured ?? randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  // Counted again inside the transaction: two servers starting together on an empty database
  // must create one admin between them, and the second must start normally.
  const created = await inTransaction(db, async (trx) => {
    if ((await repo.countUsers(trx)) > 0) return false;
    const now = nowIso();
    await repo.insertUser(trx, {
      username: 'admin', display_name: 'Quản trị hệ thống', password_hash: passwordHash, role: 'admin',
      unit_id: null, active: 1, lang: null, created_at: now, updated_at: now,
    });
    await recordEvent(trx, null, { action: 'user.create', objectType: 'user', objectId: 'admin', details: { role: 'admin', bootstrap: true } });
    return true;
  });
  return { created, generatedPassword: created && !configured ? password : null };
}
