import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Actor } from '../http/request-context';
import { createTemplate } from '../templates/templates.service';
import { findTemplateByCode } from '../templates/templates.repository';
import { findUnitByCode } from '../units/units.repository';
import { createUnit } from '../units/units.service';
import { findUserByUsername } from '../users/users.repository';
import { createUser } from '../users/users.service';
import { defaultTemplate, demoData } from './fixtures';

export interface SeedSummary {
  units: number;
  users: number;
  templates: number;
}

/**
 * Loads the default template and the demo city through the services (so every row is validated and
 * audited). Safe to run twice: what exists already is left alone.
 */
export async function seedDemo(db: Kysely<Database>, admin: Actor, onProgress?: (done: number, total: number) => void): Promise<SeedSummary> {
  const demo = demoData();
  const template = defaultTemplate();
  const summary: SeedSummary = { units: 0, users: 0, templates: 0 };
  const total = 1 + demo.units.length + demo.users.length;
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
  return summary;
}
