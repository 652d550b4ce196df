import request from 'supertest';
import { buildUser } from './helpers/factories';
import { ADMIN_PASSWORD, createTestApp, loginToken, type TestContext } from './helpers/test-app';

let ctx: TestContext;
let admin: string;
beforeEach(async () => {
  ctx = await createTestApp();
  admin = await loginToken(ctx.app, 'admin', ADMIN_PASSWORD);
});
afterEach(() => ctx.close());

const api = (method: 'get' | 'post' | 'put' | 'patch', path: string, token: string) =>
  request(ctx.app)[method](`/api/v1${path}`).auth(token, { type: 'bearer' });

describe('units', () => {
  it('are created with Vietnamese names and nest under a parent', async () => {
    expect((await api('post', '/units', admin).send({ code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang' })).status).toBe(201);
    const child = await api('post', '/units', admin).send({ code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La', parentCode: 'TU-TQ' });
    expect(child.status).toBe(201);
    expect(child.body).toEqual({ code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La', parentCode: 'TU-TQ' });
    const list = await api('get', '/units', admin);
    expect(list.body).toEqual([
      { code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La', parentCode: 'TU-TQ' },
      { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang', parentCode: null },
    ]);
  });

  it('refuse a duplicate code with 409', async () => {
    await api('post', '/units', admin).send({ code: 'DV1', name: 'Chi bộ 1' });
    const again = await api('post', '/units', admin).send({ code: 'DV1', name: 'Chi bộ khác' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('Mã đơn vị DV1 đã tồn tại');
  });

  it('answer 404 for an unknown unit or parent', async () => {
    expect((await api('get', '/units/KHONGCO', admin)).status).toBe(404);
    const orphan = await api('post', '/units', admin).send({ code: 'DV2', name: 'Chi bộ 2', parentCode: 'KHONGCO' });
    expect(orphan.status).toBe(404);
  });

  it('refuse an invalid code with 400 naming the field', async () => {
    const res = await api('post', '/units', admin).send({ code: 'có dấu cách', name: 'X' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'code' })]);
  });

  it('cannot be moved under their own descendant', async () => {
    await api('post', '/units', admin).send({ code: 'A', name: 'A' });
    await api('post', '/units', admin).send({ code: 'B', name: 'B', parentCode: 'A' });
    expect((await api('patch', '/units/A', admin).send({ parentCode: 'B' })).status).toBe(400);
    expect((await api('patch', '/units/B', admin).send({ name: 'Bê' })).body.name).toBe('Bê');
  });

  it('may be read by inspectors but not created by them, and secretaries get 403', async () => {
    const inspector = await buildUser(ctx.db, ctx.admin, { role: 'inspector' });
    const secretary = await buildUser(ctx.db, ctx.admin, { role: 'secretary' });
    const it = await loginToken(ctx.app, inspector.username, inspector.password);
    const sec = await loginToken(ctx.app, secretary.username, secretary.password);
    expect((await api('get', '/units', it)).status).toBe(200);
    expect((await api('post', '/units', it).send({ code: 'X', name: 'X' })).status).toBe(403);
    expect((await api('get', '/units', sec)).status).toBe(403);
    expect((await api('post', '/units', sec).send({ code: 'X', name: 'X' })).status).toBe(403);
    expect((await api('post', '/users', sec).send({ username: 'x1', displayName: 'X', password: 'mat-khau-dai', role: 'admin' })).status).toBe(403);
  });
});

describe('users', () => {
  it('are created without any secret in the answer', async () => {
    await api('post', '/units', admin).send({ code: 'DV1', name: 'Chi bộ 1' });
    const res = await api('post', '/users', admin).send({ username: 'bt.dv1', displayName: 'Phạm Thị Lan', password: 'Mat-khau-dai-2023', role: 'secretary', unitCode: 'DV1' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ username: 'bt.dv1', displayName: 'Phạm Thị Lan', role: 'secretary', unitCode: 'DV1', active: true, lang: null });
    expect(JSON.stringify((await api('get', '/users', admin)).body)).not.toMatch(/argon2|password/);
  });

  it('require a unit for a secretary and refuse one for others', async () => {
    const noUnit = await api('post', '/users', admin).send({ username: 'bt1', displayName: 'A', password: 'Mat-khau-dai-2023', role: 'secretary' });
    expect(noUnit.status).toBe(400);
    expect(noUnit.body.error.details).toEqual([expect.objectContaining({ field: 'unitCode' })]);
    const unknownUnit = await api('post', '/users', admin).send({ username: 'bt1', displayName: 'A', password: 'Mat-khau-dai-2023', role: 'secretary', unitCode: 'KHONGCO' });
    expect(unknownUnit.status).toBe(404);
  });

  it('refuse a duplicate username with 409 and a short password with 400', async () => {
    const body = { username: 'kt1', displayName: 'Lê Quang Vinh', password: 'Mat-khau-dai-2023', role: 'inspector' };
    expect((await api('post', '/users', admin).send(body)).status).toBe(201);
    expect((await api('post', '/users', admin).send(body)).status).toBe(409);
    const short = await api('post', '/users', admin).send({ ...body, username: 'kt2', password: 'ngan' });
    expect(short.status).toBe(400);
    expect(short.body.error.details).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('can have their password reset, which ends their sessions', async () => {
    const user = await buildUser(ctx.db, ctx.admin, { username: 'kt9' });
    const old = await loginToken(ctx.app, 'kt9', user.password);
    expect((await api('patch', '/users/kt9', admin).send({ password: 'Mat-khau-moi-2024' })).status).toBe(200);
    expect((await api('get', '/me', old)).status).toBe(401);
    expect(await loginToken(ctx.app, 'kt9', 'Mat-khau-moi-2024')).toBeTruthy();
  });
});

describe('templates', () => {
  const items = [
    { code: '1', section: 'I. Kết nạp đảng viên', title: 'Hồ sơ kết nạp đảng viên', kind: 'file' },
    { code: '2', title: 'Số lượt tập huấn', kind: 'number', required: false },
  ];

  it('keep their ordered items with defaults filled in', async () => {
    const res = await api('post', '/templates', admin).send({ code: 'T1', title: 'Mẫu thử', items });
    expect(res.status).toBe(201);
    const got = await api('get', '/templates/T1', admin);
    expect(got.body.items).toEqual([
      { code: '1', section: 'I. Kết nạp đảng viên', title: 'Hồ sơ kết nạp đảng viên', guidance: '', kind: 'file', required: true, minFiles: 1 },
      { code: '2', section: '', title: 'Số lượt tập huấn', guidance: '', kind: 'number', required: false, minFiles: 0 },
    ]);
  });

  it('refuse duplicate item codes, unknown kinds and duplicate template codes', async () => {
    const dup = await api('post', '/templates', admin).send({ code: 'T1', title: 'X', items: [items[0], items[0]] });
    expect(dup.status).toBe(400);
    const kind = await api('post', '/templates', admin).send({ code: 'T1', title: 'X', items: [{ code: '1', title: 'X', kind: 'video' }] });
    expect(kind.status).toBe(400);
    expect(kind.body.error.details[0].field).toBe('items.0.kind');
    await api('post', '/templates', admin).send({ code: 'T1', title: 'X', items });
    expect((await api('post', '/templates', admin).send({ code: 'T1', title: 'X', items })).status).toBe(409);
    expect((await api('get', '/templates/KHONGCO', admin)).status).toBe(404);
  });

  it('can be edited by replacing their items', async () => {
    await api('post', '/templates', admin).send({ code: 'T1', title: 'Mẫu thử', items });
    const res = await api('put', '/templates/T1', admin).send({ title: 'Mẫu đã sửa', items: [items[1]] });
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('Mẫu đã sửa');
    expect(res.body.items.map((i: { code: string }) => i.code)).toEqual(['2']);
  });
});

describe('service endpoints', () => {
  it('answers /healthz without signing in', async () => {
    expect((await request(ctx.app).get('/healthz')).body).toEqual({ ok: true });
  });

  it('publishes an OpenAPI document generated from the schemas', async () => {
    const res = await request(ctx.app).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const createUnit = res.body.paths['/api/v1/units'].post;
    expect(createUnit.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['code', 'name']));
    expect(res.body.paths['/api/v1/units/{code}'].get).toBeDefined();
  });

  it('answers unknown paths with the JSON error shape and 404', async () => {
    const res = await request(ctx.app).get('/api/v1/khong-co');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('sends security headers', async () => {
    const res = await request(ctx.app).get('/healthz');
    expect(res.headers['content-security-policy']).toMatch(/object-src 'none'/);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBeTruthy();
  });
});
