import { z } from 'zod';
import { ENTRY_STATUSES, INSPECTION_STATUSES, REVIEW_DECISIONS } from '../core/vocabulary';
import { ItemViewSchema } from '../templates/templates.schemas';

export const ValueSchema = z.object({
  /** A number for number items, text for text items; null (or empty text) clears it. */
  value: z.union([z.number().finite(), z.string().max(20_000), z.null()]),
});
export type ValueInput = z.infer<typeof ValueSchema>;

export const ReviewSchema = z.object({
  decision: z.enum(REVIEW_DECISIONS),
  note: z.string().trim().max(5000).nullish(),
});
export type ReviewInput = z.infer<typeof ReviewSchema>;

export const FindingsSchema = z.object({
  strengths: z.string().max(50_000).default(''),
  shortcomings: z.string().max(50_000).default(''),
  recommendations: z.string().max(50_000).default(''),
  conclusion: z.string().max(50_000).default(''),
});
export type FindingsInput = z.infer<typeof FindingsSchema>;

export const FileViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  mime: z.string(),
  uploadedAt: z.string(),
  uploadedBy: z.string(),
});
export type FileView = z.infer<typeof FileViewSchema>;

export const StatusSchema = z.enum(ENTRY_STATUSES);

export const ReviewViewSchema = z.object({
  decision: z.enum(REVIEW_DECISIONS),
  note: z.string().nullable(),
  from: StatusSchema,
  to: StatusSchema,
  by: z.string(),
  at: z.string(),
});
export type ReviewView = z.infer<typeof ReviewViewSchema>;

/** An item of the inspection's checklist (as a template item shows it) with the unit's entry for it. */
export const EntryViewSchema = z.object({
  itemCode: z.string(),
  ...ItemViewSchema.omit({ code: true }).shape,
  status: StatusSchema,
  value: z.union([z.number(), z.string(), z.null()]),
  updatedAt: z.string(),
  files: z.array(FileViewSchema),
  review: ReviewViewSchema.nullable(),
  history: z.array(ReviewViewSchema),
});
export type EntryView = z.infer<typeof EntryViewSchema>;

export const FindingsViewSchema = z.object({
  strengths: z.string(),
  shortcomings: z.string(),
  recommendations: z.string(),
  conclusion: z.string(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type FindingsView = z.infer<typeof FindingsViewSchema>;

export const UnitDossierSchema = z.object({
  inspection: z.object({ code: z.string(), title: z.string(), status: z.enum(INSPECTION_STATUSES) }),
  unit: z.object({ code: z.string(), name: z.string() }),
  entries: z.array(EntryViewSchema),
  findings: FindingsViewSchema,
});
export type UnitDossier = z.infer<typeof UnitDossierSchema>;
