import fc from 'fast-check';
import request from 'supertest';
import { buildUser } from './helpers/factories';
import { buildRoleCast, type Role, ROLES } from './helpers/role-cast';
import { buildPdf, readSample } from './helpers/sample-files';
import { createTestApp, type TestContext } from './helpers/test-app';

/**
 * Random requests at every route of the API (as /openapi.json lists them, generated from each
 * router's docs), as every role: random path parameters, query strings and bodies of every shape.
 * Whatever arrives, the answer is never a 5xx, an error is always the typed JSON error, and
 * nobody outside unit A's scope ever receives anything of unit A's dossier.
 */

/** Who may see unit A's dossier; everyone else must never receive a byte of it. */
const UNIT_A_SCOPE = new Set<Role>(['admin', 'lead', 'member', 'ownSecretary']);
/** Random requests per route and role: about 40 routes × 8 roles × 2, some 600 in all (FUZZ_RUNS=30 for a longer hunt). */
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 2);

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Route {
  method: Method;
  /** Express form: `/inspections/:code/units/:unit`. */
  path: string;
  /** The JSON Schema of the body, when the route takes one. */
  schema: JsonSchema | undefined;
  multipart: boolean;
}

let ctx: TestContext;
let tokens = {} as Record<Role, string | undefined>;
let routes: Route[] = [];
/** Identifiers that exist, by the path segment before the parameter, so random requests reach past the 404s. */
let knownFor: Record<string, string[]> = {};
let known: string[] = [];
let code = '';
let unitA = '';
let fileA = 0;
/** What only unit A's scope may see: the file's name and SHA-256, the return note, a text value, the findings. */
let secrets: string[] = [];

const routeName = (r: Route) => `${r.method.toUpperCase()} ${r.path}`;

/** The part of JSON Schema that zod's generated schemas use. */
interface JsonSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';
  enum?: unknown[];
  anyOf?: JsonSchema[];
  pattern?: string;
  items?: JsonSchema;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema?: JsonSchema }> } }>>;
}

function routesOf(doc: OpenApi): Route[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, op]) => ({
      method: method as Method,
      path: path.replace(/^\/api\/v1/, '').replace(/\{(\w+)\}/g, ':$1'),
      schema: op.requestBody?.content['application/json']?.schema,
      multipart: op.requestBody?.content['multipart/form-data'] !== undefined,
    })),
  );
}

beforeAll(async () => {
  ctx = await createTestApp();
  const cast = await buildRoleCast(ctx);
  ({ code, unitA, tokens } = cast);
  const { built } = cast;
  // Someone for PATCH /users/:username to act on, so no role's own session is ever ended by it.
  await buildUser(ctx.db, ctx.admin, { username: 'nan-nhan', role: 'inspector' });

  const unitPath = `/api/v1/inspections/${built.code}/units/${unitA}`;
  const secretName = 'Lý lịch mật Nguyễn Văn Ánh — đơn vị A';
  const uploaded = await request(ctx.app)
    .post(`${unitPath}/items/1.1/files`)
    .auth(tokens.ownSecretary!, { type: 'bearer' })
    .attach('file', await buildPdf(['Hồ sơ thẩm tra lý lịch', `Bản riêng của đơn vị ${unitA}`]), `${secretName}.pdf`)
    .expect(201);
  fileA = uploaded.body.id as number;
  const note = 'Trả lại: thiếu xác minh lý lịch bên ngoại của quần chúng Ánh';
  const value = 'Tự đánh giá riêng: chi bộ số 3 chưa họp định kỳ quý II';
  const conclusion = 'Kết luận riêng: đề nghị xem xét trách nhiệm bí thư chi bộ số 3';
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  await request(ctx.app).post(`${unitPath}/items/1.1/review`).set(bearer(tokens.lead!)).send({ decision: 'return', note }).expect(200);
  await request(ctx.app).put(`${unitPath}/items/9.1/value`).set(bearer(tokens.ownSecretary!)).send({ value }).expect(200);
  await request(ctx.app).put(`${unitPath}/findings`).set(bearer(tokens.lead!)).send({ conclusion }).expect(200);
  secrets = [secretName, uploaded.body.sha256 as string, note, value, conclusion];

  const otherFile = await request(ctx.app)
    .post(`/api/v1/inspections/${built.code}/units/${built.units[1]!.code}/items/1.1/files`)
    .auth(tokens.otherSecretary!, { type: 'bearer' })
    .attach('file', readSample('docx'), 'Danh sách đảng viên.docx')
    .expect(201);
  const template = (await request(ctx.app).get(`/api/v1/inspections/${built.code}`).set(bearer(tokens.admin!)).expect(200)).body.templateCode as string;
  const units = [unitA, built.units[1]!.code];
  knownFor = {
    inspections: [built.code], units, templates: [template], items: ['1.1', '2.1', '8.1', '9.1'], files: [String(fileA), String(otherFile.body.id)], users: ['nan-nhan'],
  };
  known = Object.values(knownFor).flat();

  routes = routesOf((await request(ctx.app).get('/api/v1/openapi.json').expect(200)).body as OpenApi);
});
afterAll(() => ctx.close());

// ————— what random requests are made of —————

/** Hostile or malformed path segments, sent as they are (not encoded). */
const RAW_SEGMENTS = ['..', '%2e%2e', '%00', '%', '%E0%A4%A', 'a%ZZ', "'%20OR%201=1--", '%3Cscript%3E', 'NaN', '-1', '0', '1e309', '2147483648', '9007199254740993'];

/** A value for a parameter after `/<collection>/`; built once setup has run, since it draws from the identifiers that exist. */
const segment = (collection: string) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...(knownFor[collection] ?? known)).map(encodeURIComponent) },
    { weight: 2, arbitrary: fc.webSegment() },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 300 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  );

const queryString = fc.oneof(
  fc.constant(''),
  fc.webQueryParameters().map((q) => `?${q}`),
  fc
    .array(fc.tuple(fc.constantFrom('inspection', 'lang', '_csrf', 'status', 'unit', 'limit', 'after'), fc.oneof(fc.webSegment(), fc.constantFrom(...RAW_SEGMENTS))), { maxLength: 4 })
    .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
);

/** Anything JSON can carry, and odd values that often break lazy code. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, '', ' ', '\u0000', 0, -1, 1e308, 2 ** 53 + 1, true, [], {}, 'x'.repeat(70_000), 'accept', 'return', 'waive', 'reopen', 'lead', 'member', 'admin', 'secretary', 'file', 'number', 'text'),
);

/** Real files of each accepted type, and active content that must be refused. */
const SAMPLES = (['pdf', 'docx', 'xlsx', 'png', 'htmlNamedPdf', 'svg'] as const).map((sample) => new Uint8Array(readSample(sample)));

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; contentType: string; text: string }
  | { kind: 'file'; field: string; bytes: Uint8Array; name: string };

/** Text as people type it, hostile text, and identifiers that exist. */
const text = () =>
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom('Đảng uỷ phường Minh Xuân', `'; DROP TABLE units;--`, '<script>alert(1)</script>', '=HYPERLINK("x")', 'Tân\u0000Quang', '   ', ''),
    fc.constantFrom(...known),
  );

/**
 * Values that satisfy the schema's shape (types, enums, patterns) without promising validity, so a
 * good share of the requests get past validation to the services.
 */
function fromSchema(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 4) return anyValue;
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => fromSchema(s, depth + 1)));
  switch (schema.type) {
    case 'string':
      return schema.pattern ? fc.oneof(fc.constantFrom(...known), fc.stringMatching(new RegExp(schema.pattern))) : text();
    case 'number':
      return fc.oneof(fc.integer({ min: -10, max: 2_000_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
    case 'integer':
      return fc.integer({ min: -3, max: 30 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? fromSchema(schema.items, depth + 1) : anyValue, { minLength: Math.min(schema.minItems ?? 0, 3), maxLength: 3 });
    case 'object': {
      const properties = Object.entries(schema.properties ?? {}).map(([k, s]) => [k, fromSchema(s, depth + 1)] as const);
      return fc.record(Object.fromEntries(properties), { requiredKeys: (schema.required ?? []).filter((k) => k in (schema.properties ?? {})) });
    }
    default:
      return anyValue;
  }
}

function bodyFor(route: Route): fc.Arbitrary<Body> {
  const fields = Object.keys(route.schema?.properties ?? {});
  const keys = fields.length ? fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 8 })) : fc.string({ maxLength: 8 });
  const shaped = fc.dictionary(keys, anyValue, { maxKeys: 6 });
  const wellFormed = route.schema ? fromSchema(route.schema) : shaped;
  const fileName = fc.string({ unit: 'grapheme', maxLength: 60 }).map((s) => s.replace(/["\\\r\n]/g, ''));
  return fc.oneof(
    fc.constant<Body>({ kind: 'none' }),
    { weight: 4, arbitrary: wellFormed.map((value): Body => ({ kind: 'json', value })) },
    { weight: 2, arbitrary: shaped.map((value): Body => ({ kind: 'json', value })) },
    fc.jsonValue({ maxDepth: 2 }).map((value): Body => ({ kind: 'json', value })),
    fc
      .record({
        contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=xyz', 'application/xml'),
        text: fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('{"value":', '{"__proto__":{"admin":true}}', 'value=1&value=2', '--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc')),
      })
      .map((r): Body => ({ kind: 'raw', ...r })),
    {
      // Mostly for the upload route; elsewhere a multipart body is just another wrong kind of body.
      weight: route.multipart ? 8 : 1,
      arbitrary: fc
        .record({
          field: fc.constantFrom('file', 'file', 'tep'),
          bytes: fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.constantFrom(...SAMPLES)),
          name: fileName,
        })
        .map((r): Body => ({ kind: 'file', ...r })),
    },
  );
}

interface Call {
  route: Route;
  url: string;
  body: Body;
}

/** A request to `route` with random path parameters, query string and body. */
function callTo(route: Route): fc.Arbitrary<Call> {
  const params = [...route.path.matchAll(/([^/]*)\/:\w+/g)].map((m) => m[1] ?? '');
  return fc.record({ segments: fc.tuple(...params.map(segment)), query: queryString, body: bodyFor(route) }).map(({ segments, query, body }) => {
    let n = 0;
    const path = route.path.replace(/:(\w+)/g, () => segments[n++] ?? '');
    return { route, url: `/api/v1${path}${query}`, body };
  });
}

async function send(role: Role, { route, url, body }: Call): Promise<request.Response> {
  let req = request(ctx.app)[route.method](url);
  // Signing out would end the role's session for the rest of the run: it is tried with a stranger's token.
  const token = route.method === 'delete' && route.path === '/session' ? 'khong-phai-token-that' : tokens[role];
  if (token) req = req.auth(token, { type: 'bearer' });
  req = req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  switch (body.kind) {
    case 'none':
      return req;
    case 'json':
      return req.type('json').send(JSON.stringify(body.value));
    case 'raw':
      return req.set('Content-Type', body.contentType).send(body.text);
    case 'file':
      return req.attach(body.field, Buffer.from(body.bytes), body.name || 'tep');
  }
}

/** Does this URL name unit A's dossier or unit A's file? */
function pointsAtUnitA(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return new RegExp(`^/api/v1/inspections/[^/]+/units/${unitA}(/|$)`).test(path) || path === `/api/v1/files/${fileA}`;
}

function isTypedError(text: string): boolean {
  try {
    const { error } = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return typeof error?.code === 'string' && typeof error.message === 'string';
  } catch {
    return false;
  }
}

async function check(role: Role, c: Call): Promise<void> {
  const res = await send(role, c);
  const text = (res.body as Buffer).toString('utf8');
  const where = `${role} ${c.route.method.toUpperCase()} ${c.url} → ${res.status}`;
  expect(res.status < 500 ? 'no 5xx' : `${where}: ${text.slice(0, 300)}`).toBe('no 5xx');
  if (res.status >= 400) expect(isTypedError(text) ? 'typed error' : `${where}: ${text.slice(0, 300)}`).toBe('typed error');
  if (!UNIT_A_SCOPE.has(role)) {
    const seen = `${JSON.stringify(res.headers)}\n${text}`;
    for (const secret of secrets) expect(seen.includes(secret) ? `${where} reveals "${secret}"` : 'nothing of unit A').toBe('nothing of unit A');
    expect(res.status < 300 && pointsAtUnitA(c.url) ? `${where}: unit A answered` : 'refused').toBe('refused');
  }
}

/** Failures the fuzzing found once, replayed first on every run. */
const REGRESSIONS: { role: Role; route: string; call: () => Pick<Call, 'url' | 'body'> }[] = [
  // An empty PATCH built an UPDATE without columns: a 500.
  { role: 'admin', route: 'PATCH /units/:code', call: () => ({ url: `/api/v1/units/${unitA}`, body: { kind: 'raw', contentType: 'application/json', text: '' } }) },
  // PostgreSQL cannot store U+0000: a NUL in a path, a query or a body failed the query, a 500.
  { role: 'member', route: 'GET /inspections/:code', call: () => ({ url: '/api/v1/inspections/%00', body: { kind: 'none' } }) },
  { role: 'anonymous', route: 'POST /session', call: () => ({ url: '/api/v1/session', body: { kind: 'json', value: { username: 'ad\u0000min', password: 'x' } } }) },
  { role: 'admin', route: 'GET /audit', call: () => ({ url: '/api/v1/audit?inspection=%00', body: { kind: 'none' } }) },
  // Row ids are 32-bit on PostgreSQL: a larger one failed the query there.
  { role: 'admin', route: 'GET /files/:id', call: () => ({ url: '/api/v1/files/2147483648', body: { kind: 'none' } }) },
  { role: 'ownSecretary', route: 'DELETE /files/:id', call: () => ({ url: '/api/v1/files/2147483648', body: { kind: 'none' } }) },
  { role: 'admin', route: 'GET /audit', call: () => ({ url: '/api/v1/audit?after=2147483648', body: { kind: 'none' } }) },
  { role: 'lead', route: 'PUT /inspections/:code/units/:unit/findings', call: () => ({ url: `/api/v1/inspections/${code}/units/${unitA}/findings`, body: { kind: 'json', value: { conclusion: 'Đạt\u0000' } } }) },
];

function examplesFor(role: Role, route: Route): [Call][] {
  return REGRESSIONS.filter((r) => r.role === role && r.route === routeName(route)).map((r) => [{ route, ...r.call() }]);
}

describe('random requests at every route', () => {
  it('lists every route of the API from its OpenAPI document', () => {
    expect(routes.length).toBeGreaterThanOrEqual(35);
    expect(routes.map(routeName)).toEqual(expect.arrayContaining(['POST /inspections/:code/units/:unit/items/:item/files', 'GET /files/:id', 'GET /audit']));
  });

  it.each(ROLES)('as %s: never a 5xx, always a typed error, nothing of unit A outside its scope', async (role) => {
    // Each role starts on an open inspection, whatever an earlier role's random close did.
    await request(ctx.app).post(`/api/v1/inspections/${code}/open`).auth(tokens.admin!, { type: 'bearer' });
    for (const route of routes) {
      await fc.assert(fc.asyncProperty(callTo(route), (c) => check(role, c)), { numRuns: RUNS_PER_ROUTE, examples: examplesFor(role, route) });
    }
  });
});

describe('random paths under /api/v1', () => {
  it('answer with a typed 4xx, never a 5xx', async () => {
    const method = fc.constantFrom<Method>('get', 'post', 'put', 'patch', 'delete');
    await fc.assert(
      fc.asyncProperty(method, fc.webPath(), fc.constantFrom(...ROLES), async (m, path, role) => {
        const route: Route = { method: m, path, schema: undefined, multipart: false };
        const res = await send(role, { route, url: `/api/v1${path.startsWith('/') ? path : `/${path}`}`, body: { kind: 'none' } });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
  });
});
