// Bundles the playground shell: React, @grafana/ui, data and runtime, uPlot, with the icons and fonts
// @grafana/ui asks for at Grafana's paths. The plugin itself is not in it: the shell loads dist/module.js.
//   npm run build:playground   → playground/dist/ (served by the dev host with -playground playground/dist)
const path = require('path');
const CopyWebpackPlugin = require('copy-webpack-plugin');

const root = path.resolve(__dirname, '..');
const fontsource = path.join(root, 'node_modules', '@fontsource', 'inter', 'files');
// Grafana ships Inter under these names (GlobalStyles' @font-face); @fontsource has the same faces.
const fonts = {
  'Inter-Regular.woff2': 'inter-latin-400-normal.woff2',
  'Inter-Medium.woff2': 'inter-latin-500-normal.woff2',
  'Inter-Italic.woff2': 'inter-latin-400-italic.woff2',
  'Inter-MediumItalic.woff2': 'inter-latin-500-italic.woff2',
};

// Development mode: a local tool, where a readable bundle beats a small one and the build is 5x faster.
module.exports = () => ({
  mode: 'development',
  devtool: false,
  context: root,
  entry: { playground: path.join(__dirname, 'src', 'index.tsx') },
  output: { path: path.join(__dirname, 'dist'), filename: '[name].js', publicPath: '/public/build/', clean: true },
  resolve: { extensions: ['.js', '.jsx', '.ts', '.tsx', '.mjs'] },
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
      // @grafana/ui's .mjs files import CommonJS packages (react-custom-scrollbars-2, ...) by default export; as
      // strict ESM webpack would hand them the whole exports object instead of its __esModule default.
      { test: /\.m?js$/, type: 'javascript/auto', resolve: { fullySpecified: false } },
      { test: /\.css$/, use: ['style-loader', 'css-loader'] },
      { test: /\.(png|jpe?g|gif|svg|woff2?|ttf|otf)$/, type: 'asset/resource' },
    ],
  },
  plugins: [
    new CopyWebpackPlugin({
      patterns: [
        { from: path.join(root, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img'), to: 'img' },
        ...Object.entries(fonts).map(([to, from]) => ({ from: path.join(fontsource, from), to: `fonts/inter/${to}` })),
      ],
    }),
  ],
  performance: { hints: false },
  stats: 'errors-warnings',
  infrastructureLogging: { level: 'error' },
  cache: { type: 'filesystem', cacheDirectory: path.join(root, 'node_modules', '.cache', 'playground-webpack') },
});
