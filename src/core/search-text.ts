import { foldForSearch } from '../db/dialect';

/*
 * The pages' filters ("tuyen quang" finds "Tuyên Quang", "y la" and "ỷ la" find "Ỷ La") compare
 * text folded the way the database's search folds it (db/dialect.ts), so a filter typed on a page
 * and a search run in SQL agree. public/js/search-text.js folds the same way in the browser for the
 * filters that run as you type; tests/search-text.test.ts keeps the two in step.
 */

/** `text` without diacritics (đ → d), lower-case, runs of white space as one space, trimmed. */
export function searchKey(text: string): string {
  return foldForSearch(text).replace(/\s+/g, ' ').trim();
}

/** True when `query` is blank, or found (folded) inside any of `fields`. */
export function matchesSearch(query: string, ...fields: string[]): boolean {
  const needle = searchKey(query);
  return needle === '' || fields.some((field) => searchKey(field).includes(needle));
}
