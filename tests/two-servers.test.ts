import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Db } from '../src/db/database';
import { PASSWORD } from './helpers/factories';
import { readSample } from './helpers/sample-files';
import { ADMIN_PASSWORD, createTestDb } from './helpers/test-db';

// PostgreSQL only (run by `npm run test:pg`): two real app processes (src/server.ts) on two
// ports share one database and one file-store directory, as behind a load balancer.

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '..');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

interface AppServer {
  url: string;
  process: ChildProcess;
  output: () => string;
}

async function startServer(databaseUrl: string, dataDir: string): Promise<AppServer> {
  const port = await freePort();
  const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['src/server.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, HOSO_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', HOSO_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { url, process: child, output: () => output };
    if (attempt > 600) throw new Error(`server did not answer on ${url}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopServer(server: AppServer | undefined): Promise<void> {
  if (!server || server.process.exitCode !== null) return;
  const exited = new Promise((resolve) => server.process.once('exit', resolve));
  server.process.kill('SIGTERM');
  await exited;
}

const items = [
  { code: '1.1', section: 'I. Công tác kết nạp đảng viên', title: 'Hồ sơ kết nạp đảng viên', kind: 'file' },
  { code: '2.1', section: 'II. Đi nước ngoài', title: 'Hồ sơ cán bộ, đảng viên đi nước ngoài', kind: 'file', minFiles: 2 },
  { code: '4.1', section: 'IV. Công văn bảo vệ chính trị nội bộ', title: 'Sổ đăng ký công văn đến', kind: 'file', minFiles: 3 },
];

/** Different PDFs: the sample with a comment after its end, so each has its own SHA-256. */
const pdfCopy = (n: number) => Buffer.concat([readSample('pdf'), Buffer.from(`\n% bản sao số ${n}\n`)]);

describe('two app servers sharing one PostgreSQL database and one file store', () => {
  let db: Db;
  let dataDir: string;
  let a: AppServer;
  let b: AppServer;
  const tokens: Record<string, string> = {};
  const I = '/api/v1/inspections/KT4-2023';
  const U = `${I}/units/P-YLA`;

  beforeAll(async () => {
    let url: string;
    ({ db, url } = await createTestDb());
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-shared-'));
    [a, b] = await Promise.all([startServer(url, dataDir), startServer(url, dataDir)]);
  });

  afterAll(async () => {
    await Promise.all([stopServer(a), stopServer(b)]);
    await db?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const signIn = async (server: AppServer, username: string, password: string) => {
    const res = await request(server.url).post('/api/v1/session').send({ username, password });
    expect(res.status).toBe(200);
    return res.body.token as string;
  };
  const upload = (server: AppServer, item: string, file: Buffer, name: string) =>
    request(server.url).post(`${U}/items/${item}/files`).set(bearer(tokens.secretary!)).attach('file', file, name);
  const dossier = async (server: AppServer, token: string) => {
    const res = await request(server.url).get(U).set(bearer(token));
    expect(res.status).toBe(200);
    return res.body as { entries: { itemCode: string; status: string; files: { id: number; name: string; sha256: string }[] }[] };
  };
  const download = (server: AppServer, token: string, id: number) =>
    request(server.url).get(`/api/v1/files/${id}`).set(bearer(token)).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });

  it('set up through one server is seen by the other, and a session works on both', async () => {
    tokens.admin = await signIn(a, 'admin', ADMIN_PASSWORD);
    const post = async (server: AppServer, route: string, body: object) => {
      const res = await request(server.url).post(`/api/v1${route}`).set(bearer(tokens.admin!)).send(body);
      expect([route, res.status]).toEqual([route, 201]);
    };
    await post(a, '/units', { code: 'TU-TQ', name: 'Thành uỷ Tuyên Quang' });
    await post(b, '/units', { code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La', parentCode: 'TU-TQ' });
    await post(a, '/users', { username: 'truongdoan', displayName: 'Nguyễn Văn Thành', password: PASSWORD, role: 'inspector' });
    await post(b, '/users', { username: 'bt.yla', displayName: 'Phạm Thị Lan', password: PASSWORD, role: 'secretary', unitCode: 'P-YLA' });
    await post(a, '/templates', { code: 'BVCTNB', title: 'Kiểm tra công tác bảo vệ chính trị nội bộ', items });
    await post(b, '/inspections', {
      code: 'KT4-2023', title: 'Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023', teamName: 'Đoàn Kiểm tra số 4', templateCode: 'BVCTNB',
      unitCodes: ['P-YLA'], members: [{ username: 'truongdoan', role: 'lead' }], dueAt: '2030-08-15',
    });

    tokens.inspector = await signIn(b, 'truongdoan', PASSWORD);
    expect((await request(a.url).post(`${I}/open`).set(bearer(tokens.inspector))).body.status).toBe('open');
    tokens.secretary = await signIn(a, 'bt.yla', PASSWORD);
    for (const server of [a, b]) {
      expect((await request(server.url).get('/api/v1/me').set(bearer(tokens.secretary))).body).toMatchObject({ username: 'bt.yla', unitCode: 'P-YLA' });
    }
  });

  it('a secretary uploads through one server; the inspector sees, downloads and accepts it through the other', async () => {
    const pdf = readSample('pdf');
    const res = await upload(a, '1.1', pdf, 'Hồ sơ kết nạp đảng viên Nguyễn Văn An.pdf');
    expect(res.status).toBe(201);

    const seen = (await dossier(b, tokens.inspector!)).entries.find((e) => e.itemCode === '1.1');
    expect(seen).toMatchObject({ status: 'submitted', files: [{ id: res.body.id, name: 'Hồ sơ kết nạp đảng viên Nguyễn Văn An.pdf', sha256: sha(pdf) }] });
    const back = await download(b, tokens.inspector!, res.body.id);
    expect(back.status).toBe(200);
    expect(sha(back.body as Buffer)).toBe(sha(pdf));

    const review = await request(b.url).post(`${U}/items/1.1/review`).set(bearer(tokens.inspector!)).send({ decision: 'accept' });
    expect(review.body).toMatchObject({ from: 'submitted', to: 'accepted', by: 'truongdoan' });
    expect((await dossier(a, tokens.secretary!)).entries.find((e) => e.itemCode === '1.1')?.status).toBe('accepted');
  });

  it('concurrent uploads to both servers lose nothing, and each item ends as its files say', async () => {
    const files = Array.from({ length: 12 }, (_, i) => ({ item: i % 2 ? '2.1' : '4.1', bytes: pdfCopy(i + 1), name: `Văn bản số ${i + 1}.pdf` }));
    const answers = await Promise.all(files.map((f, i) => upload(i % 4 < 2 ? a : b, f.item, f.bytes, f.name)));
    expect(answers.map((r) => r.status)).toEqual(files.map(() => 201));

    for (const [server, token] of [[a, tokens.secretary!], [b, tokens.inspector!]] as const) {
      const entries = (await dossier(server, token)).entries;
      for (const item of ['2.1', '4.1']) {
        const entry = entries.find((e) => e.itemCode === item);
        expect(entry?.status).toBe('submitted');
        expect(entry?.files.map((f) => f.sha256).sort()).toEqual(files.filter((f) => f.item === item).map((f) => sha(f.bytes)).sort());
      }
    }
    // Every file is readable, with the right bytes, through the server that did not receive it.
    for (const [i, answer] of answers.entries()) {
      const back = await download(i % 4 < 2 ? b : a, tokens.inspector!, answer.body.id);
      expect(sha(back.body as Buffer)).toBe(sha(files[i]!.bytes));
    }
  });

  it('counts failed sign-ins across both servers', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await request(i % 2 ? a.url : b.url).post('/api/v1/session').send({ username: 'bt.yla', password: 'mat-khau-sai' });
      expect(res.status).toBe(401);
    }
    const refused = await request(a.url).post('/api/v1/session').send({ username: 'bt.yla', password: PASSWORD });
    expect(refused.status).toBe(429);
  });

  it('ends a session everywhere when it is signed out on one server', async () => {
    const token = await signIn(a, 'truongdoan', PASSWORD);
    expect((await request(b.url).delete('/api/v1/session').set(bearer(token))).status).toBe(200);
    expect((await request(a.url).get('/api/v1/me').set(bearer(token))).status).toBe(401);
  });

  it('keeps one audit chain that verifies through either server', async () => {
    const [fromA, fromB] = await Promise.all([a, b].map((server) => request(server.url).get('/api/v1/audit/verify').set(bearer(tokens.admin!))));
    expect(fromA!.body).toMatchObject({ ok: true });
    expect(fromA!.body.events).toBeGreaterThan(20);
    expect(fromB!.body).toEqual(fromA!.body);
  });
});
