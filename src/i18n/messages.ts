import { type Lang } from '../core/vocabulary';
import * as auth from './catalogue/auth';
import * as core from './catalogue/core';
import * as dossiers from './catalogue/dossiers';
import * as imports from './catalogue/imports';
import * as inspections from './catalogue/inspections';
import * as reports from './catalogue/reports';
import * as storage from './catalogue/storage';
import * as templates from './catalogue/templates';
import * as units from './catalogue/units';
import * as users from './catalogue/users';
import * as vocabulary from './catalogue/vocabulary';

/**
 * Every word a user reads, in one catalogue assembled from one part per domain
 * (`catalogue/<domain>.ts`, each exporting `vi` and `en` with the same keys; the type checker
 * enforces it). `vi` is the default. `{name}` marks a parameter.
 */
const parts = [core, vocabulary, auth, units, users, templates, imports, inspections, dossiers, reports, storage] as const;

type Part = (typeof parts)[number];
type Keys<P> = P extends { vi: infer V } ? keyof V : never;
export type MessageKey = Keys<Part>;
/** A parameter is a literal, or another message (e.g. a status word) worded in the same language. */
export type MessageParams = Record<string, string | number | { key: MessageKey }>;

const catalogues: Record<Lang, Record<string, string>> = {
  vi: Object.assign({}, ...parts.map((p) => p.vi)) as Record<string, string>,
  en: Object.assign({}, ...parts.map((p) => p.en)) as Record<string, string>,
};

/** The message for `key` in `lang`, with `{param}` placeholders filled in. */
export function t(lang: Lang, key: MessageKey, params: MessageParams = {}): string {
  const text = catalogues[lang][key] ?? catalogues.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'object' ? t(lang, value.key) : String(value);
  });
}
