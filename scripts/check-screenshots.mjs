#!/usr/bin/env node
// The release check for the catalog's screenshots (src/plugin.json's info.screenshots): fails when one is older than
// the editor it shows, so the catalog never shows the editors of an earlier release. Regenerate them with the
// browser test: `node e2e/run.mjs --update-screenshots` (after `npm run build`), then commit them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { staleScreenshots } from './lib/screenshots.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const plugin = JSON.parse(fs.readFileSync(path.join(root, 'src', 'plugin.json'), 'utf8'));
const shots = plugin.info.screenshots.map((s) => s.path);
const stale = staleScreenshots(root, shots);
if (stale === null) {
  console.log('check-screenshots: not a git checkout; cannot tell the screenshots’ age, not checked');
  process.exit(0);
}
const when = (t) => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
if (stale.length) {
  console.error('check-screenshots: screenshots older than the editor they show:');
  for (const s of stale) {
    console.error(`  - ${s.screenshot} (${when(s.shot)}) < ${s.editor.join(', ')} (${when(s.changed)})`);
  }
  console.error(
    '  regenerate: npm run build && node e2e/run.mjs --update-screenshots, then commit src/img/screenshots'
  );
  process.exit(1);
}
console.log(`check-screenshots: ${shots.length} screenshots, none older than its editor`);
