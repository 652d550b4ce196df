import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../src/db/database';
import { projectRoot } from '../src/paths';
import { unitReportModel } from '../src/reports/reports.service';
import { findUserByUsername } from '../src/users/users.repository';
import { hashAndWrite, rawPdfkit, reportText } from './baselines';
import { pdfBytes, writePdfFile } from './content';
import { get, measureRate, postJson, type RateResult, uploadFile } from './load';
import { postgresFigures } from './postgres';
import { type Child, spawnServer } from './processes';
import { describeMachine, type Figure, judge, type JudgedFigure, table, writeResults } from './report';
import { buildScenario, type Scenario } from './scenario';
import { latencyUnderLoad, uploadCapacity } from './under-load';

/**
 * `npm run bench [-- --quick] [-- --keep]`: builds a province in a temporary data directory,
 * starts the built server on it as a separate process, drives it over loopback, and prints every
 * figure with its target and the baseline measured in the same run. `--quick` does the same at
 * 100 units with shorter runs (CI runs it so the benchmark never rots; no time is asserted, but a
 * request that fails is). `--keep` leaves the data directory behind for profiling.
 *
 * For experiments (what a deployment change would give, without changing the server):
 * `--only 10,11` runs only those figures (and what they need); `--load-seconds N` sets the length
 * of figures 10 and 11; `--server-env NAME=VALUE` (repeatable) adds to the server's environment,
 * e.g. UV_THREADPOOL_SIZE=16; `--workers N` serves through node:cluster with N workers
 * (bench/cluster.mjs), where the memory and event-loop figures describe the primary process only.
 */

const PASSWORD = 'Bench-mat-khau-2023';
const MIB = 2 ** 20;

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
/** Every value of a repeatable `--name value` option. */
const values = (name: string) => argv.flatMap((a, i) => (a === name && argv[i + 1] !== undefined ? [argv[i + 1] as string] : []));
const only = values('--only').flatMap((v) => v.split(','));
/** Whether the figures `ids` (or any figure of a group, '3' for 3a…) are to be measured. */
const wanted = (...ids: string[]) => only.length === 0 || ids.some((id) => only.includes(id));
const workers = Number(values('--workers')[0] ?? 0);
const extraServerEnv = Object.fromEntries(values('--server-env').map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]));
const settings = quick
  ? {
      units: 100, uploadMb: 64, uploadRuns: 1, concurrentUploads: 50, seconds: 2, reportRuns: 10, matrixRuns: 5, summaryRuns: 1, starts: 1,
      load: { capacitySeconds: 3, warmupSeconds: 1, baselineSeconds: 0.5, mixedSeconds: 3, aloneUploads: 20, aloneSignIns: 10, aloneReadSeconds: 2 },
      postgres: { seconds: 2, warmupSeconds: 0.5 },
    }
  : {
      units: 1000, uploadMb: 200, uploadRuns: 2, concurrentUploads: 50, seconds: 10, reportRuns: 40, matrixRuns: 10, summaryRuns: 3, starts: 3,
      load: { capacitySeconds: 15, warmupSeconds: 3, baselineSeconds: 2, mixedSeconds: 20, aloneUploads: 30, aloneSignIns: 20, aloneReadSeconds: 10 },
      postgres: { seconds: 10, warmupSeconds: 1 },
    };
const loadSeconds = Number(values('--load-seconds')[0] ?? 0);
if (loadSeconds > 0) Object.assign(settings.load, { capacitySeconds: loadSeconds, mixedSeconds: loadSeconds, warmupSeconds: Math.min(settings.load.warmupSeconds, loadSeconds / 4) });

const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** Problems that make the run's figures meaningless (a request failed): reported, and the exit code is 1. */
const failures: string[] = [];
function expect(ok: boolean, problem: string): void {
  if (!ok) {
    failures.push(problem);
    say(`FAILED: ${problem}`);
  }
}

interface Context {
  work: string;
  dataDir: string;
  scenario: Scenario;
}

function serverEnv(ctx: Context): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    HOSO_DATA_DIR: ctx.dataDir,
    HOSO_ADMIN_PASSWORD: PASSWORD,
    // The 200 MB upload is over the default limit of 50 MB.
    HOSO_MAX_UPLOAD_MB: String(settings.uploadMb + 56),
    HOSO_LOG_LEVEL: 'info',
  };
}

/**
 * The built server, with `bench/probe.mjs` preloaded (it reports the event loop's utilisation on
 * SIGUSR2 and changes nothing else); `extraEnv` overrides the usual variables.
 */
async function startHoso(ctx: Context, logName: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Child> {
  const server = path.join(projectRoot, 'dist/src/server.js');
  return spawnServer({
    command: process.execPath,
    args: workers > 0 ? [path.join(projectRoot, 'bench/cluster.mjs'), server] : ['--import', pathToFileURL(path.join(projectRoot, 'bench/probe.mjs')).href, server],
    cwd: projectRoot,
    env: { ...serverEnv(ctx), ...extraServerEnv, ...(workers > 0 ? { HOSO_BENCH_WORKERS: String(workers) } : {}), ...extraEnv },
    portInLog: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    readyPath: '/healthz',
    logFile: path.join(ctx.work, logName),
    ...(workers > 0 ? {} : { probeFile: path.join(ctx.work, `${logName}.probe.json`) }),
  });
}

async function startHello(ctx: Context): Promise<Child> {
  return spawnServer({
    command: process.execPath,
    args: ['--import', 'tsx', path.join(projectRoot, 'bench/hello-server.ts')],
    cwd: projectRoot,
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    portInLog: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    readyPath: '/hello',
    logFile: path.join(ctx.work, 'hello.log'),
  });
}

async function login(server: Child, username: string): Promise<string> {
  const answer = await postJson(`${server.url}/api/v1/session`, { username, password: PASSWORD });
  if (answer.status !== 200) throw new Error(`sign-in of ${username} answered ${answer.status}: ${answer.body.toString()}`);
  return (JSON.parse(answer.body.toString()) as { token: string }).token;
}

async function helloRate(ctx: Context): Promise<RateResult> {
  const hello = await startHello(ctx);
  try {
    return await measureRate({ url: hello.url, paths: ['/hello'], connections: 10, duration: settings.seconds });
  } finally {
    await hello.stop();
  }
}

function checkRate(name: string, rate: RateResult): void {
  expect(rate.requests > 0 && rate.failures === 0, `${name}: ${rate.failures} of ${rate.requests} requests failed`);
}

/** 8 and 9: building the scenario, and starting the server on it. */
async function scenarioFigures(ctx: Context): Promise<Figure[]> {
  const { scenario } = ctx;
  const starts: number[] = [];
  for (let i = 0; i < (wanted('9') ? settings.starts : 0); i++) {
    const server = await startHoso(ctx, 'start.log');
    starts.push(server.readyMs);
    await server.stop();
  }
  say(`server start: ${starts.map((ms) => Math.round(ms)).join(', ')} ms`);
  return [
    {
      id: '8a', name: `creating the inspection: ${scenario.counts.entries.toLocaleString('en')} entries`, value: round(scenario.timings.inspection / 1000, 2), unit: 's',
      target: { on: 'value', op: '<=', limit: 10 },
    },
    {
      id: '8b', name: `for reference: the whole scenario (+${scenario.counts.files.toLocaleString('en')} files, ${scenario.counts.reviews.toLocaleString('en')} decisions)`,
      value: round(scenario.timings.total / 1000), unit: 's', target: null,
      note: `directory ${round(scenario.timings.directory / 1000)} s, inspection ${round(scenario.timings.inspection / 1000, 2)} s, files/values/decisions/findings ${round(scenario.timings.fill / 1000)} s (${round(scenario.counts.fileBytes / MIB)} MiB of files)`,
    },
    {
      id: '9', name: 'server start to first 200 on /healthz', value: round(median(starts) / 1000, 2), unit: 's', target: { on: 'value', op: '<=', limit: 1.5 },
      note: `median of ${starts.length}: ${starts.map((ms) => round(ms / 1000, 2)).join(', ')} s`,
    },
  ];
}

/** 1: one large upload against hashing and writing the same bytes; the server's RSS around it. */
async function largeUpload(ctx: Context, server: Child, token: string): Promise<Figure[]> {
  const size = settings.uploadMb * MIB;
  const unit = ctx.scenario.unitCodes[1] ?? '';
  const url = `${server.url}/api/v1/inspections/${ctx.scenario.inspectionCode}/units/${unit}/items/${ctx.scenario.openItemCode}/files`;
  const baselines: number[] = [];
  const uploads: number[] = [];
  const growths: number[] = [];
  for (let run = 0; run < settings.uploadRuns; run++) {
    // Fresh bytes each run: the store keeps one copy per content, so a repeat would skip the write.
    const source = path.join(ctx.work, 'upload.pdf');
    await writePdfFile(source, size);
    baselines.push((await hashAndWrite(source, path.join(ctx.work, 'baseline.out'))).mbPerSecond);
    const before = server.memory();
    server.resetPeak();
    const answer = await uploadFile(url, token, { name: `Hồ sơ lưu trữ scan toàn bộ ${run + 1}.pdf`, size, open: () => fs.createReadStream(source) });
    const after = server.memory();
    expect(answer.status === 201, `large upload answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
    uploads.push(settings.uploadMb / (answer.ms / 1000));
    growths.push(after.peakMb - before.rssMb);
    fs.rmSync(source);
  }
  const baseline = Math.max(...baselines);
  const throughput = Math.max(...uploads);
  say(`upload: ${uploads.map((v) => round(v)).join(', ')} MB/s; hash-and-write ${baselines.map((v) => round(v)).join(', ')} MB/s; RSS growth ${growths.map((v) => round(v)).join(', ')} MB`);
  return [
    {
      id: '1a', name: `one ${settings.uploadMb} MB upload: throughput`, value: round(throughput), unit: 'MB/s',
      target: { on: 'ratio', op: '>=', limit: 0.6 }, baseline: { name: 'SHA-256 + write + fsync', value: round(baseline), unit: 'MB/s' },
      ratio: round(throughput / baseline, 2), note: `best of ${uploads.length} (MiB/s, to the 201)`,
    },
    {
      id: '1b', name: `one ${settings.uploadMb} MB upload: server RSS growth`, value: round(Math.max(...growths)), unit: 'MB', target: { on: 'value', op: '<=', limit: 64 },
      note: 'VmHWM after the upload minus VmRSS before it (peak reset first)',
    },
  ];
}

/** 2: many secretaries, each uploading 1 MB to their own unit at the same moment. */
async function concurrentUploads(ctx: Context, server: Child): Promise<Figure[]> {
  const { scenario } = ctx;
  const units = scenario.unitCodes.slice(2, 2 + settings.concurrentUploads);
  const tokens: string[] = [];
  for (const unit of units) tokens.push(await login(server, scenario.secretaryOf(unit)));
  const files = units.map((unit) => ({ unit, bytes: pdfBytes(MIB) }));
  const before = server.memory();
  server.resetPeak();
  const started = performance.now();
  const answers = await Promise.all(
    files.map(({ unit, bytes }, i) =>
      uploadFile(`${server.url}/api/v1/inspections/${scenario.inspectionCode}/units/${unit}/items/${scenario.openItemCode}/files`, tokens[i] ?? '', {
        name: `Sổ đăng ký công văn đến ${unit}.pdf`, size: bytes.length, open: () => Readable.from([bytes]),
      }),
    ),
  );
  const wallMs = performance.now() - started;
  const after = server.memory();
  const created = answers.filter((a) => a.status === 201).length;
  const statuses = [...new Set(answers.map((a) => a.status))].join(', ');
  const busy = fs.readFileSync(path.join(ctx.work, 'server.log'), 'utf8').split('\n').filter((line) => line.includes('SQLITE_BUSY')).length;
  expect(created === units.length, `concurrent uploads: ${created} of ${units.length} answered 201 (statuses ${statuses})`);
  expect(busy === 0, `concurrent uploads: SQLITE_BUSY in the server log ${busy} times`);
  say(`${units.length} concurrent uploads: ${created} × 201 in ${Math.round(wallMs)} ms (slowest ${Math.round(Math.max(...answers.map((a) => a.ms)))} ms)`);
  return [
    {
      id: '2', name: `${units.length} concurrent 1 MB uploads: answered 201`, value: created, unit: `of ${units.length}`,
      target: { on: 'value', op: '==', limit: units.length },
      note: `all done in ${round(wallMs / 1000, 2)} s (median ${Math.round(median(answers.map((a) => a.ms)))} ms each); statuses ${statuses}; SQLITE_BUSY in the log: ${busy}; server RSS ${round(before.rssMb)} → peak ${round(after.peakMb)} MB`,
    },
  ];
}

/**
 * 3 and 12a–b: a unit's dossier as JSON, against the hello baseline and the server's own
 * `/healthz` (each measured just before and just after it, and averaged); the app's own floor.
 */
async function dossierFigures(ctx: Context, server: Child, token: string): Promise<Figure[]> {
  const { scenario } = ctx;
  const auth = { authorization: `Bearer ${token}` };
  const paths = scenario.unitCodes.slice(0, 100).map((unit) => `/api/v1/inspections/${scenario.inspectionCode}/units/${unit}`);
  const healthz = () => measureRate({ url: server.url, paths: ['/healthz'], connections: 10, duration: settings.seconds });
  const helloBefore = await helloRate(ctx);
  const floorBefore = await healthz();
  const dossier = await measureRate({ url: server.url, paths, headers: auth, connections: 10, duration: settings.seconds });
  const floorAfter = await healthz();
  const helloAfter = await helloRate(ctx);
  checkRate('hello', helloBefore);
  checkRate('hello', helloAfter);
  checkRate('dossier', dossier);
  checkRate('healthz', floorBefore);
  checkRate('healthz', floorAfter);
  const hello = (helloBefore.rps + helloAfter.rps) / 2;
  const floor = { rps: (floorBefore.rps + floorAfter.rps) / 2 };
  const baseline = { name: 'Express hello', value: Math.round(hello), unit: 'req/s' };
  const floorBaseline = { name: 'GET /healthz, same server', value: Math.round(floor.rps), unit: 'req/s' };
  say(`dossier ${Math.round(dossier.rps)} req/s; healthz ${Math.round(floorBefore.rps)} before, ${Math.round(floorAfter.rps)} after; hello ${Math.round(helloBefore.rps)} / ${Math.round(helloAfter.rps)}`);
  return [
    {
      id: '3a', name: 'unit dossier JSON (40 entries with files): rate', value: Math.round(dossier.rps), unit: 'req/s',
      target: { on: 'ratio', op: '>=', limit: 0.25 }, baseline, ratio: round(dossier.rps / hello, 2),
      note: `10 connections, ${Math.round(dossier.bytesPerResponse / 1024)} KiB per answer; hello ${Math.round(helloBefore.rps)} before, ${Math.round(helloAfter.rps)} after`,
    },
    { id: '3b', name: 'unit dossier JSON: p99 latency', value: dossier.p99, unit: 'ms', target: { on: 'value', op: '<=', limit: 25 } },
    {
      id: '3c', name: 'for reference: GET /healthz on the same server', value: Math.round(floor.rps), unit: 'req/s', target: null, baseline, ratio: round(floor.rps / hello, 2),
      note: `no session, no database: what the middleware stack alone allows; ${Math.round(floorBefore.rps)} before the dossier run, ${Math.round(floorAfter.rps)} after`,
    },
    {
      id: '12a', name: 'unit dossier JSON against the server\'s own /healthz: rate', value: Math.round(dossier.rps), unit: 'req/s',
      target: { on: 'ratio', op: '>=', limit: 0.5 }, baseline: floorBaseline, ratio: round(dossier.rps / floor.rps, 2),
      note: 'the same runs as 3a and 3c: what the session, the queries and the JSON cost above the middleware stack',
    },
    {
      id: '12b', name: '/healthz against a hello-world Express route: rate', value: Math.round(floor.rps), unit: 'req/s', target: null, baseline, ratio: round(floor.rps / hello, 2),
      note: 'the same runs as 3c: what the middleware stack costs (request log, helmet, compression, cookies, body parsers, session, CSRF, language)',
    },
  ];
}

/** 4: the progress of the whole inspection as JSON. */
async function progressFigures(ctx: Context, server: Child, token: string): Promise<Figure[]> {
  const progress = await measureRate({
    url: server.url, paths: [`/api/v1/inspections/${ctx.scenario.inspectionCode}/progress`], headers: { authorization: `Bearer ${token}` },
    connections: 10, duration: settings.seconds,
  });
  checkRate('progress', progress);
  return [
    {
      id: '12c', name: `progress JSON over ${ctx.scenario.unitCodes.length.toLocaleString('en')} units: p99 latency`, value: progress.p99, unit: 'ms',
      target: { on: 'value', op: '<=', limit: 30 }, note: 'the same run as 4',
    },
    {
      id: '4', name: `progress JSON over ${ctx.scenario.unitCodes.length.toLocaleString('en')} units: p99 latency`, value: progress.p99, unit: 'ms',
      target: { on: 'value', op: '<=', limit: 30 }, note: `10 connections, ${Math.round(progress.rps)} req/s, p50 ${progress.p50} ms, ${Math.round(progress.bytesPerResponse / 1024)} KiB per answer`,
    },
  ];
}

/** The matrix page when the web pages have it; the CSV export of the same matrix otherwise. */
async function matrixPath(server: Child, code: string, auth: Record<string, string>): Promise<{ path: string; page: boolean }> {
  for (const candidate of [`/inspections/${code}/matrix`, `/inspections/${code}`]) {
    const answer = await get(server.url + candidate, auth);
    if (answer.status === 200 && String(answer.headers['content-type']).startsWith('text/html')) return { path: candidate, page: true };
  }
  return { path: `/api/v1/inspections/${code}/export.csv`, page: false };
}

/** 5: the units × items matrix, as a browser fetches it (gzip accepted). */
async function matrixFigures(ctx: Context, server: Child, token: string): Promise<Figure[]> {
  const { scenario } = ctx;
  const auth = { authorization: `Bearer ${token}` };
  // What the target asks for: gzip (offered with brotli, the compression middleware picks brotli).
  const headers = { ...auth, 'accept-encoding': 'gzip' };
  const target = await matrixPath(server, scenario.inspectionCode, auth);
  if (!target.page) say('matrix page: not built yet; measuring GET …/export.csv as a stand-in');
  const once = await get(server.url + target.path, headers);
  const plain = await get(server.url + target.path, auth);
  expect(once.status === 200 && plain.status === 200, `matrix: ${target.path} answered ${once.status}`);
  const rate = await measureRate({ url: server.url, paths: [target.path], headers, connections: 1, amount: settings.matrixRuns });
  checkRate('matrix', rate);
  const what = target.page
    ? `matrix page HTML, GET ${target.path.replace(scenario.inspectionCode, ':code')}`
    : `matrix page: not built yet; stand-in GET ${target.path.replace(scenario.inspectionCode, ':code')}`;
  const encoding = String(once.headers['content-encoding'] ?? 'identity');
  return [
    {
      id: '5a', name: `${what}: p50`, value: rate.p50, unit: 'ms', target: { on: 'value', op: '<=', limit: 300 },
      note: `${scenario.unitCodes.length.toLocaleString('en')} units in scope; one request at a time, gzip accepted`,
    },
    {
      id: '5b', name: 'matrix: bytes on the wire', value: round(once.wireBytes / MIB, 3), unit: 'MB', target: { on: 'value', op: '<=', limit: 2.5 },
      note: `Content-Encoding: ${encoding}; ${round(plain.wireBytes / MIB, 2)} MB uncompressed`,
    },
    {
      id: '5c', name: 'matrix: gzip-compressed on the wire', value: encoding === 'gzip' ? 1 : 0, unit: '', target: { on: 'value', op: '==', limit: 1 },
      shown: { value: encoding === 'gzip' ? 'yes' : `no (${encoding})`, target: 'gzip' },
    },
  ];
}

/** 6: a unit's report PDF, against pdfkit writing the same text with no layout. */
async function unitReportFigures(ctx: Context, server: Child, token: string): Promise<Figure[]> {
  const { scenario } = ctx;
  const db = openDatabase(`sqlite:${path.join(ctx.dataDir, 'hoso.db')}`, { mustExist: true });
  let lines: string[];
  try {
    const lead = await findUserByUsername(db, scenario.leadUsername);
    if (!lead) throw new Error('the lead is missing');
    const actor = { id: lead.id, username: lead.username, displayName: lead.display_name, role: lead.role, unitId: lead.unit_id };
    lines = reportText(await unitReportModel(db, actor, scenario.inspectionCode, scenario.unitCodes[5] ?? '', 'vi'));
  } finally {
    await db.destroy();
  }
  const paths = scenario.unitCodes.slice(0, settings.reportRuns).map((unit) => `/api/v1/inspections/${scenario.inspectionCode}/units/${unit}/report.pdf`);
  // The baseline runs just before and just after the reports, so that both see the same machine.
  const before = await rawPdfkit(lines, settings.reportRuns / 2);
  const rate = await measureRate({ url: server.url, paths, headers: { authorization: `Bearer ${token}` }, connections: 1, amount: settings.reportRuns });
  const after = await rawPdfkit(lines, settings.reportRuns / 2);
  const baseline = (before + after) / 2;
  checkRate('unit report', rate);
  return [
    {
      id: '6', name: 'unit report PDF: p50', value: rate.p50, unit: 'ms', target: { on: 'value', op: '<=', limit: 150 },
      baseline: { name: 'pdfkit, same text, no layout', value: round(baseline), unit: 'ms' }, ratio: round(rate.p50 / baseline, 2),
      note: `${Math.round(rate.bytesPerResponse / 1024)} KiB per report, ${settings.reportRuns} reports of different units, one at a time; baseline ${round(before)} ms before, ${round(after)} ms after`,
    },
    { id: '6b', name: 'unit report PDF: ratio to the pdfkit baseline', value: round(rate.p50 / baseline, 2), unit: '×', target: { on: 'value', op: '<=', limit: 3 } },
  ];
}

/**
 * 7: the summary report over every unit, time and the server's peak memory. On a server of its
 * own, so that the peak is the report's and not what the uploads before it left in the heap.
 */
async function summaryFigures(ctx: Context): Promise<Figure[]> {
  const server = await startHoso(ctx, 'summary.log');
  try {
    return await summaryRuns(ctx, server, await login(server, ctx.scenario.leadUsername));
  } finally {
    await server.stop();
  }
}

async function summaryRuns(ctx: Context, server: Child, token: string): Promise<Figure[]> {
  const rssBefore = server.memory().rssMb;
  const url = `${server.url}/api/v1/inspections/${ctx.scenario.inspectionCode}/report.pdf`;
  const times: number[] = [];
  let peak = 0;
  let bytes = 0;
  for (let run = 0; run < settings.summaryRuns; run++) {
    server.resetPeak();
    const answer = await get(url, { authorization: `Bearer ${token}` });
    expect(answer.status === 200, `summary report answered ${answer.status}`);
    times.push(answer.ms);
    peak = Math.max(peak, server.memory().peakMb);
    bytes = answer.wireBytes;
  }
  const units = ctx.scenario.unitCodes.length.toLocaleString('en');
  return [
    {
      id: '7a', name: `summary PDF over ${units} units: time`, value: round(median(times) / 1000, 2), unit: 's', target: { on: 'value', op: '<=', limit: 4 },
      note: `median of ${times.length}: ${times.map((ms) => round(ms / 1000, 2)).join(', ')} s; ${round(bytes / MIB, 2)} MB`,
    },
    {
      id: '7b', name: 'summary PDF: server peak RSS', value: round(peak), unit: 'MB', target: { on: 'value', op: '<=', limit: 300 },
      note: `VmHWM of a freshly started server (${round(rssBefore)} MB before the first report), reset before each run`,
    },
  ];
}

async function measureServer(ctx: Context): Promise<Figure[]> {
  const server = await startHoso(ctx, 'server.log');
  try {
    const lead = await login(server, ctx.scenario.leadUsername);
    const secretary = await login(server, ctx.scenario.secretaryOf(ctx.scenario.unitCodes[1] ?? ''));
    const figures: Figure[] = [];
    if (wanted('1')) figures.push(...(await largeUpload(ctx, server, secretary)));
    if (wanted('2')) figures.push(...(await concurrentUploads(ctx, server)));
    if (wanted('3', '12')) figures.push(...(await dossierFigures(ctx, server, lead)));
    if (wanted('4', '12')) figures.push(...(await progressFigures(ctx, server, lead)));
    if (wanted('5')) figures.push(...(await matrixFigures(ctx, server, lead)));
    if (wanted('6')) figures.push(...(await unitReportFigures(ctx, server, lead)));
    // Last: they add files to 40 units and thousands of audit events.
    if (wanted('10', '11')) {
      const env = { server, scenario: ctx.scenario, work: ctx.work, logFile: path.join(ctx.work, 'server.log'), password: PASSWORD, leadToken: lead, say, expect };
      const capacity = await uploadCapacity(env, settings.load);
      figures.push(...capacity.figures);
      if (wanted('11')) figures.push(...(await latencyUnderLoad(env, settings.load, capacity.uploadsPerSecond, capacity.tokens)));
    }
    return figures;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(projectRoot, 'dist/src/server.js'))) throw new Error('dist/src/server.js is missing: run `npm run build` first (npm run bench does).');
  const machine = describeMachine(projectRoot);
  if (workers > 0) say(`serving through node:cluster with ${workers} workers: memory and event-loop figures describe the primary only`);
  if (Object.keys(extraServerEnv).length) say(`server environment adds ${Object.entries(extraServerEnv).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  say(`${quick ? 'quick' : 'full'} run on ${machine.nproc} × ${machine.cpu}, ${machine.memoryGb} GB, node ${machine.node}, load ${machine.loadAtStart.join(' ')}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-bench-'));
  const dataDir = path.join(work, 'data');
  say(`working in ${work}`);
  let finished = false;
  try {
    const scenario = await buildScenario({ dataDir, units: settings.units, filesPerUnit: 10, password: PASSWORD, progress: say });
    const ctx: Context = { work, dataDir, scenario };
    const figures = [...(await scenarioFigures(ctx)), ...(await measureServer(ctx)), ...(wanted('7') ? await summaryFigures(ctx) : [])];
    if (wanted('13')) figures.push(...(await postgresFigures({ password: PASSWORD, say, expect, work, startServer: (env, logName) => startHoso(ctx, logName, env) }, settings.postgres)));
    const order = ['1a', '1b', '2', '3a', '3b', '3c', '4', '5a', '5b', '5c', '6', '6b', '7a', '7b', '8a', '8b', '9', '10', '11a', '11b', '11c', '12a', '12b', '12c', '13', '13a', '13b', '13c', '13d', '13e', '13f'];
    const judged: JudgedFigure[] = figures.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)).map(judge);
    machine.loadAtEnd = os.loadavg().map((n) => round(n, 2));
    const file = writeResults(path.join(projectRoot, 'bench/results'), {
      date: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      machine,
      scenario: { ...scenario.counts, openItemCode: scenario.openItemCode, timingsMs: scenario.timings, settings, only, workers, serverEnv: extraServerEnv },
      figures: judged,
    });
    process.stdout.write(`\n${table(judged)}\n\n`);
    process.stdout.write(`machine: ${machine.nproc} × ${machine.cpu}, ${machine.memoryGb} GB, node ${machine.node}; load ${machine.loadAtStart.join(' ')} → ${machine.loadAtEnd.join(' ')}\n`);
    process.stdout.write(`results: ${path.relative(projectRoot, file)}${quick ? ' (quick mode: targets are for the full run)' : ''}\n`);
    if (args.has('--keep')) process.stdout.write(`data kept in ${dataDir}\n`);
    finished = true;
  } finally {
    // After a failure the server logs stay, for whoever reads the error.
    if (finished && !args.has('--keep')) fs.rmSync(work, { recursive: true, force: true });
    else if (!finished) say(`logs and data kept in ${work}`);
  }
  if (failures.length > 0) {
    process.stderr.write(`\n${failures.length} check(s) failed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
