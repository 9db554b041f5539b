import type { Bundle, BundleEntry, Reference, Resource } from './fhir-types.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * Assembles one patient's FHIR R4 transaction Bundle (FHIR R4 §3.1.0.11 "transaction"): first `PUT Patient/<id>`
 * (a fixed id, so demo accounts can name it; §3.1.0.4 "update as create"), then one `POST` per other resource with
 * a `urn:uuid:` fullUrl that other entries reference and the server replaces by the assigned id (§3.1.0.11.2,
 * "Resolving references in Bundles").
 */
export class TransactionBundleBuilder {
  private readonly entries: BundleEntry[];
  /** fullUrls handed out by {@link reserve} but not yet used by {@link add}. */
  private readonly reserved = new Set<string>();

  /**
   * @param patient The Patient resource, with its fixed id.
   * @param ids The generator the `urn:uuid:` identifiers come from (a stream of its own, so that changing a
   * clinical value never renumbers the entries).
   */
  constructor(
    patient: Resource & { id: string },
    private readonly ids: SeededRandom,
  ) {
    this.entries = [{ resource: patient, request: { method: 'PUT', url: `Patient/${patient.id}` } }];
    this.patient = { reference: `Patient/${patient.id}` };
  }

  /** The literal reference every clinical resource carries to its patient. */
  readonly patient: Reference;

  /** Hands out the fullUrl of an entry added later, for references that point forward (or both ways). */
  reserve(): string {
    const fullUrl = `urn:uuid:${this.ids.uuid()}`;
    this.reserved.add(fullUrl);
    return fullUrl;
  }

  /** Adds a resource as `POST <type>` and returns a reference to it. */
  add(resource: Resource, fullUrl?: string): Reference {
    if (fullUrl !== undefined && !this.reserved.delete(fullUrl)) {
      throw new Error(`expected a fullUrl from reserve() that is not yet used, got ${fullUrl}`);
    }
    const url = fullUrl ?? `urn:uuid:${this.ids.uuid()}`;
    this.entries.push({ fullUrl: url, resource, request: { method: 'POST', url: resource.resourceType } });
    return { reference: url };
  }

  /** The finished Bundle; refuses while a reserved fullUrl has no entry (its references would dangle). */
  build(): Bundle {
    if (this.reserved.size > 0) {
      throw new Error(`expected every reserved fullUrl to be added, got ${this.reserved.size} without an entry`);
    }
    return { resourceType: 'Bundle', type: 'transaction', entry: [...this.entries] };
  }
}
