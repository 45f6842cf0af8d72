// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

// @grafana/ui pulls in ESM-only .mjs files (d3-color.mjs, ...); the scaffold's transform
// pattern skips .mjs, so the first test importing @grafana/ui fails without this.
const swc = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  ...base,
  transform: { '^.+\\.m?(t|j)sx?$': swc },
  // graphql-language-service's vscode-languageserver-types resolves to its ESM build under jsdom's browser condition.
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, 'vscode-languageserver-types'])],
  // The playground shell's own unit tests (pure helpers; the shell itself is driven by the browser test).
  testMatch: [...base.testMatch, '<rootDir>/playground/src/**/*.test.{ts,tsx}'],
};
