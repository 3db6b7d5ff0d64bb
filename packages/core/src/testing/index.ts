export { createMemoryStorage } from './memory-storage.js';
export { describeStorageConformance } from './conformance.js';
export { searchInMemory } from './memory-search.js';
