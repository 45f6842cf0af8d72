#!/usr/bin/env node
// Browser test: the real ConfigEditor and QueryEditor, bundled with @grafana/ui
// into a small page, in headless Chromium, against a running Relay behind the
// dev host and the demo API. Saves screenshots of the editors in dark and
// light theme to artifacts/screenshots/ (--update-screenshots also copies the
// ones src/plugin.json lists to src/img/screenshots/ and records what editor
// sources they show; the release check fails when those changed since:
// scripts/check-screenshots.mjs).
//
//   node e2e/run.mjs [--update-screenshots] [--only <regex of step names>]
//   BIN=<dir with gpx_relay, devhost, demoapi> skips the Go build; RELAY_PLUGIN=<binary> uses that plugin build.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

import { ensureBrowser, startListening, startStaticServer, stopAll } from './lib/services.mjs';
import { steps } from './scenario.mjs';
import { MANIFEST, currentDigests } from './lib/screenshots.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const require = createRequire(import.meta.url);
const artifacts = path.join(root, 'artifacts');
const shotsDir = path.join(artifacts, 'screenshots');
const logsDir = path.join(artifacts, 'e2e-logs');
const update = process.argv.includes('--update-screenshots');
// --only <regex>: just the steps whose names match (while working on one; later steps build on earlier ones).
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? new RegExp(process.argv[onlyArg + 1]) : undefined;
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

/**
 * The plugin, dev host and demo API binaries: from BIN if given, else built.
 * RELAY_PLUGIN names an already built plugin (e.g. mage's dist/gpx_relay_linux_amd64).
 */
function buildGo() {
  if (process.env.BIN) {
    const bin = path.resolve(process.env.BIN);
    return { bin, plugin: path.resolve(process.env.RELAY_PLUGIN ?? path.join(bin, 'gpx_relay')) };
  }
  const bin = path.join(artifacts, 'e2e-bin');
  fs.mkdirSync(bin, { recursive: true });
  const targets = [
    ['devhost', './cmd/devhost'],
    ['demoapi', './cmd/demoapi'],
  ];
  if (!process.env.RELAY_PLUGIN) {
    targets.unshift(['gpx_relay', './pkg']);
  }
  for (const [out, pkg] of targets) {
    execFileSync('go', ['build', '-o', path.join(bin, out), pkg], { cwd: root, stdio: 'inherit' });
  }
  return { bin, plugin: path.resolve(process.env.RELAY_PLUGIN ?? path.join(bin, 'gpx_relay')) };
}

function bundle(config) {
  const webpack = require('webpack');
  return new Promise((resolve, reject) =>
    webpack(config, (err, stats) => {
      if (err || stats.hasErrors()) {
        reject(err ?? new Error(stats.toString('errors-only')));
      } else {
        resolve();
      }
    })
  );
}

async function main() {
  fs.mkdirSync(shotsDir, { recursive: true });
  fs.mkdirSync(logsDir, { recursive: true });
  ensureBrowser();
  const { bin, plugin } = buildGo();
  console.log(`e2e: binaries ready (${elapsed()})`);

  const buildDir = path.join(artifacts, 'e2e-build', 'out');
  const bundling = bundle(require('./webpack.config.cjs')(buildDir));
  // The playground serves the shipped bundle: dist/ from `npm run build` (scripts/test-frontend.sh runs it first).
  const pluginDist = path.join(root, 'dist');
  if (!fs.existsSync(path.join(pluginDist, 'module.js'))) {
    throw new Error('dist/module.js is missing: run `npm run build` first');
  }
  const playgroundBundling = bundle(require('../playground/webpack.config.cjs')());

  const demoUrl = await startListening('demoapi', path.join(bin, 'demoapi'), ['-addr', '127.0.0.1:0'], {
    logFile: path.join(logsDir, 'demoapi.log'),
  });
  await playgroundBundling; // the dev host checks for the shell at start
  const devhostUrl = await startListening(
    'devhost',
    path.join(bin, 'devhost'),
    [
      '-plugin',
      plugin,
      '-provisioning',
      path.join(here, 'provisioning.yaml'),
      '-users',
      path.join(here, 'users.yaml'),
      '-addr',
      '127.0.0.1:0',
      '-frontend',
      pluginDist,
      '-playground',
      path.join(root, 'playground', 'dist'),
    ],
    { env: { DEMO_URL: demoUrl, DEMO_BEARER_TOKEN: 'demo-token' }, logFile: path.join(logsDir, 'devhost.log') }
  );
  await bundling;
  const { server, url } = await startStaticServer({
    buildDir,
    htmlFile: path.join(here, 'harness', 'index.html'),
    uiImgDir: path.join(root, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img'),
    devhostUrl,
  });
  console.log(`e2e: demo API ${demoUrl}, dev host ${devhostUrl}, page ${url} (${elapsed()})`);

  const { chromium } = require('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-e2e-chromium-'));
  // A fresh profile per run: nothing cached or remembered between runs.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));

  // focus: a locator the screen-sized picture starts at (a section further down the page), instead of the top.
  const shot = async (p, name, { focus } = {}) => {
    // Let fonts, icons and the last re-render settle before the picture.
    await p.evaluate(() => document.fonts.ready);
    await p.waitForTimeout(300);
    const file = path.join(shotsDir, `${name}.png`);
    await p.screenshot({ path: file, fullPage: true });
    // The catalog wants pictures of a screen, not of a 5000-pixel page: a screen-sized one too (the catalog's).
    let y = 0;
    if (focus) {
      const box = await focus.boundingBox();
      y = Math.max(0, Math.floor(box.y + (await p.evaluate(() => window.scrollY)) - 16));
    }
    const height = Math.min(1100, (await p.evaluate(() => document.documentElement.scrollHeight)) - y);
    await p.screenshot({
      path: path.join(shotsDir, `${name}.top.png`),
      fullPage: true,
      clip: { x: 0, y, width: 1280, height },
    });
    // And each config section alone, for reviewing details.
    const sections = p.locator('section[aria-label]');
    for (let i = 0; i < (await sections.count()); i++) {
      const title = (await sections.nth(i).getAttribute('aria-label')).toLowerCase().replace(/[^a-z0-9]+/g, '-');
      fs.mkdirSync(path.join(shotsDir, 'sections'), { recursive: true });
      await sections.nth(i).screenshot({ path: path.join(shotsDir, 'sections', `${name}.${title}.png`) });
    }
    console.log(`e2e: screenshot ${path.relative(root, file)}`);
  };

  let passed = 0;
  let failed = 0;
  try {
    for (const s of steps({ base: url, devhost: devhostUrl, shot }).filter((x) => !only || only.test(x.name))) {
      const st = Date.now();
      try {
        await s.run(page);
        passed++;
        console.log(`ok   ${s.name} (${((Date.now() - st) / 1000).toFixed(1)}s)`);
      } catch (e) {
        failed++;
        console.log(
          `FAIL ${s.name}\n     ${String(e.stack ?? e)
            .split('\n')
            .slice(0, 6)
            .join('\n     ')}`
        );
        await page
          .screenshot({ path: path.join(shotsDir, `failure-${passed + failed}.png`), fullPage: true })
          .catch(() => {});
        break; // later steps build on earlier ones
      }
    }
  } finally {
    await context.close();
    server.close();
    stopAll();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  const unexpected = consoleErrors.filter((e) => !/Failed to load resource|grafanaBootData|favicon|i18n/i.test(e));
  if (unexpected.length) {
    console.log(`e2e: page errors:\n  ${unexpected.slice(0, 10).join('\n  ')}`);
  }
  if (failed === 0 && update && !only) {
    // The catalog's screenshots are the ones plugin.json lists: img/screenshots/<name>.png is <name>.top.png here.
    const plugin = JSON.parse(fs.readFileSync(path.join(root, 'src', 'plugin.json'), 'utf8'));
    for (const { path: rel } of plugin.info.screenshots) {
      const from = path.join(shotsDir, path.basename(rel).replace(/\.png$/, '.top.png'));
      if (!fs.existsSync(from)) {
        throw new Error(`src/plugin.json lists ${rel}, which no step of e2e/scenario.mjs takes`);
      }
      fs.copyFileSync(from, path.join(root, 'src', rel));
    }
    // What they were taken of, for the release check (e2e/lib/screenshots.mjs).
    fs.writeFileSync(path.join(root, MANIFEST), JSON.stringify(currentDigests(root), null, 2) + '\n');
    console.log(
      `e2e: ${plugin.info.screenshots.length} screenshots copied to src/img/screenshots (plugin.json's list)`
    );
  }
  console.log(`e2e: done in ${elapsed()}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopAll();
    process.exit(130);
  });
}
main().catch((e) => {
  stopAll();
  console.error(`e2e: ${e.stack ?? e}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
