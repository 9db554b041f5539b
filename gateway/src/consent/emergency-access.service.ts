import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/index.js';
import { badRequest, conflict, forbidden } from '../common/index.js';
import { EMERGENCY_GRANTEE_REFERENCE, granteeId } from '../crypto/index.js';
import { type DatabaseSchema, principalRef, type StoreKeyRing } from '../store/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import { relay } from './chain-relay.js';
import type { ConsentAccessGrants } from './consent-access.grants.js';
import type { ConsentChain } from './consent.service.js';
import { consentStatus } from './consent-fhir.js';
import type { ConsentView, EmergencyRow } from './consent-view.js';

/** A break-glass access as the apps show it. */
export interface EmergencyAccessView {
  readonly id: string;
  readonly patientId: string;
  readonly consentId: string;
  readonly clinician: string;
  /** The reason the clinician gave (shown to the patient and that clinician; the chain holds only a salted hash). */
  readonly reason: string;
  readonly declaredAt: Date;
  readonly expiresAt: Date;
  readonly transaction: string;
  readonly block: number;
  readonly active: boolean;
}

/** Default and longest break-glass windows. */
export const DEFAULT_EMERGENCY_MINUTES = 60;
const MAX_EMERGENCY_MINUTES = 24 * 60;
const NOTE_PURPOSE = 'emergency-reason';

/**
 * Break-glass (issue 4 §5): a clinician declares an emergency with a reason; the gateway records it on-chain at
 * once (`recordEmergencyAccess`, salted reason hash only) on the patient's standing EMERGENCY consent, and for a
 * bounded time (default one hour) the clinician reads the compartments that consent covers, with the keys the
 * patient released for emergencies. Without that standing consent the gateway holds no key to the patient's
 * claimed store: nobody can break the glass, and the clinician is told so.
 */
export class EmergencyAccessService {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly chain: ConsentChain,
    private readonly view: ConsentView,
    private readonly ring: StoreKeyRing,
    private readonly grants: ConsentAccessGrants,
    private readonly log: AuditLog,
    private readonly issuer: () => string,
    private readonly clock: () => number = Date.now,
  ) {}

  async declare(principal: Principal, input: { readonly patientId: string; readonly reason: string; readonly durationMinutes?: number }): Promise<EmergencyAccessView> {
    if (!principal.roles.includes('clinician')) throw forbidden('declaring an emergency requires the clinician role');
    const reason = input.reason.trim();
    if (reason.length < 10 || reason.length > 500) throw badRequest(`reason: expected 10 to 500 characters, got ${reason.length}`, 'reason');
    const minutes = input.durationMinutes ?? DEFAULT_EMERGENCY_MINUTES;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_EMERGENCY_MINUTES) throw badRequest(`durationMinutes: expected 1 to ${MAX_EMERGENCY_MINUTES}, got ${minutes}`, 'durationMinutes');
    const now = Math.floor(this.clock() / 1000);
    const standing = (await this.view.liveForGrantee(granteeId(this.issuer(), EMERGENCY_GRANTEE_REFERENCE), ['EMERGENCY'], now)).filter((c) => c.patientId === input.patientId);
    const consent = standing.sort((a, b) => b.notAfter - a.notAfter)[0];
    if (!consent) {
      void this.log.append({ principal, action: 'emergency', outcome: 'denied', patientId: input.patientId });
      throw conflict(`Patient/${input.patientId} has not enabled emergency access (or it has ended): the gateway holds no key to their records`);
    }
    const salt = randomBytes(16);
    const reasonHash = `0x${createHash('sha256').update(salt).update(reason).digest('hex')}`;
    const notAfter = Math.min(now + minutes * 60, consent.notAfter);
    const relayed = await relay(this.chain.registry, 'recordEmergencyAccess', [consent.consentId, granteeId(principal.issuer, principalRef(principal)), reasonHash, notAfter]);
    const event = relayed.receipt.logs.map((l) => this.chain.registry.interface.parseLog(l)).find((l) => l?.name === 'EmergencyAccessRecorded');
    const accessId = String(event!.args[0]).toLowerCase();
    await this.db
      .insertInto('emergency_reason')
      .values({ access_id: accessId, patient_id: consent.patientId, clinician_ref: principalRef(principal), clinician_name: principal.username, sealed_reason: this.ring.sealNote(NOTE_PURPOSE, accessId, `${salt.toString('hex')}:${reason}`), created_at: this.clock() })
      .execute();
    await this.chain.catchUp(relayed.blockNumber);
    this.grants.refresh();
    void this.log.append({ principal, action: 'emergency', outcome: 'allowed', patientId: consent.patientId, consentId: consent.consentId, purpose: 'EMERGENCY', emergencyId: accessId });
    const row = (await this.view.emergenciesOfPatient(consent.patientId)).find((e) => e.accessId === accessId)!;
    return this.present(row);
  }

  /** Every break-glass access on the patient's store (patients see their own). */
  async ofPatient(patientId: string): Promise<EmergencyAccessView[]> {
    return Promise.all((await this.view.emergenciesOfPatient(patientId)).map((row) => this.present(row)));
  }

  private async present(row: EmergencyRow): Promise<EmergencyAccessView> {
    const note = await this.db.selectFrom('emergency_reason').select(['clinician_name', 'sealed_reason']).where('access_id', '=', row.accessId).executeTakeFirst();
    let reason = '(recorded by another gateway; the reason is held there)';
    if (note) {
      const opened = this.ring.openNote(NOTE_PURPOSE, row.accessId, new Uint8Array(note.sealed_reason));
      reason = opened.slice(opened.indexOf(':') + 1);
    }
    const now = Math.floor(this.clock() / 1000);
    return {
      id: row.accessId,
      patientId: row.consent.patientId,
      consentId: row.consent.consentId,
      clinician: note?.clinician_name ?? row.grantee,
      reason,
      declaredAt: new Date(row.declaredAt * 1000),
      expiresAt: new Date(row.notAfter * 1000),
      transaction: row.tx,
      block: row.block,
      active: row.notAfter > now && consentStatus(row.consent, now) === 'active',
    };
  }
}
