import type { AnchorFacts } from './anchor-checks.js';
import type { ConsentFact, ConsentFacts } from './consent-checks.js';
import { formatReport, verifyAuditLog, type VerifyInput } from './verify-log.js';
import { ALICE, anchorOver, CONSENT, DR_CHEN, handBuiltLog, rewrite, T0 } from './testing/hand-built-log.js';

const SHA = 'ab'.repeat(32);
const consent: ConsentFact = { consentId: CONSENT, grantee: DR_CHEN, purpose: 'TREATMENT', notBefore: T0 / 1000 - 60, notAfter: T0 / 1000 + 3600, grantedAt: T0 - 30_000 };
const facts = (extra: Partial<ConsentFact> = {}): ConsentFacts => ({ consents: new Map([[CONSENT, { ...consent, ...extra }]]), emergencies: new Map() });
const models = [{ source: 'models/', hashes: new Map([['egfr-ckd-epi@2021', SHA]]) }];

function run(input: Partial<VerifyInput> & Pick<VerifyInput, 'entries'>): string[] {
  return formatReport(verifyAuditLog({ anchors: { headCount: 0, anchors: [] }, consents: facts(), models, clockSkewMs: 2000, ...input }));
}

describe('verifyAuditLog', () => {
  const log = handBuiltLog(10, { 7: { action: 'diagnose', resourceType: 'RiskAssessment', purpose: 'TREATMENT', model: { id: 'egfr-ckd-epi', version: '2021', sha256: SHA } } });
  const anchors: AnchorFacts = { headCount: 2, anchors: [anchorOver(log, 0, 4), anchorOver(log, 1, 8)] };

  it('passes an honest log with its anchors, counting consent and model checks and the unanchored tail', () => {
    expect(run({ entries: log, anchors })).toEqual(['PASS: 10 entries, 2 anchors (latest size 8), 10 consent checks, 1 model check; 2 entries not yet anchored']);
    expect(run({ entries: log.slice(0, 8), anchors })).toEqual(['PASS: 8 entries, 2 anchors (latest size 8), 8 consent checks, 1 model check']);
  });

  it('localizes a root mismatch to the modified entry, for every anchor covering it', () => {
    const tampered = [...log.slice(0, 2), rewrite(log[2]!, { resourceType: 'Condition' }), ...log.slice(3)];
    const out = run({ entries: tampered.map(({ leafIndex, canonical }) => ({ leafIndex, canonical })), anchors });
    expect(out[0]).toMatch(/^entry 2: modified: its leaf hash [0-9a-f]{12}… is not the prev [0-9a-f]{12}… that entry 3 names$/);
    expect(out[1]).toMatch(/^anchor 0 \(size 4\): root-mismatch: the first 4 entries hash to [0-9a-f]{12}…, the anchored root is [0-9a-f]{12}…; the difference is in entry 2 \(flagged above\)$/);
    expect(out[2]).toMatch(/^anchor 1 \(size 8\): root-mismatch: .*; the difference is in entry 2 \(flagged above\)$/);
    expect(out.slice(3)).toEqual(['FAIL: 3 discrepancies']);
  });

  it('names the range when a mismatching root has no flagged entry (the last entry of the head was rewritten)', () => {
    const tampered = [...log.slice(0, 3), rewrite(log[3]!, { outcome: 'denied' }), ...log.slice(4)];
    const out = run({ entries: tampered.slice(0, 4).map(({ leafIndex, canonical }) => ({ leafIndex, canonical })), anchors: { headCount: 1, anchors: [anchorOver(log, 0, 4)] } });
    expect(out[0]).toMatch(/^anchor 0 \(size 4\): root-mismatch: .*; the difference is in entries 0 to 3$/);
  });

  it('reports a rewritten stored root, a missing event, a head beyond the log and a forked earlier head', () => {
    const forked = { ...anchorOver(log, 0, 4), rootHash: `0x${'11'.repeat(32)}`, storedRoot: `0x${'11'.repeat(32)}` };
    const rewritten = { ...anchorOver(log, 1, 8), storedRoot: `0x${'22'.repeat(32)}` };
    const beyond = anchorOver([...log, ...handBuiltLog(12).slice(10)], 3, 12);
    const out = run({ entries: log, anchors: { headCount: 4, anchors: [forked, rewritten, beyond] } });
    expect(out).toEqual([
      `anchor 0 (size 4): root-mismatch: the first 4 entries hash to ${anchorOver(log, 0, 4).rootHash.slice(2, 14)}…, the anchored root is 111111111111…; the difference is in entries 0 to 3`,
      `anchor 1 (size 8): anchor-rewritten: rootAt(8) holds 222222222222…, but the TreeHeadAnchored event (tx ${rewritten.transactionHash}) anchored ${rewritten.rootHash.slice(2, 14)}…`,
      'anchor 1 (size 8): inconsistent: anchor 0 (size 4, root 111111111111…) is not a prefix of this head: the RFC 9162 consistency proof from the log does not verify against the two on-chain roots',
      'anchor 2 (size unknown): anchor-missing: AuditAnchor counts 4 heads, but the chain has no TreeHeadAnchored event with index 2',
      'anchor 3 (size 12): log-truncated: anchored over 12 entries, the log has 10',
      'FAIL: 5 discrepancies',
    ]);
  });

  it('checks each access against the consent on-chain: existence, grantee, purpose and every time bound', () => {
    const entries = handBuiltLog(6, {
      0: { consent: `0x${'99'.repeat(32)}` },
      1: { actor: ALICE },
      2: { purpose: 'RESEARCH' },
      3: { at: new Date(T0 - 40_000).toISOString() },
      4: { action: 'consent-revoke', actor: ALICE, at: new Date(T0 + 10_000).toISOString() },
    });
    expect(run({ entries, consents: facts({ revokedAt: T0 + 4_500 }), clockSkewMs: 0 })).toEqual([
      `entry 0: unknown-consent: consent 0x${'99'.repeat(32)} is not on-chain (no ConsentGranted event)`,
      `entry 1: wrong-grantee: consent ${CONSENT} is granted to ${DR_CHEN}, the entry's actor is ${ALICE}`,
      'entry 2: wrong-purpose: the entry says purpose RESEARCH, the consent on-chain is for TREATMENT',
      'entry 3: consent-inactive: at 2025-06-01T09:59:20.000Z is before the grant\'s block time 2025-06-01T09:59:30.000Z',
      "entry 5: consent-inactive: at 2025-06-01T10:00:05.000Z is after the revocation's block time 2025-06-01T10:00:04.500Z",
      'FAIL: 5 discrepancies',
    ]);
  });

  it('allows the clock skew on each bound', () => {
    const entries = handBuiltLog(2, { 1: { at: new Date(T0 + 4_500 + 1_999).toISOString() } });
    expect(run({ entries, consents: facts({ revokedAt: T0 + 4_500 }) })).toEqual(['PASS: 2 entries, 0 anchors, 2 consent checks, 0 model checks; 2 entries not yet anchored']);
    expect(run({ entries, consents: facts({ revokedAt: T0 + 4_500 }), clockSkewMs: 0 })).toEqual(["entry 1: consent-inactive: at 2025-06-01T10:00:06.499Z is after the revocation's block time 2025-06-01T10:00:04.500Z", 'FAIL: 1 discrepancy']);
  });

  it('checks a break-glass entry against its EmergencyAccessRecorded event', () => {
    const ACCESS = `0x${'e1'.repeat(32)}`;
    const emergency = { ...consent, grantee: `0x${'00'.repeat(31)}01`, purpose: 'EMERGENCY' };
    const entries = handBuiltLog(3, { 0: { emergency: ACCESS, purpose: 'EMERGENCY' }, 1: { emergency: `0x${'e2'.repeat(32)}`, purpose: 'EMERGENCY' }, 2: { emergency: ACCESS, purpose: 'EMERGENCY' } });
    const consents: ConsentFacts = { consents: new Map([[CONSENT, emergency]]), emergencies: new Map([[ACCESS, { accessId: ACCESS, consentId: CONSENT, grantee: DR_CHEN, declaredAt: T0 - 1000, notAfter: T0 / 1000 + 1 }]]) };
    expect(run({ entries, consents, clockSkewMs: 0 })).toEqual([
      `entry 1: unknown-emergency: break-glass access 0x${'e2'.repeat(32)} is not on-chain (no EmergencyAccessRecorded event)`,
      "entry 2: consent-inactive: at 2025-06-01T10:00:02.000Z is at or after the break-glass access's notAfter 2025-06-01T10:00:01.000Z",
      'FAIL: 2 discrepancies',
    ]);
  });

  it('checks each inference’s model hash against every source of approved hashes', () => {
    const other = { source: 'ModelRegistry', hashes: new Map<string, string>() };
    const wrong = [{ source: 'models/', hashes: new Map([['egfr-ckd-epi@2021', 'cd'.repeat(32)]]) }, other];
    expect(run({ entries: log, models: wrong })).toEqual([
      'entry 7: model-hash-mismatch: the entry names egfr-ckd-epi@2021 with SHA-256 abababababab…, models/ has cdcdcdcdcdcd…',
      'entry 7: unknown-model: ModelRegistry has no model egfr-ckd-epi@2021',
      'FAIL: 2 discrepancies',
    ]);
  });
});
