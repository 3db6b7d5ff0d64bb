import { LRUCache } from 'lru-cache';

/** The part of a node-sqlite3 Statement the cache needs. */
export interface Finalizable {
  finalize(callback: (err: Error | null) => void): unknown;
}

interface Entry<S> {
  statement: Promise<S>;
  /** Calls that took the statement and have not finished with it. */
  users: number;
  /** Set once the entry is evicted: called when its last user is done. */
  unused?: () => void;
}

/**
 * A bounded, least-recently-used set of prepared statements, for SQL whose text varies with its
 * input (a search's shape). Each prepared statement holds memory in SQLite for the life of the
 * connection, so an unbounded map would grow with every new shape a client sends.
 *
 * An evicted statement is finalized once no call is using it: a call takes its statement, then
 * awaits the query hooks before stepping it, and a statement finalized in between would fail that
 * call with SQLITE_MISUSE.
 */
export class StatementCache<S extends Finalizable> {
  private readonly entries: LRUCache<string, Entry<S>>;
  /** Finalizations of evicted statements, some waiting for their last call to end. */
  private readonly retiring = new Set<Promise<void>>();

  constructor(max: number) {
    this.entries = new LRUCache<string, Entry<S>>({ max, dispose: (entry) => this.retire(entry) });
  }

  /** How many statements are cached (evicted ones still in use are not counted). */
  get size(): number {
    return this.entries.size;
  }

  /** Runs `work` with the statement for `sql`, prepared by `prepare` if it is not cached. */
  async use<T>(sql: string, prepare: () => Promise<S>, work: (statement: S) => Promise<T>): Promise<T> {
    let entry = this.entries.get(sql);
    if (!entry) {
      const added: Entry<S> = { statement: prepare(), users: 0 };
      this.entries.set(sql, added);
      // A statement that failed to prepare (its table not created yet) is tried again next time.
      added.statement.catch(() => {
        if (this.entries.peek(sql) === added) this.entries.delete(sql);
      });
      entry = added;
    }
    entry.users++;
    try {
      return await work(await entry.statement);
    } finally {
      entry.users--;
      if (entry.users === 0) entry.unused?.();
    }
  }

  /** Drops every statement; resolves once all are finalized, those in use once their calls end. */
  async clear(): Promise<void> {
    this.entries.clear();
    await Promise.all([...this.retiring]);
  }

  private retire(entry: Entry<S>): void {
    const finalized = new Promise<void>((resolve) => {
      entry.unused = resolve;
      if (entry.users === 0) resolve();
    }).then(() => finalize(entry.statement));
    this.retiring.add(finalized);
    void finalized.then(() => this.retiring.delete(finalized));
  }
}

/** Finalizes a statement; one that failed to prepare, or whose connection is gone, has nothing left to free. */
export async function finalize(pending: Promise<Finalizable>): Promise<void> {
  const statement = await pending.catch(() => null);
  if (statement) await new Promise<void>((resolve) => statement.finalize(() => resolve()));
}
