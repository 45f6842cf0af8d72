// node --test scripts/: the screenshot check on a scratch checkout: a screenshot is stale when the editor sources it
// shows changed since it was taken (the digests e2e/run.mjs --update-screenshots records), whatever the dates.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { MANIFEST, currentDigests, staleScreenshots } from '../e2e/lib/screenshots.mjs';

function checkout() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-shots-'));
  const write = (rel, text) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  // What --update-screenshots does after copying the pictures.
  const take = () => write(MANIFEST, JSON.stringify(currentDigests(dir)));
  return { dir, write, take };
}

const SHOTS = ['img/screenshots/query-editor-dark.png', 'img/screenshots/config-editor-dark.png'];
const stale = (c) => staleScreenshots(c.dir, SHOTS).map((s) => s.screenshot);

test('screenshots taken of the current editors pass; an editor changed since makes its screenshots stale', () => {
  const c = checkout();
  c.write('src/components/query/QueryEditor.tsx', 'v1');
  c.write('src/components/config/ConfigEditor.tsx', 'v1');
  c.take();
  assert.deepEqual(stale(c), []);

  c.write('src/components/query/QueryEditor.tsx', 'v2');
  assert.deepEqual(stale(c), ['src/img/screenshots/query-editor-dark.png']);

  // A shared component changes both; taking them again clears it, even if the pictures came out identical.
  c.write('src/components/common/EditableTable.tsx', 'v1');
  assert.equal(stale(c).length, 2);
  c.take();
  assert.deepEqual(stale(c), []);
});

test('a new or renamed editor file counts; a test file does not', () => {
  const c = checkout();
  c.write('src/components/config/ConfigEditor.tsx', 'v1');
  c.take();
  c.write('src/components/config/ConfigEditor.test.tsx', 'a test');
  assert.deepEqual(stale(c), []);
  c.write('src/components/config/auth/login.tsx', 'new editor');
  assert.deepEqual(stale(c), ['src/img/screenshots/config-editor-dark.png']);
});

test('without a record of what they were taken of, every screenshot is stale', () => {
  const c = checkout();
  c.write('src/components/query/QueryEditor.tsx', 'v1');
  assert.equal(stale(c).length, 2);
});
