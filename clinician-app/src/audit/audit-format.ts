/** Formatting of the audit view: plain text, never markup. */

/** An ISO time to the second, in UTC, as the log states it ("2025-05-06 07:15:02 UTC"). */
export function second(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : iso;
}

/** A pseudonym, id or hash shortened for a table cell ("0x1a2b3c…9f8e7d"); the full value stays in titles and data attributes. */
export function short(hex: string | undefined): string {
  if (!hex) return '';
  return hex.length > 16 ? `${hex.slice(0, 8)}…${hex.slice(-6)}` : hex;
}

/** `id@version` of an entry's model, or empty. */
export function modelOf(model: { readonly id: string; readonly version: string } | undefined): string {
  return model ? `${model.id}@${model.version}` : '';
}

/** A `datetime-local` value (local time, as typed) as ISO 8601 UTC, or empty. */
export function isoOfLocal(value: string): string {
  if (!value) return '';
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? '' : time.toISOString();
}
