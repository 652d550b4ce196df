/**
 * A bounded load test of the real server: `npm run test:load` (60 s, 100 clients), or
 * `npm run test:load -- --seconds 10 --clients 20` for a quick try. Not part of `npm test`.
 *
 * It starts src/server.ts as a child process on a fresh data directory (SQLite), sets up a city
 * through the API (20 units each with a secretary, an inspection team of 5), then lets the clients
 * work over loopback until the time is up: secretaries upload files, read their dossier, set
 * figures and sign in again; inspectors read progress and dossiers, accept, return, waive and
 * reopen items and print reports. Then it checks that:
 *   - no request was answered with a 5xx;
 *   - SQLITE_BUSY ("database is locked") never surfaced, in the server's log or in any answer;
 *   - every upload answered 201 is in its unit's dossier and downloads with its SHA-256;
 *   - the audit chain still verifies.
 * It prints one line per check and ends with "load: N passed, M failed"; the exit status is 1 when
 * anything failed. A watchdog ends the run if the server stops answering.
 */
import { createHash, randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSample } from '../helpers/sample-files';
import { type ApiAnswer, callApi, download, type ServerProcess, signIn, startServer, uploadFile } from '../helpers/server-process';

interface Options {
  seconds: number;
  clients: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { seconds: 60, clients: 100 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if ((name !== 'seconds' && name !== 'clients') || !Number.isInteger(value) || value < 1) {
      throw new Error(`usage: load.ts [--seconds N] [--clients N] (got ${argv.join(' ')})`);
    }
    options[name] = value;
  }
  return options;
}

const ADMIN_PASSWORD = 'Quan-tri-vien-tai-2023';
const PASSWORD = 'Mat-khau-kiem-thu-tai-2023';
const UNITS = 20;
const INSPECTORS = 5;
const FILE_ITEMS = ['1.1', '2.1', '3.1', '4.1'];
const INSPECTION = 'KT-TAI-2023';
const API = '/api/v1';
/** Past this the server is taken to be hung, and the run fails. */
const GRACE_MS = 180_000;

// ————— what was asked, answered and uploaded —————

interface Upload {
  id: number;
  sha256: string;
  unit: string;
}

class Tally {
  readonly byAction = new Map<string, { statuses: Map<number, number>; ms: number[] }>();
  readonly serverErrors: string[] = [];
  readonly busy: string[] = [];
  readonly uploads: Upload[] = [];
  readonly mismatches: string[] = [];

  record(action: string, status: number, ms: number, body: unknown): void {
    const entry = this.byAction.get(action) ?? { statuses: new Map<number, number>(), ms: [] };
    this.byAction.set(action, entry);
    entry.statuses.set(status, (entry.statuses.get(status) ?? 0) + 1);
    entry.ms.push(ms);
    if (status >= 200 && status < 300) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    if (status >= 500) this.serverErrors.push(`${action} → ${status}: ${text.slice(0, 300)}`);
    if (BUSY.test(text)) this.busy.push(`${action} → ${status}: ${text.slice(0, 300)}`);
  }

  get requests(): number {
    return [...this.byAction.values()].reduce((n, e) => n + e.ms.length, 0);
  }
}

const BUSY = /SQLITE_BUSY|database is locked/i;

async function timed<T>(tally: Tally, action: string, call: () => Promise<ApiAnswer<T>>): Promise<ApiAnswer<T>> {
  const start = performance.now();
  const answer = await call();
  tally.record(action, answer.status, performance.now() - start, answer.body);
  return answer;
}

// ————— the city —————

interface Secretary {
  kind: 'secretary';
  username: string;
  unit: string;
}
interface Inspector {
  kind: 'inspector';
  username: string;
}
type Persona = Secretary | Inspector;

interface World {
  baseUrl: string;
  adminToken: string;
  secretaries: Secretary[];
  inspectors: Inspector[];
  units: string[];
}

async function expectOk<T>(what: string, answer: Promise<ApiAnswer<T>>): Promise<T> {
  const { status, body } = await answer;
  if (status >= 300) throw new Error(`setting up: ${what} answered ${status} ${JSON.stringify(body)}`);
  return body;
}

async function setUpCity(baseUrl: string): Promise<World> {
  const adminToken = await signIn(baseUrl, 'admin', ADMIN_PASSWORD);
  const post = (p: string, body: unknown, token = adminToken) => callApi(baseUrl, 'POST', API + p, { token, body });
  await expectOk('template', post('/templates', {
    code: 'BVCTNB-TAI',
    title: 'Kiểm tra công tác bảo vệ chính trị nội bộ',
    items: [
      ...FILE_ITEMS.map((code, i) => ({ code, section: `${'I II III IV'.split(' ')[i]}. Hồ sơ`, title: `Hồ sơ mục ${code}`, kind: 'file' })),
      { code: '8.1', section: 'VIII. Số liệu', title: 'Số người được tập huấn', kind: 'number' },
      { code: '9.1', section: 'IX. Tự đánh giá', title: 'Tự đánh giá', kind: 'text', required: false },
    ],
  }));
  const units: string[] = [];
  const secretaries: Secretary[] = [];
  for (let i = 1; i <= UNITS; i++) {
    const unit = `P-${String(i).padStart(2, '0')}`;
    await expectOk(`unit ${unit}`, post('/units', { code: unit, name: `Đảng uỷ phường số ${i}` }));
    const username = `bithu${i}`;
    await expectOk(`secretary ${username}`, post('/users', { username, displayName: `Bí thư phường số ${i}`, password: PASSWORD, role: 'secretary', unitCode: unit }));
    units.push(unit);
    secretaries.push({ kind: 'secretary', username, unit });
  }
  const inspectors: Inspector[] = [];
  for (let i = 1; i <= INSPECTORS; i++) {
    const username = `kiemtra${i}`;
    await expectOk(`inspector ${username}`, post('/users', { username, displayName: `Kiểm tra viên ${i}`, password: PASSWORD, role: 'inspector' }));
    inspectors.push({ kind: 'inspector', username });
  }
  await expectOk('inspection', post('/inspections', {
    code: INSPECTION,
    title: 'Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023',
    teamName: 'Đoàn Kiểm tra số 4',
    templateCode: 'BVCTNB-TAI',
    unitCodes: units,
    members: inspectors.map((m, i) => ({ username: m.username, role: i === 0 ? 'lead' : 'member' })),
  }));
  const lead = await signIn(baseUrl, inspectors[0]!.username, PASSWORD);
  await expectOk('opening', post(`/inspections/${INSPECTION}/open`, {}, lead));
  return { baseUrl, adminToken, secretaries, inspectors, units };
}

// ————— one client —————

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const SAMPLE_PDF = readSample('pdf');
const ONE_MIB_OF_SPACES = Buffer.alloc(1024 * 1024, 0x20);

/** A PDF no other upload has: the sample with a comment after its end; one in ten carries a MiB more. */
function uniquePdf(client: number, n: number): Buffer {
  const tag = Buffer.from(`\n% tải thử: khách ${client}, tệp ${n}, ${randomInt(2 ** 47)}\n`);
  return Buffer.concat(randomInt(10) === 0 ? [SAMPLE_PDF, tag, ONE_MIB_OF_SPACES, tag] : [SAMPLE_PDF, tag]);
}

async function secretaryStep(world: World, me: Secretary, session: { token: string }, client: number, n: number, tally: Tally, mine: Upload[]): Promise<void> {
  const { baseUrl } = world;
  const dossier = `${API}/inspections/${INSPECTION}/units/${me.unit}`;
  const roll = randomInt(100);
  if (roll < 45) {
    const bytes = uniquePdf(client, n);
    const name = `Biên bản ${me.unit} số ${n}.pdf`;
    const res = await timed(tally, 'upload', () => uploadFile<{ id: number; sha256: string }>(baseUrl, session.token, `${dossier}/items/${pick(FILE_ITEMS)}/files`, name, bytes));
    if (res.status !== 201) return;
    const upload = { id: res.body.id, sha256: sha256(bytes), unit: me.unit };
    if (res.body.sha256 !== upload.sha256) tally.mismatches.push(`upload ${upload.id} answered SHA-256 ${res.body.sha256}, sent ${upload.sha256}`);
    tally.uploads.push(upload);
    mine.push(upload);
  } else if (roll < 75) {
    await timed(tally, 'read own dossier', () => callApi(baseUrl, 'GET', dossier, { token: session.token }));
  } else if (roll < 85) {
    await timed(tally, 'set figure', () => callApi(baseUrl, 'PUT', `${dossier}/items/8.1/value`, { token: session.token, body: { value: randomInt(1000) } }));
  } else if (roll < 93 && mine.length > 0) {
    const file = pick(mine);
    await timed(tally, 'download own file', async () => {
      const res = await download(baseUrl, session.token, `${API}/files/${file.id}`);
      return { status: res.status, body: res.status === 200 ? '' : res.bytes.toString('utf8') };
    });
  } else {
    await timed(tally, 'sign out', () => callApi(baseUrl, 'DELETE', `${API}/session`, { token: session.token }));
    session.token = await signInTimed(world, me.username, tally);
  }
}

async function inspectorStep(world: World, session: { token: string }, tally: Tally): Promise<void> {
  const { baseUrl } = world;
  const unit = pick(world.units);
  const dossier = `${API}/inspections/${INSPECTION}/units/${unit}`;
  const roll = randomInt(100);
  if (roll < 25) {
    await timed(tally, 'read progress', () => callApi(baseUrl, 'GET', `${API}/inspections/${INSPECTION}/progress`, { token: session.token }));
  } else if (roll < 55) {
    await timed(tally, 'read a dossier', () => callApi(baseUrl, 'GET', dossier, { token: session.token }));
  } else if (roll < 95) {
    const decision = pick(['accept', 'return', 'waive', 'reopen', 'reopen'] as const);
    const note = decision === 'return' || decision === 'waive' ? 'Đề nghị bổ sung biên bản có chữ ký của bí thư chi bộ' : undefined;
    await timed(tally, `review (${decision})`, () =>
      callApi(baseUrl, 'POST', `${dossier}/items/${pick([...FILE_ITEMS, '8.1'])}/review`, { token: session.token, body: { decision, note } }),
    );
  } else {
    await timed(tally, 'unit report', async () => {
      const res = await download(baseUrl, session.token, `${dossier}/report.pdf`);
      return { status: res.status, body: res.status === 200 ? '' : res.bytes.toString('utf8') };
    });
  }
}

async function signInTimed(world: World, username: string, tally: Tally): Promise<string> {
  const res = await timed(tally, 'sign in', () => callApi<{ token: string }>(world.baseUrl, 'POST', `${API}/session`, { body: { username, password: PASSWORD } }));
  if (res.status !== 200) throw new Error(`sign-in of ${username} answered ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** One client: signs in as its persona, then works until the deadline, one request at a time. */
async function client(world: World, persona: Persona, index: number, deadline: number, tally: Tally): Promise<void> {
  const session = { token: await signInTimed(world, persona.username, tally) };
  const mine: Upload[] = [];
  for (let n = 1; Date.now() < deadline; n++) {
    if (persona.kind === 'secretary') await secretaryStep(world, persona, session, index, n, tally, mine);
    else await inspectorStep(world, session, tally);
  }
}

// ————— after the run —————

/** Runs `task` over `items`, `width` at a time. */
async function inBatches<T>(items: T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(task));
}

interface DossierAnswer {
  entries: { files: { id: number; sha256: string }[] }[];
}

/** Every upload answered 201 is a current file of its unit and downloads with its SHA-256. */
async function missingUploads(world: World, uploads: Upload[]): Promise<string[]> {
  const problems: string[] = [];
  const current = new Map<number, string>();
  for (const unit of world.units) {
    const res = await callApi<DossierAnswer>(world.baseUrl, 'GET', `${API}/inspections/${INSPECTION}/units/${unit}`, { token: world.adminToken });
    for (const file of res.body.entries.flatMap((e) => e.files)) current.set(file.id, file.sha256);
  }
  await inBatches(uploads, 10, async (upload) => {
    if (current.get(upload.id) !== upload.sha256) problems.push(`upload ${upload.id} (${upload.unit}) is not in the dossier with its SHA-256`);
    const res = await download(world.baseUrl, world.adminToken, `${API}/files/${upload.id}`);
    if (res.status !== 200 || sha256(res.bytes) !== upload.sha256) problems.push(`upload ${upload.id} (${upload.unit}) downloads as ${res.status} with other bytes`);
  });
  return problems;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function printSummary(tally: Tally, seconds: number): void {
  const lines = [...tally.byAction.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([action, { statuses, ms }]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      const answers = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
      return `  ${action.padEnd(20)} ${String(ms.length).padStart(6)}  p50 ${percentile(sorted, 50).toFixed(0).padStart(5)} ms  p95 ${percentile(sorted, 95).toFixed(0).padStart(5)} ms  max ${percentile(sorted, 100).toFixed(0).padStart(6)} ms  ${answers}`;
    });
  process.stdout.write(`${tally.requests} requests in ${seconds} s (${(tally.requests / seconds).toFixed(0)}/s), ${tally.uploads.length} uploads kept\n${lines.join('\n')}\n`);
}

interface Check {
  name: string;
  problems: string[];
}

function report(checks: Check[]): boolean {
  for (const check of checks) {
    process.stdout.write(`${check.problems.length === 0 ? '✓' : '✗'} ${check.name}\n`);
    for (const problem of check.problems.slice(0, 10)) process.stdout.write(`    ${problem}\n`);
    if (check.problems.length > 10) process.stdout.write(`    … and ${check.problems.length - 10} more\n`);
  }
  const failed = checks.filter((c) => c.problems.length > 0).length;
  process.stdout.write(`load: ${checks.length - failed} passed, ${failed} failed\n`);
  return failed === 0;
}

async function main(): Promise<boolean> {
  const options = parseOptions(process.argv.slice(2));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-load-'));
  let server: ServerProcess | undefined;
  const watchdog = setTimeout(() => {
    process.stderr.write(`load: no end after ${options.seconds} s + ${GRACE_MS / 1000} s; the server is taken to be hung\n${server?.output().slice(-5000) ?? ''}\n`);
    void server?.kill('SIGKILL').finally(() => process.exit(1));
  }, options.seconds * 1000 + GRACE_MS);
  watchdog.unref();
  try {
    server = await startServer({ dataDir, env: { HOSO_ADMIN_PASSWORD: ADMIN_PASSWORD, HOSO_LOG_LEVEL: 'warn' } });
    const world = await setUpCity(server.baseUrl);
    process.stdout.write(`load: ${options.clients} clients for ${options.seconds} s against ${server.baseUrl} (pid ${server.pid})\n`);

    const tally = new Tally();
    // Three clients in four are secretaries (several may share one), the fourth an inspector.
    const persona = (i: number): Persona => (i % 4 === 3 ? world.inspectors[i % INSPECTORS]! : world.secretaries[i % UNITS]!);
    const deadline = Date.now() + options.seconds * 1000;
    await Promise.all(Array.from({ length: options.clients }, (_, i) => client(world, persona(i), i, deadline, tally)));
    printSummary(tally, options.seconds);

    const verify = await callApi<{ ok: boolean }>(server.baseUrl, 'GET', `${API}/audit/verify`, { token: world.adminToken });
    const missing = await missingUploads(world, tally.uploads);
    const log = server.output();
    return report([
      { name: 'no answer was a 5xx', problems: tally.serverErrors },
      { name: 'SQLITE_BUSY never surfaced in an answer', problems: tally.busy },
      { name: 'SQLITE_BUSY never surfaced in the server log', problems: log.split('\n').filter((l) => BUSY.test(l)) },
      { name: 'uploads were made (the run did real work)', problems: tally.uploads.length > 0 ? [] : ['no upload was answered 201'] },
      { name: 'each upload answered with the SHA-256 of what was sent', problems: tally.mismatches },
      { name: `every upload answered 201 (${tally.uploads.length}) is in its dossier and downloads with its SHA-256`, problems: missing },
      { name: 'the audit chain verifies', problems: verify.status === 200 && verify.body.ok ? [] : [`GET /audit/verify answered ${verify.status} ${JSON.stringify(verify.body)}`] },
    ]);
  } finally {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (err: unknown) => {
    process.stderr.write(`load: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\nload: 0 passed, 1 failed\n`);
    process.exit(1);
  },
);
