import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { QueryTypes } from 'sequelize';
import { createSequelizeStorage } from '../src/index.js';
import { requireTestDatabase, testDatabaseKind, testDatabaseUrl } from '../../../test/support/test-database.js';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A port that accepts TCP connections and never says a word, like a firewalled or hung server. */
async function silentPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('an unreachable database', function () {
  this.timeout(15_000);

  for (const scheme of ['postgres', 'mysql'] as const) {
    it(`rejects ${scheme} calls with storage_unavailable when nothing listens`, async () => {
      const storage = createSequelizeStorage({ url: `${scheme}://gatehouse@127.0.0.1:${await closedPort()}/test` });
      try {
        await assert.rejects(storage.migrate(), { code: 'storage_unavailable' });
        await assert.rejects(storage.getUser('auth0|x'), { code: 'storage_unavailable' });
        assert.equal(await storage.ping?.(), false);
      } finally {
        await storage.close();
      }
    });

    it(`rejects ${scheme} calls with storage_unavailable within the connect timeout when the server hangs`, async () => {
      const silent = await silentPort();
      const storage = createSequelizeStorage({ url: `${scheme}://gatehouse@127.0.0.1:${silent.port}/test`, connectTimeoutMs: 500 });
      const started = Date.now();
      try {
        await assert.rejects(storage.countUsers(), { code: 'storage_unavailable' });
        assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
      } finally {
        await storage.close();
        await silent.close();
      }
    });
  }
});

describe(`a ${testDatabaseKind()} connection killed under the storage`, function () {
  this.timeout(30_000);
  const kind = testDatabaseKind();
  let url: string;

  before(async function () {
    // SQLite is a file in this process: there is no server connection to kill. The PostgreSQL and
    // MariaDB runs of .ci/run cover this case.
    if (kind === 'sqlite') this.skip();
    url = await testDatabaseUrl(kind);
    await requireTestDatabase(this, url);
  });

  it('fails the calls on dead connections with storage_unavailable, then reconnects without a restart', async () => {
    const storage = createSequelizeStorage({ url });
    const admin = createSequelizeStorage({ url });
    try {
      await storage.migrate();
      // Open five pooled connections (concurrent transactions each hold their own), note their
      // server ids, and have the server end exactly those: other users of a shared database are left alone.
      const idQuery = kind === 'postgres' ? 'SELECT pg_backend_pid() AS id' : 'SELECT CONNECTION_ID() AS id';
      const ids = await Promise.all(
        Array.from({ length: 5 }, () =>
          storage.sequelize.transaction(async (transaction) => {
            const [row] = await storage.sequelize.query<{ id: number }>(idQuery, { type: QueryTypes.SELECT, transaction });
            await new Promise((resolve) => setTimeout(resolve, 50));
            return Number(row?.id);
          }),
        ),
      );
      assert.equal(new Set(ids).size, 5);
      for (const id of ids) {
        await admin.sequelize.query(kind === 'postgres' ? `SELECT pg_terminate_backend(${id})` : `KILL ${id}`);
      }
      let recovered = false;
      for (let attempt = 0; attempt < 12 && !recovered; attempt += 1) {
        try {
          await storage.countUsers();
          recovered = true;
        } catch (err) {
          assert.equal((err as { code?: unknown }).code, 'storage_unavailable');
        }
      }
      assert.ok(recovered, 'the storage did not reconnect');
    } finally {
      await storage.close();
      await admin.close();
    }
  });
});
