#!/usr/bin/env node
// The release check for the catalog's screenshots (src/plugin.json's info.screenshots): fails when the editor one
// shows changed since it was taken (e2e/lib/screenshots.mjs), so the catalog never shows an earlier editor. Regenerate them with the
// browser test: `node e2e/run.mjs --update-screenshots` (after `npm run build`), then commit them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { staleScreenshots } from '../e2e/lib/screenshots.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const plugin = JSON.parse(fs.readFileSync(path.join(root, 'src', 'plugin.json'), 'utf8'));
const shots = plugin.info.screenshots.map((s) => s.path);
const stale = staleScreenshots(root, shots);
if (stale.length) {
  console.error('check-screenshots: screenshots taken of an earlier editor than the one in this checkout:');
  for (const s of stale) {
    console.error(`  - ${s.screenshot} (${s.editor.join(', ')} changed since)`);
  }
  console.error(
    '  regenerate: npm run build && node e2e/run.mjs --update-screenshots, then commit src/img/screenshots and e2e/screenshots-taken.json'
  );
  process.exit(1);
}
console.log(`check-screenshots: ${shots.length} screenshots, each taken of the editor in this checkout`);
