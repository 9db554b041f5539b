import type { ClinicalClock } from './clinical-clock.js';
import type { ConditionKey, EncounterTypeKey } from './clinical-codes.js';
import type { PatientProfile } from './patient-profile.js';
import type { SeededRandom } from './seeded-random.js';

/** One ambulatory visit of the schedule. */
export interface Visit {
  /** Position in chronological order, 0-based; also the key of its Encounter. */
  readonly number: number;
  /** Days from the reference date (negative: before it). */
  readonly day: number;
  /** Minutes after midnight UTC at which the visit starts. */
  readonly minute: number;
  readonly type: EncounterTypeKey;
  /** Index among the regular visits (check-ups and follow-ups); absent for acute visits. */
  readonly regular?: number;
  /** Position between the first (0) and last (1) regular visit, for trends. */
  readonly progress: number;
  /** For acute visits: the problem diagnosed there. */
  readonly diagnosis?: ConditionKey;
}

/** Visits last 30 minutes (Encounter.period). */
export const VISIT_MINUTES = 30;

/**
 * The patient's visits: `visits.count` regular ones `visits.everyDays` apart ending near `visits.last` (each moved by
 * up to ±4 days, as appointments are), every `checkUpEvery`-th from the first a check-up, plus one acute visit on
 * the onset day of each resolved problem. Start times fall on quarter hours between 08:00 and 16:00.
 */
export function scheduleVisits(profile: PatientProfile, clock: ClinicalClock, random: SeededRandom): Visit[] {
  const { count, everyDays, last, checkUpEvery } = profile.visits;
  const lastDay = clock.offsetOf(last);
  const firstDay = lastDay - (count - 1) * everyDays;
  const span = Math.max(1, lastDay - firstDay);
  const progressOf = (day: number): number => Math.min(1, Math.max(0, (day - firstDay) / span));
  const slot = (): number => 8 * 60 + 15 * random.int(0, 32);

  const planned: Omit<Visit, 'number'>[] = [];
  for (let i = 0; i < count; i++) {
    const day = firstDay + i * everyDays + (i === count - 1 ? 0 : random.int(-4, 4));
    planned.push({ day, minute: slot(), type: i % checkUpEvery === 0 ? 'checkUp' : 'followUp', regular: i, progress: progressOf(day) });
  }
  for (const condition of profile.conditions) {
    if (condition.abatement === undefined) continue;
    const day = clock.offsetOf(condition.onset);
    planned.push({ day, minute: slot(), type: 'symptom', progress: progressOf(day), diagnosis: condition.key });
  }
  if (planned.some((v) => v.day > 0)) {
    throw new RangeError(`expected every visit of ${profile.id} on or before the reference date, got one ${Math.max(...planned.map((v) => v.day))} days after it`);
  }
  return planned.sort((a, b) => a.day - b.day || a.minute - b.minute).map((v, number) => ({ ...v, number }));
}
