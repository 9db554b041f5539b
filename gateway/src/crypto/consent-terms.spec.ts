import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AbiCoder, concat, id, keccak256, recoverAddress, Signature, solidityPackedKeccak256, toUtf8Bytes, TypedDataEncoder, Wallet, ZeroAddress } from 'ethers';
import {
  canonicalScope,
  CONSENT_PURPOSES,
  consentDomain,
  consentIdOf,
  EMERGENCY_GRANTEE_REFERENCE,
  granteeId,
  GRANT_TYPES,
  type GrantTypedData,
  grantTypedData,
  isConsentPurpose,
  parseScope,
  parseTypedData,
  purposeId,
  purposeOf,
  recoverConsentSigner,
  REVOKE_TYPES,
  revokeTypedData,
  scopeHash,
  signConsentTypedData,
} from './consent-terms.js';
import { derivePatientKeys } from './patient-keys.js';

/**
 * Known answers of the consent terms, each re-derived here without the code under test: keccak256 through ethers'
 * `solidityPackedKeccak256` and `AbiCoder` (the encodings the contract uses), SHA-256 through node:crypto, and the
 * EIP-712 digest written out as ConsentRegistry computes it (typehash, abi.encode, 0x1901 || domain || struct).
 */

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const ADDRESS = '0x9858EfFD232B4033E47d90003D41EC34EcaEda94';
const ISSUER = 'http://localhost:8080/auth/realms/fhir-gateway';
const REGISTRY = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const GRANTEE = '0xcc5b7f9845d701335c3b4715f79125d4e9b0da55aa2072f54377aac026a7f74e';
const EMERGENCY_GRANTEE = '0xe0db0924e360271735b75a2798628ad02210b1e55859693586b461d45f014b1b';
const SCOPE = '{"compartments":["labs","vitals"],"models":["ckd-epi@2021","pce"],"v":1}';
const SCOPE_HASH = '0x99713a2207087c2999d94c6d2bc2f4a71c57e95da89099837b582acf780e33b6';
const DIAGNOSIS = '0x444941474e4f5349530000000000000000000000000000000000000000000000';
const CONSENT_ID = '0x5ae5fea9a15b5e5a18fc399a042f8e9347e4081c0f29795fdd0d50978cf6824c';
const GRANT_DIGEST = '0xd481d4c999a98f0580035ecb5fe8f37591cda84002841b64e7407dab5cedb010';
const GRANT_SIGNATURE = '0x654747e5eff0e2d63885f4fdf31bb65f750ed312fa4e384d0df602c77e3de24d7df7d8acae2a2ecda90eaa1d548961e5e80887695ee9acb929119c32d945967d1b';
const REVOKE_DIGEST = '0xb16d0acce9fc2ebc663ef8d3d26c697854113e7c39195b3c4f957fb55b725d8a';
const REVOKE_SIGNATURE = '0x7cc13e3eb54b5f8d7a88864d4fddd3a6261c4f3752a38043a6d05521e4547b7a206f7dfb5a2de0b50261bb6595d989872fec169a2e80abf0cccc5947378e637c1c';

/** The type strings of ConsentRegistry's GRANT_TYPEHASH and REVOKE_TYPEHASH, written out. */
const GRANT_TYPE = 'Grant(address patient,bytes32 grantee,bytes32 purpose,bytes32 scopeHash,uint64 notBefore,uint64 notAfter,uint256 nonce,uint256 deadline)';
const REVOKE_TYPE = 'Revoke(bytes32 consentId,uint256 nonce,uint256 deadline)';
const DOMAIN_TYPE = 'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';

const GRANT = { patient: ADDRESS, grantee: GRANTEE, purpose: DIAGNOSIS, scopeHash: SCOPE_HASH, notBefore: 1790000000, notAfter: 1792592000, nonce: '0', deadline: '1790003600' };
const REVOKE = { consentId: CONSENT_ID, nonce: '1', deadline: '1790100000' };
const DOMAIN = { name: 'ConsentRegistry', version: '1', chainId: 31337, verifyingContract: REGISTRY };
const grant = (): GrantTypedData => grantTypedData(consentDomain(31337, REGISTRY), GRANT);

const abi = AbiCoder.defaultAbiCoder();
/** EIP-712 §"Definition of domainSeparator" as OpenZeppelin's EIP712 computes it. */
const domainSeparator = keccak256(abi.encode(['bytes32', 'bytes32', 'bytes32', 'uint256', 'address'], [id(DOMAIN_TYPE), id('ConsentRegistry'), id('1'), 31337, REGISTRY]));
const digestOf = (structHash: string): string => keccak256(concat(['0x1901', domainSeparator, structHash]));

/** What `fn` threw, as its class name and message: comparable with toEqual, which ignores an error's class. */
function failure(fn: () => unknown): { type: string; message: string } {
  try {
    fn();
  } catch (error) {
    return { type: (error as Error).constructor.name, message: (error as Error).message };
  }
  throw new Error('expected a throw');
}

describe('purposes', () => {
  it.each(CONSENT_PURPOSES.map((code) => [code]))('encodes %s as its UTF-8 right-padded to 32 bytes and decodes it back', (code) => {
    const expected = `0x${Buffer.from(code, 'utf8').toString('hex').padEnd(64, '0')}`;
    expect(purposeId(code)).toBe(expected);
    expect(purposeOf(expected)).toBe(code);
    expect(purposeOf(expected.toUpperCase().replace('0X', '0x'))).toBe(code);
    expect(isConsentPurpose(code)).toBe(true);
  });

  it('gives DIAGNOSIS the known answer and EMERGENCY the bytes32("EMERGENCY") of ConsentRegistry.EMERGENCY_PURPOSE', () => {
    expect(purposeId('DIAGNOSIS')).toBe(DIAGNOSIS);
    expect(purposeId('EMERGENCY')).toBe('0x454d455247454e43590000000000000000000000000000000000000000000000');
  });

  it('decodes any other value to undefined, including the keccak of a code and malformed hex', () => {
    for (const other of [id('TREATMENT'), purposeId('TREATMENT').slice(0, 64), 'TREATMENT', '', `0x${'00'.repeat(32)}`]) expect(purposeOf(other)).toBeUndefined();
    expect(isConsentPurpose('treatment')).toBe(false);
  });

  it('refuses to encode an unknown purpose', () => {
    expect(() => purposeId('BILLING' as never)).toThrow(new TypeError('purpose: expected one of TREATMENT, DIAGNOSIS, RESEARCH, EMERGENCY, got "BILLING"'));
  });
});

describe('grantee ids', () => {
  it('hashes "fhir-gateway/grantee/v1" 0x00 issuer 0x00 reference with keccak256, as solidityPacked re-derives it', () => {
    const packed = (ref: string): string => solidityPackedKeccak256(['string', 'bytes1', 'string', 'bytes1', 'string'], ['fhir-gateway/grantee/v1', '0x00', ISSUER, '0x00', ref]);
    expect(granteeId(ISSUER, 'user:dr-chen')).toBe(GRANTEE);
    expect(packed('user:dr-chen')).toBe(GRANTEE);
    expect(EMERGENCY_GRANTEE_REFERENCE).toBe('role:clinician');
    expect(granteeId(ISSUER, EMERGENCY_GRANTEE_REFERENCE)).toBe(EMERGENCY_GRANTEE);
    expect(packed('role:clinician')).toBe(EMERGENCY_GRANTEE);
  });

  it('gives another id for another issuer or another reference', () => {
    expect(granteeId('https://keycloak.example/realms/fhir-gateway', 'user:dr-chen')).not.toBe(GRANTEE);
    expect(granteeId(ISSUER, 'client:dr-chen')).not.toBe(GRANTEE);
  });

  it('refuses an empty part or one with NUL, which would let two pairs share an id', () => {
    expect(() => granteeId('', 'user:a')).toThrow(new TypeError('issuer: expected a non-empty string without NUL, got ""'));
    expect(() => granteeId(ISSUER, 'user:a\0b')).toThrow(new TypeError('reference: expected a non-empty string without NUL, got "user:a\\u0000b"'));
  });
});

describe('scope', () => {
  it('canonicalizes to RFC 8785 JSON with sorted, unique arrays, whose SHA-256 node:crypto reproduces', () => {
    expect(canonicalScope({ compartments: ['vitals', 'labs', 'vitals'], models: ['pce', 'ckd-epi@2021', 'pce'] })).toBe(SCOPE);
    expect(canonicalScope({ compartments: ['labs', 'vitals'], models: ['ckd-epi@2021', 'pce'] })).toBe(SCOPE);
    expect(scopeHash(SCOPE)).toBe(SCOPE_HASH);
    expect(`0x${createHash('sha256').update(SCOPE, 'utf8').digest('hex')}`).toBe(SCOPE_HASH);
  });

  it('sorts compartments by code unit, not in COMPARTMENTS order, and allows no models', () => {
    expect(canonicalScope({ compartments: ['vitals', 'demographics', 'ai-results'], models: [] })).toBe('{"compartments":["ai-results","demographics","vitals"],"models":[],"v":1}');
  });

  it('parses canonical scope JSON back to its compartments and models', () => {
    expect(parseScope(SCOPE)).toEqual({ compartments: ['labs', 'vitals'], models: ['ckd-epi@2021', 'pce'] });
  });

  it.each([
    ['unsorted compartments', '{"compartments":["vitals","labs"],"models":["ckd-epi@2021","pce"],"v":1}'],
    ['a duplicate model', '{"compartments":["labs","vitals"],"models":["ckd-epi@2021","pce","pce"],"v":1}'],
    ['whitespace', '{"compartments": ["labs","vitals"],"models":["ckd-epi@2021","pce"],"v":1}'],
    ['unsorted keys', '{"models":["ckd-epi@2021","pce"],"compartments":["labs","vitals"],"v":1}'],
    ['an escaped letter', '{"compartments":["\\u006cabs","vitals"],"models":["ckd-epi@2021","pce"],"v":1}'],
    ['v written as 1.0', '{"compartments":["labs","vitals"],"models":["ckd-epi@2021","pce"],"v":1.0}'],
    ['a trailing newline', `${SCOPE}\n`],
  ])('refuses scope JSON that is not canonical: %s', (_, json) => {
    expect(failure(() => parseScope(json))).toEqual({ type: 'TypeError', message: 'scope: expected canonical JSON (RFC 8785)' });
  });

  it.each([
    ['not JSON', '{compartments', 'scope: expected JSON, got text that does not parse'],
    ['an array', '[]', 'scope: expected an object, got an array'],
    ['an extra key', '{"compartments":["labs"],"models":[],"types":[],"v":1}', 'scope: expected exactly the keys compartments, models, v, got compartments, models, types, v'],
    ['a missing key', '{"compartments":["labs"],"v":1}', 'scope: expected exactly the keys compartments, models, v, got compartments, v'],
    ['another version', '{"compartments":["labs"],"models":[],"v":2}', 'scope.v: expected 1, got number 2'],
    ['compartments not an array', '{"compartments":"labs","models":[],"v":1}', 'scope.compartments: expected an array, got "labs"'],
    ['no compartment', '{"compartments":[],"models":[],"v":1}', 'scope.compartments: expected at least one compartment, got none'],
    ['an unknown compartment', '{"compartments":["genomics"],"models":[],"v":1}', 'scope.compartments[0]: expected one of demographics, vitals, labs, conditions, medications, encounters, documents, ai-results, got "genomics"'],
    ['an upper-case model id', '{"compartments":["labs"],"models":["CKD"],"v":1}', 'scope.models[0]: expected a model id ([a-z0-9-], 1 to 64, optionally @version), got "CKD"'],
    ['a model id that is a number', '{"compartments":["labs"],"models":[7],"v":1}', 'scope.models[0]: expected a model id ([a-z0-9-], 1 to 64, optionally @version), got number 7'],
  ])('names what is wrong with a scope that has %s', (_, json, message) => {
    expect(failure(() => parseScope(json))).toEqual({ type: 'TypeError', message });
  });

  it('takes model ids of 1 to 64 characters starting with a letter or digit, pinned to versions of 1 to 32', () => {
    const ok = ['a', 'x'.repeat(64), 'pce@2013', `ckd-epi@${'v'.repeat(32)}`, 'wdbc-logreg@1.0.0_rc-1', '0-model'];
    expect(JSON.parse(canonicalScope({ compartments: ['labs'], models: ok })).models).toEqual([...ok].sort());
    for (const bad of ['-pce', 'x'.repeat(65), 'pce@', `pce@${'v'.repeat(33)}`, 'pce@1/2', 'pce@1@2', 'p_ce', '']) {
      expect(() => canonicalScope({ compartments: ['labs'], models: [bad] })).toThrow(`scope.models[0]: expected a model id ([a-z0-9-], 1 to 64, optionally @version), got ${JSON.stringify(bad)}`);
    }
  });

  it('takes at most 16 distinct model ids (duplicates count once)', () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => `m${i}`);
    expect(() => canonicalScope({ compartments: ['labs'], models: [...sixteen, 'm0'] })).not.toThrow();
    expect(() => canonicalScope({ compartments: ['labs'], models: [...sixteen, 'm16'] })).toThrow(new TypeError('scope.models: expected at most 16 distinct model ids, got 17'));
  });
});

describe('EIP-712 typed data of ConsentRegistry', () => {
  it('has the type strings of GRANT_TYPEHASH and REVOKE_TYPEHASH, as written in contracts/ConsentRegistry.sol', () => {
    expect(TypedDataEncoder.from(GRANT_TYPES).encodeType('Grant')).toBe(GRANT_TYPE);
    expect(TypedDataEncoder.from(REVOKE_TYPES).encodeType('Revoke')).toBe(REVOKE_TYPE);
    expect(keccak256(toUtf8Bytes(TypedDataEncoder.from(GRANT_TYPES).encodeType('Grant')))).toBe(keccak256(toUtf8Bytes(GRANT_TYPE)));
    const source = readFileSync(new URL('../../../contracts/ConsentRegistry.sol', import.meta.url), 'utf8');
    expect(source).toMatch(new RegExp(`GRANT_TYPEHASH = keccak256\\(\\s*"${GRANT_TYPE.replace(/[()]/g, '\\$&')}"\\s*\\)`));
    expect(source).toMatch(new RegExp(`REVOKE_TYPEHASH = keccak256\\(\\s*"${REVOKE_TYPE.replace(/[()]/g, '\\$&')}"\\s*\\)`));
  });

  it('builds the grant whose struct hash and digest are those the contract computes, and ethers TypedDataEncoder agrees', () => {
    const typed = grant();
    expect(typed).toEqual({ domain: DOMAIN, types: GRANT_TYPES, primaryType: 'Grant', message: GRANT });
    // keccak256(abi.encode(GRANT_TYPEHASH, patient, grantee, purpose, scopeHash, notBefore, notAfter, nonce, deadline))
    const structHash = keccak256(
      abi.encode(['bytes32', 'address', 'bytes32', 'bytes32', 'bytes32', 'uint64', 'uint64', 'uint256', 'uint256'], [id(GRANT_TYPE), ADDRESS, GRANTEE, DIAGNOSIS, SCOPE_HASH, 1790000000, 1792592000, 0, 1790003600]),
    );
    expect(TypedDataEncoder.hashStruct('Grant', GRANT_TYPES, typed.message)).toBe(structHash);
    expect(TypedDataEncoder.hashDomain(typed.domain)).toBe(domainSeparator);
    expect(digestOf(structHash)).toBe(GRANT_DIGEST);
    expect(TypedDataEncoder.hash(typed.domain, typed.types, typed.message)).toBe(GRANT_DIGEST);
  });

  it('builds the revocation whose digest is the contract’s', () => {
    const typed = revokeTypedData(consentDomain(31337, REGISTRY), { consentId: CONSENT_ID, nonce: 1n, deadline: 1790100000 });
    expect(typed).toEqual({ domain: DOMAIN, types: REVOKE_TYPES, primaryType: 'Revoke', message: REVOKE });
    const structHash = keccak256(abi.encode(['bytes32', 'bytes32', 'uint256', 'uint256'], [id(REVOKE_TYPE), CONSENT_ID, 1, 1790100000]));
    expect(digestOf(structHash)).toBe(REVOKE_DIGEST);
    expect(TypedDataEncoder.hash(typed.domain, typed.types, typed.message)).toBe(REVOKE_DIGEST);
  });

  it('signs the known-answer grant and revocation with the mnemonic’s wallet; ecrecover over the digest gives the patient', async () => {
    const wallet = Wallet.fromPhrase(ABANDON);
    const revoke = revokeTypedData(consentDomain(31337, REGISTRY), REVOKE);
    expect(await signConsentTypedData(wallet, grant())).toBe(GRANT_SIGNATURE);
    expect(await signConsentTypedData(new Wallet(derivePatientKeys(ABANDON).signingKey), grant())).toBe(GRANT_SIGNATURE);
    expect(await signConsentTypedData(wallet, revoke)).toBe(REVOKE_SIGNATURE);
    // The types written out, not imported: the spec pins what wallets show.
    const types = { Grant: GRANT_TYPE.slice(6, -1).split(',').map((field) => ({ type: field.split(' ')[0]!, name: field.split(' ')[1]! })) };
    expect(await wallet.signTypedData(DOMAIN, types, GRANT)).toBe(GRANT_SIGNATURE);
    expect(recoverAddress(GRANT_DIGEST, GRANT_SIGNATURE)).toBe(ADDRESS);
    expect(recoverAddress(REVOKE_DIGEST, REVOKE_SIGNATURE)).toBe(ADDRESS);
    expect(recoverConsentSigner(grant(), GRANT_SIGNATURE)).toBe(ADDRESS);
    expect(recoverConsentSigner(revoke, REVOKE_SIGNATURE)).toBe(ADDRESS);
  });

  it('round-trips through JSON and parses back to the same typed data, which still recovers the patient', () => {
    const parsed = parseTypedData(JSON.stringify(grant()), 'Grant');
    expect(parsed).toEqual(grant());
    expect(recoverConsentSigner(parsed, GRANT_SIGNATURE)).toBe(ADDRESS);
    const revoke = revokeTypedData(consentDomain(31337, REGISTRY), REVOKE);
    expect(parseTypedData(JSON.stringify(revoke), 'Revoke')).toEqual(revoke);
  });

  it.each([
    ['patient', { patient: Wallet.createRandom().address }],
    ['grantee', { grantee: EMERGENCY_GRANTEE }],
    ['purpose', { purpose: purposeId('RESEARCH') }],
    ['scopeHash', { scopeHash: `0x${'11'.repeat(32)}` }],
    ['notBefore', { notBefore: 1790000001 }],
    ['notAfter', { notAfter: 1792592001 }],
    ['nonce', { nonce: '1' }],
    ['deadline', { deadline: '1790003601' }],
  ])('recovers another address once the grant’s %s is altered', (_, change) => {
    const altered = grantTypedData(consentDomain(31337, REGISTRY), { ...GRANT, ...change });
    expect(recoverConsentSigner(altered, GRANT_SIGNATURE)).not.toBe(ADDRESS);
  });

  it('recovers another address under another chain id or registry', () => {
    expect(recoverConsentSigner(grantTypedData(consentDomain(1, REGISTRY), GRANT), GRANT_SIGNATURE)).not.toBe(ADDRESS);
    expect(recoverConsentSigner(grantTypedData(consentDomain(31337, Wallet.createRandom().address), GRANT), GRANT_SIGNATURE)).not.toBe(ADDRESS);
  });

  it('normalizes addresses to checksums, hashes to lower case and uint256 values to decimal strings', () => {
    const typed = grantTypedData(consentDomain(31337, REGISTRY.toLowerCase()), { ...GRANT, patient: ADDRESS.toLowerCase(), grantee: GRANTEE.toUpperCase().replace('0X', '0x'), nonce: 0n, deadline: 1790003600 });
    expect(typed).toEqual(grant());
  });

  it('signs and recovers ConsentRegistry’s own type whatever typed.types holds, and checks the rest before signing', async () => {
    const wallet = Wallet.fromPhrase(ABANDON);
    const altered = { ...grant(), types: { Grant: GRANT_TYPES.Grant!.slice(0, 4) } };
    expect(await signConsentTypedData(wallet, altered)).toBe(GRANT_SIGNATURE);
    expect(recoverConsentSigner(altered, GRANT_SIGNATURE)).toBe(ADDRESS);
    await expect(signConsentTypedData(wallet, { ...grant(), primaryType: 'Mail' } as never)).rejects.toThrow(new TypeError('typedData.primaryType: expected "Grant" or "Revoke", got "Mail"'));
    await expect(signConsentTypedData(wallet, { ...grant(), message: { ...GRANT, nonce: 0 } } as never)).rejects.toThrow(new TypeError('typedData.message.nonce: expected a uint256 as a decimal string, got number 0'));
  });

  it('hands out a copy of the types, so a caller cannot change GRANT_TYPES', () => {
    const typed = grant();
    typed.types.Grant!.pop();
    expect(GRANT_TYPES.Grant).toHaveLength(8);
  });

  const json = (change: (typed: Record<string, unknown> & { domain: Record<string, unknown>; message: Record<string, unknown> }) => void): string => {
    const typed = JSON.parse(JSON.stringify(grant())) as Parameters<typeof change>[0];
    change(typed);
    return JSON.stringify(typed);
  };
  it.each([
    ['text that is not JSON', '{"domain"', 'typedData: expected JSON, got text that does not parse'],
    ['a missing key', json((t) => delete t.types), 'typedData: expected exactly the keys domain, types, primaryType, message, got domain, message, primaryType'],
    ['another primary type', json((t) => (t.primaryType = 'Revoke')), 'typedData.primaryType: expected "Grant", got "Revoke"'],
    ['EIP712Domain among the types', json((t) => (t.types = { ...GRANT_TYPES, EIP712Domain: [] })), "typedData.types: expected exactly ConsentRegistry's Grant type, got object"],
    ['a reordered Grant type', json((t) => (t.types = { Grant: [...GRANT_TYPES.Grant!].reverse() })), "typedData.types: expected exactly ConsentRegistry's Grant type, got object"],
    ['another domain name', json((t) => (t.domain.name = 'Other')), 'typedData.domain.name: expected "ConsentRegistry", got "Other"'],
    ['a salt in the domain', json((t) => (t.domain.salt = '0x00')), 'typedData.domain: expected exactly the keys name, version, chainId, verifyingContract, got chainId, name, salt, verifyingContract, version'],
    ['a chain id as a string', json((t) => (t.domain.chainId = '31337')), 'typedData.domain.chainId: expected a positive integer, got "31337"'],
    ['a contract with a bad checksum', json((t) => (t.domain.verifyingContract = '0x5fbDB2315678afecb367f032d93F642f64180aa3')), 'typedData.domain.verifyingContract: expected an Ethereum address (checksummed if mixed case), got "0x5fbDB2315678afecb367f032d93F642f64180aa3"'],
    ['a zero patient', json((t) => (t.message.patient = ZeroAddress)), `typedData.message.patient: expected a non-zero address, got "${ZeroAddress}"`],
    ['a short grantee', json((t) => (t.message.grantee = '0x1234')), 'typedData.message.grantee: expected a bytes32 as 0x and 64 hex digits, got "0x1234"'],
    ['the keccak of a purpose code', json((t) => (t.message.purpose = id('TREATMENT'))), `typedData.message.purpose: expected the bytes32 of TREATMENT, DIAGNOSIS, RESEARCH, EMERGENCY, got "${id('TREATMENT')}"`],
    ['notBefore as a string', json((t) => (t.message.notBefore = '1790000000')), 'typedData.message.notBefore: expected a non-negative integer of Unix seconds, got "1790000000"'],
    ['an empty window', json((t) => (t.message.notAfter = 1790000000)), 'typedData.message.notAfter: expected a time after notBefore (1790000000), got number 1790000000'],
    ['a nonce as a number', json((t) => (t.message.nonce = 0)), 'typedData.message.nonce: expected a uint256 as a decimal string, got number 0'],
    ['a nonce with a leading zero', json((t) => (t.message.nonce = '01')), 'typedData.message.nonce: expected a uint256 as a decimal string, got "01"'],
    ['a hex deadline', json((t) => (t.message.deadline = '0x10')), 'typedData.message.deadline: expected a uint256 as a decimal string, got "0x10"'],
    ['a deadline above uint256', json((t) => (t.message.deadline = (1n << 256n).toString())), `typedData.message.deadline: expected a uint256 as a decimal string, got "${(1n << 256n).toString()}"`],
    ['an extra message field', json((t) => (t.message.reason = 'x')), 'typedData.message: expected exactly the keys patient, grantee, purpose, scopeHash, notBefore, notAfter, nonce, deadline, got deadline, grantee, nonce, notAfter, notBefore, patient, purpose, reason, scopeHash'],
  ])('parses grant typed data strictly: %s is named', (_, text, message) => {
    expect(failure(() => parseTypedData(text, 'Grant'))).toEqual({ type: 'TypeError', message });
  });

  it('parses revocation typed data strictly', () => {
    const revoke = JSON.parse(JSON.stringify(revokeTypedData(consentDomain(31337, REGISTRY), REVOKE))) as { message: Record<string, unknown> };
    expect(failure(() => parseTypedData(JSON.stringify({ ...revoke, message: { ...revoke.message, consentId: 'c-1' } }), 'Revoke'))).toEqual({
      type: 'TypeError',
      message: 'typedData.message.consentId: expected a bytes32 as 0x and 64 hex digits, got "c-1"',
    });
    expect(failure(() => parseTypedData(JSON.stringify(grant()), 'Revoke'))).toEqual({ type: 'TypeError', message: 'typedData.primaryType: expected "Revoke", got "Grant"' });
  });

  it('refuses to build typed data with a bad domain or an out-of-range nonce', () => {
    expect(() => consentDomain(0, REGISTRY)).toThrow(new TypeError('domain.chainId: expected a positive integer, got number 0'));
    expect(() => consentDomain(31337, '0x1234')).toThrow(new TypeError('domain.verifyingContract: expected an Ethereum address (checksummed if mixed case), got "0x1234"'));
    expect(() => grantTypedData(consentDomain(31337, REGISTRY), { ...GRANT, nonce: -1n })).toThrow(new TypeError('typedData.message.nonce: expected a uint256 (bigint, safe integer or decimal string), got bigint -1'));
    expect(grantTypedData(consentDomain(31337, REGISTRY), { ...GRANT, nonce: (1n << 256n) - 1n }).message.nonce).toBe(((1n << 256n) - 1n).toString());
  });

  it('accepts only signatures ConsentRegistry’s ECDSA check accepts: 65 bytes, v 27 or 28, low s', () => {
    const sig = Signature.from(GRANT_SIGNATURE);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const highS = concat([sig.r, `0x${(n - BigInt(sig.s)).toString(16).padStart(64, '0')}`, sig.v === 27 ? '0x1c' : '0x1b']);
    // The malleated twin of a valid signature (n - s, other v): OpenZeppelin's ECDSA reverts on it.
    expect(failure(() => recoverConsentSigner(grant(), highS))).toEqual({ type: 'TypeError', message: 'signature: expected a low-s signature (EIP-2), got a high-s one' });
    expect(failure(() => recoverConsentSigner(grant(), `${GRANT_SIGNATURE.slice(0, -2)}00`))).toEqual({ type: 'TypeError', message: 'signature: expected v = 27 or 28, got 0' });
    expect(failure(() => recoverConsentSigner(grant(), sig.compactSerialized))).toEqual({ type: 'TypeError', message: 'signature: expected a 65-byte signature as 0x-hex, got a string of 130 characters' });
    expect(failure(() => recoverConsentSigner(grant(), `0x${'00'.repeat(65).slice(0, -2)}1b`))).toEqual({ type: 'TypeError', message: 'signature: expected an EIP-712 signature that recovers, got one that does not' });
  });
});

describe('consent ids', () => {
  it('is keccak256(abi.encode(patient, nonce)), as the contract assigns it', () => {
    expect(consentIdOf(ADDRESS, 0n)).toBe(CONSENT_ID);
    expect(consentIdOf(ADDRESS.toLowerCase(), '0')).toBe(CONSENT_ID);
    expect(solidityPackedKeccak256(['uint256', 'uint256'], [BigInt(ADDRESS), 0n])).toBe(CONSENT_ID);
    expect(consentIdOf(ADDRESS, 7n)).toBe(solidityPackedKeccak256(['uint256', 'uint256'], [BigInt(ADDRESS), 7n]));
  });

  it('refuses a nonce that is not a uint256 and a patient that is not an address', () => {
    expect(() => consentIdOf(ADDRESS, '07')).toThrow(new TypeError('nonce: expected a uint256 as a decimal string, got "07"'));
    expect(() => consentIdOf(ADDRESS, -1n)).toThrow(new TypeError('nonce: expected a uint256 (bigint, safe integer or decimal string), got bigint -1'));
    expect(() => consentIdOf('pat-1', 0n)).toThrow(new TypeError('patient: expected an Ethereum address (checksummed if mixed case), got "pat-1"'));
  });
});
