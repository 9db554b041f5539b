import { Problem } from '@web';

type Json = Readonly<Record<string, unknown>>;

/** Reads one answer defensively: a field of the wrong type is a readable problem, never a blank page. */
export class Reader {
  constructor(
    private readonly value: Json,
    private readonly path: string,
  ) {}

  static of(value: unknown, path: string): Reader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unreadable(path, 'an object', value);
    return new Reader(value as Json, path);
  }

  string(key: string): string {
    const v = this.value[key];
    if (typeof v !== 'string') throw unreadable(`${this.path}.${key}`, 'a string', v);
    return v;
  }

  optionalString(key: string): string | null {
    const v = this.value[key];
    return v === null || v === undefined ? null : this.string(key);
  }

  int(key: string): number {
    const v = this.value[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw unreadable(`${this.path}.${key}`, 'an integer', v);
    return v;
  }

  optionalInt(key: string): number | null {
    const v = this.value[key];
    return v === null || v === undefined ? null : this.int(key);
  }

  boolean(key: string): boolean {
    const v = this.value[key];
    if (typeof v !== 'boolean') throw unreadable(`${this.path}.${key}`, 'true or false', v);
    return v;
  }

  strings(key: string): string[] {
    const v = this.value[key];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw unreadable(`${this.path}.${key}`, 'a list of strings', v);
    return v as string[];
  }

  /** A time as ISO-8601; unix seconds are accepted and converted. */
  time(key: string): string {
    const v = this.value[key];
    if (typeof v === 'number' && Number.isFinite(v)) return new Date(v * 1000).toISOString();
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return v;
    throw unreadable(`${this.path}.${key}`, 'an ISO-8601 time', v);
  }

  /** A time as unix seconds; ISO-8601 is accepted and converted. */
  seconds(key: string): number {
    const v = this.value[key];
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Math.floor(Date.parse(v) / 1000);
    throw unreadable(`${this.path}.${key}`, 'a time', v);
  }

  /** JSON text; an object (a JSON scalar) is turned into text. */
  json(key: string): string {
    const v = this.value[key];
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null) return JSON.stringify(v);
    throw unreadable(`${this.path}.${key}`, 'JSON', v);
  }

  reader(key: string): Reader {
    return Reader.of(this.value[key], `${this.path}.${key}`);
  }

  /** A nested object, or null when the field is null or absent. */
  optionalReader(key: string): Reader | null {
    const v = this.value[key];
    return v === null || v === undefined ? null : this.reader(key);
  }

  list(key: string): Reader[] {
    const v = this.value[key];
    if (!Array.isArray(v)) throw unreadable(`${this.path}.${key}`, 'a list', v);
    return v.map((item, i) => Reader.of(item, `${this.path}.${key}[${i}]`));
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? `a string of ${value.length} characters` : typeof value;
}

function unreadable(path: string, expected: string, value: unknown): Problem {
  return new Problem('The gateway sent an answer this portal cannot read', `${path}: expected ${expected}, got ${describe(value)}. Try again in a moment; if it persists, the gateway and the portal are of different versions.`, 'BAD_ANSWER', 'retry');
}
