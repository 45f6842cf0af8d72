// node --test scripts/: the screenshot age check on a scratch git repository with commits at chosen times.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { staleScreenshots } from './lib/screenshots.mjs';

function repo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-shots-'));
  const git = (args, date) =>
    execFileSync('git', args, {
      cwd: dir,
      stdio: 'ignore',
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
  git(['init', '-q']);
  git(['config', 'user.email', 't@example.com']);
  git(['config', 'user.name', 't']);
  const write = (rel, text) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  const commit = (date) => {
    git(['add', '-A']);
    git(['commit', '-q', '-m', date], date);
  };
  return { dir, write, commit };
}

const SHOTS = ['img/screenshots/query-editor-dark.png', 'img/screenshots/config-editor-dark.png'];

test('screenshots committed after their editors pass; an editor changed later makes its screenshots stale', () => {
  const r = repo();
  r.write('src/components/query/QueryEditor.tsx', 'v1');
  r.write('src/components/config/ConfigEditor.tsx', 'v1');
  r.commit('2026-01-01T10:00:00Z');
  r.write('src/img/screenshots/query-editor-dark.png', 'png');
  r.write('src/img/screenshots/config-editor-dark.png', 'png');
  r.commit('2026-01-02T10:00:00Z');
  assert.deepEqual(staleScreenshots(r.dir, SHOTS), []);

  r.write('src/components/query/QueryEditor.tsx', 'v2');
  r.commit('2026-01-03T10:00:00Z');
  assert.deepEqual(
    staleScreenshots(r.dir, SHOTS).map((s) => s.screenshot),
    ['src/img/screenshots/query-editor-dark.png']
  );

  // A shared component ages both; regenerating (a newer commit of the pictures) clears it.
  r.write('src/components/common/EditableTable.tsx', 'v1');
  r.commit('2026-01-04T10:00:00Z');
  assert.equal(staleScreenshots(r.dir, SHOTS).length, 2);
  r.write('src/img/screenshots/query-editor-dark.png', 'png2');
  r.write('src/img/screenshots/config-editor-dark.png', 'png2');
  r.commit('2026-01-05T10:00:00Z');
  assert.deepEqual(staleScreenshots(r.dir, SHOTS), []);
});

test('an uncommitted editor change is newer than every committed screenshot', () => {
  const r = repo();
  r.write('src/components/config/ConfigEditor.tsx', 'v1');
  r.write('src/img/screenshots/config-editor-dark.png', 'png');
  r.commit('2026-01-01T10:00:00Z');
  r.write('src/components/config/ConfigEditor.tsx', 'v2 (not committed)');
  assert.deepEqual(
    staleScreenshots(r.dir, ['img/screenshots/config-editor-dark.png']).map((s) => s.screenshot),
    ['src/img/screenshots/config-editor-dark.png']
  );
});

test('outside a git checkout nothing is claimed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-shots-nogit-'));
  assert.equal(staleScreenshots(dir, SHOTS), null);
});
