/**
 * A demo city for the browser tests, built through the real server's API as people would have
 * built it: Thành uỷ Tuyên Quang's units, its team and secretaries (fixtures/demo.json), the
 * default 40-item checklist, the 2023 inspection (open) with a spread of progress across the units,
 * a closed inspection of 2022 and a draft for 2024. The story's own unit (P-PHANTHIET) is left with
 * item 1.1 untouched for the test to fill in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fixturesDir } from '../../src/paths';
import { readSample, type Sample, samples } from '../helpers/sample-files';
import { callApi, signIn, uploadFile } from '../helpers/server-process';

interface DemoUser {
  username: string;
  displayName: string;
  role: 'admin' | 'inspector' | 'secretary';
  unitCode?: string;
}

interface Demo {
  password: string;
  units: { code: string; name: string; parentCode: string | null }[];
  users: DemoUser[];
  inspection: {
    code: string;
    title: string;
    teamName: string;
    templateCode: string;
    unitCodes: string[];
    members: { username: string; role: 'lead' | 'member' }[];
    parentBody: string;
    place: string;
    reportNumber: string;
  };
}

const demo = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'demo.json'), 'utf8')) as Demo;
const template = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'templates/bvctnb.json'), 'utf8')) as {
  code: string;
  items: { code: string; kind: 'file' | 'number' | 'text'; minFiles?: number }[];
};

export const DEMO_PASSWORD = demo.password;
export const STORY_UNIT = 'P-PHANTHIET';
export const INSPECTION = demo.inspection.code;

export interface DemoCity {
  inspection: string;
  storyUnit: { code: string; name: string };
  secretary: DemoUser;
  lead: DemoUser;
}

/** Fails loudly: a seeding call that does not do what it should would make the story meaningless. */
async function must<T>(answer: Promise<{ status: number; body: T }>, expected: number, what: string): Promise<T> {
  const { status, body } = await answer;
  if (status !== expected) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** A date `days` from today, as the due-date field takes it. */
function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

const FILES: Sample[] = ['pdf', 'docx', 'png', 'xlsx', 'jpeg'];
const NOTES = [
  'Biên bản thiếu chữ ký của bí thư chi bộ; đề nghị bổ sung bản có chữ ký và đóng dấu.',
  'Danh sách chưa ghi rõ thời gian học lớp bồi dưỡng nhận thức về Đảng.',
];
const FIGURES: Record<string, number> = { '8.1': 607, '8.2': 519, '8.3': 2100, '8.4': 1_200_000, '8.5': 189_000, '8.6': 12 };

/**
 * How far a unit has got, so the matrix shows a realistic spread: unit `i` (of the inspection's
 * list) has submitted its first `filled` items; the team accepted most of them and returned a few.
 */
function planFor(i: number, itemCount: number) {
  const filled = [34, 12, 40, 22, 6, 28, 17, 0, 38, 9, 25, 3, 31][i % 13] ?? 0;
  return { filled: Math.min(filled, itemCount), reviewed: Math.floor(filled * 0.7) };
}

export async function buildDemoCity(baseUrl: string, adminPassword: string): Promise<DemoCity> {
  const admin = await signIn(baseUrl, 'admin', adminPassword);
  const api = <T>(method: 'POST' | 'PUT', p: string, body: unknown, token = admin, expected = method === 'POST' ? 201 : 200) =>
    must<T>(callApi<T>(baseUrl, method, `/api/v1${p}`, { token, body }), expected, `${method} ${p}`);

  for (const unit of demo.units) await api('POST', '/units', { ...unit, parentCode: unit.parentCode ?? undefined });
  for (const user of demo.users) await api('POST', '/users', { ...user, password: demo.password });
  await api('POST', '/templates', template);

  const { code, unitCodes, members } = demo.inspection;
  const leadName = members.find((m) => m.role === 'lead')?.username ?? '';
  await api('POST', '/inspections', { ...demo.inspection, dueAt: daysFromNow(30) });
  await api('POST', '/inspections', {
    ...demo.inspection, code: 'KT2-2022', title: 'Kiểm tra công tác bảo vệ bí mật nhà nước năm 2022', teamName: 'Đoàn Kiểm tra số 2',
    unitCodes: unitCodes.slice(0, 6), dueAt: '2022-11-30', reportNumber: '08-BC/ĐKT',
  });
  await api('POST', '/inspections', {
    ...demo.inspection, code: 'KT1-2024', title: 'Kiểm tra công tác thẩm định tiêu chuẩn chính trị năm 2024', teamName: 'Đoàn Kiểm tra số 1',
    dueAt: daysFromNow(120), reportNumber: null,
  });
  const lead = await signIn(baseUrl, leadName, demo.password);
  await api('POST', '/inspections/KT2-2022/open', {}, lead, 200);
  await api('POST', '/inspections/KT2-2022/close', {}, lead, 200);
  await api('POST', `/inspections/${code}/open`, {}, lead, 200);

  for (const [i, unitCode] of unitCodes.entries()) {
    const user = demo.users.find((u) => u.unitCode === unitCode);
    if (!user) continue;
    const token = await signIn(baseUrl, user.username, demo.password);
    const unitPath = `/inspections/${code}/units/${unitCode}`;
    // The story's unit has done sections II–VII already; item 1.1 waits for the test.
    const plan = unitCode === STORY_UNIT ? undefined : planFor(i, template.items.length);
    const items = plan ? template.items.slice(0, plan.filled) : template.items.filter((it) => /^[2-7]\./.test(it.code));
    const reviewed = plan ? plan.reviewed : items.length - 3;
    for (const [n, item] of items.entries()) {
      if (item.kind === 'file') {
        for (let f = 0; f < Math.max(1, item.minFiles ?? 1); f++) {
          const sample = FILES[(n + f) % FILES.length] ?? 'pdf';
          const name = `${item.code} ${samples[sample]}`;
          await must(uploadFile(baseUrl, token, `/api/v1${unitPath}/items/${item.code}/files`, name, readSample(sample)), 201, `upload ${unitCode} ${item.code}`);
        }
      } else {
        const value = item.kind === 'number' ? (FIGURES[item.code] ?? 1) : 'Cấp uỷ quan tâm lãnh đạo, chỉ đạo; hồ sơ lưu trữ cơ bản đầy đủ.';
        await api('PUT', `${unitPath}/items/${item.code}/value`, { value }, token);
      }
      if (n >= reviewed) continue;
      const returned = n % 9 === 4;
      const review = returned ? { decision: 'return', note: NOTES[n % NOTES.length] } : { decision: 'accept' };
      await api('POST', `${unitPath}/items/${item.code}/review`, review, lead, 200);
    }
  }

  const storyUnit = demo.units.find((u) => u.code === STORY_UNIT);
  const secretary = demo.users.find((u) => u.unitCode === STORY_UNIT);
  const leadUser = demo.users.find((u) => u.username === leadName);
  if (!storyUnit || !secretary || !leadUser) throw new Error('fixtures/demo.json lacks the story’s unit or people');
  return { inspection: code, storyUnit, secretary, lead: leadUser };
}
