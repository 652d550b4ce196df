// @swc/jest compiles TypeScript and the ESM-only packages (file-type and its helpers) to CommonJS,
// so `await import('file-type')` works under jest without --experimental-vm-modules. Types are
// checked by `npm run typecheck`, not here.
const esmOnly = ['file-type', 'strtok3', 'token-types', 'peek-readable', '@tokenizer', 'uint8array-extras', '@borewit'];

// `npm run test:pg` sets HOSO_TEST_DATABASE_URL and every test runs on PostgreSQL, except the
// files about SQLite itself (tests/sqlite-*.test.ts); without it, the PostgreSQL-only files
// (tests/postgres-*.test.ts and the two-server test, which needs a database both servers share) are left out.
const onlyOnTheOtherDatabase = process.env.HOSO_TEST_DATABASE_URL
  ? ['/tests/sqlite-[^/]*\\.test\\.ts$']
  : ['/tests/postgres-[^/]*\\.test\\.ts$', '/tests/two-servers\\.test\\.ts$'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // tests/browser/ and tests/poppler/ need Debian's Chromium and poppler-utils: `npm run test:browser`, `npm run test:poppler`.
  testPathIgnorePatterns: ['/node_modules/', '/tests/browser/', '/tests/poppler/', ...onlyOnTheOtherDatabase],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testTimeout: 30000,
};
