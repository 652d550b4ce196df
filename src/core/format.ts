import { t } from '../i18n/messages';
import type { Lang } from './vocabulary';

/**
 * Dates, numbers and sizes as Vietnamese offices write them, for the pages and the documents
 * alike. Times are shown in Vietnam's time, whatever the server's own time zone: the product is
 * used there, and a document is dated where it is issued.
 */
export const VIETNAM_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

interface DateParts {
  day: number;
  month: number;
  year: number;
  /** `14:05`; empty for a calendar date, which has no time of day. */
  time: string;
}

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: VIETNAM_TIME_ZONE, year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
const monthNames = new Intl.DateTimeFormat('en-GB', { timeZone: VIETNAM_TIME_ZONE, month: 'long' });

/** The calendar parts of a Date or ISO string in Vietnam's time; undefined for anything unreadable. */
function dateParts(value: unknown): DateParts | undefined {
  if (typeof value === 'string') {
    // A calendar date has no time of day, so no time zone may shift it.
    const m = DATE_ONLY.exec(value);
    if (m) return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), time: '' };
  } else if (!(value instanceof Date)) {
    return undefined;
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const p = Object.fromEntries(partsFormat.formatToParts(date).map((part) => [part.type, part.value]));
  return { day: Number(p.day), month: Number(p.month), year: Number(p.year), time: `${p.hour}:${p.minute}` };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `15/08/2023`, as the pages show dates; empty for a missing or unreadable value. */
export function formatDate(value: unknown): string {
  const p = dateParts(value);
  return p ? `${pad2(p.day)}/${pad2(p.month)}/${p.year}` : '';
}

/** `15/08/2023 14:05` (a calendar date alone stays `15/08/2023`). */
export function formatDateTime(value: unknown): string {
  const p = dateParts(value);
  if (!p) return '';
  return p.time ? `${formatDate(value)} ${p.time}` : formatDate(value);
}

/** `15/8/2023`: day/month/year as documents write a due date, in both languages. */
export function formatShortDate(value: Date | string): string {
  const p = dateParts(value);
  return p ? `${p.day}/${p.month}/${p.year}` : '';
}

/**
 * "ngày 15 tháng 8 năm 2023" / "15 August 2023". As party documents write it, a day below 10 and
 * the months 1 and 2 take a leading zero ("ngày 05 tháng 02 năm 2024"), so no digit can be added by hand.
 */
export function formatLongDate(date: Date, lang: Lang): string {
  const p = dateParts(date);
  if (!p) return '';
  return t(lang, 'date.long', { day: pad2(p.day), month: p.month <= 2 ? pad2(p.month) : String(p.month), year: p.year, monthName: monthNames.format(date) });
}

/** "10:32 ngày 15/8/2023" / "10:32 on 15/8/2023", as a document says when it was made. */
export function formatMoment(date: Date, lang: Lang): string {
  const p = dateParts(date);
  return p ? t(lang, 'date.moment', { time: p.time, date: formatShortDate(date) }) : '';
}

const numberFormats: Record<Lang, Intl.NumberFormat> = {
  vi: new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 }),
};
const percentFormats: Record<Lang, Intl.NumberFormat> = {
  vi: new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }),
  en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }),
};

/** `1.234.567,5` in Vietnamese, `1,234,567.5` in English; empty for a non-number (a number-like string counts). */
export function formatNumber(value: unknown, lang: Lang): string {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? numberFormats[lang].format(n) : '';
}

/** 87.54 → "87,5" (vi) / "87.5" (en), without the % sign. */
export function formatPercent(value: number, lang: Lang): string {
  return percentFormats[lang].format(value);
}

/** `1,2 MB`, `350 KB` in the reader's number format (never "0 KB" for a file that has bytes). */
export function formatFileSize(bytes: number, lang: Lang): string {
  if (bytes >= 1024 * 1024) return `${formatNumber(Math.round((bytes / (1024 * 1024)) * 10) / 10, lang)} MB`;
  return `${formatNumber(Math.max(1, Math.round(bytes / 1024)), lang)} KB`;
}
