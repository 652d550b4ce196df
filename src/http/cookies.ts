import type { CookieOptions, Request } from 'express';

/*
 * The short-lived cookies pages set (the login form's CSRF token, flash messages) are signed by
 * cookie-parser with the key `createApp` gives it: shared by every server through the database
 * (auth/app-secrets.ts), so a login page served by one server can be posted to another.
 */

/** Behind TLS, cookies take the __Host- prefix (Secure, Path=/, no Domain) like the session cookie. */
export function pageCookieName(req: Request, base: string): string {
  return req.secure ? `__Host-${base}` : base;
}

/** HttpOnly, site-wide, Secure behind TLS. */
export function pageCookieOptions(req: Request, sameSite: 'lax' | 'strict'): CookieOptions {
  return { httpOnly: true, sameSite, secure: req.secure, path: '/' };
}

/** The value of a cookie whose signature holds; undefined when absent or tampered with. */
export function signedCookie(req: Request, name: string): string | undefined {
  const value = (req.signedCookies as Record<string, string | false | undefined>)[name];
  return typeof value === 'string' ? value : undefined;
}
