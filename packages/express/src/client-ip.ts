import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/**
 * The client address under the configured proxy trust. X-Forwarded-For is believed only from
 * trusted hops, so a client cannot pick its own IP (which would defeat rate limits and audit).
 */
export function clientIpResolver(trust: boolean | number | string | string[]): (req: IncomingMessage) => string {
  const fn = compileTrust(trust);
  return (req) => proxyAddr(req, fn);
}

function compileTrust(trust: boolean | number | string | string[]): (addr: string, i: number) => boolean {
  if (trust === true) return () => true;
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_addr, i) => i < trust;
  const list = typeof trust === 'string' ? trust.split(',').map((s) => s.trim()) : trust;
  return proxyAddr.compile(list);
}
