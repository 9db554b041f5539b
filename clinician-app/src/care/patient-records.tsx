import { Notice, useGraphql } from '@web';
import { useState } from 'react';
import { patientRecords } from './care-api.js';
import { ProblemNotice } from './problem-notice.js';
import { recordText } from './record-text.js';
import { useRemote } from './use-remote.js';

/** The records of one patient the clinician may read now (`patientRecords`), as plain text. */
export function PatientRecords({ patientId }: { patientId: string }) {
  const graphql = useGraphql();
  const [attempt, setAttempt] = useState(0);
  const records = useRemote(() => patientRecords(graphql, patientId), `${patientId}#${attempt}`);
  return (
    <section className="care-records" aria-label={`Records of Patient/${patientId}`} data-testid="patient-records" data-patient-id={patientId} data-phase={records.phase}>
      <h3>
        Records of <span className="mono">Patient/{patientId}</span>
      </h3>
      {records.phase === 'loading' && <Notice kind="progress" title="Asking the gateway for the records…" testId="patient-records-loading" />}
      {records.phase === 'failed' && <ProblemNotice problem={records.problem} onRetry={() => setAttempt((n) => n + 1)} testId="patient-records-error" />}
      {records.phase === 'ready' && records.value.length === 0 && (
        <Notice kind="info" title="No records you may read" testId="patient-records-empty">
          <p className="notice__text">The gateway returned no records of this patient for you: the consent may have ended or been revoked.</p>
        </Notice>
      )}
      {records.phase === 'ready' && records.value.length > 0 && (
        <ul className="care-records__list">
          {records.value.map((record) => {
            const text = recordText(record);
            const type = String(record['resourceType']);
            const id = String(record['id']);
            return (
              <li key={`${type}/${id}`} className="care-record" data-testid="patient-record" data-type={type} data-id={id}>
                <strong data-testid="record-title">{text.title}</strong>
                {text.value && <span data-testid="record-value">{text.value}</span>}
                {text.date && (
                  <span className="muted" data-testid="record-date">
                    {text.date}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
