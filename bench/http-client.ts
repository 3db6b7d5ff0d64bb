/**
 * The load generator's POST for the login benchmark: node:http over kept-alive sockets. It runs
 * in the benchmark's own process on the same cores as the server and the hashes, so it should cost
 * little; fetch (undici's WHATWG streams, Request/Response objects) cost several times more CPU per
 * request than this, and that CPU was taken from hashing on a 2-core machine.
 */
import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  body: string;
}

export function httpClient(maxSockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    post(url: string, headers: Record<string, string>, body: string): Promise<Answer> {
      return new Promise((resolve, reject) => {
        const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
