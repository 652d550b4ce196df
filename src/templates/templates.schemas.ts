import { z } from 'zod';
import { ITEM_KINDS } from '../core/vocabulary';

export const TemplateCodeSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 of A–Z a–z 0–9 . _ -');

export const ItemSchema = z.object({
  code: z.string().trim().min(1).max(32),
  section: z.string().trim().max(500).default(''),
  title: z.string().trim().min(1).max(1000),
  guidance: z.string().trim().max(5000).default(''),
  kind: z.enum(ITEM_KINDS),
  required: z.boolean().default(true),
  minFiles: z.number().int().min(0).max(100).optional(),
});
export type ItemInput = z.infer<typeof ItemSchema>;

export const CreateTemplateSchema = z.object({
  code: TemplateCodeSchema,
  title: z.string().trim().min(1).max(500),
  items: z.array(ItemSchema).min(1).max(1000),
});
export type CreateTemplateInput = z.infer<typeof CreateTemplateSchema>;

export const UpdateTemplateSchema = CreateTemplateSchema.omit({ code: true });
export type UpdateTemplateInput = z.infer<typeof UpdateTemplateSchema>;

export const ItemViewSchema = z.object({
  code: z.string(),
  section: z.string(),
  title: z.string(),
  guidance: z.string(),
  kind: z.enum(ITEM_KINDS),
  required: z.boolean(),
  minFiles: z.number().int(),
});
export type ItemView = z.infer<typeof ItemViewSchema>;

export const TemplateViewSchema = z.object({
  code: z.string(),
  title: z.string(),
  items: z.array(ItemViewSchema),
});
export type TemplateView = z.infer<typeof TemplateViewSchema>;
