import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadConfig } from '../src/config';
import { fixturesDir } from '../src/paths';
import { createBlobStore } from '../src/storage';
import { createLoggedTestApp, type LoggedTestContext } from './helpers/captured-log';
import { buildInspection } from './helpers/factories';
import { buildPdf, readSample } from './helpers/sample-files';
import { loginToken } from './helpers/test-app';
import { decodeEntities, signIn } from './helpers/web';

/**
 * The optional virus scan of uploads (HOSO_CLAMSCAN). The scanner is Debian's real clamscan, run
 * offline on a one-signature database (fixtures/clamav/eicar.ndb), never the downloaded one. It
 * runs after the type check, so the infected sample is a real PDF carrying the EICAR test string.
 * Without clamscan the scanning tests are skipped on a developer's machine, but under CI=true they
 * run and fail: .ci/run installs clamav.
 */

const EICAR_DB = path.join(fixturesDir, 'clamav', 'eicar.ndb');
/** The 68-byte EICAR test string, from the signature's hex (the repository never holds it verbatim). */
const EICAR = Buffer.from(fs.readFileSync(EICAR_DB, 'utf8').trim().split(':')[3] ?? '', 'hex');

function findClamscan(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v clamscan'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const clamscan = findClamscan();
const scanning = clamscan || process.env.CI === 'true';
/** A skipped test says why in its name, so a green run without clamscan does not pass for a scanned one. */
const describeWithClamscan = (name: string, tests: () => void) =>
  scanning ? describe(name, tests) : describe.skip(`${name} (skipped: clamscan not installed)`, tests);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let ctx: LoggedTestContext;
let secretary = '';
let secretaryLogin = { username: '', password: '' };
let uploadPath = '';
let dossierPath = '';

async function setUp(scanner: { command: string; args: string[] }): Promise<void> {
  ctx = await createLoggedTestApp({ virusScanner: scanner });
  const built = await buildInspection(ctx.db, ctx.admin, { units: 1 });
  const unit = built.units[0]!.code;
  dossierPath = `/api/v1/inspections/${built.code}/units/${unit}`;
  uploadPath = `${dossierPath}/items/1.1/files`;
  secretaryLogin = built.secretaries[0]!;
  secretary = await loginToken(ctx.app, secretaryLogin.username, secretaryLogin.password);
}

/** The first log line whose message mentions `text`, parsed. */
function logLine(text: string): Record<string, unknown> | undefined {
  const line = ctx.logText().split('\n').find((l) => l.includes(text));
  return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
}

/** Uploads through the dossier page's form as the secretary, and returns the page it lands on, as text. */
async function uploadThroughPage(bytes: Buffer, name: string): Promise<string> {
  const { agent, csrf } = await signIn(ctx.app, secretaryLogin.username, secretaryLogin.password);
  const page = dossierPath.replace('/api/v1', '');
  const posted = await agent.post(`${page}/items/1.1/files?_csrf=${encodeURIComponent(csrf)}`).attach('file', bytes, name);
  expect(posted.status).toBe(303);
  return decodeEntities((await agent.get(page).expect(200)).text);
}
afterEach(() => ctx?.close());

const upload = (files: { bytes: Buffer; name: string }[], lang = 'vi') => {
  let req = request(ctx.app).post(`${uploadPath}?lang=${lang}`).auth(secretary, { type: 'bearer' });
  for (const f of files) req = req.attach('file', f.bytes, f.name);
  return req;
};

/** No row, no stored blob, no staging file and no audit event: the refused upload left no trace. */
async function expectNothingKept(refused: Buffer[]): Promise<void> {
  const dossier = await request(ctx.app).get(dossierPath).auth(secretary, { type: 'bearer' }).expect(200);
  const entry = dossier.body.entries.find((e: { itemCode: string }) => e.itemCode === '1.1');
  expect(entry).toMatchObject({ status: 'missing', files: [] });
  const store = createBlobStore(ctx.config);
  for (const bytes of refused) expect(await store.has(sha256(bytes))).toBe(false);
  // Whatever the staging layout (one folder per server on a shared volume), no upload is left in it.
  const staging = path.join(ctx.config.dataDir, 'tmp');
  const leftovers = fs.existsSync(staging) ? fs.readdirSync(staging, { recursive: true }).map(String).filter((n) => n.endsWith('.upload')) : [];
  expect(leftovers).toEqual([]);
  const uploads = await ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'file.upload').execute();
  expect(uploads).toEqual([]);
}

/** A genuine PDF with the EICAR string in a comment after its end: what a type check accepts. */
async function infectedPdf(): Promise<Buffer> {
  const pdf = await buildPdf(['BIÊN BẢN THẨM TRA LÝ LỊCH', 'Quần chúng Nguyễn Văn Ánh, Chi bộ khu dân cư số 3']);
  return Buffer.concat([pdf, Buffer.from('%'), EICAR, Buffer.from('\n')]);
}

describe('configuration', () => {
  it('scans nothing unless HOSO_CLAMSCAN names a scanner', () => {
    expect(loadConfig({}).virusScanner).toBeNull();
  });

  it('takes the scanner and its extra arguments from HOSO_CLAMSCAN and HOSO_CLAMSCAN_ARGS', () => {
    const config = loadConfig({ HOSO_CLAMSCAN: '/usr/bin/clamdscan', HOSO_CLAMSCAN_ARGS: ' --fdpass  --config-file=/etc/clamav/clamd.conf ' });
    expect(config.virusScanner).toEqual({ command: '/usr/bin/clamdscan', args: ['--fdpass', '--config-file=/etc/clamav/clamd.conf'] });
  });
});

describe('when the scanner cannot give a verdict', () => {
  it('refuses the upload with 503, keeps nothing and logs why, when the scanner is not installed', async () => {
    await setUp({ command: '/opt/khong-co/clamscan', args: [] });
    const pdf = readSample('pdf');
    const res = await upload([{ bytes: pdf, name: 'Biên bản kiểm tra.pdf' }]);
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({
      code: 'scanner_unavailable',
      message: 'Máy chủ chưa kiểm tra virus được cho tệp nên chưa nhận tệp; hãy thử lại sau ít phút hoặc báo quản trị viên',
    });
    await expectNothingKept([pdf]);
    const logged = logLine('the virus scan failed');
    expect(logged).toMatchObject({ level: 50, err: { message: expect.stringContaining('ENOENT') } });
  });

  it('says so on the dossier page too, keeps nothing and logs why', async () => {
    await setUp({ command: '/opt/khong-co/clamscan', args: [] });
    const page = await uploadThroughPage(readSample('pdf'), 'Biên bản kiểm tra.pdf');
    expect(page).toContain('Máy chủ chưa kiểm tra virus được cho tệp nên chưa nhận tệp');
    await expectNothingKept([readSample('pdf')]);
    expect(logLine('the virus scan failed')).toMatchObject({ level: 50 });
  });

  it('refuses the upload with 503 and keeps nothing when the scanner reports an error (exit status 2)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-scanner-'));
    const broken = path.join(dir, 'clamscan');
    fs.writeFileSync(broken, '#!/bin/sh\necho "LibClamAV Error: cli_loaddbdir(): No supported database files found" >&2\nexit 2\n', { mode: 0o755 });
    try {
      await setUp({ command: broken, args: [] });
      const pdf = readSample('pdf');
      const res = await upload([{ bytes: pdf, name: 'Biên bản kiểm tra.pdf' }], 'en');
      expect(res.status).toBe(503);
      expect(res.body.error.message).toBe('The server could not check the file for viruses, so it was not kept; try again in a few minutes or tell the administrator');
      await expectNothingKept([pdf]);
      expect(ctx.logText()).toContain('No supported database files found');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithClamscan('scanning with clamscan and a local EICAR signature', () => {
  beforeAll(() => {
    if (!clamscan) throw new Error('clamscan is required under CI=true: .ci/run installs Debian’s clamav package');
  });
  beforeEach(() => setUp({ command: clamscan ?? 'clamscan', args: [`--database=${EICAR_DB}`] }));

  it('keeps a clean PDF, byte for byte', async () => {
    const pdf = readSample('pdf');
    const res = await upload([{ bytes: pdf, name: 'Biên bản kiểm tra.pdf' }]);
    expect(res.status).toBe(201);
    expect(res.body.sha256).toBe(sha256(pdf));
    const back = await request(ctx.app).get(`/api/v1/files/${res.body.id}`).auth(secretary, { type: 'bearer' }).buffer(true).expect(200);
    expect(Buffer.from(back.body as Buffer)).toEqual(pdf);
  });

  it('refuses an infected PDF with 400 infected_file, names the file and the signature, keeps nothing and logs a warning', async () => {
    const infected = await infectedPdf();
    const res = await upload([{ bytes: infected, name: 'Lý lịch Nguyễn Văn Ánh.pdf' }]);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'infected_file',
      message:
        'Tệp "Lý lịch Nguyễn Văn Ánh.pdf" bị phần mềm diệt virus phát hiện có mã độc (Eicar-Test-Signature.UNOFFICIAL) nên không được nhận; hãy quét virus máy tính của mình và gửi lại bản sạch',
    });
    await expectNothingKept([infected]);
    expect(logLine('the virus scanner found malware')).toMatchObject({
      level: 40, file: 'Lý lịch Nguyễn Văn Ánh.pdf', sha256: sha256(infected), signature: 'Eicar-Test-Signature.UNOFFICIAL',
    });
  });

  it('refuses an infected PDF sent through the dossier page, with the reason on the page', async () => {
    const infected = await infectedPdf();
    const page = await uploadThroughPage(infected, 'Lý lịch Nguyễn Văn Ánh.pdf');
    expect(page).toContain('Tệp "Lý lịch Nguyễn Văn Ánh.pdf" bị phần mềm diệt virus phát hiện có mã độc (Eicar-Test-Signature.UNOFFICIAL)');
    await expectNothingKept([infected]);
  });

  it('words the refusal in English when asked', async () => {
    const res = await upload([{ bytes: await infectedPdf(), name: 'Ly lich.pdf' }], 'en');
    expect(res.body.error.message).toBe(
      'The virus scanner found malware (Eicar-Test-Signature.UNOFFICIAL) in the file "Ly lich.pdf", so it was refused; scan your computer and send a clean copy',
    );
  });

  it('refuses the whole request, clean files included, when one of its files is infected', async () => {
    const clean = readSample('pdf');
    const infected = await infectedPdf();
    const res = await upload([
      { bytes: clean, name: 'Biên bản kiểm tra.pdf' },
      { bytes: infected, name: 'Đơn xin vào Đảng.pdf' },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('infected_file');
    expect(res.body.error.message).toContain('"Đơn xin vào Đảng.pdf"');
    await expectNothingKept([clean, infected]);
  });

  it('refuses the bare EICAR text by its type first (415): the scanner only sees files that would be kept', async () => {
    const res = await upload([{ bytes: EICAR, name: 'eicar.pdf' }]);
    expect(res.status).toBe(415);
    await expectNothingKept([EICAR]);
  });

  it('takes a clean copy after refusing an infected one', async () => {
    await upload([{ bytes: await infectedPdf(), name: 'Lý lịch.pdf' }]).expect(400);
    const clean = await buildPdf(['BIÊN BẢN THẨM TRA LÝ LỊCH', 'Bản đã quét virus']);
    const res = await upload([{ bytes: clean, name: 'Lý lịch.pdf' }]);
    expect(res.status).toBe(201);
    const dossier = await request(ctx.app).get(dossierPath).auth(secretary, { type: 'bearer' }).expect(200);
    expect(dossier.body.entries.find((e: { itemCode: string }) => e.itemCode === '1.1').files).toEqual([expect.objectContaining({ sha256: sha256(clean) })]);
  });

  it('fails closed with 503 when clamscan cannot load its database', async () => {
    await ctx.close();
    await setUp({ command: clamscan ?? 'clamscan', args: ['--database=/nonexistent/hoso-clamav.ndb'] });
    const pdf = readSample('pdf');
    const res = await upload([{ bytes: pdf, name: 'Biên bản kiểm tra.pdf' }]);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('scanner_unavailable');
    await expectNothingKept([pdf]);
  });
});
