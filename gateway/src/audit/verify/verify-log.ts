import { type AnchorFacts, checkAnchors } from './anchor-checks.js';
import { checkConsents, type ConsentFacts } from './consent-checks.js';
import { type Discrepancy, formatDiscrepancy, sortDiscrepancies } from './discrepancy.js';
import { checkEntryChain, type ServedEntry } from './entry-chain.js';
import { type ApprovedModelHashes, checkModels } from './model-checks.js';

/** Everything the verifier judges: the entries it was handed, and the facts it read itself. */
export interface VerifyInput {
  readonly entries: readonly ServedEntry[];
  readonly anchors: AnchorFacts;
  readonly consents: ConsentFacts;
  readonly models: readonly ApprovedModelHashes[];
  /** Tolerance on time bounds (block timestamps have 1 s resolution; the gateway's clock is not the chain's). */
  readonly clockSkewMs: number;
}

/** The verifier's verdict (also its `--json` output). */
export interface VerifyReport {
  readonly ok: boolean;
  readonly entries: number;
  readonly anchors: number;
  readonly latestAnchoredSize: number;
  readonly consentChecks: number;
  readonly modelChecks: number;
  /** Entries after the latest anchor: a note, not a failure. */
  readonly unanchored: number;
  /** Sorted by position: entries by leaf index, then anchors by index. */
  readonly discrepancies: readonly Discrepancy[];
}

/** Runs the four checks (issue 6 §5) over one log. Pure: no I/O. */
export function verifyAuditLog(input: VerifyInput): VerifyReport {
  const chain = checkEntryChain(input.entries);
  const anchors = checkAnchors(chain.tree, input.anchors, chain.discrepancies);
  const consents = checkConsents(chain.entries, input.consents, input.clockSkewMs);
  const models = checkModels(chain.entries, input.models);
  const discrepancies = sortDiscrepancies([...chain.discrepancies, ...anchors.discrepancies, ...consents.discrepancies, ...models.discrepancies]);
  return {
    ok: discrepancies.length === 0,
    entries: input.entries.length,
    anchors: anchors.anchors,
    latestAnchoredSize: anchors.latestSize,
    consentChecks: consents.checked,
    modelChecks: models.checked,
    unanchored: anchors.unanchored,
    discrepancies,
  };
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The summary line: `PASS: …` with the counts, or `FAIL: n discrepancies`. */
export function summaryOf(report: VerifyReport): string {
  if (!report.ok) return `FAIL: ${count(report.discrepancies.length, 'discrepancy', 'discrepancies')}`;
  const anchors = `${count(report.anchors, 'anchor')}${report.anchors > 0 ? ` (latest size ${report.latestAnchoredSize})` : ''}`;
  const note = report.unanchored > 0 ? `; ${count(report.unanchored, 'entry', 'entries')} not yet anchored` : '';
  return `PASS: ${count(report.entries, 'entry', 'entries')}, ${anchors}, ${count(report.consentChecks, 'consent check')}, ${count(report.modelChecks, 'model check')}${note}`;
}

/** The human output: one line per discrepancy, then the summary. */
export function formatReport(report: VerifyReport): string[] {
  return [...report.discrepancies.map(formatDiscrepancy), summaryOf(report)];
}

/** The `--json` output: the report with each discrepancy's human line. */
export function jsonReport(report: VerifyReport): string {
  return JSON.stringify({ ...report, summary: summaryOf(report), discrepancies: report.discrepancies.map((d) => ({ ...d, line: formatDiscrepancy(d) })) }, null, 2);
}
