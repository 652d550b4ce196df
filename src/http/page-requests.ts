import type { NextFunction, Request, Response } from 'express';
import type { Actor } from '../core/actor';
import { UnauthenticatedError } from '../core/errors';

/*
 * Which requests are pages, who is signed in on a page, and where to come back to after signing
 * in: an anonymous visit to any page (known or not) is sent to the login page first.
 */

/** The request's path from the root, wherever the handler is mounted. */
export function fullPath(req: Request): string {
  return req.originalUrl.split('?')[0] ?? '/';
}

/** A request for a page rather than the API or a static file: HTML is acceptable, and it is not under /api/ or /static/. */
export function isPageRequest(req: Request): boolean {
  const path = fullPath(req);
  if (/^\/(api|static)(\/|$)/.test(path) || path === '/healthz') return false;
  return req.accepts('html') !== false;
}

/** Paths an anonymous visitor may open; everything else sends them to the login page. */
const PUBLIC_PAGES = new Set(['/login']);

/** Sends an anonymous visit to any page (known or not) to the login page. */
export function sendAnonymousToLogin(req: Request, _res: Response, next: NextFunction): void {
  if (req.actor || !isPageRequest(req) || PUBLIC_PAGES.has(fullPath(req))) return next();
  next(new UnauthenticatedError());
}

/** The signed-in user of a page request (an anonymous one is sent to the login page). */
export function pageActor(req: Request): Actor {
  if (!req.actor) throw new UnauthenticatedError();
  return req.actor;
}

/**
 * `value` when it is a path on this site (`/admin/units?lang=en`), else undefined: never another
 * host (`//evil`, `/\evil`, `https://…`), so "back to where you were" cannot become an open redirect.
 */
export function safeNextPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  if (!/^\/(?![/\\])/.test(value) || /[\u0000-\u001f\\]/.test(value)) return undefined;
  const base = 'http://hoso.invalid';
  const url = new URL(value, base);
  return url.origin === base ? url.pathname + url.search : undefined;
}

/** 303 to the login page; a GET remembers where it was going. */
export function redirectToLogin(req: Request, res: Response): void {
  const next = req.method === 'GET' ? safeNextPath(req.originalUrl) : undefined;
  res.redirect(303, next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login');
}
