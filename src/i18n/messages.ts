/**
 * Every word a user reads, in one place. `vi` is the default and the source of the keys; `en`
 * must have the same keys (the type checker enforces it). `{name}` marks a parameter.
 */
const vi = {
  // errors (API and pages)
  'error.validation': 'Dữ liệu không hợp lệ',
  'error.unauthenticated': 'Chưa đăng nhập hoặc phiên đã hết hạn',
  'error.forbidden': 'Bạn không có quyền thực hiện thao tác này',
  'error.notFound': 'Không tìm thấy',
  'error.internal': 'Lỗi hệ thống (mã yêu cầu {requestId})',
  'error.payloadTooLarge': 'Dữ liệu gửi lên quá lớn',
  'error.badJson': 'Nội dung JSON không hợp lệ',
  'error.csrf': 'Mã chống giả mạo (CSRF) không hợp lệ; hãy tải lại trang và thử lại',
  'error.crossSite': 'Yêu cầu từ trang khác bị từ chối',
  'auth.invalidCredentials': 'Tên đăng nhập hoặc mật khẩu không đúng',
  'auth.tooManyAttempts': 'Đăng nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút',
  'unit.notFound': 'Không tìm thấy đơn vị {code}',
  'unit.exists': 'Mã đơn vị {code} đã tồn tại',
  'unit.parentNotFound': 'Không tìm thấy đơn vị cấp trên {code}',
  'user.notFound': 'Không tìm thấy người dùng {username}',
  'user.exists': 'Tên đăng nhập {username} đã tồn tại',
  'user.secretaryNeedsUnit': 'Bí thư/văn phòng đơn vị phải thuộc một đơn vị (unitCode)',
  'user.onlySecretaryHasUnit': 'Chỉ tài khoản bí thư/văn phòng đơn vị mới gắn với đơn vị',
  'user.cannotDeactivateSelf': 'Không thể tự khoá tài khoản của chính mình',
  'template.notFound': 'Không tìm thấy mẫu danh mục {code}',
  'template.exists': 'Mã mẫu danh mục {code} đã tồn tại',
  'template.duplicateItem': 'Mã mục {code} bị trùng trong mẫu danh mục',
  // roles and kinds
  'role.admin': 'Quản trị',
  'role.inspector': 'Thành viên đoàn kiểm tra',
  'role.secretary': 'Bí thư / văn phòng đơn vị',
  'kind.file': 'Tệp',
  'kind.number': 'Số liệu',
  'kind.text': 'Văn bản',
} as const;

export type MessageKey = keyof typeof vi;
export type Lang = 'vi' | 'en';
export type MessageParams = Record<string, string | number>;

const en: Record<MessageKey, string> = {
  'error.validation': 'Invalid input',
  'error.unauthenticated': 'Not signed in, or the session has expired',
  'error.forbidden': 'You are not allowed to do this',
  'error.notFound': 'Not found',
  'error.internal': 'Internal error (request id {requestId})',
  'error.payloadTooLarge': 'The request is too large',
  'error.badJson': 'The JSON body is not valid',
  'error.csrf': 'Invalid anti-forgery (CSRF) token; reload the page and try again',
  'error.crossSite': 'Cross-site request refused',
  'auth.invalidCredentials': 'Wrong username or password',
  'auth.tooManyAttempts': 'Too many failed sign-ins; try again in {minutes} minutes',
  'unit.notFound': 'Unit {code} not found',
  'unit.exists': 'Unit code {code} already exists',
  'unit.parentNotFound': 'Parent unit {code} not found',
  'user.notFound': 'User {username} not found',
  'user.exists': 'Username {username} already exists',
  'user.secretaryNeedsUnit': 'A unit secretary must belong to a unit (unitCode)',
  'user.onlySecretaryHasUnit': 'Only unit secretaries belong to a unit',
  'user.cannotDeactivateSelf': 'You cannot deactivate your own account',
  'template.notFound': 'Checklist template {code} not found',
  'template.exists': 'Checklist template code {code} already exists',
  'template.duplicateItem': 'Item code {code} appears twice in the template',
  'role.admin': 'Administrator',
  'role.inspector': 'Inspection team member',
  'role.secretary': 'Unit secretary',
  'kind.file': 'File',
  'kind.number': 'Figure',
  'kind.text': 'Text',
};

const catalogues: Record<Lang, Record<MessageKey, string>> = { vi, en };

export function isLang(value: unknown): value is Lang {
  return value === 'vi' || value === 'en';
}

/** The message for `key` in `lang`, with `{param}` placeholders filled in. */
export function t(lang: Lang, key: MessageKey, params: MessageParams = {}): string {
  return catalogues[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
