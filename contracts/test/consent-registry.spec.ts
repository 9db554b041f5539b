import { type Contract, ContractFactory, type TypedDataDomain, Wallet, id, keccak256, AbiCoder, ZeroAddress, ZeroHash, hexlify, randomBytes } from 'ethers';
import { type ChainFixture, revertOf, startChainFixture } from '../../test/support/chain-fixture.js';

const GRANT_TYPES = {
  Grant: [
    { name: 'patient', type: 'address' },
    { name: 'grantee', type: 'bytes32' },
    { name: 'purpose', type: 'bytes32' },
    { name: 'scopeHash', type: 'bytes32' },
    { name: 'notBefore', type: 'uint64' },
    { name: 'notAfter', type: 'uint64' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};
const REVOKE_TYPES = { Revoke: [{ name: 'consentId', type: 'bytes32' }, { name: 'nonce', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] };
const TREATMENT = id('TREATMENT');
const GRANTEE = id('https://idp.example/realms/r|dr-chen');
const SCOPE = hexlify(randomBytes(32));
const randomWallet = (): Wallet => new Wallet(hexlify(randomBytes(32)));

interface GrantFields {
  readonly grantee?: string;
  readonly purpose?: string;
  readonly scopeHash?: string;
  readonly notBefore: bigint;
  readonly notAfter: bigint;
  readonly deadline?: bigint;
  readonly nonce?: bigint;
}

describe('ConsentRegistry', () => {
  let chain: ChainFixture;
  let registry: Contract;
  let domain: TypedDataDomain;
  const patient = randomWallet();
  const stranger = randomWallet();

  const now = async (): Promise<bigint> => BigInt((await chain.provider.getBlock('latest'))!.timestamp);
  const travel = async (seconds: number): Promise<void> => {
    await chain.provider.send('evm_increaseTime', [seconds]);
    await chain.provider.send('evm_mine', []);
  };

  /** Signs and relays a grant; the relayer is anvil account 0 (the gateway), never the patient. */
  async function grant(signer: Wallet, fields: GrantFields, as: string = signer.address): Promise<{ consentId: string; receipt: import('ethers').TransactionReceipt }> {
    const nonce = fields.nonce ?? ((await registry.getFunction('nonces')(as)) as bigint);
    const deadline = fields.deadline ?? (await now()) + 3600n;
    const message = { patient: as, grantee: fields.grantee ?? GRANTEE, purpose: fields.purpose ?? TREATMENT, scopeHash: fields.scopeHash ?? SCOPE, notBefore: fields.notBefore, notAfter: fields.notAfter, nonce, deadline };
    const signature = await signer.signTypedData(domain, GRANT_TYPES, message);
    const tx = await registry.getFunction('grantBySig')(as, message.grantee, message.purpose, message.scopeHash, message.notBefore, message.notAfter, deadline, signature);
    const receipt = (await tx.wait())!;
    return { consentId: keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'uint256'], [as, nonce])), receipt };
  }

  async function signRevoke(signer: Wallet, consentId: string, owner: string, deadlineIn = 3600n): Promise<[string, bigint, string]> {
    const nonce = (await registry.getFunction('nonces')(owner)) as bigint;
    const deadline = (await now()) + deadlineIn;
    return [consentId, deadline, await signer.signTypedData(domain, REVOKE_TYPES, { consentId, nonce, deadline })];
  }

  const active = async (consentId: string): Promise<boolean> => (await registry.getFunction('isActive')(consentId)) as boolean;

  beforeAll(async () => {
    chain = await startChainFixture();
    const artifact = chain.compilation.contracts['ConsentRegistry']!;
    registry = (await new ContractFactory(artifact.abi, artifact.bytecode, chain.admin).deploy()) as unknown as Contract;
    await registry.waitForDeployment();
    domain = { name: 'ConsentRegistry', version: '1', chainId: chain.anvil.chainId, verifyingContract: await registry.getAddress() };
  });
  afterAll(async () => chain?.close());

  it('records a consent signed by the patient and relayed by the gateway, with its event and an active window', async () => {
    const t = await now();
    const { consentId, receipt } = await grant(patient, { notBefore: t, notAfter: t + 86_400n });
    const events = receipt.logs.map((l) => registry.interface.parseLog(l)!);
    expect(events.map((e) => [e.name, ...e.args])).toEqual([['ConsentGranted', consentId, patient.address, GRANTEE, TREATMENT, SCOPE, t, t + 86_400n]]);
    expect(receipt.from).toBe(await chain.admin.getAddress());
    console.log(`ConsentRegistry.grantBySig gas: ${receipt.gasUsed}`);
    expect(await active(consentId)).toBe(true);
    const stored = (await registry.getFunction('consentOf')(consentId)) as unknown[];
    expect([...stored]).toEqual([patient.address, t, false, GRANTEE, TREATMENT, SCOPE, t + 86_400n]);
    expect(await registry.getFunction('DOMAIN_SEPARATOR')()).toBe(
      keccak256(
        AbiCoder.defaultAbiCoder().encode(
          ['bytes32', 'bytes32', 'bytes32', 'uint256', 'address'],
          [id('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'), id('ConsentRegistry'), id('1'), chain.anvil.chainId, domain.verifyingContract],
        ),
      ),
    );
  });

  it('refuses a replayed signature, a wrong signer and altered fields with ConsentRegistryInvalidSignature', async () => {
    const t = await now();
    const nonce = (await registry.getFunction('nonces')(patient.address)) as bigint;
    const deadline = t + 3600n;
    const message = { patient: patient.address, grantee: GRANTEE, purpose: TREATMENT, scopeHash: SCOPE, notBefore: t, notAfter: t + 60n, nonce, deadline };
    const signature = await patient.signTypedData(domain, GRANT_TYPES, message);
    const send = (over: Partial<typeof message> = {}, sig = signature) => {
      const m = { ...message, ...over };
      return registry.getFunction('grantBySig')(m.patient, m.grantee, m.purpose, m.scopeHash, m.notBefore, m.notAfter, m.deadline, sig).then((tx: { wait(): Promise<unknown> }) => tx.wait());
    };
    const invalid = { name: 'ConsentRegistryInvalidSignature', args: [patient.address] };
    expect(await revertOf(registry, () => send({ purpose: id('RESEARCH') }))).toEqual(invalid);
    expect(await revertOf(registry, () => send({ notAfter: t + 86_400n * 365n }))).toEqual(invalid);
    const strangers = await stranger.signTypedData(domain, GRANT_TYPES, message);
    expect(await revertOf(registry, () => send({}, strangers))).toEqual(invalid);
    await send();
    expect(await revertOf(registry, () => send())).toEqual(invalid);
  });

  it('refuses an expired request, an empty window and the zero patient', async () => {
    const t = await now();
    expect(await revertOf(registry, () => grant(patient, { notBefore: t, notAfter: t + 60n, deadline: t - 1n }))).toEqual({ name: 'ConsentRegistryExpiredSignature', args: [t - 1n] });
    expect(await revertOf(registry, () => grant(patient, { notBefore: t + 60n, notAfter: t + 60n }))).toEqual({ name: 'ConsentRegistryInvalidWindow', args: [t + 60n, t + 60n] });
    expect(await revertOf(registry, () => grant(patient, { notBefore: t, notAfter: t + 60n }, ZeroAddress))).toEqual({ name: 'ConsentRegistryZeroPatient', args: [] });
  });

  it('is active only from notBefore until notAfter', async () => {
    const t = await now();
    const { consentId } = await grant(patient, { notBefore: t + 1_000n, notAfter: t + 2_000n });
    expect(await active(consentId)).toBe(false);
    await travel(1_000);
    expect(await active(consentId)).toBe(true);
    await travel(1_000);
    expect(await active(consentId)).toBe(false);
  });

  it('revokes on the patient’s signature or from the patient’s own account, once', async () => {
    const t = await now();
    const { consentId } = await grant(patient, { notBefore: t, notAfter: t + 86_400n });
    expect(await revertOf(registry, async () => (await registry.getFunction('revokeBySig')(...(await signRevoke(stranger, consentId, patient.address)))).wait())).toEqual({
      name: 'ConsentRegistryInvalidSignature',
      args: [patient.address],
    });
    const expired = await signRevoke(patient, consentId, patient.address, 0n);
    await travel(5);
    expect(await revertOf(registry, async () => (await registry.getFunction('revokeBySig')(...expired)).wait())).toEqual({ name: 'ConsentRegistryExpiredSignature', args: [expired[1]] });
    const receipt = await (await registry.getFunction('revokeBySig')(...(await signRevoke(patient, consentId, patient.address)))).wait();
    expect(receipt.logs.map((l: import('ethers').Log) => registry.interface.parseLog(l)!).map((e: { name: string; args: unknown[] }) => [e.name, ...e.args])).toEqual([['ConsentRevoked', consentId, patient.address, GRANTEE]]);
    expect(await active(consentId)).toBe(false);
    expect(await revertOf(registry, async () => (await registry.getFunction('revokeBySig')(...(await signRevoke(patient, consentId, patient.address)))).wait())).toEqual({
      name: 'ConsentRegistryAlreadyRevoked',
      args: [consentId],
    });
    expect(await revertOf(registry, async () => (await registry.getFunction('revokeBySig')(...(await signRevoke(patient, ZeroHash, patient.address)))).wait())).toEqual({
      name: 'ConsentRegistryUnknownConsent',
      args: [ZeroHash],
    });

    // A patient with a funded wallet revokes directly; nobody else can.
    const wallet = randomWallet().connect(chain.provider);
    await (await chain.admin.sendTransaction({ to: wallet.address, value: 10n ** 17n })).wait();
    const own = await grant(wallet, { notBefore: t, notAfter: t + 86_400n });
    expect(await revertOf(registry, async () => (await (registry.connect(chain.outsider) as Contract).getFunction('revoke')(own.consentId)).wait())).toEqual({
      name: 'ConsentRegistryNotPatient',
      args: [own.consentId, await chain.outsider.getAddress()],
    });
    await (await (registry.connect(wallet) as Contract).getFunction('revoke')(own.consentId)).wait();
    expect(await active(own.consentId)).toBe(false);
  });

  it('keeps isActive equal to a model of grants, revocations and time over a random sequence (property test)', async () => {
    let seed = 20261121;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const model = new Map<string, { notBefore: bigint; notAfter: bigint; revoked: boolean }>();
    const patients = [randomWallet(), randomWallet()];
    const owners = new Map<string, Wallet>();
    for (let step = 0; step < 40; step += 1) {
      const r = random();
      const t = await now();
      if (r < 0.45 || model.size === 0) {
        const who = patients[Math.floor(random() * patients.length)]!;
        const notBefore = t + BigInt(Math.floor(random() * 200)) - 100n;
        const notAfter = notBefore + 1n + BigInt(Math.floor(random() * 400));
        const { consentId } = await grant(who, { notBefore, notAfter });
        model.set(consentId, { notBefore, notAfter, revoked: false });
        owners.set(consentId, who);
      } else if (r < 0.7) {
        const ids = [...model.keys()];
        const consentId = ids[Math.floor(random() * ids.length)]!;
        const who = owners.get(consentId)!;
        const call = async () => (await registry.getFunction('revokeBySig')(...(await signRevoke(who, consentId, who.address)))).wait();
        if (model.get(consentId)!.revoked) expect((await revertOf(registry, call)).name).toBe('ConsentRegistryAlreadyRevoked');
        else {
          await call();
          model.get(consentId)!.revoked = true;
        }
      } else {
        await travel(1 + Math.floor(random() * 150));
      }
      const at = await now();
      for (const [consentId, c] of model) expect([consentId, await active(consentId)]).toEqual([consentId, !c.revoked && c.notBefore <= at && at < c.notAfter]);
    }
    expect(model.size).toBeGreaterThan(10);
  });
});
