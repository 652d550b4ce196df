import { type Request, type Response, Router } from 'express';
import type { Kysely } from 'kysely';
import { clearSessionCookies, cookieToken, setSessionCookie } from '../auth/auth.middleware';
import { LoginSchema } from '../auth/auth.schemas';
import { login, logout } from '../auth/auth.service';
import type { Database } from '../db/schema';
import { TooManyRequestsError, UnauthenticatedError } from '../core/errors';
import {
  clearLoginCsrf, type FormFailure, formFields, issueLoginCsrf, pageActor, parseForm, redirectWithFlash, render,
  safeNextPath, verifyLoginCsrf,
} from '../http/pages';
import { t } from '../i18n/messages';

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
export function authPages(db: Kysely<Database>): Router {
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
