export { AuditEntriesController } from './audit-entries.controller.js';
export { AuditHeadController } from './audit-head.controller.js';
export { AuditProofsController } from './audit-proofs.controller.js';
export { AuditQueryService } from './audit-query.service.js';
export type { AuditChainView, AuditStatistics, ConsistencyProofView, EntriesPage, EntryItem, InclusionProofView, TreeHeadView } from '../audit-api.types.js';
export { AUDIT_PURPOSES, entryQuery, type EntryFilter, type EntryPage } from './audit-params.js';
