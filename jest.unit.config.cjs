/** The fast tier: pure-logic tests in __tests__/unit, no PostgreSQL, no network (`npm run test:unit`). */
const base = require('./jest.config.cjs');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/__tests__/unit'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 10000,
};
