// Checks a plugin archive the way Grafana's plugin validator would, as far as
// that can be done offline: layout, permissions, manifest, plugin.json rules,
// source maps without secrets, no node_modules.
import { readZip } from './zip.mjs';

export const PLUGIN_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*-[a-z0-9]+-(datasource|panel|app)$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const DEPENDENCY = /^>=\s*(\d+)\.(\d+)\.(\d+)(?:\s*<\s*\d+\.\d+\.\d+)?$/;
const BINARY = /^(?<exe>[A-Za-z0-9_]+)_(?<os>linux|darwin|windows|freebsd)_(?<arch>amd64|arm64|arm|386)(?<ext>\.exe)?$/;
const MAGIC = {
  linux: (b) => b.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])),
  freebsd: (b) => b.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])),
  darwin: (b) => [0xfeedfacf, 0xcffaedfe, 0xfeedface, 0xcefaedfe].includes(b.readUInt32BE(0)),
  windows: (b) => b.subarray(0, 2).toString('latin1') === 'MZ',
};

/** The platforms every release ships (docs/install.md). CI builds and checks only linux/amd64, the default. */
export const RELEASE_PLATFORMS = ['linux_amd64', 'linux_arm64', 'darwin_arm64', 'windows_amd64'];

/** Secrets that must never be shipped, in source maps or anywhere in the bundle. */
export const SECRET_PATTERNS = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bglsa_[A-Za-z0-9]{32}_[0-9a-f]{8}\b/, 'a Grafana service account token'],
  [/\bglc_[A-Za-z0-9+/=]{32,}/, 'a Grafana Cloud token'],
  [/\bgh[pousr]_[A-Za-z0-9]{36}\b/, 'a GitHub token'],
  [/\bxox[baprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\brly_[A-Za-z0-9_-]{43}\b/, 'a generated Relay API key'],
  [/sha256:[0-9a-f]{32,}:[0-9a-f]{64}/, 'a stored API key hash'],
  [/["'](?:demo-pass|demo-token|demo-secret|demo-key)["']/, 'a demo credential'],
];

/**
 * @param {Buffer} zip
 * @param {{version: string, grafanaPackages?: string, id?: string, platforms?: string[]}} expect
 *   platforms: the <os>_<arch> binaries that must be there (default: linux_amd64; a release: RELEASE_PLATFORMS)
 * @returns {{problems: string[], files: string[]}}
 */
export function checkArchive(zip, expect) {
  const problems = [];
  let entries;
  try {
    entries = readZip(zip);
  } catch (e) {
    return { problems: [`unreadable archive: ${e.message}`], files: [] };
  }
  const files = entries.filter((e) => !e.isDir);
  const tops = new Set(entries.map((e) => e.name.split('/')[0]));
  if (tops.size !== 1) {
    problems.push(`one top folder expected, found: ${[...tops].join(', ')}`);
  }
  const top = [...tops][0];
  const byRel = new Map(
    files.filter((f) => f.name.startsWith(`${top}/`)).map((f) => [f.name.slice(top.length + 1), f])
  );

  for (const e of entries) {
    if (e.name.split('/').some((seg) => seg === 'node_modules')) {
      problems.push(`${e.name}: node_modules must not be shipped`);
    }
    if (e.name.includes('..') || e.name.startsWith('/')) {
      problems.push(`${e.name}: unsafe path`);
    }
    if (/\.(ts|tsx|go|env)$|(^|\/)\.env/.test(e.name) && !e.name.endsWith('.d.ts')) {
      problems.push(`${e.name}: source or environment file in the archive`);
    }
  }

  // plugin.json
  const pj = byRel.get('plugin.json');
  let plugin = {};
  if (!pj) {
    problems.push('plugin.json missing');
  } else {
    try {
      plugin = JSON.parse(pj.data.toString('utf8'));
    } catch (e) {
      problems.push(`plugin.json is not valid JSON: ${e.message}`);
    }
  }
  problems.push(...checkPluginJson(plugin, expect));
  if (plugin.id && top !== plugin.id) {
    problems.push(`top folder "${top}" must be the plugin id "${plugin.id}"`);
  }

  for (const req of ['module.js', 'README.md', 'LICENSE', 'CHANGELOG.md', 'go_plugin_build_manifest']) {
    if (!byRel.has(req)) {
      problems.push(`${req} missing`);
    }
  }
  if (byRel.has('README.md')) {
    problems.push(...checkReadme(byRel.get('README.md').data.toString('utf8')));
  }
  if (byRel.has('CHANGELOG.md')) {
    problems.push(...checkChangelog(byRel.get('CHANGELOG.md').data.toString('utf8'), expect.version));
  }
  for (const p of [
    plugin.info?.logos?.small,
    plugin.info?.logos?.large,
    ...(plugin.info?.screenshots ?? []).map((s) => s.path),
  ]) {
    if (p && !byRel.has(p)) {
      problems.push(`${p} (referenced by plugin.json) missing`);
    }
  }
  for (const s of plugin.info?.screenshots ?? []) {
    const f = byRel.get(s.path);
    if (f && f.data.length < 1024) {
      problems.push(`${s.path}: ${f.data.length} bytes is not a real screenshot (run the browser test)`);
    }
  }

  // Backend binaries.
  const binaries = [...byRel.keys()].filter((r) => r.startsWith(`${plugin.executable ?? 'gpx_'}_`));
  for (const platform of expect.platforms ?? ['linux_amd64']) {
    const name = `${plugin.executable}_${platform}${platform.startsWith('windows_') ? '.exe' : ''}`;
    if (!byRel.has(name)) {
      problems.push(`${name} missing`);
    }
  }
  for (const b of binaries) {
    const m = BINARY.exec(b);
    const f = byRel.get(b);
    if (!m || m.groups.exe !== plugin.executable || (m.groups.os === 'windows') !== !!m.groups.ext) {
      problems.push(`${b}: binaries must be named ${plugin.executable}_<os>_<arch>[.exe] (.exe only for windows)`);
      continue;
    }
    if ((f.mode & 0o111) === 0) {
      problems.push(`${b}: not executable (mode ${f.mode.toString(8)})`);
    }
    if (f.data.length < 4 || !MAGIC[m.groups.os](f.data)) {
      problems.push(`${b}: not a ${m.groups.os} executable`);
    }
    // The SDK's build package links {"time":...,"pluginID":...,"version":...} from package.json into the binary.
    if (!f.data.includes(`"pluginID":"${plugin.id}","version":"${expect.version}"}`)) {
      problems.push(`${b}: no build info for ${plugin.id} ${expect.version} (build it with go tool mage)`);
    }
  }

  // Go build manifest: "<sha256>:<path>" per Go source file.
  const manifest = byRel.get('go_plugin_build_manifest');
  if (manifest) {
    const lines = manifest.data.toString('utf8').split('\n').filter(Boolean);
    if (lines.length === 0) {
      problems.push('go_plugin_build_manifest is empty');
    }
    for (const l of lines) {
      if (!/^[0-9a-f]{64}:[^:]+\.go$/.test(l)) {
        problems.push(`go_plugin_build_manifest: malformed line "${l.slice(0, 80)}"`);
        break;
      }
    }
    // The SDK lists every .go file below the build folder: a copy of the tree or npm packages below it must not be.
    const stray = lines.find((l) => /:(?:.*\/)?(node_modules|artifacts|dist)\//.test(l));
    if (stray) {
      problems.push(`go_plugin_build_manifest lists a file that is not Relay's source: ${stray.split(':')[1]}`);
    }
    if (!lines.some((l) => l.endsWith(':pkg/main.go'))) {
      problems.push('go_plugin_build_manifest does not list pkg/main.go');
    }
  }

  // Source maps and bundles: no secrets, no build machine paths.
  for (const [rel, f] of byRel) {
    if (!/\.(js|map|json|md)$/.test(rel)) {
      continue;
    }
    const text = f.data.toString('utf8');
    for (const [re, what] of SECRET_PATTERNS) {
      if (re.test(text)) {
        problems.push(`${rel}: contains ${what}`);
      }
    }
    if (rel.endsWith('.map')) {
      let map;
      try {
        map = JSON.parse(text);
      } catch {
        problems.push(`${rel}: not valid JSON`);
        continue;
      }
      for (const s of map.sources ?? []) {
        if (/^(\/|[A-Za-z]:\\)|\/(root|home|Users|work)\//.test(s.replace(/^webpack:\/\/[^/]*\//, ''))) {
          problems.push(`${rel}: source path "${s}" reveals the build machine`);
          break;
        }
      }
    }
  }
  if (!byRel.has('module.js.map')) {
    problems.push('module.js.map missing (Grafana reviews plugins with their source maps)');
  }
  return { problems, files: [...byRel.keys()].sort() };
}

export function checkPluginJson(p, expect) {
  const problems = [];
  const need = (cond, msg) => !cond && problems.push(`plugin.json: ${msg}`);
  need(typeof p.id === 'string' && PLUGIN_ID.test(p.id), `id "${p.id}" must be <org>-<name>-<type> in lower case`);
  need(expect.id === undefined || p.id === expect.id, `id must be ${expect.id}`);
  need(['datasource', 'panel', 'app'].includes(p.type), `type "${p.type}" must be datasource, panel or app`);
  need(typeof p.id !== 'string' || p.id.endsWith(`-${p.type}`), `id must end with -${p.type}`);
  need(typeof p.name === 'string' && p.name.trim() !== '', 'name is required');
  need(p.backend === true, 'backend must be true (Relay has a Go backend)');
  need(
    typeof p.executable === 'string' && /^gpx_[a-z0-9_]+$/.test(p.executable),
    `executable "${p.executable}" must be gpx_<name>`
  );
  for (const k of ['alerting', 'annotations', 'metrics', 'logs', 'tracing']) {
    need(p[k] === true, `${k} must be true`);
  }
  const info = p.info ?? {};
  need(typeof info.description === 'string' && info.description.length > 10, 'info.description is required');
  need(typeof info.author?.name === 'string' && info.author.name !== '', 'info.author.name is required');
  need(Array.isArray(info.keywords) && info.keywords.length > 0, 'info.keywords must not be empty');
  need(
    typeof info.logos?.small === 'string' && typeof info.logos?.large === 'string',
    'info.logos.small and .large are required'
  );
  need(
    Array.isArray(info.screenshots) && info.screenshots.every((s) => s.name && s.path),
    'info.screenshots need name and path'
  );
  need(SEMVER.test(info.version ?? ''), `info.version "${info.version}" must be semver (was %VERSION% replaced?)`);
  need(info.version === expect.version, `info.version ${info.version} must equal package.json ${expect.version}`);
  need(/^\d{4}-\d{2}-\d{2}$/.test(info.updated ?? ''), `info.updated "${info.updated}" must be a date`);
  const dep = p.dependencies?.grafanaDependency ?? '';
  const m = DEPENDENCY.exec(dep);
  need(!!m, `dependencies.grafanaDependency "${dep}" must be like ">=11.6.0"`);
  if (m && expect.grafanaPackages) {
    // The build's own @grafana/* packages must satisfy the range it declares.
    need(
      compareVersions(expect.grafanaPackages, `${m[1]}.${m[2]}.${m[3]}`) >= 0,
      `grafanaDependency ${dep} starts above the @grafana/* packages the plugin is built with (${expect.grafanaPackages})`
    );
  }
  if (m && expect.oldestTested) {
    // The oldest Grafana it admits is the oldest line scripts/grafana-versions.sh tests it against: no more, no less.
    const [maj, min] = expect.oldestTested.split('.').map(Number);
    need(
      Number(m[1]) === maj && Number(m[2]) === min,
      `grafanaDependency ${dep} must start at the oldest Grafana line the version matrix tests (${maj}.${min}, ` +
        'scripts/grafana-versions.json)'
    );
  }
  need(!/%[A-Z_]+%/.test(JSON.stringify(p)), 'unreplaced %PLACEHOLDER%');
  return problems;
}

/** a < b: -1, a = b: 0, a > b: 1, for x.y.z versions. */
export function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) {
      return (pa[i] ?? 0) < (pb[i] ?? 0) ? -1 : 1;
    }
  }
  return 0;
}

/** Markdown links and images, read as Grafana's validator reads them (its brokenlinks analyzer). */
const MD_LINK = /\[.+?\]\((.+?)\)/g;
/** What a contributor types to build or test Relay: it belongs in the repository README, not the catalog's. */
const BUILD_INSTRUCTIONS = [
  /\bmake (dev|test|release|build)\b/,
  /\bnpm (ci|install|run)\b/,
  /\bgo (tool|build|test|mod)\b/,
  /\bmage\b/,
  /two commands/i,
];

/**
 * The README the zip ships is the catalog page (src/README.md): the catalog cannot follow relative links, and a
 * Grafana admin reading it installs a plugin, not a source tree.
 */
export function checkReadme(text) {
  const problems = [];
  for (const [, target] of text.matchAll(MD_LINK)) {
    const url = target.trim().split(/\s+/)[0];
    if (!/^(https?:\/\/|mailto:|#)/.test(url)) {
      problems.push(`README.md: relative link "${url}" (the catalog needs absolute https:// links)`);
    }
  }
  for (const re of BUILD_INSTRUCTIONS) {
    const hit = re.exec(text);
    if (hit) {
      problems.push(`README.md: build instructions ("${hit[0]}") belong in the repository README, not the catalog's`);
    }
  }
  const placeholder = /%[A-Z_]+%/.exec(text);
  if (placeholder) {
    problems.push(`README.md: unreplaced ${placeholder[0]}`);
  }
  return problems;
}

/** Each release is a "## <version>" section of CHANGELOG.md (CHANGELOG.md's own header says so). */
export function checkChangelog(text, version) {
  const escaped = version.replace(/[.+]/g, '\\$&');
  const heading = new RegExp(`^## \\[?v?${escaped}\\]?(\\s|$)`, 'm');
  return heading.test(text) ? [] : [`CHANGELOG.md: no "## ${version}" section for this version`];
}
