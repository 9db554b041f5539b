import { Card, type Me, Notice } from '@web';
import { MyRecords } from './records/my-records.js';

/** The signed-in start page: the patient's records, and which patient record the account is linked to. */
export function PortalHome({ me }: { me: Me }) {
  return (
    <>
      <h1>Welcome, {me.username}</h1>
      <p className="lead">Your health records, opened in this browser with your own keys.</p>
      {me.fhirPatient === null && (
        <Notice kind="info" title="This account is not linked to a patient record" testId="no-patient">
          <p className="notice__text">The portal is for patients. If you are a patient, ask the hospital to link your account to your record.</p>
        </Notice>
      )}
      {me.fhirPatient !== null && <MyRecords patient={me.fhirPatient} />}
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
            <li>Your records are stored encrypted. Until you claim your store, they are sealed to an escrow key the gateway holds.</li>
            <li>When you claim it, every record is sealed to keys only your recovery phrase gives, and the gateway destroys its escrow key: it can no longer read them.</li>
            <li>Your records are opened in this browser. Your recovery phrase never leaves it.</li>
            <li>If you choose, this browser keeps your phrase encrypted under a passphrase only you know, so you can unlock with the passphrase. You can make it forget the phrase at any time.</li>
            <li>Consents that let a clinician see chosen records, and a log of every access, come in a later version.</li>
          </ul>
        </Card>
      </div>
    </>
  );
}
