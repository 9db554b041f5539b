export { AnchoringModule } from './anchoring.module.js';
export { AuditAnchorer } from './audit-anchorer.js';
