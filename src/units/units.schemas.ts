import { z } from 'zod';

export const UnitCodeSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 of A–Z a–z 0–9 . _ -');

export const CreateUnitSchema = z.object({
  code: UnitCodeSchema,
  name: z.string().trim().min(1).max(500),
  parentCode: UnitCodeSchema.nullish(),
});
export type CreateUnitInput = z.infer<typeof CreateUnitSchema>;

export const UpdateUnitSchema = z.object({
  name: z.string().trim().min(1).max(500).optional(),
  parentCode: UnitCodeSchema.nullish(),
});
export type UpdateUnitInput = z.infer<typeof UpdateUnitSchema>;

export const UnitSchema = z.object({
  code: z.string(),
  name: z.string(),
  parentCode: z.string().nullable(),
});
export type UnitView = z.infer<typeof UnitSchema>;
