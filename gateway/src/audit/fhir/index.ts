export { AuditEventController } from './audit-event.controller.js';
export { AuditEventProjection } from './audit-event.projection.js';
export { AUDIT_EVENT_SEARCH_PARAMS, parseAuditEventSearch } from './audit-event-search.js';
export { ACTOR_SYSTEM, auditEventId, leafIndexOf, LOG_SYSTEM, PSEUDONYM_SYSTEM, toAuditEvent } from './audit-event.js';
