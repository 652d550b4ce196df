import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { ForbiddenError } from '../core/errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Security headers: a CSP with no inline script, no plugins, no framing, no <base> rewriting. */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}

/** Compares two tokens in constant time (for equal lengths), so timing does not reveal a prefix. */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The CSRF token a request carries: the X-CSRF-Token header, the `_csrf` form field, or — for a
 * multipart form, whose body is not parsed yet when this check runs — `?_csrf=` in the form's
 * action URL. The query form never reaches a log (the request logger drops query strings) or
 * another site (Referrer-Policy: no-referrer).
 */
export function submittedCsrfToken(req: Request): string | undefined {
  const header = req.get('x-csrf-token');
  if (header) return header;
  const body = req.body as Record<string, unknown> | undefined;
  if (typeof body?._csrf === 'string') return body._csrf;
  return typeof req.query._csrf === 'string' ? req.query._csrf : undefined;
}

/**
 * Refuses cross-site writes: a browser that says the request is cross-site, or an Origin header
 * naming another host, is turned away before anything else runs.
 */
export function refuseCrossSiteWrites(req: Request, _res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  if (req.get('sec-fetch-site') === 'cross-site') return next(new ForbiddenError('error.crossSite'));
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return next(new ForbiddenError('error.crossSite'));
    }
    if (host !== req.get('host')) return next(new ForbiddenError('error.crossSite'));
  }
  next();
}

/**
 * A write authenticated by the session cookie must carry that session's CSRF token. Signing in is
 * exempt: it does not act with the old session, it replaces it (and cross-site sign-ins are already
 * refused by the origin check).
 */
export function requireCsrfForCookieWrites(signInPath: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method) || !req.sessionViaCookie || !req.csrfToken) return next();
    if (req.method === 'POST' && req.path === signInPath) return next();
    const submitted = submittedCsrfToken(req);
    if (!submitted || !sameToken(submitted, req.csrfToken)) return next(new ForbiddenError('error.csrf'));
    next();
  };
}
