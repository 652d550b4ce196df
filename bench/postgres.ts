import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { hashPassword } from '../src/auth/password';
import type { Actor } from '../src/core/actor';
import { type Db, openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { defaultTemplate } from '../src/demo/fixtures';
import { changeInspectionStatus, createInspection } from '../src/inspections/inspections.service';
import { createTemplate } from '../src/templates/templates.service';
import { createUnit } from '../src/units/units.service';
import { findUserByUsername } from '../src/users/users.repository';
import { createUser, createUserWithHash, ensureAdmin } from '../src/users/users.service';
import { closedLoop, failuresOf, percentile, rateIn, type Sample } from './arrivals';
import { pdfBytes } from './content';
import { get, postJson, sendJson, uploadFile } from './load';
import { DelayingProxy, type ProxyStats } from './pg-proxy';
import type { Child } from './processes';
import type { Figure } from './report';

/**
 * Figure 13: PostgreSQL one network hop away (a proxy adding 2 ms each way), eight writers
 * setting figures on one inspection, then the same eight spread over four inspections. Today every
 * write transaction takes one global advisory lock (`WRITE_LOCK` in src/db/dialect.ts), so four
 * inspections write no faster than one; the proxy also counts the round trips of each write.
 * Runs only where PostgreSQL's server programs are installed (a throwaway cluster, as
 * scripts/test-pg.sh starts one); otherwise the figure is printed as skipped.
 */

export const DELAY_MS = 2;
const WRITERS = 8;
const INSPECTIONS = 4;
const LEAD = 'truongdoan.pg';

export interface PostgresSettings {
  seconds: number;
  warmupSeconds: number;
}

export interface PostgresEnv {
  password: string;
  say: (line: string) => void;
  expect: (ok: boolean, problem: string) => void;
  /** Starts the built server with these variables added to the usual ones; its log goes to `logName`. */
  startServer: (env: NodeJS.ProcessEnv, logName: string) => Promise<Child>;
  work: string;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Debian keeps the server programs off PATH, under /usr/lib/postgresql/<version>/bin (as scripts/test-pg.sh looks). */
export function postgresBin(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && fs.existsSync(path.join(dir, 'initdb'))) return path.dirname(fs.realpathSync(path.join(dir, 'initdb')));
  }
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin/initdb'))) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  return newest ? path.join(root, newest, 'bin') : null;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

interface Cluster {
  port: number;
  url: (database: string) => string;
  stop: () => void;
}

/** initdb into a temporary directory and start it on a free loopback port, with scripts/test-pg.sh's settings. */
async function startCluster(bin: string, say: (line: string) => void): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-bench-pg-'));
  // initdb refuses to run as root: as root, the cluster belongs to the postgres system user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres:', dir]);
  const run = (program: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : path.join(bin, program), asRoot ? ['-u', 'postgres', '--', path.join(bin, program), ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const port = await freePort();
  const started = performance.now();
  const stop = () => {
    try {
      run('pg_ctl', ['stop', '-D', `${dir}/data`, '-m', 'immediate']);
    } catch {
      // not running
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
    run('pg_ctl', [
      'start', '-D', `${dir}/data`, '-w', '-l', `${dir}/server.log`, '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    ]);
    run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'hoso_bench']);
  } catch (err) {
    const log = fs.existsSync(`${dir}/server.log`) ? fs.readFileSync(`${dir}/server.log`, 'utf8') : '';
    stop();
    throw new Error(`could not start PostgreSQL: ${err instanceof Error ? err.message : String(err)}\n${log}`);
  }
  say(`PostgreSQL ${run('postgres', ['--version']).trim().split(' ')[2] ?? ''} on 127.0.0.1:${port}, ready in ${Math.round(performance.now() - started)} ms`);
  return { port, url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`, stop };
}

async function actorOf(db: Db, username: string): Promise<Actor> {
  const row = await findUserByUsername(db, username);
  if (!row) throw new Error(`user ${username} was not created`);
  return { id: row.id, username: row.username, displayName: row.display_name, role: row.role, unitId: row.unit_id };
}

interface PgScenario {
  inspections: string[];
  units: string[];
  numberItems: string[];
  fileItem: string;
}

/** Eight units with a secretary each, four open inspections over all eight, through the services (directly, not through the proxy). */
async function buildPgScenario(url: string, password: string): Promise<PgScenario> {
  const db = openDatabase(url);
  try {
    await migrateToLatest(db);
    await ensureAdmin(db, password);
    const admin = await actorOf(db, 'admin');
    const template = await createTemplate(db, admin, defaultTemplate());
    const units = Array.from({ length: WRITERS }, (_, i) => `PG-X${String(i + 1).padStart(2, '0')}`);
    const hash = await hashPassword(password);
    await db.transaction().execute(async (trx) => {
      for (const [i, code] of units.entries()) await createUnit(trx, admin, { code, name: `Đảng uỷ xã Thử nghiệm ${i + 1}` });
      for (const code of units) {
        await createUserWithHash(trx, admin, { username: `bt.${code.toLowerCase()}`, displayName: `Văn phòng ${code}`, password, role: 'secretary', unitCode: code }, hash);
      }
    });
    await createUser(db, admin, { username: LEAD, displayName: 'Nguyễn Văn Thành', password, role: 'inspector' });
    const lead = await actorOf(db, LEAD);
    const inspections = Array.from({ length: INSPECTIONS }, (_, i) => `KT-PG-${i + 1}`);
    for (const code of inspections) {
      await createInspection(db, admin, {
        code, title: `Kiểm tra thử ${code}`, teamName: 'Đoàn Kiểm tra số 4', templateCode: template.code, unitCodes: units,
        members: [{ username: LEAD, role: 'lead' }], dueAt: '2030-08-15',
      });
      await changeInspectionStatus(db, lead, code, 'open');
    }
    const fileItem = template.items.find((i) => i.kind === 'file' && i.code !== '1.6')?.code ?? '';
    return { inspections, units, numberItems: template.items.filter((i) => i.kind === 'number').map((i) => i.code), fileItem };
  } finally {
    await db.destroy();
  }
}

interface WriteRun {
  samples: Sample[];
  rate: number;
  stats: ProxyStats;
}

export async function postgresFigures(env: PostgresEnv, settings: PostgresSettings): Promise<Figure[]> {
  const bin = postgresBin();
  if (!bin) {
    env.say('PostgreSQL: no server programs (initdb) on PATH or under /usr/lib/postgresql/*/bin; figure 13 skipped');
    return [
      {
        id: '13', name: 'PostgreSQL writes in parallel (one vs four inspections)', value: null, unit: '', target: null,
        shown: { value: 'SKIPPED: PostgreSQL not installed', target: '>= 2 × baseline' },
        note: 'install the postgresql package (initdb, pg_ctl) to measure it',
      },
    ];
  }
  const cluster = await startCluster(bin, env.say);
  const proxy = new DelayingProxy({ host: '127.0.0.1', port: cluster.port }, DELAY_MS);
  let server: Child | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  try {
    const scenario = await buildPgScenario(cluster.url('hoso_bench'), env.password);
    const proxyPort = await proxy.listen();
    const dataDir = path.join(env.work, 'pg-data');
    server = await env.startServer({ DATABASE_URL: `postgres://postgres@127.0.0.1:${proxyPort}/hoso_bench`, HOSO_DATA_DIR: dataDir }, 'server-pg.log');
    const url = server.url;
    const tokens: string[] = [];
    for (const unit of scenario.units) {
      const answer = await postJson(`${url}/api/v1/session`, { username: `bt.${unit.toLowerCase()}`, password: env.password });
      if (answer.status !== 200) throw new Error(`PostgreSQL: sign-in answered ${answer.status}: ${answer.body.toString()}`);
      tokens.push((JSON.parse(answer.body.toString()) as { token: string }).token);
    }
    const put = async (writer: number, inspection: string, n: number) => {
      const unit = scenario.units[writer] ?? '';
      const item = scenario.numberItems[n % scenario.numberItems.length] ?? '';
      const answer = await sendJson('PUT', `${url}/api/v1/inspections/${inspection}/units/${unit}/items/${item}/value`, { value: 1000 + n }, { authorization: `Bearer ${tokens[writer] ?? ''}` }, agent);
      return answer.status;
    };
    // Warm up: every writer once on every inspection (the pool opens its connections through the proxy).
    for (const inspection of scenario.inspections) await Promise.all(scenario.units.map((_, w) => put(w, inspection, 0)));

    const writes = async (inspectionOf: (writer: number) => string, label: string): Promise<WriteRun> => {
      proxy.reset();
      const samples = await closedLoop(WRITERS, settings.seconds, (writer, n) => put(writer, inspectionOf(writer), n + 1));
      const stats = proxy.stats();
      const bad = failuresOf(samples, [200]);
      env.expect(bad.count === 0, `PostgreSQL writes (${label}): ${bad.count} of ${samples.length} failed (${bad.text})`);
      env.expect(stats.errors === 0, `PostgreSQL writes (${label}): the server answered ${stats.errors} queries with an error`);
      return { samples, rate: rateIn(samples, settings.warmupSeconds * 1000, settings.seconds * 1000), stats };
    };
    const one = await writes(() => scenario.inspections[0] ?? '', 'one inspection');
    const four = await writes((w) => scenario.inspections[w % INSPECTIONS] ?? '', 'four inspections');

    // The statements of an upload (the same code runs on SQLite): one secretary, one 256 KB file at a time.
    const uploads = 10;
    proxy.reset();
    for (let n = 0; n < uploads; n++) {
      const bytes = pdfBytes(256 * 1024);
      const answer = await uploadFile(`${url}/api/v1/inspections/${scenario.inspections[0] ?? ''}/units/${scenario.units[0] ?? ''}/items/${scenario.fileItem}/files`, tokens[0] ?? '', {
        name: `Biên bản ${n}.pdf`, size: bytes.length, open: () => Readable.from([bytes]),
      });
      env.expect(answer.status === 201, `PostgreSQL upload answered ${answer.status}: ${answer.body.toString().slice(0, 200)}`);
    }
    const uploadStats = proxy.stats();

    // The statements of a dossier read, kept (nothing written since the one before) and not.
    const dossierUrl = `${url}/api/v1/inspections/${scenario.inspections[0] ?? ''}/units/${scenario.units[0] ?? ''}`;
    const read = async () => {
      const answer = await get(dossierUrl, { authorization: `Bearer ${tokens[0] ?? ''}` }, false, agent);
      env.expect(answer.status === 200, `PostgreSQL dossier read answered ${answer.status}`);
    };
    await read();
    proxy.reset();
    for (let n = 0; n < 10; n++) await read();
    const keptRead = proxy.stats().roundTrips / 10;
    let coldTrips = 0;
    for (let n = 0; n < 5; n++) {
      await put(0, scenario.inspections[0] ?? '', 5000 + n);
      proxy.reset();
      await read();
      coldTrips += proxy.stats().roundTrips;
    }
    const coldRead = coldTrips / 5;

    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const describe = (run: WriteRun) => {
      const { stats } = run;
      const perTx = stats.statementsInTransactions / Math.max(1, stats.transactions);
      const perRequest = stats.roundTrips / Math.max(1, run.samples.length);
      const elapsedMs = Math.max(...run.samples.map((x) => x.end));
      return {
        perTx, perRequest,
        outsidePerRequest: stats.statementsOutside / Math.max(1, run.samples.length),
        text:
          `${run.samples.length} PUTs, each p50 ${Math.round(percentile(run.samples.map((s) => s.ms), 50))} ms; ${stats.transactions} transactions of ${round(perTx)} statements, ` +
          `${round(perRequest)} round trips per PUT; at the proxy a transaction took ${round(mean(stats.transactionMs))} ms (begin to commit answered) and held the write lock ${round(mean(stats.lockHeldMs))} ms; ` +
          `the write lock was held ${Math.round((mean(stats.lockHeldMs) * stats.lockHeldMs.length * 100) / elapsedMs)} % of the ${round(elapsedMs / 1000)} s`,
      };
    };
    const a = describe(one);
    const b = describe(four);
    env.say(`PostgreSQL, 1 inspection: ${round(one.rate)} writes/s; ${a.text}`);
    env.say(`PostgreSQL, 4 inspections: ${round(four.rate)} writes/s; ${b.text}`);
    env.say(`PostgreSQL, one write transaction: ${four.stats.lastWriteTransaction.join(' | ')}`);
    const perUpload = uploadStats.roundTrips / uploads;
    const inUploadTx = uploadStats.statementsInTransactions / Math.max(1, uploadStats.transactions);
    env.say(`PostgreSQL, an upload: ${perUpload} round trips (${uploadStats.statementsOutside / uploads} outside the transaction); its transaction: ${uploadStats.lastWriteTransaction.join(' | ')}`);
    const setup = `${WRITERS} secretaries, each their own unit, PUT …/items/:item/value on number items back to back for ${settings.seconds} s (counted after ${settings.warmupSeconds} s); app ↔ PostgreSQL through a proxy adding ${DELAY_MS} ms each way`;
    return [
      {
        id: '13a', name: `PostgreSQL (+${DELAY_MS} ms each way): ${WRITERS} writers on one inspection`, value: round(one.rate), unit: 'writes/s', target: null,
        note: `${setup}; ${a.text}`,
      },
      {
        id: '13b', name: `PostgreSQL: the same ${WRITERS} writers over ${INSPECTIONS} inspections`, value: round(four.rate), unit: 'writes/s',
        target: { on: 'ratio', op: '>=', limit: 2 }, baseline: { name: 'one inspection (13a)', value: round(one.rate), unit: 'writes/s' }, ratio: round(four.rate / one.rate, 2),
        note: b.text,
      },
      {
        id: '13c', name: 'PostgreSQL: round trips per write transaction (begin … commit)', value: round(b.perTx), unit: 'round trips', target: null,
        note: `one of them: ${four.stats.lastWriteTransaction.join(' | ')}`,
      },
      {
        id: '13d', name: 'PostgreSQL: round trips per PUT in all', value: round(b.perRequest), unit: 'round trips', target: null,
        note: `${round(b.outsidePerRequest)} outside the transaction (the session lookup); each costs ${2 * DELAY_MS} ms of network here`,
      },
      {
        id: '13f', name: 'PostgreSQL: round trips per unit dossier read, kept', value: round(keptRead), unit: 'round trips', target: null,
        note: `${round(coldRead)} right after a write (the kept dossier is then read again); the same statements as on SQLite`,
      },
      {
        id: '13e', name: 'PostgreSQL: round trips per upload of one file', value: round(perUpload), unit: 'round trips', target: null,
        note: `${uploads} uploads one at a time; ${round(uploadStats.statementsOutside / uploads)} outside the transaction (session, the upload checks before and after receiving the file), ${round(inUploadTx)} in it: ${uploadStats.lastWriteTransaction.join(' | ')}`,
      },
    ];
  } finally {
    agent.destroy();
    if (server) await server.stop();
    await proxy.close();
    cluster.stop();
  }
}
