import { AbiCoder, ContractFactory, id, keccak256, type NonceManager, sha256, toUtf8Bytes, type TransactionReceipt, ZeroAddress, ZeroHash } from 'ethers';
import { MODEL_REGISTRY_EVENTS, type ModelRegistryContract, ModelVersionState } from '../../gateway/src/chain/index.js';
import { type ChainFixture, revertOf, startChainFixture } from '../../test/support/chain-fixture.js';

const PROPOSER_ROLE = id('PROPOSER_ROLE');
const DEFAULT_ADMIN_ROLE = ZeroHash;
const { Unknown, Proposed, Approved, Retired } = ModelVersionState;
const hashOf = (text: string): string => sha256(toUtf8Bytes(text));
const keyOf = (modelId: string, version: string): string => keccak256(AbiCoder.defaultAbiCoder().encode(['string', 'string'], [modelId, version]));

/** A model version as the tests propose it: the hashes stand for the ONNX file's and the card's SHA-256. */
const version = (modelId: string, v: string) => ({ modelId, version: v, key: keyOf(modelId, v), onnx: hashOf(`${modelId}/${v}/model.onnx`), card: hashOf(`${modelId}/${v}/card.md`) });
const EGFR_2009 = version('egfr-ckd-epi', '2009');
const EGFR_2021 = version('egfr-ckd-epi', '2021');

/**
 * The registry on its own. Here the "timelock" is anvil account 0, so each rule of approve and retire can be
 * checked in one call; contracts/test/model-governance.spec.ts drives the same calls through the real Governor
 * and TimelockController.
 */
describe('ModelRegistry', () => {
  let chain: ChainFixture;
  let registry: ModelRegistryContract;
  let timelockAddress: string;
  let proposerAddress: string;
  let outsiderAddress: string;
  const gas: Record<string, bigint> = {};

  async function deployRegistry(timelock: string, proposers: string[], signer: NonceManager = chain.admin): Promise<ModelRegistryContract> {
    const artifact = chain.compilation.contracts['ModelRegistry']!;
    const contract = await new ContractFactory(artifact.abi, artifact.bytecode, signer).deploy(timelock, proposers);
    await contract.waitForDeployment();
    return contract as unknown as ModelRegistryContract;
  }
  const as = (signer: NonceManager): ModelRegistryContract => registry.connect(signer) as ModelRegistryContract;
  const eventsOf = (receipt: TransactionReceipt) => receipt.logs.map((log) => registry.interface.parseLog(log)).filter((e) => e !== null);
  const blockTime = async (receipt: TransactionReceipt): Promise<bigint> => BigInt((await chain.provider.getBlock(receipt.blockNumber))!.timestamp);

  beforeAll(async () => {
    chain = await startChainFixture();
    timelockAddress = await chain.admin.getAddress();
    proposerAddress = await chain.second.getAddress();
    outsiderAddress = await chain.outsider.getAddress();
    registry = await deployRegistry(timelockAddress, [proposerAddress]);
  });

  afterAll(async () => {
    await chain?.close();
  });

  describe('deployment', () => {
    it('binds the timelock, makes it the only admin and grants the named proposers their role', async () => {
      expect(await registry.timelock()).toBe(timelockAddress);
      expect(await registry.PROPOSER_ROLE()).toBe(PROPOSER_ROLE);
      expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, timelockAddress)).toBe(true);
      expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, proposerAddress)).toBe(false);
      expect(await registry.hasRole(PROPOSER_ROLE, proposerAddress)).toBe(true);
      expect(await registry.hasRole(PROPOSER_ROLE, timelockAddress)).toBe(false);
      expect(await registry.hasRole(PROPOSER_ROLE, outsiderAddress)).toBe(false);
      expect(await registry.getFunction('getRoleAdmin')(PROPOSER_ROLE)).toBe(DEFAULT_ADMIN_ROLE);
    });

    it('refuses a zero timelock with ModelRegistryZeroTimelock()', async () => {
      expect(await revertOf(registry, () => deployRegistry(ZeroAddress, [proposerAddress]))).toEqual({ name: 'ModelRegistryZeroTimelock', args: [] });
    });

    it('reports IModelRegistry and IAccessControl through ERC-165', async () => {
      const iRegistry = chain.compilation.contracts['IModelRegistry']!;
      const selectors = iRegistry.abi.filter((f) => f.type === 'function').map((f) => BigInt(registry.interface.getFunction(f.name!)!.selector));
      const interfaceId = `0x${selectors.reduce((a, b) => a ^ b, 0n).toString(16).padStart(8, '0')}`;
      const supports = registry.getFunction('supportsInterface');
      expect(selectors).toHaveLength(8);
      expect(await supports(interfaceId)).toBe(true);
      expect(await supports('0x7965db0b')).toBe(true); // IAccessControl
      expect(await supports('0x01ffc9a7')).toBe(true); // IERC165
      expect(await supports('0xffffffff')).toBe(false);
    });

    it('derives keys as keccak256(abi.encode(modelId, version)), so shifting a character between them changes the key', async () => {
      expect(await registry.keyOf('egfr-ckd-epi', '2009')).toBe(EGFR_2009.key);
      expect(await registry.keyOf('ab', 'c')).toBe(keyOf('ab', 'c'));
      expect(await registry.keyOf('a', 'bc')).not.toBe(await registry.keyOf('ab', 'c'));
    });

    it('answers Unknown and all zeros for a version never proposed', async () => {
      expect(await registry.stateOf(EGFR_2009.key)).toBe(Unknown);
      expect([...(await registry.versionOf(EGFR_2009.key))]).toEqual([ZeroHash, ZeroHash, Unknown, 0n, 0n, 0n]);
      expect(await registry.isApproved(EGFR_2009.key, EGFR_2009.onnx)).toBe(false);
    });
  });

  describe('propose', () => {
    it('records a version as Proposed and emits ModelVersionProposed with the key, model id hash, proposer and full data', async () => {
      const receipt = (await (await as(chain.second).propose(EGFR_2009.modelId, EGFR_2009.version, EGFR_2009.onnx, EGFR_2009.card)).wait())!;
      gas['propose'] = receipt.gasUsed;
      const at = await blockTime(receipt);
      expect(eventsOf(receipt).map((e) => [e.name, ...e.args])).toEqual([
        ['ModelVersionProposed', EGFR_2009.key, id('egfr-ckd-epi'), proposerAddress, 'egfr-ckd-epi', '2009', EGFR_2009.onnx, EGFR_2009.card],
      ]);
      expect(receipt.logs[0]!.topics).toEqual([registry.interface.getEvent('ModelVersionProposed')!.topicHash, EGFR_2009.key, id('egfr-ckd-epi'), `0x${proposerAddress.slice(2).toLowerCase().padStart(64, '0')}`]);
      expect(await registry.stateOf(EGFR_2009.key)).toBe(Proposed);
      expect(((await registry.versionOf(EGFR_2009.key)) as unknown as { toObject(): unknown }).toObject()).toEqual({ onnxSha256: EGFR_2009.onnx, cardSha256: EGFR_2009.card, state: Proposed, proposedAt: at, approvedAt: 0n, retiredAt: 0n });
      expect(await registry.isApproved(EGFR_2009.key, EGFR_2009.onnx)).toBe(false);
    });

    it('returns the key from propose', async () => {
      expect(await as(chain.second).propose.staticCall(EGFR_2021.modelId, EGFR_2021.version, EGFR_2021.onnx, EGFR_2021.card)).toBe(EGFR_2021.key);
    });

    it('refuses a version proposed before with ModelRegistryAlreadyProposed(key), even with other hashes', async () => {
      const registryAsProposer = as(chain.second);
      expect(await revertOf(registry, () => registryAsProposer.propose('egfr-ckd-epi', '2009', EGFR_2009.onnx, EGFR_2009.card))).toEqual({ name: 'ModelRegistryAlreadyProposed', args: [EGFR_2009.key] });
      expect(await revertOf(registry, () => registryAsProposer.propose('egfr-ckd-epi', '2009', EGFR_2021.onnx, EGFR_2021.card))).toEqual({ name: 'ModelRegistryAlreadyProposed', args: [EGFR_2009.key] });
    });

    it.each([
      ['an empty model id', 'ModelRegistryEmptyModelId', ['', '2021', EGFR_2021.onnx, EGFR_2021.card]],
      ['an empty version', 'ModelRegistryEmptyVersion', ['egfr-ckd-epi', '', EGFR_2021.onnx, EGFR_2021.card]],
      ['a zero ONNX hash', 'ModelRegistryZeroOnnxHash', ['egfr-ckd-epi', '2021', ZeroHash, EGFR_2021.card]],
      ['a zero card hash', 'ModelRegistryZeroCardHash', ['egfr-ckd-epi', '2021', EGFR_2021.onnx, ZeroHash]],
    ] as const)('refuses %s with %s()', async (_what, error, args) => {
      const registryAsProposer = as(chain.second);
      expect(await revertOf(registry, () => registryAsProposer.propose(...args))).toEqual({ name: error, args: [] });
    });

    it('refuses an account without PROPOSER_ROLE with AccessControlUnauthorizedAccount(account, role), the timelock included', async () => {
      const registryAsOutsider = as(chain.outsider);
      expect(await revertOf(registry, () => registryAsOutsider.propose('egfr-ckd-epi', '2021', EGFR_2021.onnx, EGFR_2021.card))).toEqual({ name: 'AccessControlUnauthorizedAccount', args: [outsiderAddress, PROPOSER_ROLE] });
      expect(await revertOf(registry, () => registry.propose('egfr-ckd-epi', '2021', EGFR_2021.onnx, EGFR_2021.card))).toEqual({ name: 'AccessControlUnauthorizedAccount', args: [timelockAddress, PROPOSER_ROLE] });
      expect(await registry.stateOf(EGFR_2021.key)).toBe(Unknown);
    });
  });

  describe('approve', () => {
    it('refuses anyone but the timelock with ModelRegistryUnauthorizedCaller(caller), proposers included', async () => {
      for (const signer of [chain.outsider, chain.second]) {
        const caller = await signer.getAddress();
        expect(await revertOf(registry, () => as(signer).approve('egfr-ckd-epi', '2009'))).toEqual({ name: 'ModelRegistryUnauthorizedCaller', args: [caller] });
      }
      expect(await registry.stateOf(EGFR_2009.key)).toBe(Proposed);
    });

    it('refuses a version never proposed with ModelRegistryUnknownVersion(key)', async () => {
      expect(await revertOf(registry, () => registry.approve('egfr-ckd-epi', '2021'))).toEqual({ name: 'ModelRegistryUnknownVersion', args: [EGFR_2021.key] });
    });

    it('approves a proposed version, emits ModelVersionApproved with its data, and lets exactly its file run', async () => {
      const receipt = (await (await registry.approve('egfr-ckd-epi', '2009')).wait())!;
      gas['approve'] = receipt.gasUsed;
      const at = await blockTime(receipt);
      expect(eventsOf(receipt).map((e) => [e.name, ...e.args])).toEqual([['ModelVersionApproved', EGFR_2009.key, id('egfr-ckd-epi'), 'egfr-ckd-epi', '2009', EGFR_2009.onnx, EGFR_2009.card]]);
      expect(receipt.logs[0]!.topics.slice(1)).toEqual([EGFR_2009.key, id('egfr-ckd-epi')]);
      expect([...(await registry.versionOf(EGFR_2009.key))]).toEqual([EGFR_2009.onnx, EGFR_2009.card, Approved, expect.any(BigInt), at, 0n]);
      expect(await registry.isApproved(EGFR_2009.key, EGFR_2009.onnx)).toBe(true);
      expect(await registry.isApproved(EGFR_2009.key, EGFR_2021.onnx)).toBe(false); // another file under this version
      expect(await registry.isApproved(EGFR_2009.key, ZeroHash)).toBe(false);
      expect(await registry.isApproved(EGFR_2021.key, EGFR_2009.onnx)).toBe(false); // this file under another version
    });

    it('refuses approving an approved version with ModelRegistryUnexpectedState(key, Approved, Proposed)', async () => {
      expect(await revertOf(registry, () => registry.approve('egfr-ckd-epi', '2009'))).toEqual({ name: 'ModelRegistryUnexpectedState', args: [EGFR_2009.key, Approved, Proposed] });
    });

    it('leaves the earlier version approved when a newer one is approved: retiring is its own decision', async () => {
      await (await as(chain.second).propose(EGFR_2021.modelId, EGFR_2021.version, EGFR_2021.onnx, EGFR_2021.card)).wait();
      await (await registry.approve('egfr-ckd-epi', '2021')).wait();
      expect(await registry.isApproved(EGFR_2021.key, EGFR_2021.onnx)).toBe(true);
      expect(await registry.isApproved(EGFR_2009.key, EGFR_2009.onnx)).toBe(true);
      expect(await registry.stateOf(EGFR_2009.key)).toBe(Approved);
    });
  });

  describe('retire', () => {
    const WDBC = version('wdbc-malignancy', '1.0.0');

    it('refuses anyone but the timelock with ModelRegistryUnauthorizedCaller(caller)', async () => {
      expect(await revertOf(registry, () => as(chain.outsider).retire('egfr-ckd-epi', '2009'))).toEqual({ name: 'ModelRegistryUnauthorizedCaller', args: [outsiderAddress] });
      expect(await revertOf(registry, () => as(chain.second).retire('egfr-ckd-epi', '2009'))).toEqual({ name: 'ModelRegistryUnauthorizedCaller', args: [proposerAddress] });
    });

    it('refuses a version never proposed with ModelRegistryUnknownVersion(key)', async () => {
      expect(await revertOf(registry, () => registry.retire('wdbc-malignancy', '1.0.0'))).toEqual({ name: 'ModelRegistryUnknownVersion', args: [WDBC.key] });
    });

    it('refuses retiring a version that was never approved with ModelRegistryUnexpectedState(key, Proposed, Approved)', async () => {
      await (await as(chain.second).propose(WDBC.modelId, WDBC.version, WDBC.onnx, WDBC.card)).wait();
      expect(await revertOf(registry, () => registry.retire('wdbc-malignancy', '1.0.0'))).toEqual({ name: 'ModelRegistryUnexpectedState', args: [WDBC.key, Proposed, Approved] });
    });

    it('retires an approved version, emits ModelVersionRetired with its data, and stops its file from running', async () => {
      const approvedAt = (await registry.versionOf(EGFR_2009.key)).approvedAt;
      const receipt = (await (await registry.retire('egfr-ckd-epi', '2009')).wait())!;
      gas['retire'] = receipt.gasUsed;
      const at = await blockTime(receipt);
      expect(eventsOf(receipt).map((e) => [e.name, ...e.args])).toEqual([['ModelVersionRetired', EGFR_2009.key, id('egfr-ckd-epi'), 'egfr-ckd-epi', '2009', EGFR_2009.onnx, EGFR_2009.card]]);
      expect([...(await registry.versionOf(EGFR_2009.key))]).toEqual([EGFR_2009.onnx, EGFR_2009.card, Retired, expect.any(BigInt), approvedAt, at]);
      expect(await registry.isApproved(EGFR_2009.key, EGFR_2009.onnx)).toBe(false);
      expect(await registry.isApproved(EGFR_2021.key, EGFR_2021.onnx)).toBe(true);
    });

    it('has no way back: a retired version can be neither retired again nor approved again', async () => {
      expect(await revertOf(registry, () => registry.retire('egfr-ckd-epi', '2009'))).toEqual({ name: 'ModelRegistryUnexpectedState', args: [EGFR_2009.key, Retired, Approved] });
      expect(await revertOf(registry, () => registry.approve('egfr-ckd-epi', '2009'))).toEqual({ name: 'ModelRegistryUnexpectedState', args: [EGFR_2009.key, Retired, Proposed] });
      expect(await revertOf(registry, () => as(chain.second).propose('egfr-ckd-epi', '2009', EGFR_2009.onnx, EGFR_2009.card))).toEqual({ name: 'ModelRegistryAlreadyProposed', args: [EGFR_2009.key] });
      expect(await registry.stateOf(EGFR_2009.key)).toBe(Retired);
    });

    it('leaves the state unchanged when a refused retirement is mined', async () => {
      const before = [...(await registry.versionOf(EGFR_2009.key))];
      // A fixed gas limit skips estimation, so the failing transaction really lands in a block.
      const receipt = await chain.provider.waitForTransaction((await registry.retire('egfr-ckd-epi', '2009', { gasLimit: 200_000 })).hash);
      expect(receipt?.status).toBe(0);
      expect(receipt?.logs).toEqual([]);
      expect([...(await registry.versionOf(EGFR_2009.key))]).toEqual(before);
    });
  });

  describe('proposer role', () => {
    it('lets the timelock grant and revoke PROPOSER_ROLE, with the right to propose following the role', async () => {
      await (await registry.getFunction('grantRole')(PROPOSER_ROLE, outsiderAddress)).wait();
      await (await as(chain.outsider).propose('ascvd-pce', '2013', hashOf('ascvd.onnx'), hashOf('ascvd.md'))).wait();
      expect(await registry.stateOf(keyOf('ascvd-pce', '2013'))).toBe(Proposed);
      await (await registry.getFunction('revokeRole')(PROPOSER_ROLE, outsiderAddress)).wait();
      expect(await revertOf(registry, () => as(chain.outsider).propose('ascvd-pce', '2014', hashOf('a'), hashOf('b')))).toEqual({ name: 'AccessControlUnauthorizedAccount', args: [outsiderAddress, PROPOSER_ROLE] });
    });

    it('refuses a grant by anyone but the timelock with AccessControlUnauthorizedAccount(account, DEFAULT_ADMIN_ROLE)', async () => {
      const grantRole = as(chain.second).getFunction('grantRole');
      expect(await revertOf(registry, () => grantRole(PROPOSER_ROLE, outsiderAddress))).toEqual({ name: 'AccessControlUnauthorizedAccount', args: [proposerAddress, DEFAULT_ADMIN_ROLE] });
    });

    it('can be deployed with no proposers, leaving the grants to governance', async () => {
      const bare = await deployRegistry(timelockAddress, []);
      expect(await bare.hasRole(PROPOSER_ROLE, proposerAddress)).toBe(false);
      expect(await bare.hasRole(DEFAULT_ADMIN_ROLE, timelockAddress)).toBe(true);
    });
  });

  it('names its events as the gateway indexer expects', () => {
    const names: string[] = [];
    registry.interface.forEachEvent((event) => names.push(event.name));
    expect(names.filter((n) => n.startsWith('ModelVersion')).sort()).toEqual([...MODEL_REGISTRY_EVENTS].sort());
  });

  it('costs what contracts/README.md says', () => {
    // Bounds a little above the measured values, so a layout change that adds a storage write fails here.
    expect(gas['propose']).toBeLessThan(125_000n);
    expect(gas['approve']).toBeLessThan(42_000n);
    expect(gas['retire']).toBeLessThan(42_000n);
    if (process.env['GAS_REPORT']) process.stdout.write(`ModelRegistry gas: ${JSON.stringify(gas, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n`);
  });
});
