import { z } from 'zod';
import { LANGS, ROLES } from '../core/vocabulary';

export const LoginSchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(1024),
});
export type LoginInput = z.infer<typeof LoginSchema>;

export const UserSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  unitCode: z.string().nullable(),
  active: z.boolean(),
  lang: z.enum(LANGS).nullable(),
});

export const SessionResponseSchema = z.object({
  token: z.string(),
  csrfToken: z.string(),
  user: UserSchema,
});
