import { type EntryStatus, type ItemKind, type Lang } from '../../core/vocabulary';

/**
 * What the exports read: plain values shaped by the inspections/dossiers services, so the writers
 * know nothing of the database and can be tested on their own.
 */

export interface ExportInspection {
  code: string;
  title: string;
}

export interface MatrixItem {
  code: string;
  section: string;
  title: string;
  kind: ItemKind;
  required: boolean;
}

export interface MatrixCell {
  itemCode: string;
  status: EntryStatus;
  /** The figure (number items) or text (text items) the unit submitted; null for file items. */
  value: number | string | null;
  fileCount: number;
}

export interface MatrixUnit {
  code: string;
  name: string;
  /** done / required × 100, as the web matrix shows it. */
  percent: number;
  done: number;
  required: number;
  /** One per item; an item without a cell is exported as missing. */
  cells: readonly MatrixCell[];
}

/** An inspection's progress: the rows (units) and columns (items) of the XLSX and CSV exports. */
export interface ProgressMatrix {
  inspection: ExportInspection;
  items: readonly MatrixItem[];
  units: readonly MatrixUnit[];
  lang: Lang;
}

export interface BundleFile {
  itemCode: string;
  itemTitle: string;
  /** The name the file was uploaded with. */
  name: string;
  size: number;
  sha256: string;
  mime: string;
  /** Display name of the uploader. */
  uploadedBy: string;
  /** ISO-8601. */
  uploadedAt: string;
  /** The stored bytes; called only when the ZIP reaches this file, so one file is open at a time. */
  open: () => NodeJS.ReadableStream;
}

/** Everything one unit's bundle.zip holds: its current files and its inspection report. */
export interface BundleInput {
  unit: { code: string; name: string };
  inspection: ExportInspection;
  /** In checklist order; each item gets its own folder. */
  files: readonly BundleFile[];
  report: { name: string; open: () => NodeJS.ReadableStream | Promise<Buffer> };
  lang: Lang;
}
