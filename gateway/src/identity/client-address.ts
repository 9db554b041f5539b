import type { IncomingMessage } from 'node:http';

/**
 * The address a request came from, for brute-force throttling. Without a trusted proxy it is the socket's peer.
 * Behind the gateway's TLS-terminating proxy (trusted in production) it is the last X-Forwarded-For entry, the one
 * that proxy appended: entries before it are whatever the client sent and could be forged to dodge the limit.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  const forwarded = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  // Cut to the longest textual IPv6 address (45 characters) with room to spare: it keys an in-memory map.
  const address = (hops.at(-1) ?? peer).slice(0, 64);
  // The same IPv4 client reaches a dual-stack socket as ::ffff:a.b.c.d.
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
