import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { recordEvent } from '../audit/audit.service';
import type { Actor } from '../core/actor';
import { TooManyRequestsError, UnauthenticatedError } from '../core/errors';
import { inTransaction } from '../core/transaction';
import { isLang, type Lang } from '../core/vocabulary';
import type { Database } from '../db/schema';
import { findUserByUsername } from '../users/users.repository';
import { presentUser, type UserView } from '../users/users.service';
import * as repo from './auth.repository';
import type { LoginInput } from './auth.schemas';
import { hashOfNobody, verifyPassword } from './password';

export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so reads do not each cost a write. */
const TOUCH_EVERY_MS = 60 * 1000;

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_USERNAME = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  user: UserView;
}

export interface RequestOrigin {
  ip: string;
  userAgent: string | null;
  now: Date;
  /** The session the caller already held, ended at login so a fixed session id cannot survive it. */
  previousToken?: string;
}

function refuseIfThrottled(failures: Awaited<ReturnType<typeof repo.recentFailures>>, now: Date): void {
  const over = [
    failures.byUser.n >= MAX_FAILURES_PER_USERNAME ? failures.byUser.oldest : null,
    failures.byIp.n >= MAX_FAILURES_PER_ADDRESS ? failures.byIp.oldest : null,
  ].filter((v): v is string => v !== null);
  if (over.length === 0) return;
  const freeAt = Math.max(...over.map((oldest) => Date.parse(oldest) + LOGIN_WINDOW_MS));
  const seconds = Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000));
  throw new TooManyRequestsError(seconds, 'auth.tooManyAttempts', { minutes: Math.ceil(seconds / 60) });
}

/**
 * Checks the password and opens a new session. Failures are counted per username and per address;
 * past the limit the answer is 429 whether or not the username exists, and an unknown username
 * costs the same argon2 work as a known one.
 */
export async function login(db: Kysely<Database>, input: LoginInput, origin: RequestOrigin): Promise<LoginResult> {
  const username = input.username;
  const nowIso = origin.now.toISOString();
  const since = new Date(origin.now.getTime() - LOGIN_WINDOW_MS).toISOString();
  refuseIfThrottled(await repo.recentFailures(db, username.toLowerCase(), origin.ip, since), origin.now);

  const user = await findUserByUsername(db, username);
  const ok = await verifyPassword(user?.password_hash ?? (await hashOfNobody()), input.password);
  if (!user || !ok || user.active !== 1) {
    await repo.insertLoginFailure(db, username.toLowerCase(), origin.ip, nowIso);
    throw new UnauthenticatedError('auth.invalidCredentials');
  }

  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const actor: Actor = { id: user.id, username: user.username, displayName: user.display_name, role: user.role, unitId: user.unit_id };
  await inTransaction(db, async (trx) => {
    if (origin.previousToken) await repo.deleteSession(trx, tokenId(origin.previousToken));
    await repo.clearLoginFailures(trx, username.toLowerCase());
    await repo.pruneLoginFailures(trx, since);
    await repo.insertSession(trx, {
      id: tokenId(token), user_id: user.id, csrf_token: csrfToken, created_at: nowIso, last_seen_at: nowIso,
      ip: origin.ip, user_agent: origin.userAgent?.slice(0, 500) ?? null,
    });
    await recordEvent(trx, actor, { action: 'session.create', objectType: 'user', objectId: user.username, details: { ip: origin.ip } });
  });
  return { token, csrfToken, user: presentUser(user) };
}

export interface ResolvedSession {
  actor: Actor;
  sessionId: string;
  csrfToken: string;
  lang: Lang | null;
}

/**
 * The session behind `token`, or null when there is none, it has been idle 30 minutes, it is
 * 12 hours old, or its user was deactivated; a dead session is deleted on sight.
 */
export async function resolveSession(db: Kysely<Database>, token: string, now: Date): Promise<ResolvedSession | null> {
  const id = tokenId(token);
  const row = await repo.findSessionWithUser(db, id);
  if (!row) return null;
  const t = now.getTime();
  const lastSeen = Date.parse(row.last_seen_at);
  if (row.active !== 1 || t - lastSeen > SESSION_IDLE_MS || t - Date.parse(row.created_at) > SESSION_ABSOLUTE_MS) {
    await repo.deleteSession(db, id);
    return null;
  }
  if (t - lastSeen > TOUCH_EVERY_MS) await repo.touchSession(db, id, now.toISOString());
  return {
    actor: { id: row.user_id, username: row.username, displayName: row.display_name, role: row.role, unitId: row.unit_id },
    sessionId: id,
    csrfToken: row.csrf_token,
    lang: isLang(row.lang) ? row.lang : null,
  };
}

/** Ends the session; its token is refused from then on. */
export async function logout(db: Kysely<Database>, actor: Actor, sessionId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await repo.deleteSession(trx, sessionId);
    await recordEvent(trx, actor, { action: 'session.delete', objectType: 'user', objectId: actor.username });
  });
}
