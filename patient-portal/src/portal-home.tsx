import { Card, type Me, Notice } from '@web';

/** The signed-in start page: who the gateway thinks you are and which record is yours. */
export function PortalHome({ me }: { me: Me }) {
  return (
    <>
      <h1>Welcome, {me.username}</h1>
      <p className="lead">This is what the gateway knows about your sign-in.</p>
      {me.fhirPatient === null && (
        <Notice kind="info" title="This account is not linked to a patient record" testId="no-patient">
          <p className="notice__text">The portal is for patients. If you are a patient, ask the hospital to link your account to your record.</p>
        </Notice>
      )}
      <div className="grid">
        <Card title="Your record">
          <dl className="facts">
            <dt>Username</dt>
            <dd>{me.username}</dd>
            {me.fhirPatient !== null && (
              <>
                <dt>FHIR patient id</dt>
                <dd className="mono" data-testid="fhir-patient">
                  {me.fhirPatient}
                </dd>
              </>
            )}
            <dt>Signed in through</dt>
            <dd className="mono">{me.clientId}</dd>
          </dl>
        </Card>
        <Card title="How your data is protected">
          <ul className="checklist">
            <li>The gateway checks your sign-in on every request.</li>
            <li>It does not hold any of your health records yet.</li>
            <li>Encrypted records, consents you sign and a log of every access come in a later version.</li>
          </ul>
        </Card>
      </div>
    </>
  );
}
