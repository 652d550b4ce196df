import { z } from 'zod';
import { ENTRY_STATUSES, type EntryStatus, INSPECTION_STATUSES, MEMBER_ROLES } from '../core/vocabulary';
import { TemplateCodeSchema } from '../templates/templates.schemas';
import { UnitCodeSchema } from '../units/units.schemas';

const optionalText = (max: number) => z.string().trim().max(max).nullish();

/** A due date: a calendar day (2030-01-31) or a full ISO timestamp. */
export const DueAtSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

export const CreateInspectionSchema = z.object({
  code: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 of A–Z a–z 0–9 . _ -'),
  title: z.string().trim().min(1).max(500),
  teamName: z.string().trim().min(1).max(200),
  templateCode: TemplateCodeSchema,
  unitCodes: z.array(UnitCodeSchema).min(1).max(20_000),
  members: z.array(z.object({ username: z.string().min(1).max(64), role: z.enum(MEMBER_ROLES) })).min(1).max(200),
  dueAt: DueAtSchema.nullish(),
  parentBody: optionalText(300),
  place: optionalText(100),
  reportNumber: optionalText(64),
});
export type CreateInspectionInput = z.infer<typeof CreateInspectionSchema>;

export const InspectionViewSchema = z.object({
  code: z.string(),
  title: z.string(),
  teamName: z.string(),
  status: z.enum(INSPECTION_STATUSES),
  templateCode: z.string(),
  templateTitle: z.string(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  parentBody: z.string().nullable(),
  place: z.string().nullable(),
  reportNumber: z.string().nullable(),
  createdAt: z.string(),
  openedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  unitCodes: z.array(z.string()),
  members: z.array(z.object({ username: z.string(), displayName: z.string(), role: z.enum(MEMBER_ROLES) })),
  itemCount: z.number().int(),
});
export type InspectionView = z.infer<typeof InspectionViewSchema>;

/** How many entries are in each status (every status, zero included). */
const CountsSchema = z.object(Object.fromEntries(ENTRY_STATUSES.map((status) => [status, z.number().int()])) as Record<EntryStatus, z.ZodNumber>);

export const ProgressSchema = z.object({
  inspection: InspectionViewSchema,
  totals: z.object({ required: z.number().int(), done: z.number().int(), percent: z.number(), counts: CountsSchema }),
  units: z.array(
    z.object({
      unitCode: z.string(),
      unitName: z.string(),
      required: z.number().int(),
      done: z.number().int(),
      percent: z.number(),
      counts: CountsSchema,
    }),
  ),
});
export type ProgressView = z.infer<typeof ProgressSchema>;
