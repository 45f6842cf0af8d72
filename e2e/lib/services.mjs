// Processes and servers the browser test runs: the demo API, the dev host with
// Relay, and a static server for the harness page that reverse-proxies /api/
// to the dev host (same origin, as in Grafana).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const started = [];

/** Starts a program that prints "<what> listening on http://127.0.0.1:PORT" and resolves with that URL. */
export function startListening(name, cmd, args, { env, logFile, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', log] });
    started.push(child);
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${timeoutMs} ms (see ${logFile})`)),
      timeoutMs
    );
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} (see ${logFile})`));
    });
  });
}

/** Ends the processes this test started, by their own handles. */
export function stopAll() {
  for (const c of started.splice(0)) {
    if (c.exitCode === null) {
      c.kill('SIGTERM');
    }
  }
}

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.svg': 'image/svg+xml',
  '.otf': 'font/otf',
  '.png': 'image/png',
};

/**
 * Serves the harness and proxies /api/ to the dev host. Grafana's UI fonts
 * are in no npm package: Inter requests are answered with Debian's fonts-inter.
 */
export function startStaticServer({ buildDir, htmlFile, uiImgDir, devhostUrl }) {
  const target = new URL(devhostUrl);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/api/')) {
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (r) => {
          res.writeHead(r.statusCode, r.headers);
          r.pipe(res);
        }
      );
      up.on('error', (e) => {
        res.writeHead(502, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: `proxy: ${e.message}` }));
      });
      req.pipe(up);
      return;
    }
    let file;
    if (url.pathname === '/' || url.pathname === '/index.html') {
      file = htmlFile;
    } else if (url.pathname.startsWith('/build/')) {
      file = path.join(buildDir, path.basename(url.pathname));
    } else if (url.pathname.startsWith('/public/build/img/')) {
      file = path.join(
        uiImgDir,
        path.normalize(url.pathname.slice('/public/build/img/'.length)).replace(/^(\.\.[/\\])+/, '')
      );
    } else if (url.pathname.startsWith('/public/fonts/inter/')) {
      const weight = /Medium/.test(url.pathname) ? 'Medium' : 'Regular';
      const italic = /Italic/.test(url.pathname) ? (weight === 'Regular' ? 'Italic' : 'MediumItalic') : weight;
      file = `/usr/share/fonts/opentype/inter/Inter-${italic}.otf`;
    }
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` }))
  );
}

/** Debian's chromium and the fonts the screenshots need; installs them where missing (root, apt). */
export function ensureBrowser() {
  const haveChromium = fs.existsSync('/usr/bin/chromium');
  const haveInter = fs.existsSync('/usr/share/fonts/opentype/inter/Inter-Regular.otf');
  const haveLiberation = fs.existsSync('/usr/share/fonts/truetype/liberation');
  if (haveChromium && haveInter && haveLiberation) {
    return;
  }
  console.log('e2e: installing chromium and fonts with apt-get (about 100 s)...');
  const opts = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  // make test's frontend and Grafana-versions halves may both get here on a fresh machine: the second waits for the
  // first's dpkg lock instead of failing, then finds everything installed.
  const wait = ['-o', 'DPkg::Lock::Timeout=600'];
  execFileSync('apt-get', [...wait, 'update'], opts);
  execFileSync(
    'apt-get',
    [...wait, 'install', '-y', '--no-install-recommends', 'chromium', 'fonts-liberation', 'fonts-inter'],
    opts
  );
}
