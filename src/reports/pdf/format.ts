import { type Lang, t } from '../../i18n/messages';

/** Documents are dated where they are issued, whatever the server's own time zone. */
export const VIETNAM_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: VIETNAM_TIME_ZONE,
  day: 'numeric',
  month: 'numeric',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const monthNames = new Intl.DateTimeFormat('en-GB', { timeZone: VIETNAM_TIME_ZONE, month: 'long' });
const numberFormats: Record<Lang, Intl.NumberFormat> = {
  vi: new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 }),
};
const percentFormats: Record<Lang, Intl.NumberFormat> = {
  vi: new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }),
  en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }),
};

interface DateParts {
  day: number;
  month: number;
  year: number;
  time: string;
}

function dateParts(date: Date): DateParts {
  const parts = Object.fromEntries(partsFormat.formatToParts(date).map((p) => [p.type, p.value]));
  return {
    day: Number(parts.day),
    month: Number(parts.month),
    year: Number(parts.year),
    time: `${parts.hour}:${parts.minute}`,
  };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * "ngày 15 tháng 8 năm 2023" / "15 August 2023". As party documents write it, a day below 10 and
 * the months 1 and 2 take a leading zero ("ngày 05 tháng 02 năm 2024"), so no digit can be added by hand.
 */
export function formatLongDate(date: Date, lang: Lang): string {
  const { day, month, year } = dateParts(date);
  return t(lang, 'report.date.long', {
    day: pad2(day),
    month: month <= 2 ? pad2(month) : String(month),
    year,
    monthName: monthNames.format(date),
  });
}

/** "15/8/2023" (day/month/year in both languages, as the team writes due dates). */
export function formatShortDate(date: Date): string {
  const { day, month, year } = dateParts(date);
  return `${day}/${month}/${year}`;
}

/** "10:32 ngày 15/8/2023" / "10:32 on 15/8/2023". */
export function formatDateTime(date: Date, lang: Lang): string {
  return t(lang, 'report.dateTime', { time: dateParts(date).time, date: formatShortDate(date) });
}

/** "Tuyên Quang, ngày 15 tháng 8 năm 2023"; without a place the date starts with a capital. */
export function formatPlaceAndDate(place: string | null, date: Date, lang: Lang): string {
  const when = formatLongDate(date, lang);
  return place ? `${place}, ${when}` : capitalize(when);
}

/** 1200000 → "1.200.000" (vi) / "1,200,000" (en). */
export function formatNumber(value: number, lang: Lang): string {
  return numberFormats[lang].format(value);
}

/** 87.54 → "87,5" (vi) / "87.5" (en), without the % sign. */
export function formatPercent(value: number, lang: Lang): string {
  return percentFormats[lang].format(value);
}

function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase('vi') + text.slice(1);
}

/**
 * An inspection title to use inside a sentence: "Kiểm tra công tác …" → "kiểm tra công tác …".
 * Only a capitalised word is lowered, so acronyms ("BVCTNB 2023") stay as typed.
 */
export function inSentence(title: string): string {
  const [first = '', second = ''] = Array.from(title);
  const isCapitalised = first !== first.toLocaleLowerCase('vi') && second === second.toLocaleLowerCase('vi') && second !== second.toLocaleUpperCase('vi');
  return isCapitalised ? first.toLocaleLowerCase('vi') + title.slice(first.length) : title;
}

/** Heading capitals as party documents set them ("Đoàn Kiểm tra số 4" → "ĐOÀN KIỂM TRA SỐ 4"). */
export function upper(text: string): string {
  return text.toLocaleUpperCase('vi');
}
