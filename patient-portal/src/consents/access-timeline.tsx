import { roleLabel } from '@web';
import { useEffect, useState } from 'react';
import { ProblemNotice } from '../ui/problem-notice.js';
import type { AccessEvent, Consent } from './consent-api.js';
import { useConsentData } from './consent-data.js';
import { dateTime, purposeLabel, short } from './format.js';

/** Interactions in plain words: FHIR's, and the gateway's own (gateway/src/consent: consent-grant, consent-revoke, emergency). */
const INTERACTIONS: Readonly<Record<string, string>> = {
  read: 'read',
  vread: 'read an earlier version of',
  search: 'searched',
  'search-type': 'searched',
  history: 'read the history of',
  create: 'added',
  update: 'updated',
  patch: 'updated',
  delete: 'deleted',
  diagnose: 'ran a model on',
  'consent-grant': 'granted a consent',
  'consent-revoke': 'revoked a consent',
  emergency: 'declared an emergency (break-glass)',
};

function what(event: AccessEvent): string {
  const verb = INTERACTIONS[event.interaction] ?? event.interaction;
  return event.resourceType ? `${verb} ${event.resourceType}` : verb;
}

function Basis({ event, consents }: { event: AccessEvent; consents: ReadonlyMap<string, Consent> }) {
  if (event.emergencyId) {
    return (
      <span className="timeline__basis timeline__basis--emergency" data-testid="access-basis" data-kind="emergency">
        Emergency access (break-glass) <span className="mono" title={event.emergencyId}>{short(event.emergencyId)}</span>
      </span>
    );
  }
  if (event.consentId) {
    const consent = consents.get(event.consentId.toLowerCase());
    return (
      <span className="timeline__basis" data-testid="access-basis" data-kind="consent">
        Under consent <span className="mono" title={event.consentId}>{short(event.consentId)}</span>
        {consent && (consent.grantee.kind === 'emergency' ? ' (your standing emergency consent)' : ` (${consent.grantee.name}, ${purposeLabel(consent.purpose).toLowerCase()})`)}
      </span>
    );
  }
  return (
    <span className="timeline__basis" data-testid="access-basis" data-kind="none">
      No consent
    </span>
  );
}

/**
 * The patient's own pseudonym in the audit log, which a regulator can filter the log by without learning who they
 * are. Shown once known; a failure to read it leaves the timeline as it is.
 */
function AuditPseudonym() {
  const { api } = useConsentData();
  const [pseudonym, setPseudonym] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.myAuditPseudonym().then(
      (value) => live && setPseudonym(value),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);
  if (!pseudonym) return null;
  return (
    <p className="timeline__pseudonym" data-testid="audit-pseudonym-note">
      In the gateway’s audit log you appear as <span className="mono" data-testid="audit-pseudonym">{pseudonym}</span>, never by name. You can give this pseudonym to a regulator, who
      can then check every access to your records in the log and its proofs on the chain.
    </p>
  );
}

/**
 * "Who accessed my records": the gateway's access log for this patient (`accessTimeline`), newest first as it comes,
 * allowed and denied alike, each with the consent or break-glass access it rested on.
 */
export function AccessTimeline() {
  const { timeline, consents, reload } = useConsentData();
  const byId = new Map((consents.phase === 'ready' ? consents.value : []).map((c) => [c.id.toLowerCase(), c]));
  return (
    <div className="timeline" data-testid="access-timeline" data-phase={timeline.phase}>
      <AuditPseudonym />
      {timeline.phase === 'loading' && <p className="muted">Asking the gateway for the access log…</p>}
      {timeline.phase === 'failed' && <ProblemNotice problem={timeline.problem} onRetry={() => reload(['timeline'])} testId="access-timeline-error" />}
      {timeline.phase === 'ready' && timeline.value.length === 0 && (
        <p className="muted" data-testid="access-timeline-empty">
          Nobody has accessed your records through the gateway yet.
        </p>
      )}
      {timeline.phase === 'ready' && timeline.value.length > 0 && (
        <ol className="timeline__list">
          {timeline.value.map((event) => (
            <li
              key={event.leafIndex}
              className={`timeline__event timeline__event--${event.outcome}`}
              data-testid="access-event"
              data-outcome={event.outcome}
              data-interaction={event.interaction}
              data-resource-type={event.resourceType ?? ''}
              data-consent-id={event.consentId ?? ''}
              data-emergency-id={event.emergencyId ?? ''}
              data-leaf-index={event.leafIndex}
              data-purpose={event.purpose ?? ''}
              data-model={event.model ? `${event.model.id}@${event.model.version}` : ''}
            >
              <span className="timeline__when">
                <time dateTime={event.at}>{dateTime(event.at)}</time>
                <span className="timeline__entry" data-testid="access-entry">
                  Log entry <span className="mono" data-testid="access-leaf-index">{event.leafIndex}</span>
                </span>
                {event.purpose && (
                  <span className="timeline__entry" data-testid="access-purpose">
                    Purpose: {event.purpose.toLowerCase()}
                  </span>
                )}
                {event.model && (
                  <span className="timeline__entry mono" title={`model.onnx SHA-256 ${event.model.sha256}`} data-testid="access-model">
                    {event.model.id}@{event.model.version}
                  </span>
                )}
              </span>
              <span className="timeline__what">
                <strong>{event.actor}</strong> <span className="muted">({roleLabel(event.actorRole)})</span> {what(event)}
              </span>
              <span className={`outcome outcome--${event.outcome}`} data-testid="access-outcome">
                {event.outcome === 'allowed' ? 'Allowed' : event.outcome === 'denied' ? 'Denied' : event.outcome}
              </span>
              <Basis event={event} consents={byId} />
              {event.reason && (
                <span className="timeline__reason" data-testid="access-reason">
                  Reason: {event.reason}
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
      <div className="actions">
        <button type="button" className="button button--quiet" onClick={() => reload(['timeline'])} data-testid="access-timeline-refresh">
          Refresh
        </button>
      </div>
    </div>
  );
}
