import { type EntryStatus, type ItemKind, type Lang } from '../core/vocabulary';
import type { StatusCounts } from '../inspections/progress';

/**
 * What the printed documents show, as plain data. The inspections/dossiers services shape these
 * from the database; the PDF renderers read nothing else. Every string is printed as typed
 * (only the heading names are set in capitals, as the party document format requires).
 */

/** The heading shared by every document: who issues it, its number, where and when. */
export interface DocumentHeader {
  /** The body above the team, e.g. "Tiểu ban Bảo vệ Chính trị nội bộ Trung ương"; printed in capitals. */
  parentBody: string | null;
  /** The inspection team, e.g. "Đoàn Kiểm tra số 4"; printed in bold capitals. */
  issuingBody: string;
  /** e.g. "12-BC/ĐKT", printed "Số 12-BC/ĐKT"; the line is left out when null. */
  reportNumber: string | null;
  /** e.g. "Tuyên Quang", printed before the date. */
  place: string | null;
  /** The date of the document, printed in Vietnam's time zone. */
  date: Date;
}

export interface ReportInspection {
  code: string;
  /** e.g. "Kiểm tra công tác bảo vệ chính trị nội bộ". */
  title: string;
}

export interface ReportUnit {
  code: string;
  name: string;
}

/** One checklist item of one unit, as it stands when the report is printed. */
export interface UnitReportRow {
  code: string;
  title: string;
  kind: ItemKind;
  required: boolean;
  status: EntryStatus;
  /** Current (not withdrawn) files. */
  fileCount: number;
  /** The unit's figure (number items) or text (text items); null for file items or when not given. */
  value: number | string | null;
  /** The inspector's latest note (return or waive reason), if any. */
  note: string | null;
}

export interface UnitReportSection {
  /** e.g. "I. Công tác kết nạp đảng viên"; an empty title prints no section row. */
  title: string;
  rows: UnitReportRow[];
}

export interface ReportFindings {
  strengths: string;
  shortcomings: string;
  recommendations: string;
  conclusion: string;
}

/** The inspection report of one unit (báo cáo kết quả kiểm tra). */
export interface UnitReportModel {
  lang: Lang;
  header: DocumentHeader;
  inspection: ReportInspection;
  unit: ReportUnit;
  /** The checklist in template order. The figures part of the report is taken from its number and text rows. */
  sections: UnitReportSection[];
  findings: ReportFindings;
  leadName: string | null;
  /** "Nơi nhận" lines without the leading dash, e.g. ["Như trên,", "Lưu: ĐKT."]. */
  recipients: string[];
  /** `manifestHash()` of the unit's entries and files at `generatedAt`. */
  manifestHash: string;
  generatedAt: Date;
}

export interface SummaryUnitRow {
  code: string;
  name: string;
  /** Required items of the unit. */
  required: number;
  /** Required items accepted or waived. */
  done: number;
  /** Completion in percent (0–100), as the progress view computes it. */
  percent: number;
  counts: StatusCounts;
  /** The team's conclusion for the unit; null or empty when not written yet. */
  conclusion: string | null;
}

/** A number item summed over the units that reported it. */
export interface NumberTotal {
  itemCode: string;
  title: string;
  total: number;
  unitsReporting: number;
}

/** The summary report over every unit of an inspection. Totals are summed by the renderer. */
export interface SummaryReportModel {
  lang: Lang;
  header: DocumentHeader;
  inspection: ReportInspection;
  units: SummaryUnitRow[];
  numberTotals: NumberTotal[];
  leadName: string | null;
  recipients: string[];
  generatedAt: Date;
}

/** An item the unit still owes: never submitted, or returned by an inspector. */
export interface OwedItem {
  code: string;
  section: string;
  title: string;
  status: Extract<EntryStatus, 'missing' | 'returned'>;
  /** The inspector's note when the item was returned. */
  note: string | null;
}

/** The letter asking a unit to complete its dossier (giấy đề nghị bổ sung hồ sơ). */
export interface RequestLetterModel {
  lang: Lang;
  header: DocumentHeader;
  inspection: ReportInspection;
  unit: ReportUnit;
  dueAt: Date | null;
  /** In checklist order. */
  items: OwedItem[];
  leadName: string | null;
  recipients: string[];
  generatedAt: Date;
}
