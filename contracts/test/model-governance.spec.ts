import { type BaseContract, ContractFactory, id, type NonceManager, parseEther, sha256, toBeHex, toUtf8Bytes, type TransactionReceipt, ZeroAddress, ZeroHash, zeroPadValue } from 'ethers';
import {
  type ModelGovernorContract,
  type ModelRegistryContract,
  type ModelTimelockContract,
  ModelVersionState,
  ProposalState,
  type SerialNonceManager,
  type StewardTokenContract,
  VoteType,
  createSigner,
} from '../../gateway/src/chain/index.js';
import { type ChainFixture, revertOf, startChainFixture } from '../../test/support/chain-fixture.js';

/** anvil's accounts 3 and 4 ("test test … junk"): the third and fourth stewards. */
const ANVIL_ACCOUNT3_PRIVATE_KEY = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6';
const ANVIL_ACCOUNT4_PRIVATE_KEY = '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a';

const VOTING_DELAY = 60; // seconds: the token's clock is the block timestamp
const VOTING_PERIOD = 3_600;
const MIN_DELAY = 600;
const THRESHOLD = parseEther('150');
const QUORUM_PERCENT = 40n;
const SUPPLY = parseEther('1000');
const QUORUM = (SUPPLY * QUORUM_PERCENT) / 100n;

const PROPOSER_ROLE = id('PROPOSER_ROLE');
const CANCELLER_ROLE = id('CANCELLER_ROLE');
const EXECUTOR_ROLE = id('EXECUTOR_ROLE');
const DEFAULT_ADMIN_ROLE = ZeroHash;
/** OpenZeppelin's `_encodeStateBitmap`: one bit per allowed state, as the bytes32 in the Unexpected*State errors. */
const bitmap = (...states: bigint[]): string => zeroPadValue(toBeHex(states.reduce((acc, s) => acc | (1n << s), 0n)), 32);
/** TimelockController.OperationState.Ready. */
const OPERATION_READY = 2n;

const hashOf = (text: string): string => sha256(toUtf8Bytes(text));
const model = (modelId: string, version: string) => ({ modelId, version, onnx: hashOf(`${modelId}/${version}/model.onnx`), card: hashOf(`${modelId}/${version}/card.md`) });
const EGFR_2009 = model('egfr-ckd-epi', '2009');
const EGFR_2021 = model('egfr-ckd-epi', '2021');
const ASCVD_2013 = model('ascvd-pce', '2013');

/** One call of a Governor proposal on the registry. */
type RegistryCall = readonly ['approve' | 'retire', { readonly modelId: string; readonly version: string }];

/** A proposal as the Governor identifies it: its calls and its description's hash. */
interface Proposal {
  readonly id: bigint;
  readonly targets: string[];
  readonly values: bigint[];
  readonly calldatas: string[];
  readonly description: string;
  readonly descriptionHash: string;
  readonly receipt: TransactionReceipt;
}

describe('Model governance: ModelRegistry under ModelGovernor and ModelTimelock', () => {
  let chain: ChainFixture;
  let token: StewardTokenContract;
  let timelock: ModelTimelockContract;
  let governor: ModelGovernorContract;
  let registry: ModelRegistryContract;
  /** Stewards: anvil accounts 0 (400 votes, the deployer), 2 (300), 3 (200) and 4 (100). */
  let alice: SerialNonceManager;
  let bob: SerialNonceManager;
  let carol: SerialNonceManager;
  let dave: SerialNonceManager;
  let addr: Record<'alice' | 'bob' | 'carol' | 'dave' | 'outsider' | 'governor' | 'timelock' | 'registry', string>;
  const gas: Record<string, bigint> = {};

  async function deploy<T>(name: string, args: unknown[], signer: NonceManager = chain.admin): Promise<T> {
    const artifact = chain.compilation.contracts[name]!;
    const contract = await new ContractFactory(artifact.abi, artifact.bytecode, signer).deploy(...args);
    await contract.waitForDeployment();
    return contract as unknown as T;
  }
  const now = async (): Promise<bigint> => BigInt((await chain.provider.getBlock('latest'))!.timestamp);
  const travel = async (seconds: number): Promise<void> => {
    await chain.provider.send('evm_increaseTime', [seconds]);
    await chain.provider.send('evm_mine', []);
  };
  const eventsOf = (receipt: TransactionReceipt, contract: BaseContract) =>
    receipt.logs.filter((l) => l.address === contract.target).map((l) => contract.interface.parseLog(l)).filter((e) => e !== null).map((e) => [e.name, ...e.args.toArray(true)]);
  const asGovernor = (signer: NonceManager): ModelGovernorContract => governor.connect(signer) as ModelGovernorContract;

  /** Creates a Governor proposal whose calls are registry approvals and retirements. */
  async function propose(proposer: NonceManager, calls: readonly RegistryCall[], description: string): Promise<Proposal> {
    const targets = calls.map(() => addr.registry);
    const values = calls.map(() => 0n);
    const calldatas = calls.map(([fn, v]) => registry.interface.encodeFunctionData(fn, [v.modelId, v.version]));
    const receipt = (await (await asGovernor(proposer).propose(targets, values, calldatas, description)).wait())!;
    const descriptionHash = id(description);
    return { id: await governor.hashProposal(targets, values, calldatas, descriptionHash), targets, values, calldatas, description, descriptionHash, receipt };
  }
  const vote = async (voter: NonceManager, p: Proposal, support: number): Promise<TransactionReceipt> => (await (await asGovernor(voter).castVote(p.id, support)).wait())!;
  const queue = async (p: Proposal): Promise<TransactionReceipt> => (await (await governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash)).wait())!;
  const execute = async (p: Proposal, signer: NonceManager = chain.admin): Promise<TransactionReceipt> =>
    (await (await asGovernor(signer).execute(p.targets, p.values, p.calldatas, p.descriptionHash)).wait())!;
  /** The timelock operation a queued proposal becomes (GovernorTimelockControl's salt: governor address ^ description hash). */
  const salt = (p: Proposal): string => toBeHex(BigInt(addr.governor.toLowerCase().padEnd(66, '0')) ^ BigInt(p.descriptionHash), 32);
  const operationOf = async (p: Proposal): Promise<string> => timelock.hashOperationBatch(p.targets, p.values, p.calldatas, ZeroHash, salt(p));
  /** Votes `ballots`, waits out the vote, queues, waits out the timelock delay and executes. */
  async function pass(p: Proposal, ballots: ReadonlyArray<readonly [NonceManager, number]>): Promise<TransactionReceipt> {
    await travel(VOTING_DELAY + 1);
    for (const [voter, support] of ballots) await vote(voter, p, support);
    await travel(VOTING_PERIOD);
    await queue(p);
    await travel(MIN_DELAY);
    return execute(p);
  }
  /** Members of each timelock role, folded from every RoleGranted and RoleRevoked log it ever emitted. */
  async function timelockRoleMembers(): Promise<Map<string, Set<string>>> {
    const logs = await chain.provider.getLogs({ address: addr.timelock, fromBlock: 0, toBlock: 'latest' });
    const members = new Map<string, Set<string>>();
    for (const log of logs) {
      const e = timelock.interface.parseLog(log);
      if (e?.name !== 'RoleGranted' && e?.name !== 'RoleRevoked') continue;
      const set = members.get(e.args[0] as string) ?? new Set<string>();
      if (e.name === 'RoleGranted') set.add(e.args[1] as string);
      else set.delete(e.args[1] as string);
      members.set(e.args[0] as string, set);
    }
    return members;
  }

  beforeAll(async () => {
    chain = await startChainFixture();
    alice = chain.admin;
    bob = chain.second;
    carol = createSigner(ANVIL_ACCOUNT3_PRIVATE_KEY, chain.provider);
    dave = createSigner(ANVIL_ACCOUNT4_PRIVATE_KEY, chain.provider);
    const [a, b, c, d, o] = await Promise.all([alice, bob, carol, dave, chain.outsider].map((s) => s.getAddress()));
    // Deployment order (contracts/README.md): token → timelock → governor → roles → renounce → registry.
    token = await deploy<StewardTokenContract>('StewardToken', ['Model Steward Vote', 'MSV', [a, b, c, d], [parseEther('400'), parseEther('300'), parseEther('200'), parseEther('100')]]);
    timelock = await deploy<ModelTimelockContract>('ModelTimelock', [MIN_DELAY, [], [], a]);
    governor = await deploy<ModelGovernorContract>('ModelGovernor', [token.target, timelock.target, VOTING_DELAY, VOTING_PERIOD, THRESHOLD, QUORUM_PERCENT]);
    for (const role of [PROPOSER_ROLE, CANCELLER_ROLE, EXECUTOR_ROLE]) await (await timelock.grantRole(role, governor.target)).wait();
    await (await timelock.renounceRole(DEFAULT_ADMIN_ROLE, a)).wait();
    registry = await deploy<ModelRegistryContract>('ModelRegistry', [timelock.target, [a, b]]);
    // Governor reads the proposer's votes and the quorum's supply at `clock() - 1`: let the mint's second pass.
    await travel(1);
    addr = { alice: a!, bob: b!, carol: c!, dave: d!, outsider: o!, governor: governor.target as string, timelock: timelock.target as string, registry: registry.target as string };
  });

  afterAll(async () => {
    await chain?.close();
  });

  describe('setup', () => {
    it('mints the fixed supply to the stewards and counts each one\'s votes without a delegation step', async () => {
      expect(await token.totalSupply()).toBe(SUPPLY);
      const expected = { alice: parseEther('400'), bob: parseEther('300'), carol: parseEther('200'), dave: parseEther('100') };
      for (const [name, amount] of Object.entries(expected)) {
        const account = addr[name as keyof typeof expected];
        expect([await token.balanceOf(account), await token.getVotes(account), await token.delegates(account)]).toEqual([amount, amount, account]);
      }
      expect(token.interface.getFunction('mint')).toBeNull();
    });

    it('runs the token and the Governor on the timestamp clock (ERC-6372 mode=timestamp)', async () => {
      expect(await token.CLOCK_MODE()).toBe('mode=timestamp');
      expect(await governor.CLOCK_MODE()).toBe('mode=timestamp');
      expect(await token.clock()).toBe(await now());
      expect(await governor.clock()).toBe(await now());
    });

    it('has the configured settings, in seconds and token units, and the timelock as executor', async () => {
      expect([await governor.votingDelay(), await governor.votingPeriod(), await governor.proposalThreshold()]).toEqual([BigInt(VOTING_DELAY), BigInt(VOTING_PERIOD), THRESHOLD]);
      expect(await governor.quorum((await now()) - 1n)).toBe(QUORUM);
      expect([await governor.timelock(), await governor.token(), await governor.getFunction('name')()]).toEqual([addr.timelock, token.target, 'ModelGovernor']);
      expect(await timelock.getMinDelay()).toBe(BigInt(MIN_DELAY));
      expect([await registry.timelock(), await registry.hasRole(DEFAULT_ADMIN_ROLE, addr.timelock)]).toEqual([addr.timelock, true]);
    });

    it('gives the Governor alone the timelock\'s proposer, canceller and executor roles, and its admin role to the timelock alone', async () => {
      const members = await timelockRoleMembers();
      expect([...(members.get(PROPOSER_ROLE) ?? [])]).toEqual([addr.governor]);
      expect([...(members.get(CANCELLER_ROLE) ?? [])]).toEqual([addr.governor]);
      expect([...(members.get(EXECUTOR_ROLE) ?? [])]).toEqual([addr.governor]);
      // OpenZeppelin 5 makes the timelock its own admin; the deployer's setup admin role was renounced.
      expect([...(members.get(DEFAULT_ADMIN_ROLE) ?? [])]).toEqual([addr.timelock]);
      expect(await timelock.hasRole(DEFAULT_ADMIN_ROLE, addr.alice)).toBe(false);
      expect(await timelock.hasRole(EXECUTOR_ROLE, ZeroAddress)).toBe(false); // execution is not open
      expect(await timelock.hasRole(PROPOSER_ROLE, ZeroAddress)).toBe(false);
    });
  });

  describe('approving model versions', () => {
    let first: Proposal;

    it('records candidate versions in the registry as Proposed', async () => {
      for (const v of [EGFR_2009, ASCVD_2013]) await (await registry.propose(v.modelId, v.version, v.onnx, v.card)).wait();
      expect(await registry.stateOf(await registry.keyOf('egfr-ckd-epi', '2009'))).toBe(ModelVersionState.Proposed);
    });

    it('refuses a Governor proposal from an account below the threshold with GovernorInsufficientProposerVotes(proposer, votes, threshold)', async () => {
      const calldata = registry.interface.encodeFunctionData('approve', ['egfr-ckd-epi', '2009']);
      for (const [signer, votes] of [[dave, parseEther('100')], [chain.outsider, 0n]] as const) {
        const proposer = await signer.getAddress();
        expect(await revertOf(governor, () => asGovernor(signer).propose([addr.registry], [0], [calldata], 'too small'))).toEqual({ name: 'GovernorInsufficientProposerVotes', args: [proposer, votes, THRESHOLD] });
      }
    });

    it('creates a Pending proposal whose vote starts after the voting delay and lasts the voting period', async () => {
      first = await propose(alice, [['approve', EGFR_2009], ['approve', ASCVD_2013]], 'Approve the bundled models: eGFR CKD-EPI 2009 and ASCVD PCE 2013');
      gas['governor.propose'] = first.receipt.gasUsed;
      const at = BigInt((await chain.provider.getBlock(first.receipt.blockNumber))!.timestamp);
      expect(eventsOf(first.receipt, governor)).toEqual([
        ['ProposalCreated', first.id, addr.alice, first.targets, [0n, 0n], ['', ''], first.calldatas, at + BigInt(VOTING_DELAY), at + BigInt(VOTING_DELAY + VOTING_PERIOD), first.description],
      ]);
      expect(await governor.state(first.id)).toBe(ProposalState.Pending);
      expect([await governor.proposalSnapshot(first.id), await governor.proposalDeadline(first.id), await governor.proposalProposer(first.id)]).toEqual([at + BigInt(VOTING_DELAY), at + BigInt(VOTING_DELAY + VOTING_PERIOD), addr.alice]);
    });

    it('refuses votes before the voting delay has passed with GovernorUnexpectedProposalState(id, Pending, Active)', async () => {
      expect(await revertOf(governor, () => asGovernor(bob).castVote(first.id, VoteType.For))).toEqual({ name: 'GovernorUnexpectedProposalState', args: [first.id, ProposalState.Pending, bitmap(ProposalState.Active)] });
    });

    it('counts votes for, against and abstaining with each voter\'s weight at the snapshot', async () => {
      await travel(VOTING_DELAY + 1);
      expect(await governor.state(first.id)).toBe(ProposalState.Active);
      const forReceipt = await vote(alice, first, VoteType.For);
      gas['governor.castVote'] = forReceipt.gasUsed;
      expect(eventsOf(forReceipt, governor)).toEqual([['VoteCast', addr.alice, first.id, 1n, parseEther('400'), '']]);
      expect(eventsOf(await vote(bob, first, VoteType.Against), governor)).toEqual([['VoteCast', addr.bob, first.id, 0n, parseEther('300'), '']]);
      const abstain = (await (await asGovernor(carol).castVoteWithReason(first.id, VoteType.Abstain, 'card lacks a subgroup analysis')).wait())!;
      expect(eventsOf(abstain, governor)).toEqual([['VoteCast', addr.carol, first.id, 2n, parseEther('200'), 'card lacks a subgroup analysis']]);
      expect([...(await governor.proposalVotes(first.id))]).toEqual([parseEther('300'), parseEther('400'), parseEther('200')]);
      expect([await governor.hasVoted(first.id, addr.alice), await governor.hasVoted(first.id, addr.dave)]).toEqual([true, false]);
    });

    it('refuses a second vote with GovernorAlreadyCastVote(voter)', async () => {
      expect(await revertOf(governor, () => asGovernor(alice).castVote(first.id, VoteType.Against))).toEqual({ name: 'GovernorAlreadyCastVote', args: [addr.alice] });
    });

    it('refuses to queue while the vote runs with GovernorUnexpectedProposalState(id, Active, Succeeded)', async () => {
      expect(await revertOf(governor, () => queue(first))).toEqual({ name: 'GovernorUnexpectedProposalState', args: [first.id, ProposalState.Active, bitmap(ProposalState.Succeeded)] });
    });

    it('succeeds when for beats against and for + abstain reach the quorum, but refuses execution before queueing with GovernorUnexpectedProposalState(id, Succeeded, Queued)', async () => {
      await travel(VOTING_PERIOD);
      expect(await governor.state(first.id)).toBe(ProposalState.Succeeded);
      expect(await revertOf(governor, () => execute(first))).toEqual({ name: 'GovernorUnexpectedProposalState', args: [first.id, ProposalState.Succeeded, bitmap(ProposalState.Queued)] });
    });

    it('queues the proposal in the timelock with an eta of now + minDelay', async () => {
      const receipt = await queue(first);
      gas['governor.queue'] = receipt.gasUsed;
      const eta = BigInt((await chain.provider.getBlock(receipt.blockNumber))!.timestamp) + BigInt(MIN_DELAY);
      expect(eventsOf(receipt, governor)).toEqual([['ProposalQueued', first.id, eta]]);
      const operation = await operationOf(first);
      expect(eventsOf(receipt, timelock).map((e) => e.slice(0, 4))).toEqual([
        ['CallScheduled', operation, 0n, addr.registry],
        ['CallScheduled', operation, 1n, addr.registry],
        ['CallSalt', operation, salt(first)],
      ]);
      expect([await governor.state(first.id), await governor.proposalEta(first.id), await timelock.isOperationPending(operation), await timelock.isOperationReady(operation)]).toEqual([ProposalState.Queued, eta, true, false]);
    });

    it('refuses execution before the timelock delay with TimelockUnexpectedOperationState(operation, Ready)', async () => {
      expect(await revertOf(timelock, () => execute(first))).toEqual({ name: 'TimelockUnexpectedOperationState', args: [await operationOf(first), bitmap(OPERATION_READY)] });
      expect(await governor.state(first.id)).toBe(ProposalState.Queued);
    });

    it('refuses execution straight on the timelock by anyone but the Governor with AccessControlUnauthorizedAccount(account, EXECUTOR_ROLE)', async () => {
      await travel(MIN_DELAY);
      const asOutsider = timelock.connect(chain.outsider) as ModelTimelockContract;
      const executeBatch = asOutsider.getFunction('executeBatch');
      expect(await revertOf(timelock, () => executeBatch(first.targets, first.values, first.calldatas, ZeroHash, salt(first)))).toEqual({ name: 'AccessControlUnauthorizedAccount', args: [addr.outsider, EXECUTOR_ROLE] });
    });

    it('executes after the delay, triggered by anyone: the registry approves both versions with their events', async () => {
      const receipt = await execute(first, chain.outsider);
      gas['governor.execute (2 approvals)'] = receipt.gasUsed;
      expect(eventsOf(receipt, governor)).toEqual([['ProposalExecuted', first.id]]);
      expect(eventsOf(receipt, registry)).toEqual([
        ['ModelVersionApproved', await registry.keyOf('egfr-ckd-epi', '2009'), id('egfr-ckd-epi'), 'egfr-ckd-epi', '2009', EGFR_2009.onnx, EGFR_2009.card],
        ['ModelVersionApproved', await registry.keyOf('ascvd-pce', '2013'), id('ascvd-pce'), 'ascvd-pce', '2013', ASCVD_2013.onnx, ASCVD_2013.card],
      ]);
      expect(await governor.state(first.id)).toBe(ProposalState.Executed);
      expect(await timelock.isOperationDone(await operationOf(first))).toBe(true);
      expect(await registry.isApproved(await registry.keyOf('egfr-ckd-epi', '2009'), EGFR_2009.onnx)).toBe(true);
      expect(await registry.isApproved(await registry.keyOf('ascvd-pce', '2013'), ASCVD_2013.onnx)).toBe(true);
    });

    it('refuses a second execution with GovernorUnexpectedProposalState(id, Executed, Queued)', async () => {
      expect(await revertOf(governor, () => execute(first))).toEqual({ name: 'GovernorUnexpectedProposalState', args: [first.id, ProposalState.Executed, bitmap(ProposalState.Queued)] });
    });
  });

  describe('defeated proposals', () => {
    it('defeats a proposal whose for + abstain votes stay under the quorum, and refuses to queue it', async () => {
      await (await registry.propose(EGFR_2021.modelId, EGFR_2021.version, EGFR_2021.onnx, EGFR_2021.card)).wait();
      const p = await propose(alice, [['approve', EGFR_2021]], 'Approve eGFR CKD-EPI 2021 (quorum test)');
      await travel(VOTING_DELAY + 1);
      await vote(dave, p, VoteType.For); // 100 for, 0 against: the majority is for, but 100 < quorum 400
      await travel(VOTING_PERIOD);
      expect([await governor.state(p.id), await governor.quorum(await governor.proposalSnapshot(p.id))]).toEqual([ProposalState.Defeated, QUORUM]);
      expect(await revertOf(governor, () => queue(p))).toEqual({ name: 'GovernorUnexpectedProposalState', args: [p.id, ProposalState.Defeated, bitmap(ProposalState.Succeeded)] });
      expect(await registry.stateOf(await registry.keyOf('egfr-ckd-epi', '2021'))).toBe(ModelVersionState.Proposed);
    });

    it('moves votes by delegation, counted from the next snapshot on', async () => {
      const receipt = (await (await (token.connect(carol) as StewardTokenContract).delegate(addr.bob)).wait())!;
      expect(eventsOf(receipt, token)).toEqual([
        ['DelegateChanged', addr.carol, addr.carol, addr.bob],
        ['DelegateVotesChanged', addr.carol, parseEther('200'), 0n],
        ['DelegateVotesChanged', addr.bob, parseEther('300'), parseEther('500')],
      ]);
      const at = BigInt((await chain.provider.getBlock(receipt.blockNumber))!.timestamp);
      await travel(1);
      expect([await token.getVotes(addr.bob), await token.getVotes(addr.carol), await token.balanceOf(addr.carol)]).toEqual([parseEther('500'), 0n, parseEther('200')]);
      expect([await token.getPastVotes(addr.bob, at - 1n), await token.getPastVotes(addr.bob, at)]).toEqual([parseEther('300'), parseEther('500')]);
    });

    it('defeats a proposal that reaches the quorum when the votes against outweigh the votes for', async () => {
      const p = await propose(alice, [['approve', EGFR_2021]], 'Approve eGFR CKD-EPI 2021 (majority test)');
      await travel(VOTING_DELAY + 1);
      await vote(alice, p, VoteType.For); // 400 for = quorum
      await vote(bob, p, VoteType.Against); // 500 against, carol's 200 delegated to bob
      expect(eventsOf(await vote(carol, p, VoteType.For), governor)).toEqual([['VoteCast', addr.carol, p.id, 1n, 0n, '']]); // carol delegated away
      await travel(VOTING_PERIOD);
      expect([...(await governor.proposalVotes(p.id))]).toEqual([parseEther('500'), parseEther('400'), 0n]);
      expect(await governor.state(p.id)).toBe(ProposalState.Defeated);
      expect(await registry.stateOf(await registry.keyOf('egfr-ckd-epi', '2021'))).toBe(ModelVersionState.Proposed);
    });
  });

  describe('bias correction and retirement', () => {
    it('approves CKD-EPI 2021 and retires CKD-EPI 2009 in one proposal, in one transaction', async () => {
      const p = await propose(bob, [['approve', EGFR_2021], ['retire', EGFR_2009]], 'Bias correction: replace eGFR CKD-EPI 2009 (race coefficient) by the race-free 2021 equation');
      const receipt = await pass(p, [[bob, VoteType.For], [alice, VoteType.For]]);
      gas['governor.execute (approve + retire)'] = receipt.gasUsed;
      const [key2009, key2021] = [await registry.keyOf('egfr-ckd-epi', '2009'), await registry.keyOf('egfr-ckd-epi', '2021')];
      expect(eventsOf(receipt, registry)).toEqual([
        ['ModelVersionApproved', key2021, id('egfr-ckd-epi'), 'egfr-ckd-epi', '2021', EGFR_2021.onnx, EGFR_2021.card],
        ['ModelVersionRetired', key2009, id('egfr-ckd-epi'), 'egfr-ckd-epi', '2009', EGFR_2009.onnx, EGFR_2009.card],
      ]);
      expect([await registry.stateOf(key2021), await registry.stateOf(key2009)]).toEqual([ModelVersionState.Approved, ModelVersionState.Retired]);
      expect([await registry.isApproved(key2021, EGFR_2021.onnx), await registry.isApproved(key2009, EGFR_2009.onnx)]).toEqual([true, false]);
    });

    it('retires a version by a proposal of its own', async () => {
      const p = await propose(alice, [['retire', ASCVD_2013]], 'Retire ASCVD PCE 2013');
      const receipt = await pass(p, [[alice, VoteType.For]]);
      const key = await registry.keyOf('ascvd-pce', '2013');
      expect(eventsOf(receipt, registry)).toEqual([['ModelVersionRetired', key, id('ascvd-pce'), 'ascvd-pce', '2013', ASCVD_2013.onnx, ASCVD_2013.card]]);
      expect(await registry.stateOf(key)).toBe(ModelVersionState.Retired);
    });

    it('reverts the execution with the registry\'s error when a passed proposal\'s call is refused, leaving it Queued', async () => {
      const p = await propose(alice, [['approve', EGFR_2009]], 'Re-approve eGFR CKD-EPI 2009');
      await travel(VOTING_DELAY + 1);
      await vote(alice, p, VoteType.For);
      await travel(VOTING_PERIOD);
      await queue(p);
      await travel(MIN_DELAY);
      const key = await registry.keyOf('egfr-ckd-epi', '2009');
      expect(await revertOf(registry, () => execute(p))).toEqual({ name: 'ModelRegistryUnexpectedState', args: [key, ModelVersionState.Retired, ModelVersionState.Proposed] });
      expect([await governor.state(p.id), await registry.stateOf(key)]).toEqual([ProposalState.Queued, ModelVersionState.Retired]);
    });
  });

  describe('no way around governance', () => {
    it('refuses approve and retire from anyone but the timelock with ModelRegistryUnauthorizedCaller(caller), stewards and Governor included', async () => {
      for (const [signer, caller] of [[alice, addr.alice], [chain.outsider, addr.outsider]] as const) {
        const asCaller = registry.connect(signer) as ModelRegistryContract;
        expect(await revertOf(registry, () => asCaller.approve('egfr-ckd-epi', '2021'))).toEqual({ name: 'ModelRegistryUnauthorizedCaller', args: [caller] });
        expect(await revertOf(registry, () => asCaller.retire('egfr-ckd-epi', '2021'))).toEqual({ name: 'ModelRegistryUnauthorizedCaller', args: [caller] });
      }
      // The Governor is not the timelock: a call through the Governor's relay would come from the Governor.
      const fromGovernor = await chain.provider.call({ from: addr.governor, to: addr.registry, data: registry.interface.encodeFunctionData('retire', ['egfr-ckd-epi', '2021']) }).catch((e: { data?: string }) => e.data);
      expect(registry.interface.parseError(fromGovernor!)?.args.toArray()).toEqual([addr.governor]);
    });

    it('refuses scheduling on the timelock by anyone but the Governor with AccessControlUnauthorizedAccount(account, PROPOSER_ROLE)', async () => {
      const data = registry.interface.encodeFunctionData('retire', ['egfr-ckd-epi', '2021']);
      for (const [signer, account] of [[alice, addr.alice], [chain.outsider, addr.outsider]] as const) {
        const asCaller = timelock.connect(signer) as ModelTimelockContract;
        expect(await revertOf(timelock, () => asCaller.schedule(addr.registry, 0, data, ZeroHash, ZeroHash, MIN_DELAY))).toEqual({ name: 'AccessControlUnauthorizedAccount', args: [account, PROPOSER_ROLE] });
      }
    });

    it('refuses cancelling on the timelock by anyone but the Governor with AccessControlUnauthorizedAccount(account, CANCELLER_ROLE)', async () => {
      const cancel = (timelock.connect(alice) as ModelTimelockContract).getFunction('cancel');
      expect(await revertOf(timelock, () => cancel(ZeroHash))).toEqual({ name: 'AccessControlUnauthorizedAccount', args: [addr.alice, CANCELLER_ROLE] });
    });

    it('refuses role changes by the former setup admin with AccessControlUnauthorizedAccount(account, DEFAULT_ADMIN_ROLE)', async () => {
      expect(await revertOf(timelock, () => timelock.grantRole(PROPOSER_ROLE, addr.alice))).toEqual({ name: 'AccessControlUnauthorizedAccount', args: [addr.alice, DEFAULT_ADMIN_ROLE] });
      const grantOnRegistry = registry.getFunction('grantRole');
      expect(await revertOf(registry, () => grantOnRegistry(PROPOSER_ROLE, addr.outsider))).toEqual({ name: 'AccessControlUnauthorizedAccount', args: [addr.alice, DEFAULT_ADMIN_ROLE] });
    });

    it('refuses setting changes outside a proposal with GovernorOnlyExecutor(account)', async () => {
      const setVotingDelay = governor.getFunction('setVotingDelay');
      expect(await revertOf(governor, () => setVotingDelay(0))).toEqual({ name: 'GovernorOnlyExecutor', args: [addr.alice] });
    });
  });

  describe('constructor guards', () => {
    it('refuses a token with recipients and amounts of different lengths with StewardTokenLengthMismatch(recipients, amounts)', async () => {
      expect(await revertOf(token, () => deploy('StewardToken', ['T', 'T', [addr.alice, addr.bob], [1n]]))).toEqual({ name: 'StewardTokenLengthMismatch', args: [2n, 1n] });
    });

    it('refuses a token with no supply with StewardTokenNoSupply()', async () => {
      expect(await revertOf(token, () => deploy('StewardToken', ['T', 'T', [addr.alice], [0n]]))).toEqual({ name: 'StewardTokenNoSupply', args: [] });
      expect(await revertOf(token, () => deploy('StewardToken', ['T', 'T', [], []]))).toEqual({ name: 'StewardTokenNoSupply', args: [] });
    });

    it('refuses a zero recipient with ERC20InvalidReceiver(0)', async () => {
      expect(await revertOf(token, () => deploy('StewardToken', ['T', 'T', [ZeroAddress], [1n]]))).toEqual({ name: 'ERC20InvalidReceiver', args: [ZeroAddress] });
    });

    it('refuses a voting token without the timestamp clock with ModelGovernorClockNotTimestamp(token)', async () => {
      // The registry has no CLOCK_MODE: the call reverts, as it would for a token on the block-number clock's default.
      expect(await revertOf(governor, () => deploy('ModelGovernor', [addr.registry, addr.timelock, VOTING_DELAY, VOTING_PERIOD, THRESHOLD, QUORUM_PERCENT]))).toEqual({ name: 'ModelGovernorClockNotTimestamp', args: [addr.registry] });
    });

    it('refuses a zero voting period with GovernorInvalidVotingPeriod(0)', async () => {
      expect(await revertOf(governor, () => deploy('ModelGovernor', [token.target, addr.timelock, VOTING_DELAY, 0, THRESHOLD, QUORUM_PERCENT]))).toEqual({ name: 'GovernorInvalidVotingPeriod', args: [0n] });
    });
  });

  it('keeps every contract under the EIP-170 limit of 24,576 bytes of runtime code', () => {
    const sizes = Object.fromEntries(['ModelRegistry', 'StewardToken', 'ModelTimelock', 'ModelGovernor'].map((name) => [name, (chain.compilation.contracts[name]!.deployedBytecode.length - 2) / 2]));
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(24_576);
    if (process.env['GAS_REPORT']) process.stdout.write(`sizes: ${JSON.stringify(sizes)}\n`);
  });

  it('costs what contracts/README.md says', () => {
    expect(gas['governor.propose']).toBeLessThan(150_000n);
    expect(gas['governor.castVote']).toBeLessThan(100_000n);
    expect(gas['governor.queue']).toBeLessThan(200_000n);
    expect(gas['governor.execute (2 approvals)']).toBeLessThan(200_000n);
    if (process.env['GAS_REPORT']) process.stdout.write(`governance gas: ${JSON.stringify(gas, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n`);
  });
});
