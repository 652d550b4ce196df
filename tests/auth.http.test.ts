import request from 'supertest';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../src/auth/auth.service';
import { buildUser } from './helpers/factories';
import { ADMIN_PASSWORD, createTestApp, loginToken, type TestContext } from './helpers/test-app';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestApp();
});
afterEach(async () => {
  jest.useRealTimers();
  await ctx.close();
});

const fakeDateOnly = (now: Date) =>
  jest.useFakeTimers({ now, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask', 'hrtime', 'performance'] });

describe('signing in', () => {
  it('gives the admin a token, a CSRF token and an HttpOnly SameSite cookie', async () => {
    const res = await request(ctx.app).post('/api/v1/session').send({ username: 'admin', password: ADMIN_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(res.body.csrfToken).toBeTruthy();
    expect(res.body.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(res.body.user.passwordHash).toBeUndefined();
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/hoso_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('refuses a wrong password with 401 and the same message as an unknown user', async () => {
    const wrong = await request(ctx.app).post('/api/v1/session').send({ username: 'admin', password: 'sai-mat-khau' });
    const unknown = await request(ctx.app).post('/api/v1/session').send({ username: 'khongtontai', password: 'sai-mat-khau' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe('Tên đăng nhập hoặc mật khẩu không đúng');
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it('answers a request without a token with 401', async () => {
    const res = await request(ctx.app).get('/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });

  it('names the missing field when the body is invalid', async () => {
    const res = await request(ctx.app).post('/api/v1/session').send({ username: 'admin' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'password' })]));
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await request(ctx.app).post('/api/v1/session').set('content-type', 'application/json').send('{"username":');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('answers a JSON body over the limit with 413', async () => {
    const res = await request(ctx.app).post('/api/v1/session').send({ username: 'admin', password: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
  });

  it('limits failures per account with 429 and Retry-After, without revealing whether it exists', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await request(ctx.app).post('/api/v1/session').send({ username: 'admin', password: 'sai' })).status).toBe(401);
    }
    const blocked = await request(ctx.app).post('/api/v1/session').send({ username: 'admin', password: ADMIN_PASSWORD });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await request(ctx.app).post('/api/v1/session').send({ username: 'khongco', password: 'sai' });
    const unknown = await request(ctx.app).post('/api/v1/session').send({ username: 'khongco', password: 'sai' });
    expect(unknown.status).toBe(429);
    expect(unknown.body.error.message).toBe(blocked.body.error.message);
  });
});

describe('sessions', () => {
  it('shows the signed-in user on /me and refuses the token after sign-out', async () => {
    const token = await loginToken(ctx.app, 'admin', ADMIN_PASSWORD);
    const me = await request(ctx.app).get('/api/v1/me').auth(token, { type: 'bearer' });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'admin', role: 'admin', displayName: 'Quản trị hệ thống' });
    expect((await request(ctx.app).delete('/api/v1/session').auth(token, { type: 'bearer' })).status).toBe(200);
    expect((await request(ctx.app).get('/api/v1/me').auth(token, { type: 'bearer' })).status).toBe(401);
  });

  it('rotates the session at sign-in: the cookie held before no longer works', async () => {
    const agent = request.agent(ctx.app);
    const first = await agent.post('/api/v1/session').send({ username: 'admin', password: ADMIN_PASSWORD });
    const second = await agent.post('/api/v1/session').send({ username: 'admin', password: ADMIN_PASSWORD });
    expect(second.status).toBe(200);
    expect(second.body.token).not.toBe(first.body.token);
    expect((await request(ctx.app).get('/api/v1/me').auth(first.body.token, { type: 'bearer' })).status).toBe(401);
    expect((await request(ctx.app).get('/api/v1/me').auth(second.body.token, { type: 'bearer' })).status).toBe(200);
  });

  it('ends after 30 idle minutes', async () => {
    const start = new Date('2026-03-01T08:00:00Z');
    fakeDateOnly(start);
    const token = await loginToken(ctx.app, 'admin', ADMIN_PASSWORD);
    jest.setSystemTime(start.getTime() + SESSION_IDLE_MS - 60_000);
    expect((await request(ctx.app).get('/api/v1/me').auth(token, { type: 'bearer' })).status).toBe(200);
    jest.setSystemTime(start.getTime() + 2 * SESSION_IDLE_MS + 1000);
    expect((await request(ctx.app).get('/api/v1/me').auth(token, { type: 'bearer' })).status).toBe(401);
  });

  it('ends after 12 hours however active it is', async () => {
    const start = new Date('2026-03-01T08:00:00Z');
    fakeDateOnly(start);
    const token = await loginToken(ctx.app, 'admin', ADMIN_PASSWORD);
    for (let t = 20 * 60_000; t < SESSION_ABSOLUTE_MS; t += 20 * 60_000) {
      jest.setSystemTime(start.getTime() + t);
      expect((await request(ctx.app).get('/api/v1/me').auth(token, { type: 'bearer' })).status).toBe(200);
    }
    jest.setSystemTime(start.getTime() + SESSION_ABSOLUTE_MS + 1000);
    expect((await request(ctx.app).get('/api/v1/me').auth(token, { type: 'bearer' })).status).toBe(401);
  });

  it('is dropped when the user is deactivated', async () => {
    const inspector = await buildUser(ctx.db, ctx.admin, { username: 'kiemtra1' });
    const token = await loginToken(ctx.app, inspector.username, inspector.password);
    const adminToken = await loginToken(ctx.app, 'admin', ADMIN_PASSWORD);
    const res = await request(ctx.app).patch('/api/v1/users/kiemtra1').auth(adminToken, { type: 'bearer' }).send({ active: false });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect((await request(ctx.app).get('/api/v1/me').auth(token, { type: 'bearer' })).status).toBe(401);
    expect((await request(ctx.app).post('/api/v1/session').send({ username: 'kiemtra1', password: inspector.password })).status).toBe(401);
  });
});

describe('cookie-authenticated writes', () => {
  it('need the session CSRF token', async () => {
    const agent = request.agent(ctx.app);
    const login = await agent.post('/api/v1/session').send({ username: 'admin', password: ADMIN_PASSWORD });
    const without = await agent.post('/api/v1/units').send({ code: 'DV1', name: 'Chi bộ 1' });
    expect(without.status).toBe(403);
    expect(without.body.error.message).toMatch(/CSRF/);
    const withToken = await agent.post('/api/v1/units').set('X-CSRF-Token', login.body.csrfToken).send({ code: 'DV1', name: 'Chi bộ 1' });
    expect(withToken.status).toBe(201);
  });

  it('are refused when the browser says they come from another site', async () => {
    const token = await loginToken(ctx.app, 'admin', ADMIN_PASSWORD);
    const res = await request(ctx.app)
      .post('/api/v1/units')
      .auth(token, { type: 'bearer' })
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ code: 'DV2', name: 'Chi bộ 2' });
    expect(res.status).toBe(403);
    const foreignOrigin = await request(ctx.app)
      .post('/api/v1/units')
      .auth(token, { type: 'bearer' })
      .set('Origin', 'https://evil.example')
      .send({ code: 'DV2', name: 'Chi bộ 2' });
    expect(foreignOrigin.status).toBe(403);
  });
});

describe('language', () => {
  it('words errors in English with ?lang=en and remembers it in a cookie', async () => {
    const agent = request.agent(ctx.app);
    const res = await agent.get('/api/v1/me?lang=en');
    expect(res.body.error.message).toBe('Not signed in, or the session has expired');
    expect((await agent.get('/api/v1/me')).body.error.message).toBe('Not signed in, or the session has expired');
    expect((await request(ctx.app).get('/api/v1/me')).body.error.message).toBe('Chưa đăng nhập hoặc phiên đã hết hạn');
  });
});
