/** Signing in and out. */
export const vi = {
  'auth.invalidCredentials': 'Tên đăng nhập hoặc mật khẩu không đúng',
  'auth.tooManyAttempts': 'Đăng nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút',
  // login
  'auth.loginTitle': 'Đăng nhập',
  'auth.loginIntro': 'Dùng tài khoản do quản trị viên cấp để đăng nhập.',
  'auth.username': 'Tên đăng nhập',
  'auth.password': 'Mật khẩu',
  'auth.login': 'Đăng nhập',
  'auth.logout': 'Đăng xuất',
  'auth.loggedOut': 'Bạn đã đăng xuất.',
} as const;

export const en: Record<keyof typeof vi, string> = {
  'auth.invalidCredentials': 'Wrong username or password',
  'auth.tooManyAttempts': 'Too many failed sign-ins; try again in {minutes} minutes',
  'auth.loginTitle': 'Sign in',
  'auth.loginIntro': 'Use the account your administrator gave you.',
  'auth.username': 'Username',
  'auth.password': 'Password',
  'auth.login': 'Sign in',
  'auth.logout': 'Sign out',
  'auth.loggedOut': 'You have signed out.',
};
