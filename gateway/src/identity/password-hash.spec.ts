import { pbkdf2Sync } from 'node:crypto';
import { hashPassword, verifyPassword } from './password-hash.js';

describe('Keycloak PBKDF2 password credentials', () => {
  it('derives the RFC 7914 §11 PBKDF2-HMAC-SHA256 known answer (P="passwd", S="salt", c=1, 64 bytes)', async () => {
    const expected = '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783';
    const credential = { algorithm: 'pbkdf2-sha256', hashIterations: 1, salt: Buffer.from('salt').toString('base64'), value: Buffer.from(expected, 'hex').toString('base64') };
    await expect(verifyPassword('passwd', credential)).resolves.toBe(true);
    await expect(verifyPassword('passwd!', credential)).resolves.toBe(false);
  });

  it('takes the derived key size from the stored value, as Keycloak does (256-bit and 512-bit hashes both verify)', async () => {
    const salt = Buffer.from('0123456789abcdef');
    for (const bytes of [32, 64]) {
      const value = pbkdf2Sync('correct horse battery', salt, 1000, bytes, 'sha256').toString('base64');
      await expect(verifyPassword('correct horse battery', { algorithm: 'pbkdf2-sha256', hashIterations: 1000, salt: salt.toString('base64'), value })).resolves.toBe(true);
    }
  });

  it('verifies pbkdf2-sha512 credentials with SHA-512', async () => {
    const salt = Buffer.from('fedcba9876543210');
    const value = pbkdf2Sync('another password', salt, 10, 64, 'sha512').toString('base64');
    await expect(verifyPassword('another password', { algorithm: 'pbkdf2-sha512', hashIterations: 10, salt: salt.toString('base64'), value })).resolves.toBe(true);
  });

  it('hashes like Keycloak pbkdf2-sha256 (16-byte salt, 256-bit key, 27500 iterations) and verifies its own hashes', async () => {
    const credential = await hashPassword('a long demo password');
    expect(credential.algorithm).toBe('pbkdf2-sha256');
    expect(credential.hashIterations).toBe(27_500);
    expect(Buffer.from(credential.salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(credential.value, 'base64')).toHaveLength(32);
    await expect(verifyPassword('a long demo password', credential)).resolves.toBe(true);
    await expect(verifyPassword('a long demo passwore', credential)).resolves.toBe(false);
  });

  it('refuses an algorithm it cannot verify and an absurd iteration count, naming what it got', async () => {
    const base = { salt: 'c2FsdA==', value: 'AAAA' };
    await expect(verifyPassword('x', { ...base, algorithm: 'argon2', hashIterations: 1 })).rejects.toThrow('unsupported password hash algorithm "argon2"');
    await expect(verifyPassword('x', { ...base, algorithm: 'pbkdf2-sha256', hashIterations: 0 })).rejects.toThrow('expected 1..10000000 hash iterations, got 0');
  });
});
