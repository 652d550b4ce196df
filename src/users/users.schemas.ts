import { z } from 'zod';
import { LANGS, ROLES } from '../core/vocabulary';
import { UnitCodeSchema } from '../units/units.schemas';

export const UsernameSchema = z.string().regex(/^[A-Za-z0-9._-]{2,64}$/, 'must be 2–64 of A–Z a–z 0–9 . _ -');
export const PasswordSchema = z.string().min(8).max(1024);
export const RoleSchema = z.enum(ROLES);

export const CreateUserSchema = z.object({
  username: UsernameSchema,
  displayName: z.string().trim().min(1).max(200),
  password: PasswordSchema,
  role: RoleSchema,
  unitCode: UnitCodeSchema.nullish(),
});
export type CreateUserInput = z.infer<typeof CreateUserSchema>;

export const UpdateUserSchema = z.object({
  displayName: z.string().trim().min(1).max(200).optional(),
  password: PasswordSchema.optional(),
  active: z.boolean().optional(),
  lang: z.enum(LANGS).nullish(),
});
export type UpdateUserInput = z.infer<typeof UpdateUserSchema>;
