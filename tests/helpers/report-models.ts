/**
 * The report models the report tests render: the default checklist as one ward's dossier, with the
 * figures, notes and findings of a real inspection, and the summary and request letter of the same
 * inspection. Shared by tests/reports-pdf.test.ts and the poppler cross-checks in tests/poppler/.
 */
import type { EntryStatus } from '../../src/core/vocabulary';
import { defaultTemplate, demoData } from '../../src/demo/fixtures';
import { type ManifestInput, manifestHash } from '../../src/reports/manifest';
import type {
  DocumentHeader,
  RequestLetterModel,
  SummaryReportModel,
  SummaryUnitRow,
  UnitReportModel,
  UnitReportRow,
  UnitReportSection,
} from '../../src/reports/report.model';

const template = defaultTemplate();
const demo = demoData();

/** 15 August 2023, 09:00 in Tuyên Quang. */
export const reportDate = new Date('2023-08-15T09:00:00+07:00');

const header: DocumentHeader = {
  parentBody: 'Tiểu ban Bảo vệ Chính trị nội bộ Trung ương',
  issuingBody: 'Đoàn Kiểm tra số 4',
  reportNumber: '12-BC/ĐKT',
  place: 'Tuyên Quang',
  date: reportDate,
};
const inspection = { code: 'KT-2023-04', title: 'Kiểm tra công tác bảo vệ chính trị nội bộ' };
const yLa = { code: 'P-YLA', name: 'Đảng uỷ phường Ỷ La' };
/** The article's figures for the whole city, given here to one ward. */
const articleFigures: Record<string, number> = { '8.1': 607, '8.2': 519, '8.3': 2100, '8.4': 1_200_000, '8.5': 189_000, '8.6': 12 };
const statusCycle: EntryStatus[] = ['accepted', 'accepted', 'submitted', 'returned', 'accepted', 'missing', 'waived'];

/** The default checklist as one unit's entries: a mix of statuses, files, figures, notes. */
export function checklistRows(): UnitReportRow[] {
  return template.items.map((item, i) => {
    const status = item.kind === 'number' ? 'accepted' : item.code === '1.3' ? 'returned' : (statusCycle[i % statusCycle.length] ?? 'missing');
    return {
      code: item.code,
      title: item.title,
      kind: item.kind,
      required: item.required,
      status,
      fileCount: item.kind === 'file' && status !== 'missing' ? 1 + (i % 3) : 0,
      value: item.kind === 'number' ? (articleFigures[item.code] ?? null) : item.kind === 'text' ? `Đơn vị tự đánh giá mục ${item.code}: thực hiện nghiêm túc, đúng quy trình.` : null,
      note: item.code === '1.3' ? 'Thiếu biên bản thẩm tra lý lịch của 02 quần chúng; đề nghị bổ sung.' : status === 'waived' ? 'Đơn vị không phát sinh nội dung này trong kỳ.' : null,
    };
  });
}

function bySection(rows: UnitReportRow[]): UnitReportSection[] {
  const sections: UnitReportSection[] = [];
  for (const row of rows) {
    const title = template.items.find((i) => i.code === row.code)?.section ?? `Phần ${row.code.split('.')[0]}`;
    const last = sections[sections.length - 1];
    if (last?.title === title) last.rows.push(row);
    else sections.push({ title, rows: [row] });
  }
  return sections;
}

export function manifestOf(rows: UnitReportRow[], unitCode = yLa.code): ManifestInput {
  return {
    inspectionCode: inspection.code,
    unitCode,
    entries: rows.map((row, i) => ({
      itemCode: row.code,
      status: row.status,
      value: row.value,
      files: Array.from({ length: row.fileCount }, (_, n) => ({
        sha256: (i * 7 + n).toString(16).padStart(64, 'a'),
        size: 10_240 * (n + 1),
        name: `${row.code} - ${row.title}${n > 0 ? ` (${n + 1})` : ''}.pdf`,
      })),
    })),
  };
}

export function unitReport(rows: UnitReportRow[] = checklistRows(), overrides: Partial<UnitReportModel> = {}): UnitReportModel {
  return {
    lang: 'vi',
    header,
    inspection,
    unit: yLa,
    sections: bySection(rows),
    findings: {
      strengths:
        'Cấp uỷ thường xuyên quán triệt, chỉ đạo thực hiện nghiêm túc các chủ trương, quy định của Đảng về công tác bảo vệ chính trị nội bộ.\nCông tác kết nạp đảng viên mới được thực hiện đúng quy định; việc thẩm tra, xác minh lý lịch bảo đảm chặt chẽ.',
      shortcomings: 'Một số hồ sơ thẩm tra lý lịch còn thiếu chữ ký của người thẩm tra; sổ theo dõi chưa cập nhật kịp thời.',
      recommendations: 'Bổ sung biên bản thẩm tra lý lịch còn thiếu; cập nhật sổ theo dõi bảo vệ chính trị nội bộ hằng tháng.',
      conclusion: 'Đảng uỷ phường Ỷ La thực hiện tốt công tác bảo vệ chính trị nội bộ; hồ sơ, tài liệu cơ bản đầy đủ theo hướng dẫn của đoàn kiểm tra.',
    },
    leadName: 'Nguyễn Văn Định',
    recipients: ['Thành uỷ Tuyên Quang,', 'Đảng uỷ phường Ỷ La,', 'Lưu: ĐKT.'],
    manifestHash: manifestHash(manifestOf(rows)),
    generatedAt: reportDate,
    ...overrides,
  };
}

/** 150 checklist rows: the default checklist repeated under numbered sections. */
export function longChecklist(): UnitReportRow[] {
  const base = checklistRows();
  return Array.from({ length: 150 }, (_, i) => {
    const row = base[i % base.length] as UnitReportRow;
    return { ...row, code: `${Math.floor(i / base.length) + 1}.${row.code}` };
  });
}

/** A 2,000-character note ("…, lý lịch 149, lý lịch 150, …"): more than a table row holds on one page. */
export const longNote = `Thiếu biên bản thẩm tra ${Array.from({ length: 300 }, (_, i) => `lý lịch ${i + 1}`).join(', ')}.`.slice(0, 2000);

export function summaryUnits(count: number): SummaryUnitRow[] {
  const names = demo.units.filter((u) => u.parentCode).map((u) => u.name);
  return Array.from({ length: count }, (_, i) => {
    const required = 37;
    const done = (i * 7) % (required + 1);
    const counts = { missing: required - done - 3 > 0 ? required - done - 3 : 0, submitted: 3, accepted: done - (done > 2 ? 2 : 0), returned: 0, waived: done > 2 ? 2 : 0 };
    return {
      code: `DV-${i + 1}`,
      name: i < names.length ? (names[i] as string) : `${names[i % names.length]} (chi bộ ${i + 1})`,
      required,
      done,
      percent: (done / required) * 100,
      counts,
      conclusion: i % 5 === 4 ? null : `Đơn vị thực hiện ${done >= 30 ? 'tốt' : 'chưa đầy đủ'} công tác bảo vệ chính trị nội bộ; đã nộp ${done}/${required} hồ sơ đạt yêu cầu.`,
    };
  });
}

export function summary(units: SummaryUnitRow[]): SummaryReportModel {
  return {
    lang: 'vi',
    header: { ...header, reportNumber: '15-BC/ĐKT' },
    inspection,
    units,
    numberTotals: [
      { itemCode: '8.1', title: 'Số lượt thành viên Tổ thư ký giúp việc Ban chỉ đạo 35 được tập huấn', total: 607, unitsReporting: 14 },
      { itemCode: '8.2', title: 'Số bài viết tham gia cuộc thi viết bảo vệ nền tảng tư tưởng của Đảng', total: 519, unitsReporting: 14 },
      { itemCode: '8.3', title: 'Số tin, bài viết, video đăng tải trên trang fanpage của đơn vị', total: 2100, unitsReporting: 12 },
      { itemCode: '8.4', title: 'Số lượt người tiếp cận trang fanpage', total: 1_200_000, unitsReporting: 12 },
      { itemCode: '8.5', title: 'Số lượt tương tác trên trang fanpage', total: 189_000, unitsReporting: 12 },
    ],
    leadName: 'Nguyễn Văn Định',
    recipients: ['Tiểu ban Bảo vệ Chính trị nội bộ Trung ương,', 'Ban Thường vụ Thành uỷ Tuyên Quang,', 'Lưu: ĐKT.'],
    generatedAt: reportDate,
  };
}

export function letter(items: RequestLetterModel['items']): RequestLetterModel {
  return {
    lang: 'vi',
    header: { ...header, reportNumber: null },
    inspection,
    unit: yLa,
    dueAt: new Date('2023-08-15T17:00:00+07:00'),
    items,
    leadName: 'Nguyễn Văn Định',
    recipients: ['Như trên,', 'Lưu: ĐKT.'],
    generatedAt: new Date('2023-08-08T09:00:00+07:00'),
  };
}

/** What a unit owes for these rows: the missing and the returned items, as the request letter lists them. */
export function owedItems(rows: UnitReportRow[]): RequestLetterModel['items'] {
  return rows
    .filter((r): r is UnitReportRow & { status: 'missing' | 'returned' } => r.status === 'missing' || r.status === 'returned')
    .map((r) => ({ code: r.code, section: template.items.find((i) => i.code === r.code)?.section ?? '', title: r.title, status: r.status, note: r.note }));
}
