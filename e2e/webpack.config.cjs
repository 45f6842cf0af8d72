// Bundles the browser test's harness page: the plugin's real editors with
// @grafana/ui, React and the rest bundled in (no Grafana to provide them).
const path = require('path');

const root = path.resolve(__dirname, '..');

module.exports = (outDir) => ({
  mode: 'development',
  devtool: false,
  context: root,
  entry: { harness: path.join(__dirname, 'harness', 'index.tsx') },
  output: { path: outDir, filename: '[name].js' },
  resolve: {
    extensions: ['.js', '.jsx', '.ts', '.tsx', '.mjs'],
    modules: [path.join(root, 'src'), 'node_modules'],
  },
  module: {
    rules: [
      {
        test: /\.[tj]sx?$/,
        exclude: /node_modules/,
        use: {
          loader: 'swc-loader',
          options: {
            jsc: {
              target: 'es2020',
              parser: { syntax: 'typescript', tsx: true },
              transform: { react: { runtime: 'automatic' } },
            },
          },
        },
      },
      // As in the playground: @grafana/ui's .mjs files import CommonJS packages by default export (11.6 imports
      // react-use/lib/useMeasure so); strict ESM interop would hand them the exports object, not the function.
      { test: /\.m?js$/, type: 'javascript/auto', resolve: { fullySpecified: false } },
      { test: /\.css$/, use: ['style-loader', 'css-loader'] },
      { test: /\.(png|jpe?g|gif|svg|woff2?|ttf|otf)$/, type: 'asset/resource' },
    ],
  },
  performance: { hints: false },
  stats: 'errors-warnings',
  infrastructureLogging: { level: 'error' },
  cache: { type: 'filesystem', cacheDirectory: path.join(outDir, '..', 'webpack-cache') },
});
