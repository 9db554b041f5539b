import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/index.js';
import type { AccessDecision, AccessRecorder, DatabaseSchema } from '../store/index.js';
import { principalRef } from '../store/index.js';
import type { AccessEventTable } from '../store/consent-tables.js';

/** One entry of a patient's access timeline. */
export interface AccessEvent {
  readonly at: Date;
  readonly actor: string;
  readonly actorName: string;
  readonly actorRole: string;
  readonly interaction: string;
  readonly resourceType: string | null;
  readonly outcome: 'allowed' | 'denied';
  readonly consentId: string | null;
  readonly emergencyId: string | null;
}

const FLUSH_MS = 50;
const FLUSH_AT = 256;
const ROLE_ORDER = ['clinician', 'hospital-system', 'patient', 'auditor', 'steward'];

/** The role an access is shown under: the first of the principal's roles in {@link ROLE_ORDER}. */
function roleOf(principal: Principal): string {
  return ROLE_ORDER.find((role) => principal.roles.includes(role)) ?? 'none';
}

/**
 * The access log behind the patient's timeline (design.md §2.4; issue 6 turns it into the anchored Merkle log):
 * one row per decision — who (pseudonymous reference and username), which interaction on which resource type of
 * which patient, allowed or denied, under which consent or break-glass access. Never contents or search values.
 *
 * Rows are written in group commits (every 50 ms or 256 rows, in one transaction) so logging does not put a disk
 * sync on every read; {@link flush} runs at shutdown. A crash can lose at most the last group: issue 6 makes the
 * append durable before the response it records.
 */
export class AccessLog implements AccessRecorder {
  private readonly logger = new Logger('access-log');
  private pending: AccessEventTable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly clock: () => number = Date.now,
  ) {}

  record(decision: AccessDecision): void {
    this.append(decision.principal, decision.interaction, decision.outcome, {
      resourceType: decision.resourceType,
      ...(decision.patientId !== undefined ? { patientId: decision.patientId } : {}),
      ...(decision.grant ? { consentId: decision.grant.consentId } : {}),
      ...(decision.grant?.emergencyId !== undefined ? { emergencyId: decision.grant.emergencyId } : {}),
    });
  }

  /** Logs a decision that is not a record access (consent granted or revoked, break-glass declared, …). */
  append(principal: Principal, interaction: string, outcome: 'allowed' | 'denied', about: { readonly patientId?: string; readonly resourceType?: string; readonly consentId?: string; readonly emergencyId?: string }): void {
    this.pending.push({
      event_id: randomUUID(),
      at: this.clock(),
      patient_id: about.patientId ?? null,
      actor: principalRef(principal),
      actor_name: principal.username,
      actor_role: roleOf(principal),
      interaction,
      resource_type: about.resourceType ?? null,
      outcome,
      consent_id: about.consentId ?? null,
      emergency_id: about.emergencyId ?? null,
    });
    if (this.pending.length >= FLUSH_AT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes everything pending (one transaction); resolves when it is committed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.db.transaction().execute(async (trx) => {
          for (let i = 0; i < batch.length; i += 100) await trx.insertInto('access_event').values(batch.slice(i, i + 100)).execute();
        });
      } catch (error) {
        this.logger.error({ lost: batch.length, reason: (error as Error).message }, 'could not write access log entries');
      }
    });
    return this.flushing;
  }

  /** A patient's timeline, newest first (flushes first, so the caller's own last accesses show). */
  async timeline(patientId: string, limit: number): Promise<AccessEvent[]> {
    await this.flush();
    const rows = await this.db.selectFrom('access_event').selectAll().where('patient_id', '=', patientId).orderBy('at', 'desc').orderBy('event_id').limit(limit).execute();
    return rows.map((row) => ({
      at: new Date(Number(row.at)),
      actor: row.actor,
      actorName: row.actor_name,
      actorRole: row.actor_role,
      interaction: row.interaction,
      resourceType: row.resource_type,
      outcome: row.outcome,
      consentId: row.consent_id,
      emergencyId: row.emergency_id,
    }));
  }
}
