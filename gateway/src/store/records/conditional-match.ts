import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../database.schema.js';
import type { FhirResource, SearchParam } from '../fhir-repository.js';
import type { StoreKeyRing } from '../keys/store-key-ring.js';
import { patientReferenceOf, TOKEN_PARAMS } from './search-index.js';

/**
 * Conditional create by token parameters only (e.g. `identifier=system|value`, the usual idempotent ingestion),
 * among the records the caller itself created for the new record's patient: decided by the blind index alone, so
 * it also works after the patient claimed the store and the writer can no longer read them. It never looks at
 * other writers' records (that would tell a hospital whether a patient has a given code).
 * Undefined when the parameters need more than tokens (then the caller's visible search decides).
 */
export async function matchByTokens(db: Kysely<DatabaseSchema>, ring: StoreKeyRing, resource: FhirResource, params: readonly SearchParam[], custodian: string): Promise<string[] | undefined> {
  const patientId = patientReferenceOf(resource).id;
  const tokenNames: readonly string[] = TOKEN_PARAMS;
  if (!patientId || resource.resourceType === 'Patient' || params.some((p) => p.modifier || !tokenNames.includes(p.name))) return undefined;
  let ids: Set<string> | undefined;
  for (const param of params) {
    const rows = await db
      .selectFrom('record')
      .innerJoin('record_index', (join) => join.onRef('record_index.resource_type', '=', 'record.resource_type').onRef('record_index.resource_id', '=', 'record.resource_id'))
      .select('record.resource_id')
      .where('record_index.patient_id', '=', patientId)
      .where('record.custodian', '=', custodian)
      .where('record_index.token', 'in', param.values.map((v) => ring.token(patientId, param.name, v)))
      .where('record_index.resource_type', '=', resource.resourceType)
      .where('record.deleted', '=', 0)
      .execute();
    const found = new Set(rows.map((r) => r.resource_id));
    ids = ids ? new Set([...ids].filter((id) => found.has(id))) : found;
  }
  return [...(ids ?? [])];
}
