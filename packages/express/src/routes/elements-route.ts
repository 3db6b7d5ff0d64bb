import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { GatehouseError } from '@gatehouse/core';
import { Router, type Request, type Response } from 'express';
import type { GatehouseContext } from '../context.js';

/** The built bundle as served: its bytes, a strong ETag, and the file time it was read at. */
interface Bundle {
  body: Buffer;
  etag: string;
  version: string;
  mtimeMs: number;
}

/** How long browsers may use `/elements.js` without asking again (a release changes it under the same URL). */
const MAX_AGE_SEC = 3600;
/** `/elements.js?v=<version>` names one build for good, so it may be kept for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Where @gatehouse/elements put its bundle, or null when the package (or its build) is not
 * there: express depends only on the built file, never on the elements' source.
 */
function bundlePath(): string | null {
  try {
    // require.resolve rather than import.meta.resolve: the same answer, and it also works where
    // this module runs transpiled to CommonJS (tsx under mocha), where import.meta.resolve is absent.
    return createRequire(import.meta.url).resolve('@gatehouse/elements/bundle');
  } catch {
    return null;
  }
}

/**
 * `GET <prefix>/elements.js`: the web components' ES module (Lit included), so a page can load
 * them from the app itself. The asset is public and the same for everyone, so unlike every other
 * auth answer it may be cached: `max-age` with a strong ETag (304 on revalidation), or immutable
 * when asked for by version (`?v=`, the ETag's value). It is also loadable from other origins
 * (the embed example: a module script is a CORS fetch, and helmet's same-origin CORP would block it).
 * When the bundle is not built, 404 and one log line that says how to build it.
 */
export function elementsRoute(gh: GatehouseContext): Router {
  const router = Router();
  let cached: Bundle | null = null;
  let warned = false;

  async function load(): Promise<Bundle | null> {
    const path = bundlePath();
    const info = path === null ? null : await stat(path).catch(() => null);
    if (path === null || info === null || !info.isFile()) return null;
    // Re-read only when the file changed (a rebuild while the app runs in development).
    if (cached?.mtimeMs !== info.mtimeMs) {
      const body = await readFile(path);
      const version = createHash('sha256').update(body).digest('base64url').slice(0, 22);
      cached = { body, etag: `"${version}"`, version, mtimeMs: info.mtimeMs };
    }
    return cached;
  }

  router.get('/elements.js', async (req: Request, res: Response) => {
    const bundle = await load();
    if (bundle === null) {
      if (!warned) {
        warned = true;
        gh.options.logger.warn(`[gatehouse] ${req.baseUrl}/elements.js: the @gatehouse/elements bundle is not built (run "npm run build -w @gatehouse/elements"); answering 404.`);
      }
      throw new GatehouseError('not_found', { message: 'The elements bundle is not built.' });
    }
    res.set({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': req.query.v === bundle.version ? IMMUTABLE : `public, max-age=${MAX_AGE_SEC}`,
      ETag: bundle.etag,
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.send(bundle.body);
  });

  return router;
}
