import type { Actor } from '../../src/core/actor';
import type { Role } from '../../src/core/vocabulary';
import type { Db } from '../../src/db/database';
import { changeInspectionStatus, createInspection } from '../../src/inspections/inspections.service';
import type { ItemInput } from '../../src/templates/templates.schemas';
import { createTemplate } from '../../src/templates/templates.service';
import { createUnit } from '../../src/units/units.service';
import { findUserByUsername } from '../../src/users/users.repository';
import { createUser } from '../../src/users/users.service';

export const PASSWORD = 'Mat-khau-rat-dai-2023';

let counter = 0;
const next = () => ++counter;

const wardNames = ['Phan Thiết', 'Minh Xuân', 'Tân Quang', 'Ỷ La', 'Hưng Thành', 'Nông Tiến', 'Tân Hà', 'Mỹ Lâm'];

export async function buildUnit(db: Db, admin: Actor, overrides: { code?: string; name?: string; parentCode?: string } = {}) {
  const n = next();
  return createUnit(db, admin, {
    code: overrides.code ?? `P-${n}`,
    name: overrides.name ?? `Đảng uỷ phường ${wardNames[n % wardNames.length]} ${n}`,
    parentCode: overrides.parentCode,
  });
}

/** A user with a known password; a secretary gets a fresh unit unless one is named. */
export async function buildUser(
  db: Db,
  admin: Actor,
  overrides: { username?: string; role?: Role; unitCode?: string; displayName?: string } = {},
): Promise<Actor & { password: string; unitCode: string | null }> {
  const role = overrides.role ?? 'inspector';
  const unitCode = role === 'secretary' ? (overrides.unitCode ?? (await buildUnit(db, admin)).code) : null;
  const username = overrides.username ?? `user${next()}`;
  await createUser(db, admin, {
    username,
    displayName: overrides.displayName ?? `Nguyễn Thị Hồng ${username}`,
    password: PASSWORD,
    role,
    unitCode,
  });
  const row = await findUserByUsername(db, username);
  if (!row) throw new Error('user not created');
  return { id: row.id, username, displayName: row.display_name, role, unitId: row.unit_id, password: PASSWORD, unitCode };
}

export const sampleItems: ItemInput[] = [
  { code: '1.1', section: 'I. Công tác kết nạp đảng viên', title: 'Hồ sơ kết nạp đảng viên', guidance: 'Lý lịch, đơn, nghị quyết', kind: 'file', required: true, minFiles: 1 },
  { code: '2.1', section: 'II. Đi nước ngoài', title: 'Hồ sơ cán bộ, đảng viên đi nước ngoài', guidance: '', kind: 'file', required: true, minFiles: 2 },
  { code: '8.1', section: 'VIII. Số liệu', title: 'Số lượt tập huấn', guidance: '', kind: 'number', required: true },
  { code: '9.1', section: 'IX. Tự đánh giá', title: 'Tự đánh giá ưu điểm', guidance: '', kind: 'text', required: false },
];

export async function buildTemplate(db: Db, admin: Actor, overrides: { code?: string; items?: ItemInput[] } = {}) {
  return createTemplate(db, admin, {
    code: overrides.code ?? `T-${next()}`,
    title: 'Kiểm tra công tác bảo vệ chính trị nội bộ',
    items: overrides.items ?? sampleItems,
  });
}

/**
 * An inspection over `units` fresh units (each with a secretary), a lead and a member, on the
 * sample template (or the one given); opened unless `open: false`.
 */
export async function buildInspection(
  db: Db,
  admin: Actor,
  options: { units?: number; open?: boolean; templateCode?: string; code?: string } = {},
) {
  const template = options.templateCode ?? (await buildTemplate(db, admin)).code;
  const units = [];
  const secretaries = [];
  for (let i = 0; i < (options.units ?? 2); i++) {
    const unit = await buildUnit(db, admin);
    units.push(unit);
    secretaries.push(await buildUser(db, admin, { role: 'secretary', unitCode: unit.code }));
  }
  const lead = await buildUser(db, admin, { role: 'inspector', displayName: 'Nguyễn Văn Thành' });
  const member = await buildUser(db, admin, { role: 'inspector', displayName: 'Trần Thị Hương' });
  const code = options.code ?? `KT-${next()}`;
  const inspection = await createInspection(db, admin, {
    code,
    title: 'Kiểm tra công tác bảo vệ chính trị nội bộ năm 2023',
    teamName: 'Đoàn Kiểm tra số 4',
    templateCode: template,
    unitCodes: units.map((u) => u.code),
    members: [
      { username: lead.username, role: 'lead' },
      { username: member.username, role: 'member' },
    ],
    dueAt: '2030-08-15',
    parentBody: 'TIỂU BAN BẢO VỆ CHÍNH TRỊ NỘI BỘ TRUNG ƯƠNG',
    place: 'Tuyên Quang',
    reportNumber: '12-BC/ĐKT',
  });
  if (options.open !== false) await changeInspectionStatus(db, lead, code, 'open');
  return { inspection, code, units, secretaries, lead, member };
}
