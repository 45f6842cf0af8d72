// Which catalog screenshots are older than the editor they show (scripts/check-screenshots.mjs). "Older" by git:
// a file's last change is the commit time of the last commit touching it, or its modification time while it has
// uncommitted changes. Without git (a source archive) nothing can be said: null.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The editor sources a screenshot shows, by the screenshot's file name. */
export const EDITOR_SOURCES = [
  [/^config-editor/, ['src/components/config', 'src/components/common']],
  [/^query-editor/, ['src/components/query', 'src/components/common']],
];

const git = (root, args) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

/** Milliseconds since the epoch of the last change under paths (files or folders), or 0 if none. */
export function lastChange(root, paths) {
  let t = Number(git(root, ['log', '-1', '--format=%ct', '--', ...paths]).trim() || 0) * 1000;
  const dirty = git(root, ['status', '--porcelain', '--untracked-files=all', '--', ...paths])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3).replace(/^.* -> /, ''));
  for (const f of dirty) {
    const abs = path.join(root, f);
    t = Math.max(t, fs.existsSync(abs) ? fs.statSync(abs).mtimeMs : Date.now());
  }
  return t;
}

/**
 * @param {string} root the checkout
 * @param {string[]} screenshots paths relative to src/ (plugin.json's info.screenshots[].path)
 * @returns {null | Array<{screenshot: string, editor: string[], shot: number, changed: number}>} the stale ones
 */
export function staleScreenshots(root, screenshots) {
  try {
    git(root, ['rev-parse', '--git-dir']);
  } catch {
    return null;
  }
  const stale = [];
  for (const rel of screenshots) {
    const file = path.posix.join('src', rel);
    const editor = EDITOR_SOURCES.find(([re]) => re.test(path.basename(rel)))?.[1];
    if (!editor) {
      continue;
    }
    const shot = lastChange(root, [file]);
    const changed = lastChange(root, editor);
    if (shot < changed) {
      stale.push({ screenshot: file, editor, shot, changed });
    }
  }
  return stale;
}
