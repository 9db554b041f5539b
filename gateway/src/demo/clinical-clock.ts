/**
 * All dates of the synthetic records, computed from one reference date and never from the system clock.
 *
 * The patient profiles write their dates as calendar dates in the frame of {@link DEFAULT_REFERENCE_DATE}
 * ("Alice was born on 1961-03-14 when the reference date is 2026-06-30"). The clock turns each into a whole number
 * of days before the reference date and adds that to the actual reference date, so moving the reference date by
 * N days moves every date of every record by exactly N days, and nothing else changes.
 */

/** The reference date the profiles are written against, and the default of `generateSyntheticPatients`. */
export const DEFAULT_REFERENCE_DATE = '2026-06-30';

const DAY_MS = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` to whole days since 1970-01-01 (UTC), refusing impossible dates such as 2026-02-30. */
export function parseDay(date: string): number {
  const match = DATE_PATTERN.exec(date);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`expected a calendar date as YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
  return ms / DAY_MS;
}

/** Maps profile dates (default frame) to record dates (actual frame). */
export class ClinicalClock {
  private readonly referenceDay: number;
  private readonly defaultReferenceDay = parseDay(DEFAULT_REFERENCE_DATE);

  /** @param referenceDate `YYYY-MM-DD`; the last day the records may describe. */
  constructor(referenceDate: string = DEFAULT_REFERENCE_DATE) {
    this.referenceDay = parseDay(referenceDate);
  }

  /** Days from the reference date to a date written in the default frame (negative: before it). */
  offsetOf(profileDate: string): number {
    return parseDay(profileDate) - this.defaultReferenceDay;
  }

  /** FHIR `date` (`YYYY-MM-DD`, FHIR R4 §2.24.0.0.4) of the day `offset` days from the reference date. */
  date(offset: number): string {
    return new Date((this.referenceDay + offset) * DAY_MS).toISOString().slice(0, 10);
  }

  /**
   * FHIR `dateTime`/`instant` (FHIR R4 §2.24.0.0.5, §2.24.0.0.6) at `minuteOfDay` minutes after midnight UTC on the
   * day `offset` days from the reference date, with the `Z` zone designator and whole seconds.
   */
  dateTime(offset: number, minuteOfDay: number): string {
    return new Date((this.referenceDay + offset) * DAY_MS + minuteOfDay * 60_000).toISOString().replace('.000Z', 'Z');
  }
}

/** Whole years between two default-frame dates (age at an event), by calendar, as a clinician would say it. */
export function yearsBetween(fromDate: string, toDate: string): number {
  parseDay(fromDate);
  parseDay(toDate);
  const [fy, fm, fd] = fromDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = toDate.split('-').map(Number) as [number, number, number];
  return ty - fy - (tm < fm || (tm === fm && td < fd) ? 1 : 0);
}
