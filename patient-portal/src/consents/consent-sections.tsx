import { Card, Notice } from '@web';
import type { ReactNode } from 'react';
import { useUnlockedKeys } from '../keys/unlocked-keys.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { AccessTimeline } from './access-timeline.js';
import { ConsentList } from './consent-list.js';
import { useConsentData } from './consent-data.js';
import { EmergencyAccessCard } from './emergency-access.js';
import { GrantConsent } from './grant-consent.js';
import './consents.css';

/** A card the page's navigation can link to (`#id`). */
function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <div id={id} className="section-anchor">
      <Card title={title}>{children}</Card>
    </div>
  );
}

function Loading({ what, testId }: { what: string; testId: string }) {
  return <Notice kind="progress" title={`Asking the gateway for ${what}…`} testId={testId} />;
}

/**
 * The consent pages of the portal (design.md §1: the patient grants and revokes consent signed with their own
 * key and sees who accessed their data): grant, the list with revoke, emergency access, and the access timeline.
 * Reading needs only the sign-in; granting and revoking need the keys of the unlocked records.
 */
export function ConsentSections() {
  const { unlocked } = useUnlockedKeys();
  const keys = unlocked?.keys ?? null;
  const { directory, consents, reload } = useConsentData();
  const emergency = directory.phase === 'ready' ? directory.value.find((g) => g.kind === 'emergency') : undefined;

  return (
    <div className="consent-sections" id="consents" data-testid="consents">
      <Section id="grant" title="Grant a consent">
        <p>
          Choose who may see which of your records, what for and for how long. You sign the consent in this browser with your own key; it is recorded on the blockchain, and you can
          revoke it at any time.
        </p>
        {!keys && (
          <Notice kind="info" title="Unlock your records to grant a consent" testId="consents-locked">
            <p className="notice__text">A consent is signed with the keys of your recovery phrase, in this browser. Unlock your records above first.</p>
          </Notice>
        )}
        {keys && directory.phase === 'loading' && <Loading what="its directory" testId="consent-directory-loading" />}
        {keys && directory.phase === 'failed' && <ProblemNotice problem={directory.problem} onRetry={() => reload(['directory'])} testId="consent-directory-error" />}
        {keys && directory.phase === 'ready' && <GrantConsent directory={directory.value} keys={keys} />}
      </Section>
      <Section id="my-consents" title="My consents">
        {consents.phase === 'loading' && <Loading what="your consents" testId="consent-list-loading" />}
        {consents.phase === 'failed' && <ProblemNotice problem={consents.problem} onRetry={() => reload(['consents'])} testId="consent-list-error" />}
        {consents.phase === 'ready' && <ConsentList consents={consents.value} keys={keys} />}
      </Section>
      <Section id="emergency" title="Emergency access (break-glass)">
        {(directory.phase === 'loading' || consents.phase === 'loading') && <Loading what="your emergency access" testId="emergency-loading" />}
        {directory.phase === 'failed' && <ProblemNotice problem={directory.problem} onRetry={() => reload(['directory'])} testId="emergency-directory-error" />}
        {directory.phase === 'ready' && !emergency && (
          <Notice kind="info" title="This hospital offers no emergency access" testId="emergency-unavailable">
            <p className="notice__text">Its directory has no break-glass entry.</p>
          </Notice>
        )}
        {emergency && consents.phase === 'ready' && <EmergencyAccessCard emergency={emergency} consents={consents.value} keys={keys} />}
        {emergency && consents.phase === 'failed' && <p className="muted">Whether emergency access is on cannot be shown: your consents could not be loaded (see above).</p>}
      </Section>
      <Section id="timeline" title="Who accessed my records">
        <p>Every time someone reads or searches your records through the gateway, or is refused, it is logged here, with the consent or emergency access it rested on.</p>
        <AccessTimeline />
      </Section>
    </div>
  );
}
