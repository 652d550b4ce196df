// The poppler cross-checks (tests/poppler/): Debian's poppler-utils read the reports the way
// `npm test` reads them with pdfjs-dist, run by `npm run test:poppler`. Same settings as jest.config.js.
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/tests/poppler'],
  testPathIgnorePatterns: ['/node_modules/'],
};
