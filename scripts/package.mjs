#!/usr/bin/env node
// Packages dist/ as relay-gateway-datasource-<version>.zip in the layout Grafana
// expects: one top folder named after the plugin id holding plugin.json,
// module.js, images and the backend binaries gpx_relay_<os>_<arch>[.exe].
// Run after `npm run build` and `go tool mage -v build:linux` (or `release`).
//
//   node scripts/package.mjs [--dist dist] [--out artifacts]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { writeZip } from './lib/zip.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), [])
);
const dist = path.resolve(root, args.dist ?? 'dist');
const outDir = path.resolve(root, args.out ?? 'artifacts');

const fail = (msg) => {
  console.error(`package: ${msg}`);
  process.exit(1);
};

if (!fs.existsSync(path.join(dist, 'plugin.json'))) {
  fail(`${dist}/plugin.json missing: run "npm run build" first`);
}
const pluginJson = JSON.parse(fs.readFileSync(path.join(dist, 'plugin.json'), 'utf8'));
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const id = pluginJson.id;
const binaries = fs.readdirSync(dist).filter((f) => f.startsWith(`${pluginJson.executable}_`));
if (binaries.length === 0) {
  fail(`no ${pluginJson.executable}_<os>_<arch> binaries in ${dist}: run "go tool mage -v build:linux" first`);
}

/** Files to ship: everything webpack and mage produced, minus what must not be published. */
function collect(dir, rel = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.name === 'node_modules' || e.name.startsWith('.')) {
      return [];
    }
    return e.isDirectory() ? collect(path.join(dir, e.name), r) : [r];
  });
}

const files = collect(dist)
  .sort()
  .map((rel) => {
    const isBinary = rel.startsWith(`${pluginJson.executable}_`);
    return { name: `${id}/${rel}`, data: fs.readFileSync(path.join(dist, rel)), mode: isBinary ? 0o755 : 0o644 };
  });

fs.mkdirSync(outDir, { recursive: true });
const zipPath = path.join(outDir, `${id}-${version}.zip`);
fs.writeFileSync(zipPath, writeZip(files));
const size = fs.statSync(zipPath).size;
console.log(
  `package: wrote ${path.relative(process.cwd(), zipPath)} (${files.length} files, ${(size / 1048576).toFixed(1)} MiB)`
);
console.log(`package: binaries ${binaries.join(', ')}`);
