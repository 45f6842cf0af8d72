// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

// @grafana/ui pulls in ESM-only .mjs files (d3-color.mjs, ...); the scaffold's transform
// pattern skips .mjs, so the first test importing @grafana/ui fails without this.
const swc = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  ...base,
  transform: { '^.+\\.m?(t|j)sx?$': swc },
  // The playground shell's own unit tests (pure helpers; the shell itself is driven by the browser test).
  testMatch: [...base.testMatch, '<rootDir>/playground/src/**/*.test.{ts,tsx}'],
};
