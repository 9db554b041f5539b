import { createPrivateKey, createPublicKey, hkdfSync } from 'node:crypto';
import { Mnemonic, Wallet } from 'ethers';
import { toHex } from './bytes.js';
import { COMPARTMENTS } from './compartments.js';
import { compartmentKeyInfo, derivePatientKeys, ETHEREUM_PATH, newMnemonic, normalizeMnemonic, wipePatientKeys } from './patient-keys.js';

/** The BIP-39 test mnemonic of all-zero entropy. */
const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

/** Compartment secret / public keys of {@link ABANDON}, computed by the lead and confirmed below with node:crypto. */
const COMPARTMENT_VECTORS = {
  demographics: ['136fa007078f65cd2f815b840aa5cf3e47be73f3207dcbd2391c67f4fe3dab34', 'f240f7df28d9b1cc0d55323e5d5f805a97da7e512293043b148c46eb8edefe57'],
  vitals: ['0b6d55129d968089a4b53d9edcdc525c13c6820b9ddbeb146d9ac25e9ef13e56', '75db92dc1762cdac4798ac023009dd0d17e5d3003083d1b4233ca47f2f15246b'],
  labs: ['856db1bc56c142ae3a64b74100125852f51e4755c048f99d45c1235b4651738a', '15917de0df5650a3427684dcbb40e2e79d6f53d67107e9f9c7f8beb1c940ca62'],
  conditions: ['a39daad642549b624372cc83fc40d2c0f5b5ef46b8b2c8ffd84b55802ba666b3', 'ac61d7f04d9c1aab99bbaec8d9ab64cbc91b02ad2f8c447e72d4f5ccf7e02239'],
  medications: ['5e25f9b835b7d0a9390596637b70966168a8e3afbd3eca0f8e068f07fc793626', '4f09afa68aa72637c5840c0482c1507b7be06f634548a75f0afb702909b4e26e'],
  encounters: ['ede936d5e984c9f66ec30466436fb34372e6b60f01a72dfdbbeb087675746e95', '9eea6f3d29178b1d402fe0ea613d34956978a8914fd23a9a65bfe5ba0c9db930'],
  documents: ['ac184ca0bdcf23ee7b02c69f88d0bcb4ede0e47a7ed0d0544cf62a812c18a419', '6006ac8e534cd3e32a219a40fc592f53ffc64aa63210a44cf90478bda1983439'],
  'ai-results': ['0cf719757d87d3c1b01be207560b162229469ede171ec35227dc5cd701a6fb44', '40f14c16f91acc198aa065dbe80458ccccc72d9f0d67e51bf100eb475eec1b3b'],
} as const;

const BAD_MNEMONIC = (words: number): TypeError => new TypeError(`expected a BIP-39 English mnemonic of 12 to 24 words with a valid checksum, got ${words} words that are not`);

/** node:crypto's X25519 public key of a raw secret: a private JWK needs `x`, but Node derives the key from `d` alone. */
function nodePublicKeyOf(secretKey: Buffer): string {
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: secretKey.toString('base64url'), x: Buffer.alloc(32).toString('base64url') }, format: 'jwk' });
  return Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x!, 'base64url').toString('hex');
}

describe('patient keys', () => {
  it('derives the signing key and address that ethers.Wallet.fromPhrase derives at m/44\'/60\'/0\'/0/0', () => {
    const keys = derivePatientKeys(ABANDON);
    expect(keys.address).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94');
    expect(keys.signingKey).toBe('0x1ab42cc412b618bdea3a599e3c9bae199ebf030895b039e9db1e30dafb12b727');
    const wallet = Wallet.fromPhrase(ABANDON);
    expect(wallet.path).toBe(ETHEREUM_PATH);
    expect({ address: keys.address, signingKey: keys.signingKey }).toEqual({ address: wallet.address, signingKey: wallet.privateKey });
  });

  it('derives each compartment key pair by HKDF-SHA256 of the BIP-39 seed, as node:crypto computes it', () => {
    const keys = derivePatientKeys(ABANDON);
    const seed = Buffer.from(Mnemonic.fromPhrase(ABANDON).computeSeed().slice(2), 'hex');
    expect(Object.keys(COMPARTMENT_VECTORS)).toEqual([...COMPARTMENTS]);
    for (const name of COMPARTMENTS) {
      const [secret, publicKey] = COMPARTMENT_VECTORS[name];
      const nodeSecret = Buffer.from(hkdfSync('sha256', seed, Buffer.alloc(0), `fhir-gateway/compartment/${name}/v1`, 32));
      expect({ name, secret: toHex(keys.compartments[name].secretKey), publicKey: toHex(keys.compartments[name].publicKey) }).toEqual({ name, secret, publicKey });
      expect({ name, secret: nodeSecret.toString('hex'), publicKey: nodePublicKeyOf(nodeSecret) }).toEqual({ name, secret, publicKey });
    }
  });

  it('labels each compartment key with its name and a version (design.md §2.1)', () => {
    expect(compartmentKeyInfo('ai-results')).toBe('fhir-gateway/compartment/ai-results/v1');
  });

  it('matches ethers for a fresh 24-word mnemonic as well', () => {
    const mnemonic = newMnemonic();
    expect(mnemonic.split(' ')).toHaveLength(24);
    expect(Mnemonic.isValidMnemonic(mnemonic)).toBe(true);
    expect(derivePatientKeys(mnemonic).address).toBe(Wallet.fromPhrase(mnemonic).address);
  });

  it('generates a different mnemonic each time', () => {
    expect(newMnemonic()).not.toBe(newMnemonic());
  });

  it('normalizes spacing and case, so a mnemonic typed loosely yields the same keys', () => {
    const loose = `  ${ABANDON.toUpperCase().replace(/ /g, ' \t ')}\n`;
    expect(normalizeMnemonic(loose)).toBe(ABANDON);
    expect(derivePatientKeys(loose).address).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94');
  });

  it('refuses a mnemonic with a bad checksum, naming its word count but never its words', () => {
    const badChecksum = Array(12).fill('abandon').join(' ');
    expect(() => derivePatientKeys(badChecksum)).toThrow(BAD_MNEMONIC(12));
    expect(() => normalizeMnemonic(badChecksum)).toThrow(BAD_MNEMONIC(12));
  });

  it.each([
    ['a word outside the English list', ABANDON.replace('about', 'aboot'), 12],
    ['eleven words', ABANDON.split(' ').slice(1).join(' '), 11],
    ['nothing but spaces', '   ', 0],
  ])('refuses %s', (_, mnemonic, words) => {
    expect(() => normalizeMnemonic(mnemonic)).toThrow(BAD_MNEMONIC(words));
  });

  it('wipes every compartment secret key and leaves the public keys', () => {
    const keys = derivePatientKeys(ABANDON);
    wipePatientKeys(keys);
    for (const name of COMPARTMENTS) {
      expect(keys.compartments[name].secretKey).toEqual(new Uint8Array(32));
      expect(toHex(keys.compartments[name].publicKey)).toBe(COMPARTMENT_VECTORS[name][1]);
    }
  });
});
