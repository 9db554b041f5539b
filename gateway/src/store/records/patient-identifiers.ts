import type { Kysely } from 'kysely';
import { conflict } from '../../common/index.js';
import type { DatabaseSchema } from '../database.schema.js';
import type { FhirResource } from '../fhir-repository.js';
import type { StoreKeyRing } from '../keys/store-key-ring.js';

/**
 * Replaces a Patient's identifier match hashes (patient matching through one gateway-wide keyed hash, design.md
 * §2.1). Identifiers without both system and value are not matchable and are skipped; one `system|value` may
 * identify only one Patient (409 naming the element, never the value).
 */
export async function indexPatientIdentifiers(db: Kysely<DatabaseSchema>, ring: StoreKeyRing, patientId: string, resource: FhirResource | undefined): Promise<void> {
  await db.deleteFrom('patient_identifier').where('patient_id', '=', patientId).execute();
  const list = (resource?.['identifier'] as { system?: unknown; value?: unknown }[] | undefined) ?? [];
  const seen = new Set<string>();
  for (const [i, identifier] of list.entries()) {
    if (typeof identifier.system !== 'string' || typeof identifier.value !== 'string') continue;
    const matchHash = ring.matchHash(identifier.system, identifier.value);
    const key = matchHash.toString('hex');
    if (seen.has(key)) continue;
    seen.add(key);
    const taken = await db.selectFrom('patient_identifier').select('patient_id').where('match_hash', '=', matchHash).executeTakeFirst();
    if (taken) throw conflict('this identifier already identifies another Patient', `Patient.identifier[${i}]`);
    await db.insertInto('patient_identifier').values({ match_hash: matchHash, patient_id: patientId }).execute();
  }
}
