import { Card, type Me, Notice, roleLabel } from '@web';
import { AuditView } from './audit/audit-view.js';
import { ConsentedPatients } from './care/consented-patients.js';
import { Diagnoses } from './diagnoses/diagnoses.js';

/** Roles this workspace is made for (design.md §1). */
const WORKSPACE_ROLES: readonly string[] = ['clinician', 'auditor', 'steward'];

/** The signed-in start page: the caller's access as the gateway validated it. */
export function WorkspaceHome({ me }: { me: Me }) {
  const workspaceRoles = me.roles.filter((role) => WORKSPACE_ROLES.includes(role));
  return (
    <>
      <h1>Welcome, {me.username}</h1>
      <p className="lead">Your access, as the gateway sees it.</p>
      {workspaceRoles.length === 0 && (
        <Notice kind="info" title="This account has no workspace role" testId="no-workspace-role">
          <p className="notice__text">
            The workspace is for the {WORKSPACE_ROLES.map(roleLabel).join(', ').toLowerCase()} roles. Ask your administrator for access.
          </p>
        </Notice>
      )}
      <div className="grid">
        <Card title="Your access">
          <dl className="facts">
            <dt>Username</dt>
            <dd>{me.username}</dd>
            <dt>Workspace roles</dt>
            <dd>{workspaceRoles.length > 0 ? workspaceRoles.map(roleLabel).join(', ') : 'none'}</dd>
            <dt>Signed in through</dt>
            <dd className="mono">{me.clientId}</dd>
          </dl>
        </Card>
        <Card title="Rules of access">
          <ul className="checklist">
            <li>The gateway checks your sign-in on every request; your roles come from it.</li>
            <li>You see a patient’s records only while their consent (or a declared emergency) covers you, and only the records it names.</li>
            <li>Every read is logged, and the patient sees it in their access timeline.</li>
            <li>A model runs only under a patient’s diagnosis consent that names it, on the records it needs; you see its explanation and record your decision.</li>
            <li>Every access, decision and inference is an entry of the audit log, whose tree heads are anchored on-chain; auditors check each entry’s proof against the chain.</li>
          </ul>
        </Card>
      </div>
      {me.roles.includes('clinician') && (
        <>
          <ConsentedPatients />
          <Diagnoses />
        </>
      )}
      {me.roles.includes('auditor') && <AuditView />}
    </>
  );
}
