import request from 'supertest';
import { buildRoleCast, type Role, ROLES } from './helpers/role-cast';
import { readSample } from './helpers/sample-files';
import { type Act, allowedBy, productTable, refusedStatus, SECTION_3, type Section3Row } from './helpers/section3';
import { createTestApp, type TestContext } from './helpers/test-app';

/**
 * The permission matrix of PRODUCT.md §3: every route of §4, tried as every role, own unit and
 * other unit, with the expectation read from §3's table (tests/helpers/section3.ts), never from
 * the application's policy. Whoever is outside a resource's scope gets 401, 403 or 404 and never
 * its data.
 */

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
  /** The row of §3 the route falls under, and what it does there. */
  row: Section3Row;
  act: Act;
  /** What the route is about: who is refused with 403 rather than 404 depends on who can see it. */
  scope: 'directory' | 'inspection' | 'unit';
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
  { name: 'GET inspection', call: route('get', '/inspections/:code'), row: 'progress', act: 'read', scope: 'inspection' },
  { name: 'GET progress', call: route('get', '/inspections/:code/progress'), row: 'progress', act: 'read', scope: 'inspection' },
  { name: 'GET unit dossier', call: route('get', '/inspections/:code/units/:unit'), row: 'dossier', act: 'read', scope: 'unit' },
  { name: 'GET file', call: route('get', '/files/:file'), row: 'dossier', act: 'read', scope: 'unit' },
  { name: 'GET unit report', call: route('get', '/inspections/:code/units/:unit/report.pdf'), row: 'reports', act: 'unitReport', scope: 'unit' },
  { name: 'GET request letter', call: route('get', '/inspections/:code/units/:unit/request-letter.pdf'), row: 'reports', act: 'read', scope: 'unit' },
  { name: 'GET summary report', call: route('get', '/inspections/:code/report.pdf'), row: 'reports', act: 'read', scope: 'inspection' },
  { name: 'GET export.xlsx', call: route('get', '/inspections/:code/export.xlsx'), row: 'reports', act: 'read', scope: 'inspection' },
  { name: 'GET export.csv', call: route('get', '/inspections/:code/export.csv'), row: 'reports', act: 'read', scope: 'inspection' },
  { name: 'GET bundle.zip', call: route('get', '/inspections/:code/units/:unit/bundle.zip'), row: 'reports', act: 'read', scope: 'unit' },
  // The inspection's audit trail is the team's record of its own review work.
  { name: 'GET audit of the inspection', call: route('get', '/audit?inspection=:code'), row: 'review', act: 'read', scope: 'inspection' },
  { name: 'GET units', call: route('get', '/units'), row: 'directory', act: 'read', scope: 'directory' },
  { name: 'GET users', call: route('get', '/users'), row: 'directory', act: 'read', scope: 'directory' },
  { name: 'GET templates', call: route('get', '/templates'), row: 'directory', act: 'read', scope: 'directory' },
];

/** Writes: every refused role is tried first (nothing changes), then `by`, one allowed role. */
const writes: (Route & { by: Role })[] = [
  { name: 'POST upload', call: route('post', '/inspections/:code/units/:unit/items/1.1/files', undefined, true), row: 'submit', act: 'write', scope: 'unit', by: 'ownSecretary' },
  { name: 'PUT value', call: route('put', '/inspections/:code/units/:unit/items/8.1/value', { value: 607 }), row: 'submit', act: 'write', scope: 'unit', by: 'ownSecretary' },
  { name: 'POST review', call: route('post', '/inspections/:code/units/:unit/items/8.1/review', { decision: 'accept' }), row: 'review', act: 'write', scope: 'unit', by: 'member' },
  { name: 'PUT findings', call: route('put', '/inspections/:code/units/:unit/findings', { strengths: 'Tốt', shortcomings: '', recommendations: '', conclusion: 'Đạt' }), row: 'review', act: 'write', scope: 'unit', by: 'lead' },
  { name: 'DELETE file', call: route('delete', '/files/:file'), row: 'submit', act: 'write', scope: 'unit', by: 'ownSecretary' },
  { name: 'POST inspections', call: route('post', '/inspections', { code: 'KT-MOI', title: 'Đợt mới', teamName: 'Đoàn 5', templateCode: 'KHONGCO', unitCodes: ['X'], members: [{ username: 'admin', role: 'lead' }] }), row: 'inspectionLifecycle', act: 'create', scope: 'directory', by: 'admin' },
  { name: 'POST close', call: route('post', '/inspections/:code/close'), row: 'inspectionLifecycle', act: 'openClose', scope: 'inspection', by: 'lead' },
];

function expectRefused(role: Role, r: Route, res: request.Response): void {
  expect({ route: r.name, role, status: res.status }).toEqual({ route: r.name, role, status: refusedStatus(r.scope, role) });
  const text = res.text ?? '';
  for (const secret of secrets) expect(text).not.toContain(secret);
}

it('reads its expectations from §3 as PRODUCT.md has it (when ../shared/PRODUCT.md is beside the repository)', () => {
  const table = productTable();
  if (table) expect(table).toEqual(Object.values(SECTION_3).map((row) => [...row]));
});

describe.each(reads)('$name', (r) => {
  it.each(ROLES)('as %s', async (role) => {
    const res = await r.call(tokens[role]);
    if (allowedBy(r.row, r.act, role)) {
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
    expect(allowedBy(w.row, w.act, w.by)).toBe(true);
    for (const role of ROLES.filter((r) => !allowedBy(w.row, w.act, r))) expectRefused(role, w, await w.call(tokens[role]));
    const done = await w.call(tokens[w.by]);
    // POST /inspections with an unknown template proves the admin got past the permission check.
    expect([200, 201, 404]).toContain(done.status);
    if (w.name !== 'POST inspections') expect(done.status).toBeLessThan(300);
  });
});
