// The independent verifier of the audit log (issue 6 §5): pure checks over entries and chain facts, and the
// sources that read them. `verify.cli.ts` is the command.
export { type AnchorFact, type AnchorFacts, checkAnchors } from './anchor-checks.js';
export { checkConsents, type ConsentFact, type ConsentFacts, type EmergencyFact } from './consent-checks.js';
export { type Discrepancy, formatDiscrepancy } from './discrepancy.js';
export { checkEntryChain, type PositionedEntry, type ServedEntry } from './entry-chain.js';
export { type ApprovedModelHashes, checkModels } from './model-checks.js';
export { formatReport, jsonReport, summaryOf, verifyAuditLog, type VerifyInput, type VerifyReport } from './verify-log.js';
export { runVerifyCommand } from './verify-command.js';
