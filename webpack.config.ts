// The scaffold's webpack config (.config/webpack, not edited) plus one replacement: %REPOSITORY% in the shipped
// README.md and plugin.json becomes the project's repository URL, read from package.json's `repository`, the one
// place it is written. The catalog README's links are absolute (the catalog cannot follow relative ones) and all
// point into that repository.
import ReplaceInFileWebpackPlugin from 'replace-in-file-webpack-plugin';
import type { Configuration } from 'webpack';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';
import { DIST_DIR } from './.config/bundler/constants.ts';
import { getPackageJson } from './.config/bundler/utils.ts';

/** package.json's repository as a browsable https URL: "git+https://host/o/r.git" → "https://host/o/r". */
export function repositoryURL(pkg: { repository?: string | { url?: string } }): string {
  const raw = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const url = (raw ?? '')
    .replace(/^git\+/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  if (!/^https:\/\/[^/]+\/.+/.test(url)) {
    throw new Error(`package.json: repository "${raw}" must be an https URL (the catalog README links into it)`);
  }
  return url;
}

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  const repository = repositoryURL(getPackageJson());
  base.plugins = [
    ...(base.plugins ?? []),
    new ReplaceInFileWebpackPlugin([
      {
        dir: DIST_DIR,
        test: [/(^|\/)plugin\.json$/, /(^|\/)README\.md$/],
        rules: [{ search: /%REPOSITORY%/g, replace: repository }],
      },
    ]),
  ];
  return base;
};

export default config;
