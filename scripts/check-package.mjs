#!/usr/bin/env node
// Checks relay-gateway-datasource-<version>.zip (see lib/check.mjs for the rules). --release also requires the
// backend for every platform a release ships (RELEASE_PLATFORMS); without it, linux/amd64 is enough (CI).
//   node scripts/check-package.mjs [--release] [path/to.zip]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { checkArchive, RELEASE_PLATFORMS } from './lib/check.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const args = process.argv.slice(2);
const release = args.includes('--release');
const zipArg = args.find((a) => !a.startsWith('--'));
const zipPath = path.resolve(zipArg ?? path.join(root, 'artifacts', `relay-gateway-datasource-${pkg.version}.zip`));
if (!fs.existsSync(zipPath)) {
  console.error(`check-package: ${zipPath} missing: run "npm run package" first`);
  process.exit(1);
}
const grafanaPackages = pkg.dependencies['@grafana/data'].replace(/^[^\d]*/, '');
const oldestTested = JSON.parse(fs.readFileSync(path.join(root, 'scripts', 'grafana-versions.json'), 'utf8'))
  .versions[0];
const { problems, files } = checkArchive(fs.readFileSync(zipPath), {
  version: pkg.version,
  grafanaPackages,
  oldestTested,
  id: 'relay-gateway-datasource',
  platforms: release ? RELEASE_PLATFORMS : undefined,
});
console.log(`check-package: ${path.basename(zipPath)}${release ? ' (release)' : ''}: ${files.length} files`);
for (const f of files) {
  console.log(`  ${f}`);
}
if (problems.length) {
  console.error(`check-package: ${problems.length} problem(s):`);
  for (const p of problems) {
    console.error(`  - ${p}`);
  }
  process.exit(1);
}
console.log(`check-package: archive OK${release ? ` for a release (${RELEASE_PLATFORMS.join(', ')})` : ''}`);
