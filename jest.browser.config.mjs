// The browser tests (tests/browser/): the real server and Debian's Chromium, run by
// `npm run test:browser`. Same compiler settings as jest.config.js; slower steps, so a longer timeout.
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/tests/browser'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 120_000,
};
