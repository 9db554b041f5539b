import { type Contract, ContractFactory, type TypedDataDomain, Wallet, encodeBytes32String, id, keccak256, AbiCoder, ZeroAddress, ZeroHash, hexlify, randomBytes } from 'ethers';
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
const TREATMENT = encodeBytes32String('TREATMENT');
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
    const admin = await chain.admin.getAddress();
    registry = (await new ContractFactory(artifact.abi, artifact.bytecode, chain.admin).deploy(admin, admin)) as unknown as Contract;
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
  describe('break-glass (recordEmergencyAccess)', () => {
    const EMERGENCY = encodeBytes32String('EMERGENCY');
    const RECORDER_ROLE = id('EMERGENCY_RECORDER_ROLE');
    /** The realm-wide "any clinician" grantee of a standing EMERGENCY consent; the declaring clinician differs. */
    const ANY_CLINICIAN = id('https://idp.example/realms/r|role:clinician');
    const DR_PATEL = id('https://idp.example/realms/r|dr-patel');
    const REASON = id('unconscious on arrival, allergies unknown');
    const DAY = 86_400n;
    /** Accesses recorded so far on this registry: the counter inside each access id. */
    let recorded = 0n;

    const record = (consentId: string, notAfter: bigint, grantee = DR_PATEL, reasonHash = REASON, as: Contract = registry) =>
      as.getFunction('recordEmergencyAccess')(consentId, grantee, reasonHash, notAfter).then((tx: { wait(): Promise<import('ethers').TransactionReceipt> }) => tx.wait());
    const emergencyConsent = (notBefore: bigint, notAfter: bigint) => grant(patient, { grantee: ANY_CLINICIAN, purpose: EMERGENCY, notBefore, notAfter });
    const accessIdOf = (consentId: string, grantee: string, reasonHash: string, timestamp: bigint, counter: bigint) =>
      keccak256(AbiCoder.defaultAbiCoder().encode(['bytes32', 'bytes32', 'bytes32', 'uint256', 'uint256'], [consentId, grantee, reasonHash, timestamp, counter]));
    const accessActive = async (accessId: string): Promise<boolean> => (await registry.getFunction('isEmergencyAccessActive')(accessId)) as boolean;

    it('gives the admin DEFAULT_ADMIN_ROLE and the recorder EMERGENCY_RECORDER_ROLE, and names its constants', async () => {
      const admin = await chain.admin.getAddress();
      const outsider = await chain.outsider.getAddress();
      const hasRole = registry.getFunction('hasRole');
      expect([await hasRole(ZeroHash, admin), await hasRole(RECORDER_ROLE, admin)]).toEqual([true, true]);
      expect([await hasRole(ZeroHash, outsider), await hasRole(RECORDER_ROLE, outsider)]).toEqual([false, false]);
      expect(await registry.getFunction('EMERGENCY_RECORDER_ROLE')()).toBe(RECORDER_ROLE);
      expect(await registry.getFunction('EMERGENCY_PURPOSE')()).toBe(EMERGENCY);
      expect(await registry.getFunction('MAX_EMERGENCY_DURATION')()).toBe(DAY);
    });

    it('reports IConsentRegistry and IAccessControl through ERC-165', async () => {
      const abi = chain.compilation.contracts['IConsentRegistry']!.abi;
      const selectors = abi.filter((f) => f.type === 'function').map((f) => BigInt(registry.interface.getFunction(f.name!)!.selector));
      const interfaceId = `0x${selectors.reduce((a, b) => a ^ b, 0n).toString(16).padStart(8, '0')}`;
      const supports = registry.getFunction('supportsInterface');
      expect([await supports(interfaceId), await supports('0x7965db0b'), await supports('0x01ffc9a7'), await supports('0xffffffff')]).toEqual([true, true, true, false]);
    });

    it('refuses the zero address as admin with ConsentRegistryZeroAdmin(), and may be deployed without a recorder', async () => {
      const artifact = chain.compilation.contracts['ConsentRegistry']!;
      const factory = new ContractFactory(artifact.abi, artifact.bytecode, chain.admin);
      const admin = await chain.admin.getAddress();
      expect(await revertOf(factory, async () => chain.provider.call(await factory.getDeployTransaction(ZeroAddress, admin)))).toEqual({ name: 'ConsentRegistryZeroAdmin', args: [] });
      const bare = (await factory.deploy(admin, ZeroAddress)) as unknown as Contract;
      await bare.waitForDeployment();
      expect(await bare.getFunction('hasRole')(RECORDER_ROLE, admin)).toBe(false);
      expect(await revertOf(bare, () => record(ZeroHash, 1n, DR_PATEL, REASON, bare))).toEqual({ name: 'AccessControlUnauthorizedAccount', args: [admin, RECORDER_ROLE] });
    });

    it('records an access under an active EMERGENCY consent, with its id, event, record and gas', async () => {
      const t = await now();
      const { consentId } = await emergencyConsent(t, t + 365n * DAY);
      const notAfter = t + 3_600n;
      const receipt = await record(consentId, notAfter);
      const declaredAt = BigInt((await chain.provider.getBlock(receipt.blockNumber))!.timestamp);
      const accessId = accessIdOf(consentId, DR_PATEL, REASON, declaredAt, recorded++);
      const events = receipt.logs.map((l) => registry.interface.parseLog(l)!);
      expect(events.map((e) => [e.name, ...e.args])).toEqual([['EmergencyAccessRecorded', accessId, patient.address, DR_PATEL, consentId, REASON, notAfter]]);
      expect(receipt.logs[0]!.topics).toEqual([id('EmergencyAccessRecorded(bytes32,address,bytes32,bytes32,bytes32,uint64)'), accessId, AbiCoder.defaultAbiCoder().encode(['address'], [patient.address]), DR_PATEL]);
      expect([...((await registry.getFunction('emergencyAccessOf')(accessId)) as unknown[])]).toEqual([consentId, DR_PATEL, REASON, declaredAt, notAfter]);
      expect(await accessActive(accessId)).toBe(true);
      const later = await record(consentId, notAfter, DR_PATEL, id('second declaration'));
      recorded++;
      console.log(`ConsentRegistry.recordEmergencyAccess gas: first ever ${receipt.gasUsed}, later ${later.gasUsed}`);
      expect([...((await registry.getFunction('emergencyAccessOf')(ZeroHash)) as unknown[])]).toEqual([ZeroHash, ZeroHash, ZeroHash, 0n, 0n]);
      expect(await accessActive(ZeroHash)).toBe(false);
    });

    it('gives two identical declarations in one block different ids (the counter)', async () => {
      const t = await now();
      const { consentId } = await emergencyConsent(t, t + DAY * 30n);
      await chain.provider.send('evm_setAutomine', [false]);
      let hashes: string[];
      try {
        const first = await registry.getFunction('recordEmergencyAccess')(consentId, DR_PATEL, REASON, t + 600n, { gasLimit: 300_000 });
        const second = await registry.getFunction('recordEmergencyAccess')(consentId, DR_PATEL, REASON, t + 600n, { gasLimit: 300_000 });
        hashes = [first.hash, second.hash];
        await chain.provider.send('evm_mine', []);
      } finally {
        await chain.provider.send('evm_setAutomine', [true]);
      }
      const receipts = await Promise.all(hashes.map((h) => chain.provider.getTransactionReceipt(h)));
      expect(receipts.map((r) => [r!.status, r!.blockNumber])).toEqual([[1, receipts[0]!.blockNumber], [1, receipts[0]!.blockNumber]]);
      const at = BigInt((await chain.provider.getBlock(receipts[0]!.blockNumber))!.timestamp);
      const ids = receipts.map((r) => registry.interface.parseLog(r!.logs[0]!)!.args.getValue('accessId') as string);
      expect(ids).toEqual([accessIdOf(consentId, DR_PATEL, REASON, at, recorded), accessIdOf(consentId, DR_PATEL, REASON, at, recorded + 1n)]);
      recorded += 2n;
      expect(ids[0]).not.toBe(ids[1]);
    });

    it('ends the access at notAfter, and at once when the patient revokes the EMERGENCY consent', async () => {
      const t = await now();
      const timed = await emergencyConsent(t, t + DAY * 30n);
      const first = registry.interface.parseLog((await record(timed.consentId, t + 100n)).logs[0]!)!.args.getValue('accessId') as string;
      recorded++;
      expect(await accessActive(first)).toBe(true);
      await travel(100);
      expect(await accessActive(first)).toBe(false);

      const t2 = await now();
      const second = registry.interface.parseLog((await record(timed.consentId, t2 + 3_600n)).logs[0]!)!.args.getValue('accessId') as string;
      recorded++;
      expect(await accessActive(second)).toBe(true);
      await (await registry.getFunction('revokeBySig')(...(await signRevoke(patient, timed.consentId, patient.address)))).wait();
      expect(await accessActive(second)).toBe(false);
    });

    it('refuses a caller without EMERGENCY_RECORDER_ROLE with AccessControlUnauthorizedAccount(account, role)', async () => {
      const t = await now();
      const { consentId } = await emergencyConsent(t, t + DAY);
      const asOutsider = registry.connect(chain.outsider) as Contract;
      expect(await revertOf(registry, () => record(consentId, t + 600n, DR_PATEL, REASON, asOutsider))).toEqual({
        name: 'AccessControlUnauthorizedAccount',
        args: [await chain.outsider.getAddress(), RECORDER_ROLE],
      });
    });

    it('refuses a zero grantee, an empty reason and an unknown consent', async () => {
      const t = await now();
      const { consentId } = await emergencyConsent(t, t + DAY);
      expect(await revertOf(registry, () => record(consentId, t + 600n, ZeroHash))).toEqual({ name: 'ConsentRegistryZeroGrantee', args: [] });
      expect(await revertOf(registry, () => record(consentId, t + 600n, DR_PATEL, ZeroHash))).toEqual({ name: 'ConsentRegistryEmptyReason', args: [] });
      const unknown = id('no such consent');
      expect(await revertOf(registry, () => record(unknown, t + 600n))).toEqual({ name: 'ConsentRegistryUnknownConsent', args: [unknown] });
    });

    it('refuses a consent for another purpose with ConsentRegistryNotEmergencyConsent(consentId), even one granted to every clinician', async () => {
      const t = await now();
      const { consentId } = await grant(patient, { grantee: ANY_CLINICIAN, purpose: TREATMENT, notBefore: t, notAfter: t + DAY });
      expect(await revertOf(registry, () => record(consentId, t + 600n))).toEqual({ name: 'ConsentRegistryNotEmergencyConsent', args: [consentId] });
    });

    it('refuses a revoked, not yet valid or expired EMERGENCY consent with ConsentRegistryInactiveConsent(consentId)', async () => {
      const t = await now();
      const revoked = await emergencyConsent(t, t + DAY);
      await (await registry.getFunction('revokeBySig')(...(await signRevoke(patient, revoked.consentId, patient.address)))).wait();
      const future = await emergencyConsent(t + 1_000n, t + DAY);
      const expiring = await emergencyConsent(t, t + 50n);
      await travel(50);
      for (const { consentId } of [revoked, future, expiring]) {
        expect(await revertOf(registry, () => record(consentId, t + 600n))).toEqual({ name: 'ConsentRegistryInactiveConsent', args: [consentId] });
      }
    });

    it('refuses an end not after now, beyond 24 hours or beyond the consent with ConsentRegistryInvalidEmergencyWindow(notAfter, maxNotAfter)', async () => {
      const t = await now();
      const long = await emergencyConsent(t, t + 30n * DAY);
      const short = await emergencyConsent(t, t + 7_200n);
      // Pin the next block's time, so that "now" inside the refused transaction is known exactly.
      const at = (await now()) + 10n;
      const pinned = async (action: () => Promise<unknown>) => {
        await chain.provider.send('evm_setNextBlockTimestamp', [Number(at)]);
        return revertOf(registry, action);
      };
      const window = (notAfter: bigint, maxNotAfter: bigint) => ({ name: 'ConsentRegistryInvalidEmergencyWindow', args: [notAfter, maxNotAfter] });
      expect(await pinned(() => record(long.consentId, at))).toEqual(window(at, at + DAY));
      expect(await pinned(() => record(long.consentId, at - 5n))).toEqual(window(at - 5n, at + DAY));
      expect(await pinned(() => record(long.consentId, at + DAY + 1n))).toEqual(window(at + DAY + 1n, at + DAY));
      expect(await pinned(() => record(short.consentId, t + 7_201n))).toEqual(window(t + 7_201n, t + 7_200n));
      // The bounds themselves are accepted.
      await chain.provider.send('evm_setNextBlockTimestamp', [Number(at)]);
      const edge = await record(long.consentId, at + DAY);
      recorded++;
      expect(registry.interface.parseLog(edge.logs[0]!)!.args.getValue('notAfter')).toBe(at + DAY);
      expect((await record(short.consentId, t + 7_200n)).status).toBe(1);
      recorded++;
    });
  });
});
