import type { PatientKeys } from '../../../gateway/src/crypto/index.js';
import type { Consent, ConsentApi } from './consent-api.js';
import type { CheckedGrant, GrantChoice } from './consent-signing.js';

/** The key library and ethers load only when a consent is prepared or revoked: the first page stays light. */
const signing = () => import('./consent-signing.js');

/** Reports what the browser is doing now, for the progress notice. */
export type Progress = (step: string) => void;

/**
 * Step 1 of a grant: checks the choice (canonical scope) in the browser, asks the gateway for a draft and checks
 * the draft against the choice and the patient's keys. Nothing is signed yet.
 */
export async function prepareGrant(api: ConsentApi, choice: GrantChoice, keys: PatientKeys, progress: Progress): Promise<CheckedGrant> {
  progress('Loading the signing library…');
  const { checkGrantDraft, scopeOf } = await signing();
  scopeOf(choice);
  progress('Asking the gateway for the consent to sign…');
  const draft = await api.draftConsent({
    granteeId: choice.grantee.id,
    purpose: choice.purpose,
    compartments: choice.compartments,
    models: choice.models,
    durationDays: choice.durationDays,
  });
  progress('Checking the draft against your choices…');
  return checkGrantDraft(draft, choice, keys);
}

/**
 * Step 2 of a grant, once the patient has read the summary: signs in the browser, seals the key releases and sends
 * them; the gateway relays the signature to the chain and answers once the transaction is mined.
 */
export async function completeGrant(api: ConsentApi, checked: CheckedGrant, keys: PatientKeys, progress: Progress): Promise<Consent> {
  const { signGrant } = await signing();
  progress('Signing in this browser and sealing your key releases…');
  const input = await signGrant(checked, keys);
  progress('Sending the signed consent; the gateway records it on-chain…');
  return api.grantConsent(input);
}

/** A revocation: draft, check, sign in the browser, send; answers once the chain has it. */
export async function revokeConsent(api: ConsentApi, consentId: string, keys: PatientKeys, progress: Progress): Promise<Consent> {
  progress('Loading the signing library…');
  const { checkRevocationDraft, signRevocation } = await signing();
  progress('Asking the gateway for the revocation to sign…');
  const draft = await api.draftRevocation(consentId);
  const typed = checkRevocationDraft(draft, consentId);
  progress('Signing the revocation in this browser…');
  const signed = await signRevocation(draft, typed, keys);
  progress('Sending the signed revocation; the gateway records it on-chain…');
  return api.revokeConsent(signed);
}
