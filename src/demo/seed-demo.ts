import type { Kysely } from 'kysely';
import type { Actor } from '../core/actor';
import type { Database } from '../db/schema';
import { reviewEntry, setValue } from '../dossiers/dossiers.service';
import { findInspectionByCode } from '../inspections/inspections.repository';
import { changeInspectionStatus, createInspection } from '../inspections/inspections.service';
import { findTemplateByCode } from '../templates/templates.repository';
import { createTemplate } from '../templates/templates.service';
import { findUnitByCode } from '../units/units.repository';
import { createUnit } from '../units/units.service';
import { findUserByUsername } from '../users/users.repository';
import { createUser } from '../users/users.service';
import { defaultTemplate, demoData } from './fixtures';

export interface SeedSummary {
  units: number;
  users: number;
  templates: number;
  inspections: number;
}

/** The figures the seed article quotes (607 trained, 519 articles, 2.1 thousand posts, …), spread over two units. */
const demoFigures: [string, number][] = [['8.1', 607], ['8.2', 519], ['8.3', 2100], ['8.4', 1_200_000], ['8.5', 189_000]];

/**
 * Loads the default template and the demo city through the services (so every row is validated and
 * audited). Safe to run twice: what exists already is left alone.
 */
export async function seedDemo(db: Kysely<Database>, admin: Actor, onProgress?: (done: number, total: number) => void): Promise<SeedSummary> {
  const demo = demoData();
  const template = defaultTemplate();
  const summary: SeedSummary = { units: 0, users: 0, templates: 0, inspections: 0 };
  const total = 2 + demo.units.length + demo.users.length;
  let done = 0;
  const step = () => onProgress?.(++done, total);

  if (!(await findTemplateByCode(db, template.code))) {
    await createTemplate(db, admin, template);
    summary.templates += 1;
  }
  step();
  for (const unit of demo.units) {
    if (!(await findUnitByCode(db, unit.code))) {
      await createUnit(db, admin, unit);
      summary.units += 1;
    }
    step();
  }
  for (const user of demo.users) {
    if (!(await findUserByUsername(db, user.username))) {
      await createUser(db, admin, { ...user, password: demo.password });
      summary.users += 1;
    }
    step();
  }
  if (!(await findInspectionByCode(db, demo.inspection.code))) {
    await openDemoInspection(db, admin, demo);
    summary.inspections += 1;
  }
  step();
  return summary;
}

/** Opens the demo inspection and fills in some figures, so the first screens are not empty. */
async function openDemoInspection(db: Kysely<Database>, admin: Actor, demo: ReturnType<typeof demoData>): Promise<void> {
  const { code, unitCodes } = demo.inspection;
  await createInspection(db, admin, demo.inspection);
  await changeInspectionStatus(db, admin, code, 'open');
  for (const [index, unitCode] of unitCodes.slice(0, 2).entries()) {
    const secretary = await findUserByUsername(db, demo.users.find((u) => u.unitCode === unitCode)?.username ?? '');
    if (!secretary) continue;
    const actor: Actor = { id: secretary.id, username: secretary.username, displayName: secretary.display_name, role: 'secretary', unitId: secretary.unit_id };
    for (const [item, value] of demoFigures) {
      const half = Math.floor(value / 2);
      await setValue(db, actor, code, unitCode, item, { value: index === 0 ? half : value - half });
    }
    await reviewEntry(db, admin, code, unitCode, '8.1', { decision: 'accept' });
  }
}
