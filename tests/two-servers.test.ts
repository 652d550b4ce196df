import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../src/db/database';
import { PASSWORD } from './helpers/factories';
import { readSample } from './helpers/sample-files';
import { callApi, download, type ServerProcess, signIn, startServer, uploadFile } from './helpers/server-process';
import { ADMIN_PASSWORD, createTestDb } from './helpers/test-db';

// PostgreSQL only (run by `npm run test:pg`): two real app processes (src/server.ts) on two
// ports share one database and one file-store directory, as behind a load balancer.

jest.setTimeout(120_000);

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const items = [
  { code: '1.1', section: 'I. Công tác kết nạp đảng viên', title: 'Hồ sơ kết nạp đảng viên', kind: 'file' },
  { code: '2.1', section: 'II. Đi nước ngoài', title: 'Hồ sơ cán bộ, đảng viên đi nước ngoài', kind: 'file', minFiles: 2 },
  { code: '4.1', section: 'IV. Công văn bảo vệ chính trị nội bộ', title: 'Sổ đăng ký công văn đến', kind: 'file', minFiles: 3 },
];

/** Different PDFs: the sample with a comment after its end, so each has its own SHA-256. */
const pdfCopy = (n: number) => Buffer.concat([readSample('pdf'), Buffer.from(`\n% bản sao số ${n}\n`)]);

interface Dossier {
  entries: { itemCode: string; status: string; files: { id: number; name: string; sha256: string }[] }[];
}

describe('two app servers sharing one PostgreSQL database and one file store', () => {
  let db: Db;
  let dataDir: string;
  let a: ServerProcess;
  let b: ServerProcess;
  const tokens: Record<string, string> = {};
  const I = '/api/v1/inspections/KT4-2023';
  const U = `${I}/units/P-YLA`;

  beforeAll(async () => {
    let url: string;
    ({ db, url } = await createTestDb());
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-shared-'));
    const start = () => startServer({ dataDir, env: { DATABASE_URL: url } });
    [a, b] = await Promise.all([start(), start()]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const upload = (server: ServerProcess, item: string, file: Buffer, name: string) =>
    uploadFile<{ id: number }>(server.baseUrl, tokens.secretary!, `${U}/items/${item}/files`, name, file);
  const dossier = async (server: ServerProcess, token: string) => {
    const res = await callApi<Dossier>(server.baseUrl, 'GET', U, { token });
    expect(res.status).toBe(200);
    return res.body;
  };

  it('set up through one server is seen by the other, and a session works on both', async () => {
    tokens.admin = await signIn(a.baseUrl, 'admin', ADMIN_PASSWORD);
    const post = async (server: ServerProcess, route: string, body: object) => {
      const res = await callApi(server.baseUrl, 'POST', `/api/v1${route}`, { token: tokens.admin, body });
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

    tokens.inspector = await signIn(b.baseUrl, 'truongdoan', PASSWORD);
    expect((await callApi(a.baseUrl, 'POST', `${I}/open`, { token: tokens.inspector })).body).toMatchObject({ status: 'open' });
    tokens.secretary = await signIn(a.baseUrl, 'bt.yla', PASSWORD);
    for (const server of [a, b]) {
      expect((await callApi(server.baseUrl, 'GET', '/api/v1/me', { token: tokens.secretary })).body).toMatchObject({ username: 'bt.yla', unitCode: 'P-YLA' });
    }
  });

  it('a secretary uploads through one server; the inspector sees, downloads and accepts it through the other', async () => {
    const pdf = readSample('pdf');
    const res = await upload(a, '1.1', pdf, 'Hồ sơ kết nạp đảng viên Nguyễn Văn An.pdf');
    expect(res.status).toBe(201);

    const seen = (await dossier(b, tokens.inspector!)).entries.find((e) => e.itemCode === '1.1');
    expect(seen).toMatchObject({ status: 'submitted', files: [{ id: res.body.id, name: 'Hồ sơ kết nạp đảng viên Nguyễn Văn An.pdf', sha256: sha(pdf) }] });
    const back = await download(b.baseUrl, tokens.inspector!, `/api/v1/files/${res.body.id}`);
    expect(back.status).toBe(200);
    expect(sha(back.bytes)).toBe(sha(pdf));

    const review = await callApi(b.baseUrl, 'POST', `${U}/items/1.1/review`, { token: tokens.inspector, body: { decision: 'accept' } });
    expect(review.body).toMatchObject({ from: 'submitted', to: 'accepted', by: 'truongdoan' });
    expect((await dossier(a, tokens.secretary!)).entries.find((e) => e.itemCode === '1.1')?.status).toBe('accepted');
  });

  it('concurrent uploads to both servers lose nothing, and each item ends as its files say', async () => {
    const files = Array.from({ length: 12 }, (_, i) => ({ item: i % 2 ? '2.1' : '4.1', bytes: pdfCopy(i + 1), name: `Văn bản số ${i + 1}.pdf` }));
    const receiver = (i: number) => (i % 4 < 2 ? a : b);
    const answers = await Promise.all(files.map((f, i) => upload(receiver(i), f.item, f.bytes, f.name)));
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
      const back = await download(receiver(i) === a ? b.baseUrl : a.baseUrl, tokens.inspector!, `/api/v1/files/${answer.body.id}`);
      expect(sha(back.bytes)).toBe(sha(files[i]!.bytes));
    }
  });

  it('counts failed sign-ins across both servers', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await callApi((i % 2 ? a : b).baseUrl, 'POST', '/api/v1/session', { body: { username: 'bt.yla', password: 'mat-khau-sai' } });
      expect(res.status).toBe(401);
    }
    const refused = await callApi(a.baseUrl, 'POST', '/api/v1/session', { body: { username: 'bt.yla', password: PASSWORD } });
    expect(refused.status).toBe(429);
  });

  it('ends a session everywhere when it is signed out on one server', async () => {
    const token = await signIn(a.baseUrl, 'truongdoan', PASSWORD);
    expect((await callApi(b.baseUrl, 'DELETE', '/api/v1/session', { token })).status).toBe(200);
    expect((await callApi(a.baseUrl, 'GET', '/api/v1/me', { token })).status).toBe(401);
  });

  it('keeps one audit chain that verifies through either server', async () => {
    const [fromA, fromB] = await Promise.all([a, b].map((server) => callApi<{ ok: boolean; events: number }>(server.baseUrl, 'GET', '/api/v1/audit/verify', { token: tokens.admin })));
    expect(fromA!.body).toMatchObject({ ok: true });
    expect(fromA!.body.events).toBeGreaterThan(20);
    expect(fromB!.body).toEqual(fromA!.body);
  });
});
