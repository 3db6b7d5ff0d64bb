import type { LoginBlock, LoginBlockFilter, LoginBlockStore } from '../ports.js';

/** The reference login-block store, plus `forgetUser` for deleteUser (the SQL adapter cascades). */
export interface MemoryLoginBlockStore extends LoginBlockStore {
  forgetUser(userId: string): void;
}

const pairKey = (identifier: string, ip: string): string => JSON.stringify([identifier, ip]);

function matches(block: LoginBlock, filter: LoginBlockFilter): boolean {
  return (filter.identifier !== undefined && block.identifier === filter.identifier) || (filter.userId !== undefined && block.user_id === filter.userId);
}

/**
 * Brute-force blocks by (identifier, ip). Each method runs without an `await`, so on Node's single
 * thread "create unless one is in force" is atomic.
 */
export function createMemoryLoginBlockStore(assertOpen: () => void): MemoryLoginBlockStore {
  const blocks = new Map<string, LoginBlock>();
  const live = (block: LoginBlock | undefined, now: Date) => (block && block.expires_at.getTime() > now.getTime() ? block : undefined);
  const sorted = (list: LoginBlock[]) =>
    list.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    async createLoginBlock(block) {
      assertOpen();
      const key = pairKey(block.identifier, block.ip);
      if (live(blocks.get(key), block.created_at)) return false;
      blocks.set(key, structuredClone(block));
      return true;
    },
    async findLoginBlock(identifier, ip, now) {
      assertOpen();
      const block = live(blocks.get(pairKey(identifier, ip)), now);
      return block ? structuredClone(block) : null;
    },
    async listLoginBlocks(filter, now) {
      assertOpen();
      return sorted([...blocks.values()].filter((b) => live(b, now) && matches(b, filter)).map((b) => structuredClone(b)));
    },
    async deleteLoginBlocks(filter) {
      assertOpen();
      let removed = 0;
      for (const [key, block] of blocks) {
        if (matches(block, filter)) {
          blocks.delete(key);
          removed += 1;
        }
      }
      return removed;
    },
    async sweepLoginBlocks(now) {
      assertOpen();
      let removed = 0;
      for (const [key, block] of blocks) {
        if (!live(block, now)) {
          blocks.delete(key);
          removed += 1;
        }
      }
      return removed;
    },
    forgetUser(userId) {
      for (const [key, block] of blocks) if (block.user_id === userId) blocks.delete(key);
    },
  };
}
