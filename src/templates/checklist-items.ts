import type { Selectable } from 'kysely';
import type { TemplateItemsTable } from '../db/schema';
import type { ItemInput, ItemView } from './templates.schemas';

/** The columns an item row shares between template_items and inspection_items. */
export type ItemColumns = Omit<Selectable<TemplateItemsTable>, 'id' | 'template_id'>;

/** Input items as rows, in order; a file item needs one file unless it says otherwise. */
export function itemRows(items: ItemInput[]): ItemColumns[] {
  return items.map((item, position) => ({
    position,
    code: item.code,
    section: item.section,
    title: item.title,
    guidance: item.guidance,
    kind: item.kind,
    required: item.required ? 1 : 0,
    min_files: item.kind === 'file' ? (item.minFiles ?? 1) : 0,
  }));
}

export function presentItem(row: ItemColumns): ItemView {
  return {
    code: row.code,
    section: row.section,
    title: row.title,
    guidance: row.guidance,
    kind: row.kind,
    required: row.required === 1,
    minFiles: row.min_files,
  };
}

/** The first item code that appears twice, if any. */
export function duplicateItemCode(items: { code: string }[]): string | undefined {
  const seen = new Set<string>();
  for (const { code } of items) {
    if (seen.has(code)) return code;
    seen.add(code);
  }
  return undefined;
}
