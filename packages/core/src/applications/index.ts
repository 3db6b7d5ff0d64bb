export * from './application.js';
export * from './application-ports.js';
export * from './callback-urls.js';
export * from './applications.js';
