// Browser tests of the elements in Debian's Chromium (no browser download), against a real
// Gatehouse server. Run from the repo root: `npm run test:elements`.
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { gatehouseServer, typescriptPlugin } from './test/server/wtr-plugins.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const gatehouse = gatehouseServer();

export default {
  rootDir: join(here, '../..'),
  files: [join(here, 'test/**/*.test.ts')],
  nodeResolve: { exportConditions: ['development', 'browser'] },
  concurrency: 1,
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      },
    }),
  ],
  middleware: [gatehouse.middleware],
  plugins: [typescriptPlugin(), gatehouse.plugin],
  testFramework: { config: { timeout: 20000 } },
  testsFinishTimeout: 300000,
};
