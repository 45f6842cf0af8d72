// Which catalog screenshots no longer show the editor they were taken of (scripts/check-screenshots.mjs). By content,
// not by date: when the browser test takes them (`--update-screenshots`) it records a digest of the editor sources
// each group of screenshots shows in e2e/screenshots-taken.json; a screenshot is stale when the digest of those
// sources now differs. A picture that came out identical still counts as taken, and no git history is needed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The editor sources a screenshot shows, by the screenshot's file name: [group, pattern, sources]. */
export const EDITOR_SOURCES = [
  ['config-editor', /^config-editor/, ['src/components/config', 'src/components/common']],
  ['query-editor', /^query-editor/, ['src/components/query', 'src/components/common']],
];

export const MANIFEST = 'e2e/screenshots-taken.json';

/** Every file under paths (files or folders), relative to root, sorted; tests and snapshots are not the editor. */
function files(root, paths) {
  const out = [];
  const walk = (rel) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) {
      return;
    }
    if (fs.statSync(abs).isDirectory()) {
      for (const name of fs.readdirSync(abs)) {
        walk(path.posix.join(rel, name));
      }
    } else if (!/\.test\.[jt]sx?$|__snapshots__/.test(rel)) {
      out.push(rel);
    }
  };
  paths.forEach(walk);
  return out.sort();
}

/** A SHA-256 of the names and contents of the files under paths. */
export function editorDigest(root, paths) {
  const h = crypto.createHash('sha256');
  for (const rel of files(root, paths)) {
    h.update(rel)
      .update('\0')
      .update(fs.readFileSync(path.join(root, rel)))
      .update('\0');
  }
  return h.digest('hex');
}

/** The digests the screenshots are taken of now: what --update-screenshots writes to MANIFEST. */
export function currentDigests(root) {
  return Object.fromEntries(EDITOR_SOURCES.map(([group, , sources]) => [group, editorDigest(root, sources)]));
}

/**
 * @param {string} root the checkout
 * @param {string[]} screenshots paths relative to src/ (plugin.json's info.screenshots[].path)
 * @returns {Array<{screenshot: string, editor: string[]}>} the stale ones (all of them without a manifest)
 */
export function staleScreenshots(root, screenshots) {
  const file = path.join(root, MANIFEST);
  const taken = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const now = currentDigests(root);
  const stale = [];
  for (const rel of screenshots) {
    const entry = EDITOR_SOURCES.find(([, re]) => re.test(path.basename(rel)));
    if (entry && taken[entry[0]] !== now[entry[0]]) {
      stale.push({ screenshot: path.posix.join('src', rel), editor: entry[2] });
    }
  }
  return stale;
}
