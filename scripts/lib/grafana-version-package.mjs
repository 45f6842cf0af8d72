// package.json for the frontend at another Grafana version (scripts/grafana-versions.sh):
//   node scripts/lib/grafana-version-package.mjs <version> <package.json> <out>
// @grafana/ui, data, runtime and schema at <version>, in dependencies and as npm overrides (so a dependency asking
// for another version of one of them gets this one too); @grafana/i18n, which Relay does not import and which
// @grafana/ui only needs from 12.1, follows them when it exists for that version and is dropped otherwise.
import fs from 'node:fs';

const [version, input, output] = process.argv.slice(2);
const GRAFANA = ['@grafana/ui', '@grafana/data', '@grafana/runtime', '@grafana/schema'];
const pkg = JSON.parse(fs.readFileSync(input, 'utf8'));
const [major, minor] = version.split('.').map(Number);
for (const name of GRAFANA) {
  pkg.dependencies[name] = version;
}
if (major < 12 || (major === 12 && minor < 1)) {
  delete pkg.dependencies['@grafana/i18n'];
} else {
  pkg.dependencies['@grafana/i18n'] = version;
}
pkg.overrides = { ...pkg.overrides, ...Object.fromEntries(GRAFANA.map((n) => [n, version])) };
fs.writeFileSync(output, JSON.stringify(pkg, null, 2) + '\n');
