import type { EntryStatus, InspectionStatus, ItemKind, MemberRole, ReviewDecision, Role, StatusChange } from '../../core/vocabulary';

/**
 * The words of every vocabulary of core/vocabulary.ts, shared by the pages, the documents and the
 * exports. Each list is a record over its type, so a status, decision or role added there is a
 * type error here until it has its words in both languages; the message keys (`status.missing` …)
 * are derived from the same types.
 */

interface Vocabularies {
  role: Role;
  kind: ItemKind;
  status: EntryStatus;
  inspectionStatus: InspectionStatus;
  decision: ReviewDecision;
  memberRole: MemberRole;
  /** A status change, as "… cannot {action}" words it. */
  action: StatusChange;
}

type Words = { [P in keyof Vocabularies]: Record<Vocabularies[P], string> };
type Keys = { [P in keyof Vocabularies]: `${P}.${Vocabularies[P]}` }[keyof Vocabularies];

/** `{status: {missing: 'Chưa nộp'}}` → `{'status.missing': 'Chưa nộp'}`. */
function keyed(words: Words): Record<Keys, string> {
  return Object.fromEntries(
    Object.entries(words).flatMap(([prefix, list]) => Object.entries(list as Record<string, string>).map(([value, word]) => [`${prefix}.${value}`, word])),
  ) as Record<Keys, string>;
}

export const vi = keyed({
  role: { admin: 'Quản trị', inspector: 'Thành viên đoàn kiểm tra', secretary: 'Bí thư / văn phòng đơn vị' },
  kind: { file: 'Tệp', number: 'Số liệu', text: 'Văn bản' },
  status: { missing: 'Chưa nộp', submitted: 'Đã nộp', accepted: 'Đạt', returned: 'Trả lại', waived: 'Miễn' },
  inspectionStatus: { draft: 'Dự thảo', open: 'Đang kiểm tra', closed: 'Đã kết thúc' },
  decision: { accept: 'Đạt', return: 'Trả lại', waive: 'Miễn', reopen: 'Mở lại' },
  memberRole: { lead: 'Trưởng đoàn', member: 'Thành viên' },
  action: { open: 'mở', close: 'kết thúc', reopen: 'mở lại' },
});

export const en: Record<keyof typeof vi, string> = keyed({
  role: { admin: 'Administrator', inspector: 'Inspection team member', secretary: 'Unit secretary' },
  kind: { file: 'File', number: 'Figure', text: 'Text' },
  status: { missing: 'Missing', submitted: 'Submitted', accepted: 'Accepted', returned: 'Returned', waived: 'Waived' },
  inspectionStatus: { draft: 'Draft', open: 'Open', closed: 'Closed' },
  decision: { accept: 'Accept', return: 'Return', waive: 'Waive', reopen: 'Reopen' },
  memberRole: { lead: 'Team lead', member: 'Member' },
  action: { open: 'be opened', close: 'be closed', reopen: 'be reopened' },
});
