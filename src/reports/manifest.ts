import { createHash } from 'node:crypto';
import type { EntryStatus } from '../core/vocabulary';

export interface ManifestFile {
  sha256: string;
  size: number;
  /** The original file name as uploaded. */
  name: string;
  /** Withdrawn files are not part of the unit's dossier and are left out. */
  withdrawnAt?: string | null;
}

export interface ManifestEntry {
  itemCode: string;
  status: EntryStatus;
  value: number | string | null;
  files: ManifestFile[];
}

export interface ManifestInput {
  inspectionCode: string;
  unitCode: string;
  entries: ManifestEntry[];
}

export const MANIFEST_FORMAT = 'hoso-manifest/1';

/** Code point order, i.e. the byte order of the UTF-8 encodings (not JavaScript's UTF-16 order). */
function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function checkedNumber(value: number): number {
  if (!Number.isFinite(value)) throw new TypeError(`manifest value must be a finite number, got ${value}`);
  return value;
}

/**
 * The canonical text of a unit's dossier, the thing the verification code on a printed report
 * is the SHA-256 of. Format `hoso-manifest/1`, precisely, so it can be recomputed elsewhere:
 *
 * - One JSON value, UTF-8, no byte-order mark, no whitespace between tokens, no trailing newline.
 * - Object keys sorted by code point. Strings are written as ECMAScript `JSON.stringify` writes
 *   them: only `"`, `\` and U+0000–U+001F escaped (`\b \f \n \r \t` short forms, otherwise
 *   `\u00xx` in lower-case hex; lone surrogates as `\udxxx`), everything else literal UTF-8 and not
 *   Unicode-normalised. Numbers are written as ECMAScript writes them (shortest round-trip form:
 *   `1200000`, `2.5`, `1e+21`; `-0` as `0`).
 *   This is what Python's `json.dumps(v, sort_keys=True, separators=(',', ':'), ensure_ascii=False)`
 *   produces for the same data, except that Python writes integral floats as `1200000.0`.
 * - The top level object is
 *   `{"entries":[…],"format":"hoso-manifest/1","inspection":<inspection code>,"unit":<unit code>}`.
 * - `entries` holds every entry of the unit, sorted by item code in code point order, each
 *   `{"files":[…],"itemCode":…,"status":…,"value":…}` where status is one of
 *   missing|submitted|accepted|returned|waived and value is a number, a string or null.
 * - `files` holds the entry's current files (withdrawn ones are left out), sorted by sha256 then by
 *   name (code point order), each `{"name":…,"sha256":<64 lower-case hex>,"size":<bytes>}`.
 *
 * Example: `{"entries":[{"files":[{"name":"Biên bản.pdf","sha256":"9f86…","size":1024}],
 * "itemCode":"1.3","status":"accepted","value":null}],"format":"hoso-manifest/1",
 * "inspection":"KT-2023-04","unit":"YLA"}` (wrapped here for reading).
 */
export function canonicalManifest(input: ManifestInput): string {
  // Keys are written in sorted order by building each object literally in that order;
  // JSON.stringify keeps insertion order for string keys.
  const entries = [...input.entries]
    .sort((a, b) => byCodePoint(a.itemCode, b.itemCode))
    .map((entry) => ({
      files: entry.files
        .filter((file) => file.withdrawnAt == null)
        .map((file) => ({ name: file.name, sha256: file.sha256.toLowerCase(), size: checkedNumber(file.size) }))
        .sort((a, b) => byCodePoint(a.sha256, b.sha256) || byCodePoint(a.name, b.name)),
      itemCode: entry.itemCode,
      status: entry.status,
      value: typeof entry.value === 'number' ? checkedNumber(entry.value) : entry.value,
    }));
  return JSON.stringify({ entries, format: MANIFEST_FORMAT, inspection: input.inspectionCode, unit: input.unitCode });
}

/** The verification code printed on a unit's report: lower-case hex SHA-256 of `canonicalManifest(input)`. */
export function manifestHash(input: ManifestInput): string {
  return createHash('sha256').update(canonicalManifest(input), 'utf8').digest('hex');
}
