import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatDate, formatDateTime, formatNumber } from '../src/core/format';
import { loadViews, widthClass } from '../src/http/views';
import { type MessageKey, t } from '../src/i18n/messages';
import { viewsDir } from '../src/paths';

function viewFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.hbs'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('the views', () => {
  it('only name catalogue words that exist, in Vietnamese and in English', async () => {
    const keys = viewFiles(viewsDir).flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(/\(?\bt "([\w.]+)"/g)].map((m) => m[1] ?? ''));
    expect(keys.length).toBeGreaterThan(100);
    for (const key of new Set(keys)) {
      expect([key, t('vi', key as MessageKey)]).not.toEqual([key, key]);
      expect([key, t('en', key as MessageKey)]).not.toEqual([key, key]);
    }
    const catalogue = path.join(__dirname, '../src/i18n/catalogue');
    for (const file of fs.readdirSync(catalogue)) {
      const part = (await import(path.join(catalogue, file))) as { vi: object; en: object };
      expect([file, Object.keys(part.en).sort()]).toEqual([file, Object.keys(part.vi).sort()]);
    }
  });

  it('never use a triple-stash except for the page body in the layout', () => {
    for (const file of viewFiles(viewsDir)) {
      const stashes = fs.readFileSync(file, 'utf8').match(/\{\{\{[^}]*\}\}\}/g) ?? [];
      expect([path.relative(viewsDir, file), stashes]).toEqual([path.relative(viewsDir, file), file.endsWith('layouts/main.hbs') ? ['{{{body}}}'] : []]);
    }
  });

  it('render the status badge and progress bar partials with classes only', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoso-views-'));
    fs.cpSync(viewsDir, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'sample.hbs'), '{{#each statuses}}{{> status-badge status=this}}{{/each}}{{> progress percent=47}}{{> progress percent=100}}');
    const html = loadViews(dir).render('sample', { lang: 'vi', statuses: ['missing', 'submitted', 'accepted', 'returned', 'waived'] });
    expect(html).toContain('<span class="badge status-missing">Chưa nộp</span>');
    expect(html).toContain('<span class="badge status-returned">Trả lại</span>');
    expect(html).toContain('class="progress-bar w-45"');
    expect(html).toContain('47%');
    expect(html).toContain('class="progress-bar w-100 progress-done"');
    expect(html).not.toMatch(/style=/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('formatting helpers', () => {
  it('write dates as dd/mm/yyyy in Vietnam time, calendar dates unshifted', () => {
    expect(formatDate('2023-08-15T17:30:00.000Z')).toBe('16/08/2023');
    expect(formatDateTime('2023-08-15T02:05:00.000Z')).toBe('15/08/2023 09:05');
    expect(formatDate('2023-08-15')).toBe('15/08/2023');
    expect(formatDate(null)).toBe('');
    expect(formatDate('not a date')).toBe('');
  });

  it('write numbers the Vietnamese way, or the English way in English', () => {
    expect(formatNumber(1200000, 'vi')).toBe('1.200.000');
    expect(formatNumber(2.5, 'vi')).toBe('2,5');
    expect(formatNumber(1200000, 'en')).toBe('1,200,000');
    expect(formatNumber('', 'vi')).toBe('');
  });

  it('round progress widths down to a step of 5 within 0–100', () => {
    expect(widthClass(0)).toBe('w-0');
    expect(widthClass(47.9)).toBe('w-45');
    expect(widthClass(99)).toBe('w-95');
    expect(widthClass(100)).toBe('w-100');
    expect(widthClass(140)).toBe('w-100');
    expect(widthClass(-3)).toBe('w-0');
    expect(widthClass(undefined)).toBe('w-0');
  });
});
