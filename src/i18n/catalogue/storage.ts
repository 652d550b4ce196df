/** Receiving and keeping files: uploads, the virus scan, reading stored files. */
export const vi = {
  'upload.notMultipart': 'Tệp phải được gửi dưới dạng multipart/form-data',
  'upload.malformed': 'Dữ liệu tải lên bị lỗi hoặc bị gián đoạn; hãy chọn lại tệp và thử lại',
  'upload.noFile': 'Chưa có tệp nào được gửi trong trường "{field}"',
  'upload.unexpectedField': 'Tệp phải được gửi trong trường "{field}"',
  'upload.tooManyFiles': 'Mỗi lần chỉ được tải lên tối đa {max} tệp',
  'upload.tooLarge': 'Tệp quá lớn: mỗi tệp tối đa {maxMb} MB',
  'upload.empty': 'Tệp "{name}" không có nội dung',
  'upload.unsupportedType':
    'Tệp "{name}" không thuộc loại được phép (PDF, Word DOC/DOCX, Excel XLS/XLSX, OpenDocument ODT/ODS, ảnh JPEG, PNG, TIFF)',
  'upload.activeContent': 'Tệp "{name}" có chứa mã trang web (HTML, SVG hoặc script) nên không được nhận',
  'upload.suspiciousArchive': 'Tệp "{name}" có cấu trúc nén bất thường (hỏng, ghép tệp khác hoặc giải nén ra quá lớn) nên không được nhận',
  'upload.storageFailed': 'Máy chủ không lưu được tệp do lỗi ổ đĩa; hãy thử lại sau hoặc báo quản trị viên',
  'upload.storageFull': 'Ổ đĩa của máy chủ đã đầy nên không lưu được tệp; hãy báo quản trị viên',
  'file.blobMissing': 'Nội dung của tệp không còn trong kho lưu trữ; hãy báo quản trị viên',
  'file.readFailed': 'Máy chủ không đọc được tệp do lỗi ổ đĩa; hãy thử lại sau hoặc báo quản trị viên',
  'upload.infected':
    'Tệp "{name}" bị phần mềm diệt virus phát hiện có mã độc ({signature}) nên không được nhận; hãy quét virus máy tính của mình và gửi lại bản sạch',
  'upload.scannerUnavailable':
    'Máy chủ chưa kiểm tra virus được cho tệp nên chưa nhận tệp; hãy thử lại sau ít phút hoặc báo quản trị viên',
} as const;

export const en: Record<keyof typeof vi, string> = {
  'upload.notMultipart': 'Files must be sent as multipart/form-data',
  'upload.malformed': 'The upload is malformed or was interrupted; choose the file again and retry',
  'upload.noFile': 'No file was sent in the field "{field}"',
  'upload.unexpectedField': 'Files must be sent in the field "{field}"',
  'upload.tooManyFiles': 'At most {max} files can be uploaded at once',
  'upload.tooLarge': 'The file is too large: at most {maxMb} MB per file',
  'upload.empty': 'The file "{name}" is empty',
  'upload.unsupportedType':
    'The file "{name}" is not an allowed type (PDF, Word DOC/DOCX, Excel XLS/XLSX, OpenDocument ODT/ODS, JPEG, PNG or TIFF image)',
  'upload.activeContent': 'The file "{name}" contains web page code (HTML, SVG or script) and was refused',
  'upload.suspiciousArchive': 'The file "{name}" is an abnormal archive (broken, with another file attached, or unpacking to far too much) and was refused',
  'upload.storageFailed': 'The server could not store the file because of a disk error; try again later or tell the administrator',
  'upload.storageFull': 'The server’s disk is full, so the file could not be stored; tell the administrator',
  'file.blobMissing': 'The content of this file is missing from the store; tell the administrator',
  'file.readFailed': 'The server could not read the file because of a disk error; try again later or tell the administrator',
  'upload.infected': 'The virus scanner found malware ({signature}) in the file "{name}", so it was refused; scan your computer and send a clean copy',
  'upload.scannerUnavailable': 'The server could not check the file for viruses, so it was not kept; try again in a few minutes or tell the administrator',
};
