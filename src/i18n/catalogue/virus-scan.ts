/** Words of the optional virus scan of uploads (HOSO_CLAMSCAN). */
export const vi = {
  'upload.infected':
    'Tệp "{name}" bị phần mềm diệt virus phát hiện có mã độc ({signature}) nên không được nhận; hãy quét virus máy tính của mình và gửi lại bản sạch',
  'upload.scannerUnavailable':
    'Máy chủ chưa kiểm tra virus được cho tệp nên chưa nhận tệp; hãy thử lại sau ít phút hoặc báo quản trị viên',
} as const;

export const en: Record<keyof typeof vi, string> = {
  'upload.infected': 'The virus scanner found malware ({signature}) in the file "{name}", so it was refused; scan your computer and send a clean copy',
  'upload.scannerUnavailable': 'The server could not check the file for viruses, so it was not kept; try again in a few minutes or tell the administrator',
};
