// node --test scripts/: the archive checker accepts a well-formed package and
// catches each kind of defect it is meant to catch.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkArchive, RELEASE_PLATFORMS } from './lib/check.mjs';
import { readZip, writeZip } from './lib/zip.mjs';

const ID = 'relay-gateway-datasource';
const expect = { version: '1.2.3', grafanaPackages: '12.4.10', oldestTested: '11.6.16', id: ID };
// What go tool mage links into every binary (the SDK's build info, version from package.json).
const BUILD_INFO = Buffer.from(`{"time":1767225600000,"pluginID":"${ID}","version":"1.2.3"}`);
const binary = (magic) => Buffer.concat([Buffer.from(magic), Buffer.alloc(64), BUILD_INFO, Buffer.alloc(64)]);
const ELF = binary([0x7f, 0x45, 0x4c, 0x46]);
const MACHO = binary([0xcf, 0xfa, 0xed, 0xfe]);
const PE = binary([0x4d, 0x5a]);
const PNG = Buffer.alloc(4096, 1);

const README = [
  '# Relay',
  '',
  '![Query editor](https://github.com/relay-gateway/relay/raw/main/src/img/screenshots/query-editor-dark.png)',
  'See [queries](https://github.com/relay-gateway/relay/blob/main/docs/queries.md), [below](#install) or',
  '[mail us](mailto:relay@example.com).',
].join('\n');
const withReadme = (text) => (f) => (f['README.md'].data = Buffer.from(text));
const withDependency = (dep) => (f) =>
  (f['plugin.json'].data = Buffer.from(JSON.stringify(pluginJson({ dependencies: { grafanaDependency: dep } }))));

function pluginJson(over = {}) {
  return {
    type: 'datasource',
    name: 'Relay',
    id: ID,
    backend: true,
    executable: 'gpx_relay',
    alerting: true,
    annotations: true,
    metrics: true,
    logs: true,
    tracing: true,
    info: {
      description: 'Connect Grafana to any HTTP/JSON API',
      author: { name: 'Relay' },
      keywords: ['http'],
      logos: { small: 'img/logo.svg', large: 'img/logo.svg' },
      screenshots: [{ name: 'Query editor', path: 'img/screenshots/q.png' }],
      version: '1.2.3',
      updated: '2026-01-02',
    },
    dependencies: { grafanaDependency: '>=11.6.0', plugins: [] },
    ...over,
  };
}

function files(mutate = (f) => f) {
  const f = {
    'plugin.json': { data: Buffer.from(JSON.stringify(pluginJson())), mode: 0o644 },
    'module.js': { data: Buffer.from('define(["react"],function(){})'), mode: 0o644 },
    'module.js.map': {
      data: Buffer.from(
        JSON.stringify({ version: 3, sources: ['webpack://relay/./datasource.ts'], sourcesContent: ['x'] })
      ),
      mode: 0o644,
    },
    'README.md': { data: Buffer.from(README), mode: 0o644 },
    LICENSE: { data: Buffer.from('Apache'), mode: 0o644 },
    'CHANGELOG.md': {
      data: Buffer.from('# Changelog\n\n## 1.2.3 (2026-01-02)\n\n- Things.\n\n## 1.2.2\n'),
      mode: 0o644,
    },
    'img/logo.svg': { data: Buffer.from('<svg/>'), mode: 0o644 },
    'img/screenshots/q.png': { data: PNG, mode: 0o644 },
    go_plugin_build_manifest: { data: Buffer.from(`${'a'.repeat(64)}:pkg/main.go\n`), mode: 0o755 },
    gpx_relay_linux_amd64: { data: ELF, mode: 0o755 },
  };
  mutate(f);
  return writeZip(
    Object.entries(f).map(([rel, v]) => ({ name: rel.startsWith('/') ? rel.slice(1) : `${ID}/${rel}`, ...v }))
  );
}

const problems = (zip, platforms) => checkArchive(zip, { ...expect, platforms }).problems;

/** The three binaries a release adds to the CI archive's linux/amd64 one. */
function releaseBinaries(f) {
  f.gpx_relay_linux_arm64 = { data: ELF, mode: 0o755 };
  f.gpx_relay_darwin_arm64 = { data: MACHO, mode: 0o755 };
  f['gpx_relay_windows_amd64.exe'] = { data: PE, mode: 0o755 };
}

test('a well-formed archive passes, and round-trips modes through the zip', () => {
  const zip = files();
  assert.deepEqual(problems(zip), []);
  const bin = readZip(zip).find((e) => e.name.endsWith('gpx_relay_linux_amd64'));
  assert.equal(bin.mode, 0o755);
});

const defects = {
  'binary not executable': [(f) => (f.gpx_relay_linux_amd64.mode = 0o644), /not executable/],
  'binary of the wrong OS': [
    (f) => (f.gpx_relay_windows_amd64 = { data: ELF, mode: 0o755 }),
    /named gpx_relay_<os>_<arch>\[\.exe\]/,
  ],
  'linux binary missing': [(f) => delete f.gpx_relay_linux_amd64, /gpx_relay_linux_amd64 missing/],
  'binary of another version': [
    (f) => (f.gpx_relay_linux_amd64.data = Buffer.from(ELF.toString('latin1').replace('1.2.3', '1.2.2'), 'latin1')),
    /gpx_relay_linux_amd64: no build info for relay-gateway-datasource 1.2.3/,
  ],
  'binary without build info (go build, not mage)': [
    (f) => (f.gpx_relay_linux_amd64.data = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(64)])),
    /no build info/,
  ],
  'manifest missing': [(f) => delete f.go_plugin_build_manifest, /go_plugin_build_manifest missing/],
  'manifest listing Go files of npm packages': [
    (f) =>
      (f.go_plugin_build_manifest.data = Buffer.from(
        `${'a'.repeat(64)}:pkg/main.go\n${'b'.repeat(64)}:artifacts/copy/node_modules/flatted/golang/flatted.go\n`
      )),
    /lists a file that is not Relay's source: artifacts\/copy\/node_modules/,
  ],
  'node_modules shipped': [
    (f) => (f['node_modules/x/index.js'] = { data: Buffer.from('x'), mode: 0o644 }),
    /node_modules/,
  ],
  'secret in a source map': [
    (f) =>
      (f['module.js.map'].data = Buffer.from(
        JSON.stringify({ sources: [], sourcesContent: ['-----BEGIN RSA PRIVATE KEY-----'] })
      )),
    /PEM private key/,
  ],
  'build paths in a source map': [
    (f) => (f['module.js.map'].data = Buffer.from(JSON.stringify({ sources: ['/work/main/src/x.ts'] }))),
    /reveals the build machine/,
  ],
  'bad plugin id': [
    (f) => (f['plugin.json'].data = Buffer.from(JSON.stringify(pluginJson({ id: 'Relay_Gateway' })))),
    /id "Relay_Gateway"/,
  ],
  'unreplaced version': [
    (f) =>
      (f['plugin.json'].data = Buffer.from(
        JSON.stringify(pluginJson({ info: { ...pluginJson().info, version: '%VERSION%' } }))
      )),
    /%VERSION%/,
  ],
  'dependency older than the oldest tested Grafana': [
    withDependency('>=11.0.0'),
    /must start at the oldest Grafana line the version matrix tests \(11\.6/,
  ],
  'dependency newer than the oldest tested Grafana': [withDependency('>=12.0.0'), /oldest Grafana line/],
  'dependency above the packages built with': [withDependency('>=12.5.0'), /starts above the @grafana\/\* packages/],
  'logs not declared': [
    (f) => (f['plugin.json'].data = Buffer.from(JSON.stringify(pluginJson({ logs: false })))),
    /logs must be true/,
  ],
  'tracing not declared': [
    (f) => (f['plugin.json'].data = Buffer.from(JSON.stringify(pluginJson({ tracing: undefined })))),
    /tracing must be true/,
  ],
  'README with a relative link (the repository README shipped)': [
    withReadme('# Relay\nSee [the docs](docs/queries.md).'),
    /README.md: relative link "docs\/queries.md"/,
  ],
  'README with a relative image': [
    withReadme('# Relay\n![shot](./img/screenshots/q.png "Query editor")'),
    /relative link "\.\/img\/screenshots\/q.png"/,
  ],
  'README with build instructions': [
    withReadme('# Relay\n\n    make test   # runs every test'),
    /build instructions \("make test"\)/,
  ],
  'README with npm instructions': [withReadme('# Relay\nRun `npm ci` first.'), /build instructions \("npm ci"\)/],
  'README with an unreplaced repository': [
    withReadme('# Relay\n[docs](%REPOSITORY%/tree/main/docs)'),
    /unreplaced %REPOSITORY%|relative link "%REPOSITORY%/,
  ],
  'CHANGELOG without a section for this version': [
    (f) => (f['CHANGELOG.md'].data = Buffer.from('# Changelog\n\n## 1.2.2\n\n- Older.\n')),
    /CHANGELOG.md: no "## 1.2.3" section/,
  ],
  'CHANGELOG with only a longer version': [
    (f) => (f['CHANGELOG.md'].data = Buffer.from('# Changelog\n\n## 1.2.30\n')),
    /no "## 1.2.3" section/,
  ],
  'no backend': [
    (f) => (f['plugin.json'].data = Buffer.from(JSON.stringify(pluginJson({ backend: false })))),
    /backend must be true/,
  ],
  'placeholder screenshot': [(f) => (f['img/screenshots/q.png'].data = Buffer.alloc(70)), /not a real screenshot/],
  'second top folder': [
    (f) => (f['/other/readme.txt'] = { data: Buffer.from('x'), mode: 0o644 }),
    /one top folder expected/,
  ],
};

for (const [name, [mutate, re]] of Object.entries(defects)) {
  test(`catches: ${name}`, () => {
    const p = problems(files(mutate));
    assert.ok(
      p.some((x) => re.test(x)),
      `expected ${re} in:\n${p.join('\n')}`
    );
  });
}

test('an unreadable file is reported, not thrown', () => {
  assert.match(problems(Buffer.from('not a zip'))[0], /unreadable archive/);
});

test('the CI check needs linux/amd64 only; the release check needs all four platforms', () => {
  assert.deepEqual(problems(files()), []);
  assert.deepEqual(problems(files(), RELEASE_PLATFORMS).sort(), [
    'gpx_relay_darwin_arm64 missing',
    'gpx_relay_linux_arm64 missing',
    'gpx_relay_windows_amd64.exe missing',
  ]);
  assert.deepEqual(problems(files(releaseBinaries), RELEASE_PLATFORMS), []);
});

for (const platform of RELEASE_PLATFORMS) {
  test(`the release check catches: ${platform} missing`, () => {
    const name = `gpx_relay_${platform}${platform.startsWith('windows') ? '.exe' : ''}`;
    const p = problems(
      files((f) => {
        releaseBinaries(f);
        delete f[name];
      }),
      RELEASE_PLATFORMS
    );
    assert.deepEqual(p, [`${name} missing`]);
  });
}
