import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MEMBER_ROLES, ROLES } from '../core/vocabulary';
import { fixturesDir } from '../paths';
import { CreateTemplateSchema, type CreateTemplateInput } from '../templates/templates.schemas';
import { CreateUnitSchema } from '../units/units.schemas';

const DemoSchema = z.object({
  password: z.string().min(8),
  units: z.array(CreateUnitSchema),
  users: z.array(
    z.object({
      username: z.string(),
      displayName: z.string(),
      role: z.enum(ROLES),
      unitCode: z.string().optional(),
    }),
  ),
  inspection: z.object({
    code: z.string(),
    title: z.string(),
    teamName: z.string(),
    templateCode: z.string(),
    unitCodes: z.array(z.string()),
    members: z.array(z.object({ username: z.string(), role: z.enum(MEMBER_ROLES) })),
    dueAt: z.string(),
    parentBody: z.string(),
    place: z.string(),
    reportNumber: z.string(),
  }),
});
export type DemoData = z.infer<typeof DemoSchema>;

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir, file), 'utf8'));
}

/** The default checklist template: "Kiểm tra công tác bảo vệ chính trị nội bộ", 40 items. */
export function defaultTemplate(): CreateTemplateInput {
  return CreateTemplateSchema.parse(readJson('templates/bvctnb.json'));
}

/** A city party committee with its wards and communes, an inspection team and unit secretaries. */
export function demoData(): DemoData {
  return DemoSchema.parse(readJson('demo.json'));
}
