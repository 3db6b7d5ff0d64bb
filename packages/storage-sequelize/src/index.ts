export { createSequelizeStorage, type SequelizeStorage } from './sequelize-storage.js';
export { DEFAULTS, type Dialect, type SequelizeStorageOptions } from './options.js';
