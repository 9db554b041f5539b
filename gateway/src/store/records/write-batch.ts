import { randomUUID } from 'node:crypto';
import { wipe } from '../../crypto/index.js';

/** The batch key of one (patient, compartment) within a write batch. */
export interface BatchKey {
  readonly keyId: string;
  readonly key: Uint8Array;
}

/**
 * One write batch (design.md §2.1: one X25519 agreement per write batch): the first write of a batch to a
 * (patient, compartment) creates a batch key and wraps it once; every later write of the batch there reuses it.
 * A transaction Bundle is one batch; a single create or update is a batch of one.
 */
export class WriteBatch {
  private readonly keys = new Map<string, BatchKey>();
  /** Patients whose store this batch has already seen, so each record's patient is looked up once per batch. */
  private readonly patients = new Set<string>();
  /** What to do once the transaction commits (e.g. log the writes it made); dropped on rollback. */
  private readonly committed: (() => void)[] = [];

  onCommit(action: () => void): void {
    this.committed.push(action);
  }

  /** Runs the {@link onCommit} actions, in order. */
  runCommitted(): void {
    for (const action of this.committed.splice(0)) action();
  }

  knowsPatient(patientId: string): boolean {
    return this.patients.has(patientId);
  }

  rememberPatient(patientId: string): void {
    this.patients.add(patientId);
  }

  get(patientId: string, compartment: string): BatchKey | undefined {
    return this.keys.get(`${patientId}\0${compartment}`);
  }

  add(patientId: string, compartment: string, key: Uint8Array): BatchKey {
    const entry = { keyId: randomUUID(), key };
    this.keys.set(`${patientId}\0${compartment}`, entry);
    return entry;
  }

  /** Forgets and wipes the batch keys once the batch is committed or rolled back. */
  close(): void {
    for (const entry of this.keys.values()) wipe(entry.key);
    this.keys.clear();
  }
}
