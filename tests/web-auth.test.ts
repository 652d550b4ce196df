import request from 'supertest';
import { buildUnit, buildUser } from './helpers/factories';
import { ADMIN_PASSWORD, createTestApp, type TestContext } from './helpers/test-app';
import { csrfOf, signIn } from './helpers/web';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestApp();
});
afterEach(async () => {
  await ctx.close();
});

const cookiesOf = (res: request.Response): string[] => {
  const header = res.headers['set-cookie'] as unknown;
  return Array.isArray(header) ? (header as string[]) : typeof header === 'string' ? [header] : [];
};

describe('the login page', () => {
  it('carries a CSRF token in a hidden field matching an HttpOnly SameSite=Strict cookie', async () => {
    const res = await request(ctx.app).get('/login');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('Đăng nhập');
    const token = csrfOf(res.text);
    expect(token.length).toBeGreaterThan(30);
    const cookie = cookiesOf(res).find((c) => c.startsWith('hoso_login_csrf='));
    expect(cookie).toContain(encodeURIComponent(token));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });

  it('refuses a sign-in without the CSRF field, and opens no session', async () => {
    const agent = request.agent(ctx.app);
    await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ username: 'admin', password: ADMIN_PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Mã chống giả mạo (CSRF) không hợp lệ');
    expect(cookiesOf(res).some((c) => c.startsWith('hoso_session='))).toBe(false);
  });

  it('refuses a token that does not match the cookie, or a cookie it did not sign', async () => {
    const agent = request.agent(ctx.app);
    const token = csrfOf((await agent.get('/login')).text);
    const forged = await agent.post('/login').type('form').send({ _csrf: `${token}x`, username: 'admin', password: ADMIN_PASSWORD });
    expect(forged.status).toBe(403);
    const planted = await request(ctx.app).post('/login').set('Cookie', 'hoso_login_csrf=abc.def').type('form')
      .send({ _csrf: 'abc.def', username: 'admin', password: ADMIN_PASSWORD });
    expect(planted.status).toBe(403);
  });

  it('answers a wrong password in Vietnamese, keeping the username typed', async () => {
    const agent = request.agent(ctx.app);
    const token = csrfOf((await agent.get('/login')).text);
    const res = await agent.post('/login').type('form').send({ _csrf: token, username: 'admin', password: 'sai-mat-khau' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Tên đăng nhập hoặc mật khẩu không đúng');
    expect(res.text).toContain('value="admin"');
  });

  it('names an empty field instead of trying to sign in', async () => {
    const agent = request.agent(ctx.app);
    const token = csrfOf((await agent.get('/login')).text);
    const res = await agent.post('/login').type('form').send({ _csrf: token, username: 'admin', password: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('không được để trống');
  });
});

describe('signing in and out through the forms', () => {
  it('signs in, lands on the overview, signs out and is sent back to the login page', async () => {
    const agent = request.agent(ctx.app);
    const token = csrfOf((await agent.get('/login')).text);
    const login = await agent.post('/login').type('form').send({ _csrf: token, username: 'admin', password: ADMIN_PASSWORD });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const session = cookiesOf(login).find((c) => c.startsWith('hoso_session='));
    expect(session).toMatch(/HttpOnly/);

    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Quản trị hệ thống');
    expect(home.text).toContain('href="/admin/units"');

    const logout = await agent.post('/logout').type('form').send({ _csrf: csrfOf(home.text) });
    expect(logout.status).toBe(303);
    expect(logout.headers.location).toBe('/login');
    const loginPage = await agent.get('/login');
    expect(loginPage.text).toContain('Bạn đã đăng xuất.');
    // The message is shown once.
    expect((await agent.get('/login')).text).not.toContain('Bạn đã đăng xuất.');
    const after = await agent.get('/');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/login');
  });

  it('refuses to sign out without the session’s CSRF token', async () => {
    const { agent } = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
    const res = await agent.post('/logout').type('form').send({ _csrf: 'not-the-token' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Mã chống giả mạo (CSRF) không hợp lệ');
    expect((await agent.get('/')).status).toBe(200);
  });

  it('sends a signed-in visitor of the login page on to the overview', async () => {
    const { agent } = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
    const res = await agent.get('/login');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
  });

  it('shows a unit secretary the overview without the admin pages in the navigation', async () => {
    const secretary = await buildUser(ctx.db, ctx.admin, { role: 'secretary', displayName: 'Nguyễn Thị Hoa' });
    const { agent } = await signIn(ctx.app, secretary.username, secretary.password);
    const home = await agent.get('/');
    expect(home.text).toContain('Nguyễn Thị Hoa');
    expect(home.text).toContain('Bí thư / văn phòng đơn vị');
    expect(home.text).not.toContain('href="/admin/units"');
  });
});

describe('anonymous visits', () => {
  it('are sent to the login page, which remembers where they were going', async () => {
    await buildUnit(ctx.db, ctx.admin, { code: 'P-MX', name: 'Đảng uỷ phường Minh Xuân' });
    const res = await request(ctx.app).get('/admin/units?lang=vi');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent('/admin/units?lang=vi')}`);

    const agent = request.agent(ctx.app);
    const form = await agent.get(res.headers.location as string);
    expect(form.text).toContain('name="next" value="/admin/units?lang&#x3D;vi"');
    const login = await agent.post('/login').type('form')
      .send({ _csrf: csrfOf(form.text), next: '/admin/units?lang=vi', username: 'admin', password: ADMIN_PASSWORD });
    expect(login.headers.location).toBe('/admin/units?lang=vi');
    expect((await agent.get('/admin/units')).text).toContain('Đảng uỷ phường Minh Xuân');
  });

  it.each(['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)'])(
    'never follow %s after sign-in',
    async (next) => {
      const agent = request.agent(ctx.app);
      const form = await agent.get(`/login?next=${encodeURIComponent(next)}`);
      expect(form.text).not.toContain('name="next"');
      const login = await agent.post('/login').type('form').send({ _csrf: csrfOf(form.text), next, username: 'admin', password: ADMIN_PASSWORD });
      expect(login.headers.location).toBe('/');
    },
  );

  it('of an unknown page also go to the login page, while the API keeps answering JSON', async () => {
    const page = await request(ctx.app).get('/khong-ton-tai');
    expect(page.status).toBe(303);
    expect(page.headers.location).toMatch(/^\/login/);
    const api = await request(ctx.app).get('/api/v1/units');
    expect(api.status).toBe(401);
    expect(api.body.error.code).toBe('unauthenticated');
  });
});

describe('languages', () => {
  it('shows English with ?lang=en and remembers it on the next visit', async () => {
    const agent = request.agent(ctx.app);
    const en = await agent.get('/login?lang=en');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Sign in');
    expect(en.text).toContain('Username');
    const again = await agent.get('/login');
    expect(again.text).toContain('Sign in');
    expect(again.text).not.toContain('Đăng nhập');
    const vi = await agent.get('/login?lang=vi');
    expect(vi.text).toContain('Tên đăng nhập');
  });

  it('offers a link to the other language on every page, keeping the address', async () => {
    const { agent } = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
    const page = await agent.get('/admin/units');
    expect(page.text).toContain('href="/admin/units?lang&#x3D;en"');
    const english = await agent.get('/admin/units?lang=en');
    expect(english.text).toContain('Unit tree');
    // Remembered on the account: a later page without ?lang is still English.
    expect((await agent.get('/admin/users')).text).toContain('Add an account');
  });
});

describe('error pages', () => {
  it('answer an unknown page with a friendly 404 in the user’s language and no stack trace', async () => {
    const { agent } = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
    const res = await agent.get('/khong-ton-tai').set('Accept', 'text/html');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('Không tìm thấy trang');
    expect(res.text).toContain('href="/"');
    expect(res.text).not.toMatch(/Error:|\bat .*\.ts:\d+/);
    const unit = await agent.get('/admin/units/KHONG-CO');
    expect(unit.status).toBe(404);
    expect(unit.text).toContain('Không tìm thấy đơn vị KHONG-CO');
  });

  it('keep the JSON error shape under /api', async () => {
    const { agent } = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
    const res = await agent.get('/api/v1/units/KHONG-CO');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'Không tìm thấy đơn vị KHONG-CO' } });
  });
});

describe('pages under the content security policy', () => {
  it('use no inline styles or scripts, and load their stylesheet from this site', async () => {
    await buildUnit(ctx.db, ctx.admin, { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang' });
    const { agent } = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
    const pages = ['/', '/admin/units', '/admin/units/TU-TQ', '/admin/users', '/admin/users/admin', '/admin/templates', '/admin/new-template', '/admin/import', '/khong-co'];
    for (const path of pages) {
      const res = await agent.get(path);
      expect(res.text).not.toMatch(/\sstyle=|<script|<style/i);
      expect(res.text).toContain('<link rel="stylesheet" href="/static/css/app.css">');
    }
    expect((await request(ctx.app).get('/login')).text).not.toMatch(/\sstyle=|<script|<style/i);
    const css = await request(ctx.app).get('/static/css/app.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect(css.text).toContain('.status-returned');
  });
});
