// web-test-runner plugins for the elements' browser tests: TypeScript served through esbuild, and
// a real Gatehouse server (a child process) proxied under the runner's own origin, so the
// components run same-origin exactly as on a host app's page.
import { spawn } from 'node:child_process';
import console from 'node:console';
import process from 'node:process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../../..');

/**
 * Serves `.ts` files (and `.js` requests whose source is `.ts`, as NodeNext imports name them)
 * compiled by esbuild: standard decorators lowered, types stripped.
 */
export function typescriptPlugin() {
  return {
    name: 'gatehouse-typescript',
    async serve(context) {
      const path = decodeURIComponent(context.path);
      let file = join(repoRoot, path);
      if (path.endsWith('.js') && !existsSync(file) && existsSync(file.replace(/\.js$/u, '.ts'))) file = file.replace(/\.js$/u, '.ts');
      if (!file.endsWith('.ts') || !file.startsWith(repoRoot) || !existsSync(file)) return undefined;
      const source = await readFile(file, 'utf8');
      const { code } = await transform(source, {
        loader: 'ts',
        format: 'esm',
        target: 'es2022',
        sourcefile: file,
        sourcemap: 'inline',
        tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: true } },
      });
      return { body: code, type: 'js' };
    },
  };
}

/** Paths the Gatehouse server answers (everything else is the test runner's). */
const PROXIED = /^\/(api\/v2|auth)(\/|$|\?)/u;

/**
 * The Gatehouse test server: `plugin` starts it when the runner starts and stops it with the
 * runner; `middleware` (which runs before the runner serves files) proxies `/api/v2` and `/auth`
 * to it (the Host header kept, so its same-origin and CSRF checks see the runner's origin) and
 * answers `GET /__gatehouse/fixtures` with its token and admin.
 */
export function gatehouseServer() {
  let child;
  let ready = new Promise(() => undefined);
  const plugin = {
    name: 'gatehouse-server',
    serverStart() {
      child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, 'gatehouse-test-server.ts')], {
        cwd: repoRoot,
        stdio: ['pipe', 'pipe', 'inherit'],
        env: process.env,
      });
      ready = new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`the Gatehouse test server exited (${code}) before it was ready`)));
        createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
      });
      ready.catch((err) => console.error(String(err)));
    },
    async serverStop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
  const middleware = async (ctx, next) => {
    if (ctx.path === '/__gatehouse/fixtures') {
      const { token, admin } = await ready;
      ctx.body = { token, admin };
      return;
    }
    if (!PROXIED.test(ctx.url)) return next();
    const { port } = await ready;
    ctx.respond = false;
    await new Promise((resolve) => {
      const upstream = request(
        { host: '127.0.0.1', port, method: ctx.method, path: ctx.url, headers: ctx.req.headers },
        (res) => {
          ctx.res.writeHead(res.statusCode ?? 502, res.rawHeaders);
          res.pipe(ctx.res);
          res.on('end', resolve);
        },
      );
      upstream.on('error', (err) => {
        ctx.res.writeHead(502, { 'content-type': 'text/plain' });
        ctx.res.end(`Gatehouse test server: ${err.message}`);
        resolve();
      });
      ctx.req.pipe(upstream);
    });
  };
  return { plugin, middleware };
}
