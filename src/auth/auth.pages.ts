import { randomBytes } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import { TooManyRequestsError, UnauthenticatedError } from '../core/errors';
import type { AppContext } from '../http/app-context';
import { pageCookieName, pageCookieOptions, signedCookie } from '../http/cookies';
import { redirectWithFlash } from '../http/flash';
import { type FormFailure, formFields, parseForm } from '../http/forms';
import { pageActor, safeNextPath } from '../http/page-requests';
import { render } from '../http/render';
import { sameToken } from '../http/security';
import { t } from '../i18n/messages';
import { clearSessionCookies, cookieToken, setSessionCookie } from './auth.middleware';
import { LoginSchema } from './auth.schemas';
import { login, logout } from './auth.service';

/*
 * Before a session exists there is no session CSRF token, so the login form uses a signed double
 * submit: a random value in a signed HttpOnly SameSite=Strict cookie and the same value in a
 * hidden field. A cross-site page can neither read the cookie nor make one that verifies.
 */
const LOGIN_CSRF_COOKIE = 'hoso_login_csrf';
const LOGIN_CSRF_MAX_AGE_MS = 12 * 60 * 60 * 1000;

/** The token for the login form's `_csrf` field; sets its cookie unless the browser holds a valid one. */
function issueLoginCsrf(req: Request, res: Response): string {
  const name = pageCookieName(req, LOGIN_CSRF_COOKIE);
  // Reusing a valid token keeps a second login tab from invalidating the first one's form.
  const held = signedCookie(req, name);
  if (held) return held;
  const token = randomBytes(24).toString('base64url');
  res.cookie(name, token, { ...pageCookieOptions(req, 'strict'), signed: true, maxAge: LOGIN_CSRF_MAX_AGE_MS });
  return token;
}

/** True when the form's `_csrf` equals the value of the signed cookie (compared in constant time). */
function verifyLoginCsrf(req: Request): boolean {
  const held = signedCookie(req, pageCookieName(req, LOGIN_CSRF_COOKIE));
  const submitted = formFields(req)._csrf;
  return Boolean(held && submitted && sameToken(held, submitted));
}

function clearLoginCsrf(req: Request, res: Response): void {
  res.clearCookie(pageCookieName(req, LOGIN_CSRF_COOKIE), pageCookieOptions(req, 'strict'));
}

interface LoginPage {
  next?: string;
  username?: string;
  failure?: Omit<FormFailure, 'ok' | 'status'>;
}

function showLogin(req: Request, res: Response, page: LoginPage, status = 200): void {
  render(req, res, 'auth/login', {
    title: t(req.lang, 'auth.loginTitle'),
    bare: true,
    loginCsrf: issueLoginCsrf(req, res),
    next: page.next,
    form: { username: page.username ?? '' },
    failure: page.failure,
  }, status);
}

/** GET/POST /login and POST /logout: the cookie session of src/auth, through forms. */
export function authPages({ db }: AppContext): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    const next = safeNextPath(req.query.next);
    if (req.actor) return res.redirect(303, next ?? '/');
    showLogin(req, res, { next });
  });

  router.post('/login', async (req, res) => {
    const fields = formFields(req);
    const next = safeNextPath(fields.next);
    const username = fields.username ?? '';
    const fail = (status: number, message: string, errors: Record<string, string> = {}) =>
      showLogin(req, res, { next, username, failure: { message, errors } }, status);

    if (!verifyLoginCsrf(req)) return fail(403, t(req.lang, 'error.csrf'));
    const parsed = parseForm(LoginSchema, fields, req.lang);
    if (!parsed.ok) return fail(400, t(req.lang, 'form.fixErrors'), parsed.errors);
    try {
      const result = await login(db, parsed.data, {
        ip: req.ip ?? 'unknown',
        userAgent: req.get('user-agent') ?? null,
        now: new Date(),
        previousToken: cookieToken(req),
      });
      setSessionCookie(req, res, result.token);
      clearLoginCsrf(req, res);
      res.redirect(303, next ?? '/');
    } catch (err) {
      if (err instanceof TooManyRequestsError) res.set('Retry-After', String(err.retryAfterSeconds));
      if (err instanceof UnauthenticatedError || err instanceof TooManyRequestsError) {
        return fail(err.status, t(req.lang, err.messageKey, err.params));
      }
      throw err;
    }
  });

  router.post('/logout', async (req, res) => {
    await logout(db, pageActor(req), req.sessionId ?? '');
    clearSessionCookies(req, res);
    redirectWithFlash(req, res, '/login', { kind: 'info', key: 'auth.loggedOut' });
  });

  return router;
}
