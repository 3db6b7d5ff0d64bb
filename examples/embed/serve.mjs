/* global process, console, URL */
// A tiny static server for the embed example: index.html and embed.js on their own origin
// (http://localhost:4000 by default), nothing else. No dependencies: `node examples/embed/serve.mjs`.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const FILES = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/embed.js': ['embed.js', 'text/javascript; charset=utf-8'],
};

/** Starts the server; resolves to it once listening (port 0 picks a free one). */
export async function startEmbedServer(port = 4000, host = 'localhost') {
  const server = createServer(async (req, res) => {
    const file = FILES[new URL(req.url ?? '/', 'http://x').pathname];
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const body = await readFile(new URL(file[0], import.meta.url));
    res.writeHead(200, {
      'content-type': file[1],
      'cache-control': 'no-store',
      // The page may load scripts from itself and any http(s) origin (the Gatehouse app it is pointed at).
      'content-security-policy': "default-src 'self'; script-src 'self' http: https:; connect-src 'self' http: https:; img-src 'self' http: https: data:; style-src 'self' 'unsafe-inline'",
      'referrer-policy': 'no-referrer',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  return server;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 4000);
  await startEmbedServer(port);
  console.log(`Embed example on http://localhost:${port} (point it at a Gatehouse app that allows this origin)`);
}
