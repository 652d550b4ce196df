import { z } from 'zod';
import { ApiRouter } from '../http/api-router';
import type { AppContext } from '../http/app-context';
import { getUser } from '../users/users.service';
import { clearSessionCookies, cookieToken, setSessionCookie } from './auth.middleware';
import { LoginSchema, SessionResponseSchema, UserSchema } from './auth.schemas';
import { login, logout } from './auth.service';

export function authRoutes({ db }: AppContext): ApiRouter {
  const api = new ApiRouter();
  const tag = 'session';
  api.post('/session', { tag, summary: 'Sign in', anonymous: true, body: LoginSchema, response: SessionResponseSchema }, async (req, res, { body }) => {
    const result = await login(db, body, {
      ip: req.ip ?? 'unknown',
      userAgent: req.get('user-agent') ?? null,
      now: new Date(),
      previousToken: cookieToken(req),
    });
    setSessionCookie(req, res, result.token);
    res.json(result);
  });
  api.delete('/session', { tag, summary: 'Sign out', response: z.object({ ok: z.literal(true) }) }, async (req, res, { actor }) => {
    await logout(db, actor, req.sessionId ?? '');
    clearSessionCookies(req, res);
    res.json({ ok: true });
  });
  api.get('/me', { tag, summary: 'The signed-in user', response: UserSchema.extend({ csrfToken: z.string() }) }, async (req, res, { actor }) => {
    res.json({ ...(await getUser(db, actor, actor.username)), csrfToken: req.csrfToken });
  });
  return api;
}
