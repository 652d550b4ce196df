import { z } from 'zod';
import { MAX_ROW_ID } from '../db/dialect';

export const AuditQuerySchema = z.object({
  inspection: z.string().max(64).optional(),
  after: z.coerce.number().int().min(0).max(MAX_ROW_ID).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const ChainReportSchema = z.object({
  ok: z.boolean(),
  events: z.number().int(),
  head: z.string().nullable(),
  firstBroken: z.object({ id: z.number().int(), reason: z.enum(['hash_mismatch', 'prev_mismatch']) }).optional(),
});
