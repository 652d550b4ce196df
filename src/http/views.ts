import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatDate, formatDateTime, formatNumber } from '../core/format';
import { isLang, type Lang } from '../core/vocabulary';
import { type MessageKey, type MessageParams, t } from '../i18n/messages';
import { viewsDir } from '../paths';

/**
 * Server-side templates: every `.hbs` under views/ is compiled once, at start. `partials/*.hbs` are
 * registered by file name (a partial sees only the parameters it is given, plus `@root`),
 * `layouts/main.hbs` wraps every page, and every other file is a page named by its path without the
 * extension (`admin/units`). Handlebars escapes `{{ }}`; the only
 * triple-stash is the layout's `{{{body}}}`, which is our own rendered template.
 */
export interface Views {
  /** The page `view` inside the layout, for the context `context` (which must hold `lang`). */
  render(view: string, context: ViewContext): string;
  has(view: string): boolean;
}

export interface ViewContext {
  lang: Lang;
  [name: string]: unknown;
}

/** The progress-bar width class for a percentage: `w-0` … `w-100` in steps of 5, rounded down. */
export function widthClass(percent: unknown): string {
  const n = Number(percent);
  const clamped = Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : 0;
  return `w-${Math.floor(clamped / 5) * 5}`;
}

type HelperOptions = Handlebars.HelperOptions;

/** A helper argument as text: strings and numbers as they are, anything else (missing, objects) empty. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function langOf(options: HelperOptions): Lang {
  const root = (options.data as { root?: { lang?: unknown } } | undefined)?.root;
  return isLang(root?.lang) ? root.lang : 'vi';
}

/** Handlebars passes its options object as the last argument; helpers with optional arguments drop it. */
function withoutOptions(args: unknown[]): unknown[] {
  return args.slice(0, -1);
}

function registerHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('t', function (key: unknown, options: HelperOptions) {
    const params: MessageParams = {};
    for (const [name, value] of Object.entries(options.hash as Record<string, unknown>)) {
      params[name] = typeof value === 'number' ? value : text(value);
    }
    return t(langOf(options), text(key) as MessageKey, params);
  });
  hb.registerHelper('formatDate', (value: unknown) => formatDate(value));
  hb.registerHelper('formatDateTime', (value: unknown) => formatDateTime(value));
  hb.registerHelper('formatNumber', (value: unknown, options: HelperOptions) => formatNumber(value, langOf(options)));
  hb.registerHelper('widthClass', (percent: unknown) => widthClass(percent));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper('and', (...args: unknown[]) => withoutOptions(args).every(Boolean));
  /** The first truthy argument (or false), as `||` would: `type="{{or type "text"}}"`. */
  hb.registerHelper('or', (...args: unknown[]) => withoutOptions(args).find(Boolean) ?? false);
  hb.registerHelper('concat', (...args: unknown[]) => withoutOptions(args).map(text).join(''));
  /** An object from named arguments, to pass to a partial: `back=(hash href="/" label="…")`. */
  hb.registerHelper('hash', (options: HelperOptions) => ({ ...(options.hash as Record<string, unknown>) }));
  /** Row numbers from `@index`: `{{inc @index}}` → 1, 2, 3 … */
  hb.registerHelper('inc', (n: unknown) => Number(n) + 1);
}

function hbsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.hbs'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** Reads and compiles every template under `dir`; a syntax error stops start-up. */
export function loadViews(dir: string = viewsDir): Views {
  const hb = Handlebars.create();
  registerHelpers(hb);
  const pages = new Map<string, Handlebars.TemplateDelegate>();
  let layout: Handlebars.TemplateDelegate | undefined;
  for (const file of hbsFiles(dir)) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    // parse() throws on a syntax error now rather than at the first request for that page.
    hb.parse(source);
    // explicitPartialContext: a partial sees only what it is passed (and @root), so a page's own
    // `hint` or `value` can never leak into a form field rendered on it.
    const template = hb.compile(source, { preventIndent: true, explicitPartialContext: true });
    const name = file.slice(0, -'.hbs'.length);
    if (name.startsWith('partials/')) hb.registerPartial(name.slice('partials/'.length), template);
    else if (name === 'layouts/main') layout = template;
    else if (!name.startsWith('layouts/')) pages.set(name, template);
  }
  if (!layout) throw new Error(`views: ${dir}/layouts/main.hbs is missing`);
  const main = layout;
  return {
    has: (view) => pages.has(view),
    render(view, context) {
      const page = pages.get(view);
      if (!page) throw new Error(`views: no template named ${view}`);
      return main({ ...context, body: page(context) });
    },
  };
}

let loaded: Views | undefined;

/** The application's templates, compiled on first use (createApp calls it at start). */
export function appViews(): Views {
  loaded ??= loadViews();
  return loaded;
}
