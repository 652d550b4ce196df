import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

/*
 * The layers of src/ (docs/architecture.md), lowest first; a layer imports only from layers below
 * it, and no module imports itself back through a cycle:
 *   shared   core/, i18n/, db/, config.ts, paths.ts: the essentials every domain uses
 *   domain   auth/ users/ units/ templates/ inspections/ dossiers/ reports/ audit/ storage/ imports/ ops/ demo/:
 *            services, repositories, schemas, models, the policy
 *   http     http/: Express plumbing (rendering, forms, errors to answers, security headers)
 *   web      <domain>/<domain>.{routes,pages,middleware}.ts: the API routes and the pages
 *   app      app.ts, server.ts: where it is all put together
 * Migrations import nothing of the application: they must mean the same forever.
 */
const DOMAINS = '{auth,users,units,templates,inspections,dossiers,reports,audit,storage,imports,ops,demo}';
const SHARED = ['src/core/**', 'src/i18n/**', 'src/db/**', 'src/{config,paths}.ts'];
const WEB = `src/${DOMAINS}/*.{routes,pages,middleware}.ts`;
const APP = ['src/{app,server}.ts'];
const layers = [
  { target: SHARED, from: [`src/${DOMAINS}/**`, 'src/http/**', ...APP], message: 'shared essentials never import a domain, the HTTP layer or the app' },
  { target: `src/${DOMAINS}/**/!(*.routes|*.pages|*.middleware).ts`, from: ['src/http/**', WEB, ...APP], message: 'domain code (services, repositories, the policy) never imports the HTTP layer, routes, pages or the app' },
  { target: 'src/http/**', from: [WEB, ...APP], message: 'the HTTP layer never imports routes, pages or the app' },
  { target: WEB, from: APP, message: 'routes and pages never import the app' },
  { target: 'migrations/**', from: 'src/**', message: 'migrations never import application code' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'public/**', 'jest.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // supertest and JSON bodies are untyped in tests; strictness there costs more than it finds.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['src/**/*.ts', 'migrations/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      // no-cycle follows imports by parsing the files they name.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts'],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: layers }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'import-x/no-duplicates': ['error', { 'prefer-inline': true }],
      'import-x/order': ['error', { groups: ['builtin', 'external', ['parent', 'sibling', 'index']], 'newlines-between': 'never', alphabetize: { order: 'asc', caseInsensitive: true } }],
    },
  },
  { files: ['tests/**/*.ts'], rules: { '@typescript-eslint/no-unsafe-call': 'off' } },
  { files: ['**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
);
