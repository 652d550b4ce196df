import { formatLongDate } from '../../core/format';
import type { Lang } from '../../core/vocabulary';

/** How party documents word and set the shared parts of their text. */

/** "Tuyên Quang, ngày 15 tháng 8 năm 2023"; without a place the date starts with a capital. */
export function formatPlaceAndDate(place: string | null, date: Date, lang: Lang): string {
  const when = formatLongDate(date, lang);
  return place ? `${place}, ${when}` : capitalize(when);
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
