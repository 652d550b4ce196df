import type { NextFunction, Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { resolveSession, SESSION_ABSOLUTE_MS } from './auth.service';

export const SESSION_COOKIE = 'hoso_session';
/** Behind TLS the cookie takes the __Host- prefix: Secure, Path=/, no Domain, so no subdomain can plant it. */
export const SECURE_SESSION_COOKIE = '__Host-hoso_session';

export function sessionCookieName(req: Request): string {
  return req.secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

export function sessionCookieOptions(req: Request) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: '/' };
}

/** Hands the browser its session cookie after a sign-in (the API and the login page alike). */
export function setSessionCookie(req: Request, res: Response, token: string): void {
  res.cookie(sessionCookieName(req), token, { ...sessionCookieOptions(req), maxAge: SESSION_ABSOLUTE_MS });
}

/** Removes the session cookie under either name, whichever the browser holds. */
export function clearSessionCookies(req: Request, res: Response): void {
  for (const name of [SESSION_COOKIE, SECURE_SESSION_COOKIE]) res.clearCookie(name, sessionCookieOptions(req));
}

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

export function cookieToken(req: Request): string | undefined {
  const cookies = req.cookies as Record<string, string | undefined>;
  return cookies[SECURE_SESSION_COOKIE] ?? cookies[SESSION_COOKIE];
}

/**
 * Sets `req.actor` from a Bearer token or the session cookie (a Bearer token wins). Requests
 * without a valid session go on anonymously; routes decide whether that is enough.
 */
export function authenticate(db: Kysely<Database>) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const bearer = bearerToken(req);
    const token = bearer ?? cookieToken(req);
    if (!token) return next();
    const session = await resolveSession(db, token, new Date());
    if (session) {
      req.actor = session.actor;
      req.sessionId = session.sessionId;
      req.csrfToken = session.csrfToken;
      req.sessionViaCookie = bearer === undefined;
      if (session.lang && typeof req.query.lang !== 'string') req.lang = session.lang;
    }
    next();
  };
}
