export { AuditEntriesController } from './audit-entries.controller.js';
export { AuditHeadController, type AuditChainView } from './audit-head.controller.js';
export { AuditProofsController } from './audit-proofs.controller.js';
export { AuditQueryService, type AuditStatistics, type ConsistencyProofView, type EntriesPage, type EntryItem, type InclusionProofView, type TreeHeadView } from './audit-query.service.js';
export { AUDIT_PURPOSES, entryQuery, type EntryFilter, type EntryPage } from './audit-params.js';
