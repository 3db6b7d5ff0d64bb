import type { Server } from 'node:http';

/** Starts the embed example's static server; resolves once listening (port 0 picks a free one). */
export function startEmbedServer(port?: number, host?: string): Promise<Server>;
