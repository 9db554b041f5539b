import { createHash } from 'node:crypto';
import { verifyTypedData, Wallet } from 'ethers';
import { toBase64Url } from './bytes.js';
import { COMPARTMENTS } from './compartments.js';
import { derivePatientKeys } from './patient-keys.js';
import { buildStoreClaim, compartmentKeysHash, type StoreClaim, verifyStoreClaim } from './store-claim.js';
import { nobleX25519 } from './x25519.js';

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const ADDRESS = '0x9858EfFD232B4033E47d90003D41EC34EcaEda94';
const SIGNATURE = '0xf4b824384e8aa22451b0d9a53e7364e32fcb9b7635bdf654ff9bd9f92fea979f40af7799ee2715322e819b8ea0899c065e2df7a639dbc2e8c784dd46cf2f41e51b';
/** Compartment public keys of {@link ABANDON} in COMPARTMENTS order (patient-keys.spec.ts confirms them with node:crypto). */
const PUBLIC_KEYS = [
  'f240f7df28d9b1cc0d55323e5d5f805a97da7e512293043b148c46eb8edefe57',
  '75db92dc1762cdac4798ac023009dd0d17e5d3003083d1b4233ca47f2f15246b',
  '15917de0df5650a3427684dcbb40e2e79d6f53d67107e9f9c7f8beb1c940ca62',
  'ac61d7f04d9c1aab99bbaec8d9ab64cbc91b02ad2f8c447e72d4f5ccf7e02239',
  '4f09afa68aa72637c5840c0482c1507b7be06f634548a75f0afb702909b4e26e',
  '9eea6f3d29178b1d402fe0ea613d34956978a8914fd23a9a65bfe5ba0c9db930',
  '6006ac8e534cd3e32a219a40fc592f53ffc64aa63210a44cf90478bda1983439',
  '40f14c16f91acc198aa065dbe80458ccccc72d9f0d67e51bf100eb475eec1b3b',
];
const NOT_SIGNED = new TypeError('signature: the claim is not signed by its address (or was altered after signing)');

const keys = derivePatientKeys(ABANDON);
let claim: StoreClaim;
beforeAll(async () => {
  claim = await buildStoreClaim(keys, 'pat-kat', 'https://gateway.example', 1790000000);
});

describe('store claim', () => {
  it('signs the known-answer claim, which ethers reproduces from the mnemonic and node:crypto’s SHA-256', async () => {
    expect(claim).toEqual({
      patient: 'pat-kat',
      address: ADDRESS,
      compartmentKeys: Object.fromEntries(COMPARTMENTS.map((name, i) => [name, Buffer.from(PUBLIC_KEYS[i]!, 'hex').toString('base64url')])),
      gateway: 'https://gateway.example',
      issuedAt: 1790000000,
      signature: SIGNATURE,
    });
    // EIP-712, written out here rather than imported, so the spec pins the format the portal and wallets see.
    const domain = { name: 'FHIR Gateway patient store', version: '1' };
    const types = { StoreClaim: [{ name: 'patient', type: 'string' }, { name: 'compartmentKeysHash', type: 'bytes32' }, { name: 'gateway', type: 'string' }, { name: 'issuedAt', type: 'uint64' }] };
    const keysHash = `0x${createHash('sha256').update(Buffer.from(PUBLIC_KEYS.join(''), 'hex')).digest('hex')}`;
    expect(compartmentKeysHash(claim.compartmentKeys)).toBe(keysHash);
    const message = { patient: 'pat-kat', compartmentKeysHash: keysHash, gateway: 'https://gateway.example', issuedAt: 1790000000 };
    expect(await Wallet.fromPhrase(ABANDON).signTypedData(domain, types, message)).toBe(SIGNATURE);
    expect(verifyTypedData(domain, types, message, SIGNATURE)).toBe(ADDRESS);
  });

  it('verifies its own claim and returns the address and the decoded compartment keys', () => {
    const verified = verifyStoreClaim(claim);
    expect(verified.address).toBe(ADDRESS);
    expect(COMPARTMENTS.map((name) => Buffer.from(verified.publicKeys[name]).toString('hex'))).toEqual(PUBLIC_KEYS);
  });

  it('accepts the address in lower case (the signature, not the spelling, is what counts)', () => {
    expect(verifyStoreClaim({ ...claim, address: ADDRESS.toLowerCase() }).address).toBe(ADDRESS);
  });

  it.each([
    ['patient', { patient: 'pat-other' }],
    ['gateway', { gateway: 'https://other.example' }],
    ['issuedAt', { issuedAt: 1790000001 }],
    ['address', { address: Wallet.createRandom().address }],
  ])('refuses a claim whose %s was altered after signing', (_, change) => {
    expect(() => verifyStoreClaim({ ...claim, ...change })).toThrow(NOT_SIGNED);
  });

  it.each(COMPARTMENTS.map((name) => [name]))('refuses a claim whose %s key was replaced after signing', (name) => {
    const replaced = { ...claim.compartmentKeys, [name]: toBase64Url(nobleX25519.generateKeyPair().publicKey) };
    expect(() => verifyStoreClaim({ ...claim, compartmentKeys: replaced })).toThrow(NOT_SIGNED);
  });

  it('refuses a claim signed by another key than its address', async () => {
    const other = derivePatientKeys(Wallet.createRandom().mnemonic!.phrase);
    const forged = await buildStoreClaim({ ...other, compartments: keys.compartments }, 'pat-kat', 'https://gateway.example', 1790000000);
    expect(() => verifyStoreClaim({ ...forged, address: ADDRESS })).toThrow(NOT_SIGNED);
  });

  it.each(['0x1234', 'not hex', `${SIGNATURE}00`, ''])('refuses the malformed signature %j', (signature) => {
    expect(() => verifyStoreClaim({ ...claim, signature })).toThrow(new TypeError('signature: expected a 65-byte EIP-712 signature of the claim, got one that does not parse'));
  });

  it('refuses an address that is not one', () => {
    expect(() => verifyStoreClaim({ ...claim, address: '0x1234' })).toThrow(new TypeError('address: expected an Ethereum address'));
  });

  it('names a compartment key of the wrong length, a missing one and one that is not base64url', () => {
    const shortKey = toBase64Url(new Uint8Array(31).fill(7));
    expect(() => verifyStoreClaim({ ...claim, compartmentKeys: { ...claim.compartmentKeys, labs: shortKey } })).toThrow(new TypeError('compartmentKeys.labs: expected a 32-byte X25519 public key, got 31 bytes'));
    const { vitals: _, ...withoutVitals } = claim.compartmentKeys;
    expect(() => verifyStoreClaim({ ...claim, compartmentKeys: withoutVitals as StoreClaim['compartmentKeys'] })).toThrow(new TypeError('compartmentKeys.vitals: expected a base64url X25519 public key, got nothing'));
    expect(() => verifyStoreClaim({ ...claim, compartmentKeys: { ...claim.compartmentKeys, documents: 'a+b/' } })).toThrow(new TypeError('compartmentKeys.documents: expected base64url, got 4 characters that are not'));
  });

  it('refuses a correctly signed claim that hands over a small-order compartment key', async () => {
    const zero = { secretKey: new Uint8Array(32), publicKey: new Uint8Array(32) };
    const signed = await buildStoreClaim({ ...keys, compartments: { ...keys.compartments, 'ai-results': zero } }, 'pat-kat', 'https://gateway.example', 1790000000);
    expect(() => verifyStoreClaim(signed)).toThrow(new TypeError('compartmentKeys.ai-results: expected an X25519 public key of large order, got a small-order point'));
  });

  it.each([
    [{ patient: '' }, 'patient: expected a non-empty string, got an empty one'],
    [{ gateway: 42 }, 'gateway: expected a non-empty string, got number'],
    [{ issuedAt: -1 }, 'issuedAt: expected a non-negative integer of Unix seconds, got -1'],
    [{ issuedAt: 1.5 }, 'issuedAt: expected a non-negative integer of Unix seconds, got 1.5'],
    [{ issuedAt: '1790000000' }, 'issuedAt: expected a non-negative integer of Unix seconds, got string'],
    [{ compartmentKeys: null }, 'compartmentKeys: expected an object of base64url X25519 public keys, got null'],
  ])('names a malformed field before looking at the signature: %j', (change, message) => {
    expect(() => verifyStoreClaim({ ...claim, ...(change as Partial<StoreClaim>) })).toThrow(new TypeError(message));
  });
});
