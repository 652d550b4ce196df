/**
 * Entry names for ZIP archives that extract safely and readably on Windows, macOS and Linux,
 * whatever a user named the file they uploaded.
 */

/**
 * Path separators, characters Windows refuses, control characters, and the bidirectional
 * overrides that can disguise an extension ("hoá đơn\u202Efdp.exe" shows as "hoá đơnexe.pdf").
 */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f"*/:<>?\\|\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
const EXTENSION = /\.[A-Za-z0-9]{1,10}$/;

/**
 * `name` as one path segment: NFC (macOS uploads arrive decomposed), no separators or
 * forbidden characters, never "", "." or "..", no trailing dot or space (Windows drops them),
 * not a Windows device name, and at most `maxBytes` of UTF-8 with the extension kept.
 */
export function safeEntryName(name: string, maxBytes: number): string {
  let clean = name.normalize('NFC').replace(UNSAFE_CHARS, '_').trim().replace(/[. ]+$/, '');
  if (clean === '') clean = '_';
  if (WINDOWS_DEVICE.test(clean)) clean = `_${clean}`;
  return truncateUtf8(clean, maxBytes);
}

/**
 * `name`, or `name (2)`, `name (3)` … before the extension, whichever is not yet in `taken`
 * (compared case-insensitively, as Windows and macOS extract), and records it there.
 */
export function claimName(taken: Set<string>, name: string): string {
  const { stem, extension } = splitExtension(name);
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? name : `${stem} (${n})${extension}`;
    const key = candidate.toLowerCase();
    if (!taken.has(key)) {
      taken.add(key);
      return candidate;
    }
  }
}

function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const { stem, extension } = splitExtension(name);
  const budget = maxBytes - Buffer.byteLength(extension);
  let kept = '';
  let bytes = 0;
  for (const char of stem) {
    bytes += Buffer.byteLength(char);
    if (bytes > budget) break;
    kept += char;
  }
  return `${kept.trimEnd()}${extension}`;
}

function splitExtension(name: string): { stem: string; extension: string } {
  const extension = EXTENSION.exec(name)?.[0] ?? '';
  return { stem: name.slice(0, name.length - extension.length), extension };
}
