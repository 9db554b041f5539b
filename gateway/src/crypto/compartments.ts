/**
 * Compartments group a patient's records by kind; each has its own X25519 key pair derived from the patient's
 * mnemonic (design.md §2.1), so a consent can release one kind of data (e.g. labs) without the others.
 * The order is part of the key library's contract (it fixes the claim's key hash): append, never reorder.
 */
export const COMPARTMENTS = ['demographics', 'vitals', 'labs', 'conditions', 'medications', 'encounters', 'documents', 'ai-results'] as const;

export type Compartment = (typeof COMPARTMENTS)[number];

export function isCompartment(value: unknown): value is Compartment {
  return typeof value === 'string' && (COMPARTMENTS as readonly string[]).includes(value);
}
