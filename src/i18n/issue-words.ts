import type { z } from 'zod';
import type { Lang } from '../core/vocabulary';
import { t } from './messages';

/**
 * One zod issue in words a person filling a form understands. The schemas' own messages are for API
 * clients (and in English), so the common cases are worded here; the rest falls back to zod's
 * translated message.
 */
export function issueMessage(issue: z.core.$ZodIssue, lang: Lang): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined || issue.input === null ? t(lang, 'form.required') : t(lang, 'form.invalid');
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? t(lang, 'form.required') : t(lang, 'form.tooShort', { min: Number(issue.minimum) });
      if (issue.origin === 'array') return t(lang, 'form.tooFewRows', { min: Number(issue.minimum) });
      return t(lang, 'form.tooSmall', { min: Number(issue.minimum) });
    case 'too_big':
      if (issue.origin === 'string') return t(lang, 'form.tooLong', { max: Number(issue.maximum) });
      if (issue.origin === 'array') return t(lang, 'form.tooManyRows', { max: Number(issue.maximum) });
      return t(lang, 'form.tooBig', { max: Number(issue.maximum) });
    case 'invalid_format':
      return t(lang, 'form.invalidCode');
    case 'invalid_value':
      return t(lang, 'form.invalidChoice');
    default:
      return issue.message;
  }
}
