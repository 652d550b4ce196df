/** What a nameless (or all-dots) upload is called: "tệp tải lên", without diacritics so any client shows it. */
export const FALLBACK_FILE_NAME = 'tep-tai-len';
const MAX_NAME_CHARS = 255;

/**
 * Control characters (C0, DEL, C1), line/paragraph separators, bidirectional marks, embeddings,
 * overrides and isolates (U+200E/F, U+202A–E, U+2066–9, U+061C: they make "fdp.exe" read as
 * "exe.pdf"), and lone surrogates.
 */
const UNSAFE_CHARS = /[\p{Cc}\u2028\u2029\u200E\u200F\u202A-\u202E\u2066-\u2069\u061C]|\p{Cs}/gu;
const EXTENSION = /\.[A-Za-z0-9]{1,10}$/;

/**
 * The client's file name made safe to show and to put in Content-Disposition: NFC-normalised,
 * without any folder part (split on / and \), control or bidi characters, trimmed, at most 255
 * characters with the extension kept; empty or dots-only names become "tep-tai-len" (plus the
 * extension). It is only ever displayed, never used as a path. Idempotent.
 */
export function safeDisplayName(original: string): string {
  // Normalised after the removal, so a mark that followed a removed character still composes.
  const cleaned = original.replace(UNSAFE_CHARS, '').normalize('NFC');
  const base = (cleaned.split(/[/\\]/).pop() ?? '').trim();
  const extension = EXTENSION.exec(base)?.[0] ?? '';
  // Cut by code point so a character outside the BMP is never split in half.
  const stem = Array.from(base.slice(0, base.length - extension.length))
    .slice(0, MAX_NAME_CHARS - extension.length)
    .join('')
    .trim();
  return (/^\.*$/.test(stem) ? FALLBACK_FILE_NAME : stem) + extension;
}
