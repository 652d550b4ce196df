import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { hashPassword } from '../src/auth/password';
import type { Actor } from '../src/core/actor';
import type { ItemKind } from '../src/core/vocabulary';
import { type Db, openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import { defaultTemplate } from '../src/demo/fixtures';
import { reviewEntry, saveFindings, setValue, storeUploads } from '../src/dossiers/dossiers.service';
import { changeInspectionStatus, createInspection } from '../src/inspections/inspections.service';
import { createBlobStore, type LocalBlobStore, sniffMime, type StagedFile } from '../src/storage';
import { createTemplate } from '../src/templates/templates.service';
import { createUnit } from '../src/units/units.service';
import { findUserByUsername } from '../src/users/users.repository';
import { createUser, createUserWithHash, ensureAdmin } from '../src/users/users.service';
import { pdfBytes, seededRandom } from './content';

/**
 * The province the benchmark measures, built through the same services the API calls (so every
 * row, audit event and blob is what real use would leave): a provincial committee's units, the
 * default 40-item checklist, one open inspection over every unit, uploaded files, figures,
 * decisions and findings.
 */

export interface ScenarioOptions {
  dataDir: string;
  units: number;
  filesPerUnit: number;
  /** Password of every account the scenario creates (the admin included). */
  password: string;
  progress: (line: string) => void;
}

export interface Scenario {
  inspectionCode: string;
  leadUsername: string;
  unitCodes: string[];
  /** A file item that no unit has had decided: the load phase may upload to it in every unit. */
  openItemCode: string;
  secretaryOf: (unitCode: string) => string;
  counts: { units: number; entries: number; files: number; fileBytes: number; values: number; reviews: number; findings: number };
  /** Milliseconds. `inspection` is creating the inspection (every unit × item entry) and opening it. */
  timings: { directory: number; inspection: number; fill: number; total: number };
}

const INSPECTION_CODE = 'KT-BVCTNB-2023';
const LEAD = 'truongdoan.kt4';
const MEMBER = 'thanhvien.kt4';
const MIN_FILE = 20 * 1024;
const MAX_FILE = 200 * 1024;
/** Units filled at once: blob fsyncs overlap while the single SQLite connection serialises the writes. */
const FILL_CONCURRENCY = 4;

const DISTRICTS = ['Sơn Dương', 'Yên Sơn', 'Hàm Yên', 'Chiêm Hoá', 'Na Hang', 'Lâm Bình', 'Thành phố Tuyên Quang'];
const COMMUNES = [
  'Thái Long', 'Đội Cấn', 'An Tường', 'Lưỡng Vượng', 'Tràng Đà', 'Nông Tiến', 'Ỷ La', 'Hưng Thành', 'Phan Thiết',
  'Minh Xuân', 'Tân Quang', 'Tân Hà', 'Mỹ Lâm', 'Kim Phú', 'Lăng Quán', 'Hoàng Khai', 'Trung Môn', 'Chân Sơn', 'Phú Lâm',
];
const RETURN_NOTE = 'Biên bản thiếu chữ ký của bí thư chi bộ; đề nghị bổ sung bản có chữ ký và đóng dấu.';
const WAIVE_NOTE = 'Trong kỳ kiểm tra đơn vị không phát sinh hồ sơ loại này; đoàn kiểm tra thống nhất miễn.';
const TEXT_VALUES = [
  'Cấp uỷ đã ban hành quy chế, phân công đồng chí phó bí thư phụ trách công tác bảo vệ chính trị nội bộ; hồ sơ được lưu trữ đầy đủ, đúng quy định.',
  'Việc cập nhật sổ theo dõi còn chậm; một số hồ sơ thẩm tra lý lịch chưa có ý kiến của chi uỷ nơi cư trú. Nguyên nhân: cán bộ kiêm nhiệm, thay đổi nhân sự.',
  'Đề nghị cấp trên tổ chức tập huấn nghiệp vụ thẩm tra, xác minh lý lịch cho cán bộ làm công tác tổ chức cơ sở.',
];

interface Unit {
  code: string;
  name: string;
  parentCode?: string;
}

/** Districts (every hundredth unit) with their communes under them, named as Tuyên Quang's are. */
function provinceUnits(count: number): Unit[] {
  const units: Unit[] = [];
  let district: Unit | undefined;
  for (let i = 0; i < count; i++) {
    if (i % 100 === 0) {
      const n = i / 100 + 1;
      district = { code: `TQ-H${String(n).padStart(2, '0')}`, name: `Huyện uỷ ${DISTRICTS[(n - 1) % DISTRICTS.length]} ${n}` };
      units.push(district);
    } else if (district) {
      const ward = i % 5 === 0 ? 'Đảng uỷ phường' : 'Đảng uỷ xã';
      units.push({ code: `${district.code}-X${String(i % 100).padStart(2, '0')}`, name: `${ward} ${COMMUNES[i % COMMUNES.length]} ${i}`, parentCode: district.code });
    }
  }
  return units;
}

const secretaryOf = (unitCode: string) => `bt.${unitCode.toLowerCase()}`;

function actorOf(row: { id: number; username: string; display_name: string; role: Actor['role']; unit_id: number | null }): Actor {
  return { id: row.id, username: row.username, displayName: row.display_name, role: row.role, unitId: row.unit_id };
}

async function mustFindActor(db: Db, username: string): Promise<Actor> {
  const row = await findUserByUsername(db, username);
  if (!row) throw new Error(`user ${username} was not created`);
  return actorOf(row);
}

/** Runs `work` over `items`, `size` at a time. */
async function inPool<T>(items: T[], size: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

interface ItemPlan {
  code: string;
  title: string;
  kind: ItemKind;
}

/**
 * What happens to each unit's checklist: `filesPerUnit` file items get one file each (7 in 10
 * accepted, 2 returned, 1 left submitted), every figure and text is filled in (7 in 9 accepted),
 * four more file items are waived, and the rest stay missing. About half the entries get a decision.
 */
function planOf(items: ItemPlan[], filesPerUnit: number) {
  const fileItems = items.filter((i) => i.kind === 'file' && i.code !== '1.6'); // 1.6 needs two files
  const uploaded = fileItems.slice(0, filesPerUnit);
  const valued = items.filter((i) => i.kind !== 'file');
  const waived = fileItems.slice(filesPerUnit, filesPerUnit + 4);
  const open = fileItems[filesPerUnit + 4];
  if (!open) throw new Error('the template has too few file items for this scenario');
  const accepted = [...uploaded.slice(0, Math.round(filesPerUnit * 0.7)), ...valued.slice(0, 7)];
  const returned = uploaded.slice(Math.round(filesPerUnit * 0.7), Math.round(filesPerUnit * 0.9));
  return { uploaded, valued, waived, accepted, returned, open };
}

function valueFor(item: ItemPlan, unitIndex: number, random: () => number): number | string {
  if (item.kind === 'text') return TEXT_VALUES[Number(item.code.split('.')[1] ?? 1) - 1] ?? TEXT_VALUES[0] ?? '';
  // Figures of the size the seed article quotes (607 trained, 519 articles, 1.2 million reached…).
  const scale = [60, 50, 200, 120_000, 19_000, 8][Number(item.code.split('.')[1] ?? 1) - 1] ?? 10;
  return Math.round(scale * (0.5 + random()) + (unitIndex % 7));
}

/** Builds the scenario in a fresh database under `dataDir`; closes it before returning. */
export async function buildScenario(options: ScenarioOptions): Promise<Scenario> {
  const { dataDir, units: unitCount, filesPerUnit, password, progress } = options;
  const started = performance.now();
  const db = openDatabase(`sqlite:${path.join(dataDir, 'hoso.db')}`);
  const store: LocalBlobStore = createBlobStore({ dataDir, filesDir: path.join(dataDir, 'files') });
  try {
    await migrateToLatest(db);
    await ensureAdmin(db, password);
    const admin = await mustFindActor(db, 'admin');

    const template = await createTemplate(db, admin, defaultTemplate());
    const units = provinceUnits(unitCount);
    // One argon2 hash for every secretary: hashing a thousand passwords would only measure argon2.
    const secretaryHash = await hashPassword(password);
    await db.transaction().execute(async (trx) => {
      for (const unit of units) await createUnit(trx, admin, unit);
      for (const unit of units) {
        await createUserWithHash(trx, admin, { username: secretaryOf(unit.code), displayName: `Văn phòng ${unit.name}`, password, role: 'secretary', unitCode: unit.code }, secretaryHash);
      }
    });
    await createUser(db, admin, { username: LEAD, displayName: 'Nguyễn Văn Thành', password, role: 'inspector' });
    await createUser(db, admin, { username: MEMBER, displayName: 'Trần Thị Hương', password, role: 'inspector' });
    const lead = await mustFindActor(db, LEAD);
    const directoryDone = performance.now();
    progress(`directory: ${units.length} units and their secretaries in ${Math.round(directoryDone - started)} ms`);

    await createInspection(db, admin, {
      code: INSPECTION_CODE,
      title: 'Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023',
      teamName: 'Đoàn Kiểm tra số 4',
      templateCode: template.code,
      unitCodes: units.map((u) => u.code),
      members: [{ username: LEAD, role: 'lead' }, { username: MEMBER, role: 'member' }],
      dueAt: '2030-08-15',
      parentBody: 'Tiểu ban Bảo vệ chính trị nội bộ Trung ương',
      place: 'Tuyên Quang',
      reportNumber: '12-BC/ĐKT',
    });
    await changeInspectionStatus(db, lead, INSPECTION_CODE, 'open');
    const inspectionDone = performance.now();
    progress(`inspection: ${units.length * template.items.length} entries created and opened in ${Math.round(inspectionDone - directoryDone)} ms`);

    // The fill only sets the stage; it commits thousands of small transactions, and waiting for
    // the disk at each of them would measure nothing we report. The server runs with FULL.
    await sql`pragma synchronous = NORMAL`.execute(db);
    const plan = planOf(template.items, filesPerUnit);
    const counts = { units: units.length, entries: units.length * template.items.length, files: 0, fileBytes: 0, values: 0, reviews: 0, findings: 0 };
    const random = seededRandom(2023);
    const sizes = units.map(() => plan.uploaded.map(() => MIN_FILE + Math.floor(random() * (MAX_FILE - MIN_FILE))));
    const values = units.map((_, i) => plan.valued.map((item) => valueFor(item, i, random)));
    let filled = 0;
    await inPool(units, FILL_CONCURRENCY, async (unit, index) => {
      const secretary = await mustFindActor(db, secretaryOf(unit.code));
      for (const [n, item] of plan.uploaded.entries()) {
        const size = sizes[index]?.[n] ?? MIN_FILE;
        const blob = await store.stage(Readable.from([pdfBytes(size)]));
        const originalName = `${item.title} - ${unit.name}.pdf`;
        const staged: StagedFile = { ...blob, originalName, mime: await sniffMime(blob.stagingPath, originalName) };
        try {
          await storeUploads(db, store, secretary, { code: INSPECTION_CODE, unitCode: unit.code, itemCode: item.code }, [staged]);
        } finally {
          await store.discard(staged);
        }
        counts.files += 1;
        counts.fileBytes += size;
      }
      for (const [n, item] of plan.valued.entries()) {
        await setValue(db, secretary, INSPECTION_CODE, unit.code, item.code, { value: values[index]?.[n] ?? null });
        counts.values += 1;
      }
      const decisions = [
        ...plan.accepted.map((item) => ({ item, decision: 'accept' as const, note: null })),
        ...plan.returned.map((item) => ({ item, decision: 'return' as const, note: RETURN_NOTE })),
        ...plan.waived.map((item) => ({ item, decision: 'waive' as const, note: WAIVE_NOTE })),
      ];
      for (const { item, decision, note } of decisions) {
        await reviewEntry(db, lead, INSPECTION_CODE, unit.code, item.code, { decision, note });
        counts.reviews += 1;
      }
      await saveFindings(db, lead, INSPECTION_CODE, unit.code, {
        strengths: `${unit.name} đã quán triệt và triển khai nghiêm túc các văn bản của cấp trên về công tác bảo vệ chính trị nội bộ; hồ sơ kết nạp đảng viên được lập đúng quy trình.`,
        shortcomings: 'Một số hồ sơ còn thiếu chữ ký, việc cập nhật sổ theo dõi chưa kịp thời.',
        recommendations: 'Bổ sung các hồ sơ bị trả lại trong 15 ngày; phân công cán bộ theo dõi sổ bảo vệ chính trị nội bộ.',
        conclusion: `${unit.name} cơ bản thực hiện tốt công tác bảo vệ chính trị nội bộ; cần khắc phục các hạn chế đã nêu.`,
      });
      counts.findings += 1;
      filled += 1;
      if (filled % Math.max(1, Math.round(units.length / 10)) === 0) progress(`fill: ${filled}/${units.length} units`);
    });
    const finished = performance.now();
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
    return {
      inspectionCode: INSPECTION_CODE,
      leadUsername: LEAD,
      unitCodes: units.map((u) => u.code),
      openItemCode: plan.open.code,
      secretaryOf,
      counts,
      timings: { directory: directoryDone - started, inspection: inspectionDone - directoryDone, fill: finished - inspectionDone, total: finished - started },
    };
  } finally {
    await db.destroy();
  }
}
