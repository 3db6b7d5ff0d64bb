// Builds the one ES module pages load (Lit included, minified) and the custom-elements manifest.
// `npm run build -w @gatehouse/elements`; the typed library (dist/*.js, *.d.ts) comes from `tsc -b`.
import { execFileSync } from 'node:child_process';
import process from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [join(root, 'src/index.ts')],
  outfile: join(root, 'dist/gatehouse-elements.js'),
  bundle: true,
  format: 'esm',
  minify: true,
  // Chromium, Firefox and Safari of the last two years: native class fields and private methods;
  // decorators are lowered (no browser runs them natively yet).
  target: ['es2022'],
  // Lit's production build (no dev-mode warnings).
  conditions: ['production'],
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
});

execFileSync(process.execPath, [
  join(root, '../../node_modules/@custom-elements-manifest/analyzer/cem.js'),
  'analyze', '--litelement', '--globs', 'src/*.ts', '--exclude', 'src/index.ts', '--outdir', '.',
], { cwd: root, stdio: 'inherit' });
