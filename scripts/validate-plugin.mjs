#!/usr/bin/env node
// Grafana's plugin validator (the check every catalog submission goes through) on the release zip, when this
// checkout has it at ../shared/tools/plugin-validator (Relay's development machines; see docs/install.md). A clone
// without it releases without this step: the archive check (check-package.mjs) still runs.
//
//   node scripts/validate-plugin.mjs [path/to.zip]
//
// Fails on any error, and on any warning that is not one of EXPLAINED (each is explained in docs/install.md,
// "Grafana's plugin validator"). Prints every finding with its severity, and the counts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const validator = process.env.PLUGIN_VALIDATOR ?? path.resolve(root, '..', 'shared', 'tools', 'plugin-validator');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const zip = path.resolve(
  process.argv[2] ?? path.join(root, 'artifacts', `relay-gateway-datasource-${pkg.version}.zip`)
);

/**
 * Warnings that are expected here, by analyzer and rule, with why. docs/install.md says the same to a reader.
 * Only "possible broken link" on a machine that cannot reach the link's host: the analyzer GETs every link of the
 * README and plugin.json and reports any that does not answer 200. With the network, a broken link still fails.
 */
const EXPLAINED = [
  {
    analyzer: 'brokenlinks',
    rule: 'broken-link',
    when: (f) =>
      /\((dial tcp|.*no such host|.*connection refused|.*network is unreachable|.*i\/o timeout)/.test(f.Title),
    why: 'offline: the link host cannot be resolved or reached from this machine',
  },
];

if (!fs.existsSync(validator)) {
  console.log(`validate-plugin: ${path.relative(root, validator)} not found; skipping Grafana's plugin validator`);
  process.exit(0);
}
if (!fs.existsSync(zip)) {
  console.error(`validate-plugin: ${zip} missing: run "npm run package" first`);
  process.exit(1);
}
const run = spawnSync(validator, ['-jsonOutput', '-sourceCodeUri', `file://${root}`, zip], {
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(`validate-plugin: the validator did not answer JSON (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  process.exit(1);
}
const counts = { error: 0, warning: 0, explained: 0, recommendation: 0 };
const unexplained = [];
for (const [analyzer, findings] of Object.entries(report['plugin-validator'] ?? {})) {
  for (const f of findings) {
    const sev = f.Severity;
    const ok = sev === 'warning' && EXPLAINED.find((e) => e.analyzer === analyzer && e.rule === f.Name && e.when(f));
    console.log(`  ${ok ? 'warning (explained)' : sev}: ${analyzer}: ${f.Title}${ok ? ` — ${ok.why}` : ''}`);
    if (ok) {
      counts.explained++;
    } else {
      counts[sev] = (counts[sev] ?? 0) + 1;
      if (sev === 'error' || sev === 'warning') {
        unexplained.push(`${analyzer}: ${f.Title}\n      ${f.Detail}`);
      }
    }
  }
}
console.log(
  `validate-plugin: ${path.basename(zip)}: ${counts.error} error(s), ${counts.warning} unexplained warning(s), ` +
    `${counts.explained} explained warning(s), ${counts.recommendation} recommendation(s)`
);
if (unexplained.length || run.status !== 0) {
  console.error(`validate-plugin: fix these (or explain a warning in docs/install.md and EXPLAINED):`);
  for (const u of unexplained) {
    console.error(`  - ${u}`);
  }
  process.exit(1);
}
