import request from 'supertest';
import { buildRoleCast, type Role, ROLES } from './helpers/role-cast';
import { readSample } from './helpers/sample-files';
import { createTestApp, type TestContext } from './helpers/test-app';

/**
 * The permission matrix of PRODUCT.md §3: every route of §4, tried as every role, own unit and
 * other unit. Whoever is outside a resource's scope gets 401, 403 or 404 and never its data.
 */

const TEAM: Role[] = ['admin', 'lead', 'member'];

let ctx: TestContext;
let tokens = {} as Record<Role, string | undefined>;
let code = '';
let unitA = '';
let fileA = 0;
/** Strings only someone allowed to see unit A's dossier may ever receive. */
let secrets: string[] = [];

beforeAll(async () => {
  ctx = await createTestApp();
  ({ code, unitA, tokens } = await buildRoleCast(ctx));
  const uploaded = await request(ctx.app)
    .post(`/api/v1/inspections/${code}/units/${unitA}/items/1.1/files`)
    .auth(tokens.ownSecretary!, { type: 'bearer' })
    .attach('file', readSample('pdf'), 'Hồ sơ mật của đơn vị A.pdf')
    .expect(201);
  fileA = uploaded.body.id as number;
  secrets = [uploaded.body.sha256 as string, 'Hồ sơ mật của đơn vị A'];
});
afterAll(() => ctx.close());

interface Route {
  name: string;
  call: (token: string | undefined) => request.Test;
  /** Roles that may do it; everyone else is refused. */
  allowed: Role[];
  /** The status a refused role that can see the inspection gets (403); others get 404 or 401. */
  forbiddenFor?: Role[];
}

/** A request to `p` with the placeholders filled in at call time (after setup has run). */
const route = (method: 'get' | 'post' | 'put' | 'delete', p: string, body?: object, attach?: boolean) => (token: string | undefined) => {
  const path = p.replace(':code', code).replace(':unit', unitA).replace(':file', String(fileA));
  let req = request(ctx.app)[method](`/api/v1${path}`);
  if (token) req = req.auth(token, { type: 'bearer' });
  if (attach) return req.attach('file', readSample('docx'), 'Danh sách.docx');
  return body ? req.send(body) : req;
};

const reads: Route[] = [
  { name: 'GET inspection', call: route('get', '/inspections/:code'), allowed: [...TEAM, 'ownSecretary', 'otherSecretary'] },
  { name: 'GET progress', call: route('get', '/inspections/:code/progress'), allowed: [...TEAM, 'ownSecretary', 'otherSecretary'] },
  { name: 'GET unit dossier', call: route('get', '/inspections/:code/units/:unit'), allowed: [...TEAM, 'ownSecretary'] },
  { name: 'GET file', call: route('get', '/files/:file'), allowed: [...TEAM, 'ownSecretary'] },
  { name: 'GET unit report', call: route('get', '/inspections/:code/units/:unit/report.pdf'), allowed: TEAM, forbiddenFor: ['ownSecretary'] },
  { name: 'GET request letter', call: route('get', '/inspections/:code/units/:unit/request-letter.pdf'), allowed: TEAM, forbiddenFor: ['ownSecretary'] },
  { name: 'GET summary report', call: route('get', '/inspections/:code/report.pdf'), allowed: TEAM, forbiddenFor: ['ownSecretary', 'otherSecretary'] },
  { name: 'GET export.xlsx', call: route('get', '/inspections/:code/export.xlsx'), allowed: TEAM, forbiddenFor: ['ownSecretary', 'otherSecretary'] },
  { name: 'GET export.csv', call: route('get', '/inspections/:code/export.csv'), allowed: TEAM, forbiddenFor: ['ownSecretary', 'otherSecretary'] },
  { name: 'GET bundle.zip', call: route('get', '/inspections/:code/units/:unit/bundle.zip'), allowed: TEAM, forbiddenFor: ['ownSecretary'] },
  { name: 'GET audit of the inspection', call: route('get', '/audit?inspection=:code'), allowed: TEAM, forbiddenFor: ['ownSecretary', 'otherSecretary'] },
  { name: 'GET units', call: route('get', '/units'), allowed: [...TEAM, 'outsideInspector'], forbiddenFor: ['ownSecretary', 'otherSecretary', 'outsideSecretary'] },
  { name: 'GET users', call: route('get', '/users'), allowed: [...TEAM, 'outsideInspector'], forbiddenFor: ['ownSecretary', 'otherSecretary', 'outsideSecretary'] },
  { name: 'GET templates', call: route('get', '/templates'), allowed: [...TEAM, 'outsideInspector'], forbiddenFor: ['ownSecretary', 'otherSecretary', 'outsideSecretary'] },
];

/** Writes: every refused role is tried first (nothing changes), then the one allowed role. */
const writes: (Route & { by: Role })[] = [
  { name: 'POST upload', call: route('post', '/inspections/:code/units/:unit/items/1.1/files', undefined, true), allowed: ['ownSecretary'], by: 'ownSecretary', forbiddenFor: TEAM },
  { name: 'PUT value', call: route('put', '/inspections/:code/units/:unit/items/8.1/value', { value: 607 }), allowed: ['ownSecretary'], by: 'ownSecretary', forbiddenFor: TEAM },
  { name: 'POST review', call: route('post', '/inspections/:code/units/:unit/items/8.1/review', { decision: 'accept' }), allowed: TEAM, by: 'member', forbiddenFor: ['ownSecretary'] },
  { name: 'PUT findings', call: route('put', '/inspections/:code/units/:unit/findings', { strengths: 'Tốt', shortcomings: '', recommendations: '', conclusion: 'Đạt' }), allowed: TEAM, by: 'lead', forbiddenFor: ['ownSecretary'] },
  { name: 'DELETE file', call: route('delete', '/files/:file'), allowed: ['ownSecretary'], by: 'ownSecretary', forbiddenFor: TEAM },
  { name: 'POST inspections', call: route('post', '/inspections', { code: 'KT-MOI', title: 'Đợt mới', teamName: 'Đoàn 5', templateCode: 'KHONGCO', unitCodes: ['X'], members: [{ username: 'admin', role: 'lead' }] }), allowed: ['admin'], by: 'admin', forbiddenFor: ['lead', 'member', 'outsideInspector', 'ownSecretary', 'otherSecretary', 'outsideSecretary'] },
  { name: 'POST close', call: route('post', '/inspections/:code/close'), allowed: ['admin', 'lead'], by: 'lead', forbiddenFor: ['member', 'ownSecretary', 'otherSecretary'] },
];

function expectRefused(role: Role, route: Route, res: request.Response): void {
  const expected = role === 'anonymous' ? 401 : route.forbiddenFor?.includes(role) ? 403 : 404;
  expect({ route: route.name, role, status: res.status }).toEqual({ route: route.name, role, status: expected });
  const text = res.text ?? '';
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe.each(reads)('$name', (r) => {
  it.each(ROLES)('as %s', async (role) => {
    const res = await r.call(tokens[role]);
    if (r.allowed.includes(role)) {
      expect({ route: r.name, role, status: res.status }).toEqual({ route: r.name, role, status: 200 });
    } else {
      expectRefused(role, r, res);
    }
  });
});

it('shows a secretary only their own unit’s row of the progress', async () => {
  const res = await request(ctx.app).get(`/api/v1/inspections/${code}/progress`).auth(tokens.otherSecretary!, { type: 'bearer' });
  expect(res.body.units).toHaveLength(1);
  expect(res.body.units[0].unitCode).not.toBe(unitA);
});

describe.each(writes)('$name', (w) => {
  it('is refused to everyone outside its scope, then done by an allowed role', async () => {
    for (const role of ROLES.filter((r) => !w.allowed.includes(r))) expectRefused(role, w, await w.call(tokens[role]));
    const done = await w.call(tokens[w.by]);
    // POST /inspections with an unknown template proves the admin got past the permission check.
    expect([200, 201, 404]).toContain(done.status);
    if (w.name !== 'POST inspections') expect(done.status).toBeLessThan(300);
  });
});
