import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { MAX_FAILURES_PER_ADDRESS } from '../src/auth/auth.service';
import { createLoggedTestApp, type LoggedTestContext } from './helpers/captured-log';
import { buildInspection, buildTemplate, buildUser, PASSWORD } from './helpers/factories';
import { pdfPages, squash } from './helpers/pdf-text';
import { readSample } from './helpers/sample-files';
import { ADMIN_PASSWORD, createTestApp, loginToken, type TestContext } from './helpers/test-app';
import { type Agent, csrfOf, decodeEntities, signIn } from './helpers/web';

/**
 * "Nothing lost, nobody in": the headers every answer carries, the session cookie behind TLS, the
 * per-address sign-in limit, what the log never holds, and hostile text (SQL, script, attribute
 * and template injection) kept verbatim as data and harmless wherever it is shown or exported.
 * (Cookie flags without TLS, idle and absolute expiry, CSRF, cross-site refusal and the per-account
 * limit are in auth.http.test.ts.)
 */

/** Collects a binary response body (PDF, XLSX, ZIP, a download) as a Buffer. */
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const bearer = (app: TestContext['app'], path: string, token: string) =>
  request(app).get(path).auth(token, { type: 'bearer' }).buffer(true).parse(binary);

/** The page that shows what an API path answers: `/api/v1/inspections/X` → `/inspections/X`. */
const page = (apiPath: string) => apiPath.replace(/^\/api\/v1/, '');

/** The directives of a Content-Security-Policy header, by name. */
function cspOf(res: request.Response): Record<string, string[]> {
  const header = String(res.headers['content-security-policy'] ?? '');
  return Object.fromEntries(
    header.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const [name = '', ...values] = d.split(/\s+/);
      return [name, values];
    }),
  );
}

function expectStrictPolicy(res: request.Response): void {
  const csp = cspOf(res);
  const scripts = csp['script-src'] ?? csp['default-src'];
  expect(scripts).toBeDefined();
  expect(scripts).not.toContain("'unsafe-inline'");
  expect(scripts).not.toContain("'unsafe-eval'");
  expect(scripts).not.toContain('*');
  expect(csp['object-src']).toEqual(["'none'"]);
  expect(csp['base-uri']).toEqual(["'none'"]);
  expect(csp['frame-ancestors']).toEqual(["'none'"]);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['x-powered-by']).toBeUndefined();
}

describe('an inspection’s answers', () => {
  let ctx: TestContext;
  let lead = '';
  let base = '';
  let unitPath = '';
  let fileId = 0;

  beforeAll(async () => {
    ctx = await createTestApp();
    const built = await buildInspection(ctx.db, ctx.admin, { units: 1 });
    base = `/api/v1/inspections/${built.code}`;
    unitPath = `${base}/units/${built.units[0]!.code}`;
    lead = await loginToken(ctx.app, built.lead.username, built.lead.password);
    const secretary = await loginToken(ctx.app, built.secretaries[0]!.username, built.secretaries[0]!.password);
    const uploaded = await request(ctx.app)
      .post(`${unitPath}/items/1.1/files`)
      .auth(secretary, { type: 'bearer' })
      .attach('file', readSample('pdf'), 'Biên bản thẩm tra lý lịch.pdf')
      .expect(201);
    fileId = uploaded.body.id as number;
  });
  afterAll(() => ctx.close());

  describe('carry a strict Content-Security-Policy and the other security headers', () => {
    it.each([
      ['the health check', '/healthz'],
      ['an API error (401)', '/api/v1/me'],
      ['an unknown API path (404)', '/api/v1/khong-co'],
      ['the OpenAPI document', '/api/v1/openapi.json'],
      ['the login page', '/login'],
      ['the stylesheet', '/static/css/app.css'],
    ])('%s', async (_name, path) => {
      expectStrictPolicy(await request(ctx.app).get(path));
    });

    it('on signed-in API answers, reports and pages alike', async () => {
      for (const path of ['/api/v1/me', unitPath, `${unitPath}/report.pdf`, `${base}/export.csv`]) {
        expectStrictPolicy(await bearer(ctx.app, path, lead));
      }
      const { agent } = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
      for (const path of ['/', '/admin/units', '/admin/users', page(base), page(unitPath), '/trang-khong-co']) expectStrictPolicy(await agent.get(path));
    });

    it('and a downloaded file is sandboxed: no script, no plugin, never sniffed into a page', async () => {
      const res = await bearer(ctx.app, `/api/v1/files/${fileId}`, lead);
      expect(res.status).toBe(200);
      const csp = cspOf(res);
      expect(csp['default-src']).toEqual(["'none'"]);
      expect(csp.sandbox).toEqual([]);
      expect(res.headers['content-disposition']).toMatch(/^attachment;/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBeDefined();
    });
  });

  describe('are never cached', () => {
    it.each([
      ['the unit dossier', () => unitPath],
      ['a file download', () => `/api/v1/files/${fileId}`],
      ['the unit report', () => `${unitPath}/report.pdf`],
      ['the request letter', () => `${unitPath}/request-letter.pdf`],
      ['the summary report', () => `${base}/report.pdf`],
      ['the XLSX export', () => `${base}/export.xlsx`],
      ['the CSV export', () => `${base}/export.csv`],
      ['the unit bundle', () => `${unitPath}/bundle.zip`],
      ['the inspection', () => base],
      ['the progress', () => `${base}/progress`],
      ['the audit of the inspection', () => `/api/v1/audit?inspection=${base.split('/').pop()}`],
      ['the signed-in user with the CSRF token', () => '/api/v1/me'],
    ])('%s', async (_name, path) => {
      const res = await bearer(ctx.app, path(), lead);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('nor are the pages: login, dashboard, matrix, unit dossier, directory', async () => {
      expect((await request(ctx.app).get('/login')).headers['cache-control']).toBe('no-store');
      const { agent } = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
      for (const path of ['/', page(base), page(unitPath), '/admin/units', '/admin/users']) {
        const res = await agent.get(path);
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
      }
    });
  });
});

describe('the session cookie', () => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestApp({ trustProxy: true });
  });
  afterEach(() => ctx.close());

  /** The attributes of the Set-Cookie line for `name`, lower-cased, with the value apart. */
  function cookieAttributes(res: request.Response, name: string): { value: string; attributes: string[] } | undefined {
    const lines = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    const line = lines.find((l) => l.startsWith(`${name}=`));
    if (!line) return undefined;
    const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
    return { value: pair.slice(name.length + 1), attributes: attributes.map((a) => a.toLowerCase()) };
  }

  function expectHostCookie(res: request.Response): string {
    const cookie = cookieAttributes(res, '__Host-hoso_session');
    expect(cookie).toBeDefined();
    expect(cookie!.attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
    expect(cookie!.attributes.some((a) => a.startsWith('domain='))).toBe(false);
    expect(cookieAttributes(res, 'hoso_session')).toBeUndefined();
    return cookie!.value;
  }

  it('behind TLS is __Host-hoso_session: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    const res = await request(ctx.app)
      .post('/api/v1/session')
      .set('X-Forwarded-Proto', 'https')
      .send({ username: 'admin', password: ADMIN_PASSWORD })
      .expect(200);
    const value = expectHostCookie(res);
    expect(value).toBe(res.body.token);
    const me = await request(ctx.app).get('/api/v1/me').set('X-Forwarded-Proto', 'https').set('Cookie', `__Host-hoso_session=${value}`);
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('admin');
  });

  it('behind TLS is the same when signing in through the login page', async () => {
    const agent = request.agent(ctx.app);
    const form = await agent.get('/login').set('X-Forwarded-Proto', 'https');
    const csrf = cookieAttributes(form, '__Host-hoso_login_csrf');
    expect(csrf?.attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'path=/']));
    const res = await request(ctx.app)
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', `__Host-hoso_login_csrf=${csrf!.value}`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), username: 'admin', password: ADMIN_PASSWORD });
    expect(res.status).toBe(303);
    expectHostCookie(res);
  });

  it('without TLS is hoso_session, HttpOnly and SameSite=Lax but not Secure', async () => {
    const res = await request(ctx.app).post('/api/v1/session').send({ username: 'admin', password: ADMIN_PASSWORD }).expect(200);
    const cookie = cookieAttributes(res, 'hoso_session');
    expect(cookie?.attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
    expect(cookie!.attributes).not.toContain('secure');
    expect(cookieAttributes(res, '__Host-hoso_session')).toBeUndefined();
  });

  it('does not believe a client that claims TLS when no proxy is trusted', async () => {
    const direct = await createTestApp();
    try {
      const res = await request(direct.app).post('/api/v1/session').set('X-Forwarded-Proto', 'https').send({ username: 'admin', password: ADMIN_PASSWORD });
      expect(cookieAttributes(res, 'hoso_session')?.attributes).not.toContain('secure');
      expect(cookieAttributes(res, '__Host-hoso_session')).toBeUndefined();
    } finally {
      await direct.close();
    }
  });
});

describe('signing in from one address', () => {
  const attempt = (ctx: TestContext, forwardedFor: string, username: string, password = 'Sai-mat-khau-1') =>
    request(ctx.app).post('/api/v1/session').set('X-Forwarded-For', forwardedFor).send({ username, password });

  async function failEachOnce(ctx: TestContext, addressFor: (i: number) => string): Promise<void> {
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) {
      expect((await attempt(ctx, addressFor(i), `khach${i}`)).status).toBe(401);
    }
  }

  it('is refused with 429 and Retry-After after 20 failures across different usernames, the right password included', async () => {
    const ctx = await createTestApp({ trustProxy: true });
    try {
      await failEachOnce(ctx, () => '203.0.113.7');
      const blocked = await attempt(ctx, '203.0.113.7', 'admin', ADMIN_PASSWORD);
      expect(blocked.status).toBe(429);
      const retryAfter = Number(blocked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(blocked.body.error.code).toBe('too_many_requests');
      // Another address is not affected.
      expect((await attempt(ctx, '198.51.100.23', 'admin', ADMIN_PASSWORD)).status).toBe(200);
    } finally {
      await ctx.close();
    }
  });

  it('cannot be dodged by forging X-Forwarded-For in front of the proxy’s own entry', async () => {
    const ctx = await createTestApp({ trustProxy: true });
    try {
      // A proxy that appends puts the real address last; whatever the client wrote comes before it.
      await failEachOnce(ctx, (i) => `10.9.8.${i}, 203.0.113.7`);
      expect((await attempt(ctx, '10.9.8.200, 203.0.113.7', 'admin', ADMIN_PASSWORD)).status).toBe(429);
    } finally {
      await ctx.close();
    }
  });

  it('cannot be dodged by forging X-Forwarded-For when no proxy is trusted', async () => {
    const ctx = await createTestApp();
    try {
      await failEachOnce(ctx, (i) => `192.0.2.${i}`);
      expect((await attempt(ctx, '192.0.2.250', 'admin', ADMIN_PASSWORD)).status).toBe(429);
    } finally {
      await ctx.close();
    }
  });
});

describe('the log', () => {
  let ctx: LoggedTestContext;
  afterAll(() => ctx.close());

  it('holds no password, token, CSRF token or cookie, whatever the way of signing in and calling', async () => {
    ctx = await createLoggedTestApp();
    const wrongPassword = 'Mat-khau-go-nham-2023';
    const newPassword = 'Mat-khau-moi-cua-Hoa-2023';
    const secrets: string[] = [ADMIN_PASSWORD, PASSWORD, wrongPassword, newPassword];

    await request(ctx.app).post('/api/v1/session').send({ username: 'admin', password: wrongPassword }).expect(401);
    const adminLogin = await request(ctx.app).post('/api/v1/session').send({ username: 'admin', password: ADMIN_PASSWORD }).expect(200);
    const adminToken = adminLogin.body.token as string;
    secrets.push(adminToken, adminLogin.body.csrfToken as string);
    await request(ctx.app)
      .post('/api/v1/users')
      .auth(adminToken, { type: 'bearer' })
      .send({ username: 'hoa.nt', displayName: 'Nguyễn Thị Hoa', password: newPassword, role: 'inspector' })
      .expect(201);

    const built = await buildInspection(ctx.db, ctx.admin, { units: 1 });
    const secretary = built.secretaries[0]!;
    const upload = `/api/v1/inspections/${built.code}/units/${built.units[0]!.code}/items/1.1/files`;

    // The secretary works with the cookie, as a browser does: CSRF token in a header, then in the form's URL.
    const cookieLogin = await request(ctx.app).post('/api/v1/session').send({ username: secretary.username, password: secretary.password }).expect(200);
    const cookie = String(cookieLogin.headers['set-cookie']).split(';')[0]!;
    const csrf = cookieLogin.body.csrfToken as string;
    secrets.push(cookieLogin.body.token as string, csrf, cookie.split('=')[1]!);
    await request(ctx.app).get('/api/v1/me').set('Cookie', cookie).expect(200);
    await request(ctx.app).post(upload).set('Cookie', cookie).set('X-CSRF-Token', csrf).attach('file', readSample('pdf'), 'Biên bản.pdf').expect(201);
    await request(ctx.app).post(`${upload}?_csrf=${encodeURIComponent(csrf)}`).set('Cookie', cookie).attach('file', readSample('docx'), 'Danh sách.docx').expect(201);
    await request(ctx.app).post(upload).set('Cookie', cookie).set('X-CSRF-Token', 'gia-mao').attach('file', readSample('pdf'), 'Biên bản.pdf').expect(403);
    await request(ctx.app).delete('/api/v1/session').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(200);

    // The lead signs in with a bearer token; then an administrator through the login page.
    const leadToken = await loginToken(ctx.app, built.lead.username, built.lead.password);
    secrets.push(leadToken);
    await request(ctx.app).get(`/api/v1/inspections/${built.code}/progress`).auth(leadToken, { type: 'bearer' }).expect(200);
    await request(ctx.app).get('/api/v1/me').auth(`${leadToken}x`, { type: 'bearer' }).expect(401);
    const agent = request.agent(ctx.app);
    const form = await agent.get('/login');
    const loginCsrf = csrfOf(form.text);
    secrets.push(loginCsrf);
    const page = await agent.post('/login').type('form').send({ _csrf: loginCsrf, username: 'admin', password: ADMIN_PASSWORD }).expect(303);
    secrets.push(String(page.headers['set-cookie']).split(';')[0]!.split('=')[1]!);
    await agent.get('/admin/users').expect(200);

    const log = ctx.logText();
    // The log is there (one line per request, with its path), just without secrets.
    expect(log).toContain(`"url":"${upload}"`);
    expect(log.split('\n').filter((l) => l.includes('"url":"/api/v1/session"')).length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(8);
      for (const written of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
        expect(log.includes(written) ? `log holds ${secret}` : 'clean').toBe('clean');
      }
    }
  });
});

interface EntryJson {
  itemCode: string;
  value: unknown;
  files: { name: string }[];
  review: { note: string | null } | null;
}

/** One entry of a unit dossier answer. */
function entryOf(dossier: { entries: EntryJson[] }, itemCode: string): EntryJson | undefined {
  return dossier.entries.find((e) => e.itemCode === itemCode);
}

/** The file name a browser saves an attachment under: `filename*` (RFC 5987) when given, else the quoted `filename`. */
function attachmentName(disposition: string): string | undefined {
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (extended) return decodeURIComponent(extended);
  return /filename="((?:[^"\\]|\\.)*)"/.exec(disposition)?.[1]?.replace(/\\(.)/g, '$1');
}

describe('a NUL character (U+0000), which PostgreSQL cannot store', () => {
  let ctx: TestContext;
  let admin = '';
  beforeAll(async () => {
    ctx = await createTestApp();
    admin = await loginToken(ctx.app, 'admin', ADMIN_PASSWORD);
  });
  afterAll(() => ctx.close());

  it.each([
    ['in a path', () => request(ctx.app).get('/api/v1/units/P%00').auth(admin, { type: 'bearer' })],
    ['in a query', () => request(ctx.app).get('/api/v1/audit?inspection=KT%00').auth(admin, { type: 'bearer' })],
    ['in a JSON body', () => request(ctx.app).post('/api/v1/units').auth(admin, { type: 'bearer' }).send({ code: 'N-1', name: 'Đảng uỷ\u0000phường' })],
    ['in the sign-in, before any session', () => request(ctx.app).post('/api/v1/session').send({ username: 'ad\u0000min', password: ADMIN_PASSWORD })],
    ['in a form on a page', async () => {
      const agent = request.agent(ctx.app);
      const form = await agent.get('/login');
      return agent.post('/login').type('form').send({ _csrf: csrfOf(form.text), username: 'ad\u0000min', password: 'x' });
    }],
  ])('%s is refused with 400 on either database, and nothing is stored', async (_where, send) => {
    const res = await send();
    expect(res.status).toBe(400);
    if (res.type === 'application/json') expect(res.body.error.code).toBe('validation_failed');
    const units = (await request(ctx.app).get('/api/v1/units').auth(admin, { type: 'bearer' }).expect(200)).body as { name: string }[];
    expect(units.filter((u) => u.name.includes('\u0000'))).toEqual([]);
  });
});

describe('an id past 32 bits, which PostgreSQL cannot compare with its integer ids', () => {
  it('names no file (404) and is no audit cursor (400), on either database', async () => {
    const ctx = await createTestApp();
    try {
      const admin = await loginToken(ctx.app, 'admin', ADMIN_PASSWORD);
      expect((await request(ctx.app).get('/api/v1/files/2147483648').auth(admin, { type: 'bearer' })).status).toBe(404);
      expect((await request(ctx.app).delete('/api/v1/files/2147483648').auth(admin, { type: 'bearer' })).status).toBe(404);
      expect((await request(ctx.app).get('/api/v1/audit?after=2147483648').auth(admin, { type: 'bearer' })).status).toBe(400);
      expect((await request(ctx.app).get('/api/v1/audit?after=2147483647').auth(admin, { type: 'bearer' }).expect(200)).body.events).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});

/** SQL, script, attribute and template injection: to be stored as typed and shown as text. */
const HOSTILE = [
  `'; DROP TABLE units;--`,
  `<script>alert("xss")</script>`,
  `" onmouseover="x`,
  `{{constructor.constructor('alert(1)')()}}`,
] as const;

/** Unit names a spreadsheet would run as formulas. */
const FORMULAS = ['=HYPERLINK("http://evil.example","Bấm vào")', '+84-912-345-678', '-2+3', '@SUM(A1:A2)'] as const;

describe('hostile text', () => {
  let ctx: TestContext;
  let admin = '';
  let lead = '';
  let code = '';
  /** Per hostile string: its unit's code, its secretary and the uploaded file's id. */
  const units: { text: string; code: string; secretary: { username: string; password: string }; fileId: number }[] = [];

  const api = (method: 'get' | 'post' | 'put' | 'patch', path: string, token: string, body?: object) => {
    const req = request(ctx.app)[method](`/api/v1${path}`).auth(token, { type: 'bearer' });
    return body ? req.send(body) : req;
  };

  beforeAll(async () => {
    ctx = await createTestApp();
    admin = await loginToken(ctx.app, 'admin', ADMIN_PASSWORD);
    const template = (await buildTemplate(ctx.db, ctx.admin)).code;
    const members = [
      await buildUser(ctx.db, ctx.admin, { username: 'truong-doan', displayName: HOSTILE[1] }),
      await buildUser(ctx.db, ctx.admin, { username: 'thanh-vien', displayName: HOSTILE[2] }),
    ];
    for (const [i, text] of HOSTILE.entries()) {
      await api('post', '/units', admin, { code: `HS-${i}`, name: text }).expect(201);
      const password = `${PASSWORD}-${i}`;
      await api('post', '/users', admin, { username: `bithu${i}`, displayName: text, password, role: 'secretary', unitCode: `HS-${i}` }).expect(201);
      units.push({ text, code: `HS-${i}`, secretary: { username: `bithu${i}`, password }, fileId: 0 });
    }
    for (const [i, name] of FORMULAS.entries()) await api('post', '/units', admin, { code: `CT-${i}`, name }).expect(201);
    code = 'KT-HOSTILE';
    await api('post', '/inspections', admin, {
      code,
      title: 'Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023',
      teamName: 'Đoàn Kiểm tra số 4',
      templateCode: template,
      unitCodes: [...units.map((u) => u.code), ...FORMULAS.map((_n, i) => `CT-${i}`)],
      members: [{ username: members[0]!.username, role: 'lead' }, { username: members[1]!.username, role: 'member' }],
      place: 'Tuyên Quang',
      reportNumber: '12-BC/ĐKT',
    }).expect(201);
    lead = await loginToken(ctx.app, members[0]!.username, members[0]!.password);
    await api('post', `/inspections/${code}/open`, lead).expect(200);

    for (const unit of units) {
      const token = await loginToken(ctx.app, unit.secretary.username, unit.secretary.password);
      const item = `/inspections/${code}/units/${unit.code}/items`;
      const uploaded = await request(ctx.app)
        .post(`/api/v1${item}/1.1/files`)
        .auth(token, { type: 'bearer' })
        .attach('file', readSample('pdf'), `${unit.text}.pdf`)
        .expect(201);
      unit.fileId = uploaded.body.id as number;
      await api('put', `${item}/9.1/value`, token, { value: unit.text }).expect(200);
      await api('post', `${item}/1.1/review`, lead, { decision: 'return', note: unit.text }).expect(200);
      await api('put', `/inspections/${code}/units/${unit.code}/findings`, lead, {
        strengths: unit.text, shortcomings: unit.text, recommendations: unit.text, conclusion: unit.text,
      }).expect(200);
    }
    const formulaSecretary = await buildUser(ctx.db, ctx.admin, { role: 'secretary', unitCode: 'CT-0' });
    await api('put', `/inspections/${code}/units/CT-0/items/9.1/value`, await loginToken(ctx.app, formulaSecretary.username, formulaSecretary.password), { value: '=1+1' }).expect(200);
  });
  afterAll(() => ctx.close());

  it('is stored and returned verbatim by the JSON API, and the tables are all still there', async () => {
    for (const unit of units) {
      expect((await api('get', `/units/${unit.code}`, admin).expect(200)).body.name).toBe(unit.text);
      expect((await api('get', `/users/${unit.secretary.username}`, admin).expect(200)).body.displayName).toBe(unit.text);
      const dossier = (await api('get', `/inspections/${code}/units/${unit.code}`, lead).expect(200)).body;
      expect(dossier.unit.name).toBe(unit.text);
      expect(entryOf(dossier, '1.1')?.review?.note).toBe(unit.text);
      expect(entryOf(dossier, '9.1')?.value).toBe(unit.text);
      expect(dossier.findings).toMatchObject({ strengths: unit.text, shortcomings: unit.text, recommendations: unit.text, conclusion: unit.text });
    }
    const listed = (await api('get', '/units', admin).expect(200)).body as { code: string }[];
    expect(listed.length).toBeGreaterThanOrEqual(HOSTILE.length + FORMULAS.length);
    expect((await api('get', `/inspections/${code}/progress`, lead).expect(200)).body.units).toHaveLength(HOSTILE.length + FORMULAS.length);
  });

  it('keeps file names as typed (only a folder part before "/" is dropped), in the dossier and the download', async () => {
    for (const unit of units) {
      const expected = `${unit.text.split('/').pop()!}.pdf`;
      const dossier = (await api('get', `/inspections/${code}/units/${unit.code}`, lead).expect(200)).body;
      expect(entryOf(dossier, '1.1')?.files.map((f) => f.name)).toEqual([expected]);
      const download = await bearer(ctx.app, `/api/v1/files/${unit.fileId}`, lead);
      expect(attachmentName(String(download.headers['content-disposition']))).toBe(expected);
    }
  });

  it('does not run as SQL when it reaches a path or a query', async () => {
    const injected = encodeURIComponent(HOSTILE[0]);
    expect((await api('get', `/units/${injected}`, admin)).status).toBe(404);
    const audit = await api('get', `/audit?inspection=${encodeURIComponent("' OR '1'='1")}`, admin).expect(200);
    expect(audit.body.events ?? audit.body).toEqual([]);
    expect((await api('get', `/inspections/${encodeURIComponent("KT' OR 1=1--")}`, admin)).status).toBe(404);
    expect((await api('get', '/units', admin).expect(200)).body.length).toBeGreaterThanOrEqual(HOSTILE.length);
  });

  /** The page as HTML: none of the hostile strings raw, no inline script, no injected handler. */
  async function expectEscaped(agent: Agent, path: string): Promise<string> {
    const html = (await agent.get(path).expect(200)).text;
    for (const text of HOSTILE) expect(html.includes(text) ? `${path} shows ${text} unescaped` : 'escaped').toBe('escaped');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/i);
    expect(html).not.toMatch(/\sonmouseover=/i);
    return decodeEntities(html);
  }

  it('is escaped on the directory pages', async () => {
    const { agent } = await signIn(ctx.app, 'admin', ADMIN_PASSWORD);
    for (const path of [...units.map((u) => `/admin/units/${u.code}`), ...units.map((u) => `/admin/users/${u.secretary.username}`), '/admin/inspections']) {
      await expectEscaped(agent, path);
    }
    for (const path of ['/admin/units', '/admin/users']) {
      const shown = await expectEscaped(agent, path);
      for (const text of HOSTILE) expect(shown).toContain(text);
    }
  });

  it('is escaped on the matrix and on every unit’s dossier page, for the team and for the unit', async () => {
    const team = await signIn(ctx.app, 'truong-doan', PASSWORD);
    const matrix = await expectEscaped(team.agent, `/inspections/${code}`);
    for (const text of HOSTILE) expect(matrix).toContain(text);
    for (const unit of units) {
      const path = `/inspections/${code}/units/${unit.code}`;
      const shown = await expectEscaped(team.agent, path);
      // Its name, the file name, the note, the figure, the findings: all there as typed.
      expect(shown.split(unit.text).length - 1).toBeGreaterThanOrEqual(5);
      const own = await signIn(ctx.app, unit.secretary.username, unit.secretary.password);
      // The secretary's own name heads every page they see.
      expect(await expectEscaped(own.agent, '/')).toContain(unit.text);
      expect(await expectEscaped(own.agent, path)).toContain(unit.text);
    }
  });

  it('is printed literally in the unit report', async () => {
    for (const unit of units) {
      const res = await bearer(ctx.app, `/api/v1/inspections/${code}/units/${unit.code}/report.pdf`, lead);
      expect(res.status).toBe(200);
      const text = squash((await pdfPages(res.body as Buffer, 'raw')).join(' '));
      // The unit's name, the return note, the text figure and the four findings, as typed.
      expect(text.split(unit.text).length - 1).toBeGreaterThanOrEqual(7);
      expect(text).toContain(HOSTILE[1]); // the lead's name under the signature
    }
  });

  it('comes back neutralised from the CSV and XLSX exports when it starts with = + - @', async () => {
    const csv = await bearer(ctx.app, `/api/v1/inspections/${code}/export.csv`, lead);
    const rows: string[][] = parse(csv.body as Buffer, { bom: true, record_delimiter: '\r\n' });
    const names = rows.slice(1).map((r) => r[1]);
    for (const name of FORMULAS) expect(names).toContain(`'${name}`);
    for (const text of HOSTILE) expect(names).toContain(text);
    expect(rows.flat()).toContain(`'=1+1`);

    const xlsx = await bearer(ctx.app, `/api/v1/inspections/${code}/export.xlsx`, lead);
    const book = new ExcelJS.Workbook();
    const body = xlsx.body as Buffer;
    await book.xlsx.load(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
    const values: unknown[] = [];
    for (const sheet of book.worksheets) {
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.formula).toBeUndefined();
          values.push(cell.value);
        }),
      );
    }
    for (const name of FORMULAS) expect(values).toContain(`'${name}`);
    for (const text of HOSTILE) expect(values).toContain(text);
    expect(values).toContain(`'=1+1`);
    expect(values.filter((v) => typeof v === 'string' && /^[=+\-@]/.test(v))).toEqual([]);
  });
});
