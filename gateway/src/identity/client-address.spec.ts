import type { IncomingMessage } from 'node:http';
import { clientAddress } from './client-address.js';

const request = (remoteAddress: string | undefined, forwarded?: string | string[]) =>
  ({ socket: { remoteAddress }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

describe('the client address a password check is throttled by', () => {
  it('is the socket peer without a trusted proxy, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(request('192.0.2.10', '203.0.113.9'), false)).toBe('192.0.2.10');
  });

  it('is the entry the trusted proxy appended last, not one the client put in front', () => {
    expect(clientAddress(request('127.0.0.1', '203.0.113.9, 198.51.100.4'), true)).toBe('198.51.100.4');
    expect(clientAddress(request('127.0.0.1', ['203.0.113.9', '198.51.100.5']), true)).toBe('198.51.100.5');
  });

  it('falls back to the socket peer when the proxy sent no X-Forwarded-For', () => {
    expect(clientAddress(request('127.0.0.1'), true)).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', ' , '), true)).toBe('127.0.0.1');
  });

  it('names an IPv4 client the same on a dual-stack socket', () => {
    expect(clientAddress(request('::ffff:192.0.2.10'), false)).toBe('192.0.2.10');
    expect(clientAddress(request('::1'), false)).toBe('::1');
    expect(clientAddress(request(undefined), false)).toBe('unknown');
  });
});
