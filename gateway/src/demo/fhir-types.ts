/**
 * The few FHIR R4 JSON shapes the generator builds (FHIR R4 §2.24 "Data types", §3.1.0 "Resources"). Deliberately
 * loose: Medplum's validator checks the full definitions in the tests, so these types only keep the builders honest
 * about the element names they use.
 */

/** A FHIR R4 Coding (§2.24.0.3). */
export interface Coding {
  system: string;
  code: string;
  display?: string;
}

/** A FHIR R4 CodeableConcept (§2.24.0.4). */
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

/** A FHIR R4 Quantity with a UCUM unit (§2.24.0.10; UCUM system `http://unitsofmeasure.org`). */
export interface Quantity {
  value: number;
  unit: string;
  system: string;
  code: string;
}

/** A FHIR R4 Reference (§2.3.0): literal (`Patient/<id>`, `urn:uuid:<uuid>`) or display-only. */
export interface Reference {
  reference?: string;
  display?: string;
}

/** Any FHIR R4 resource as JSON. */
export interface Resource {
  resourceType: string;
  id?: string;
  [element: string]: unknown;
}

/** One entry of a transaction Bundle (FHIR R4 §3.1.0.11.2 "Transaction Processing Rules"). */
export interface BundleEntry {
  fullUrl?: string;
  resource: Resource;
  request: { method: 'POST' | 'PUT'; url: string };
}

/** A FHIR R4 transaction Bundle (§2.36). */
export interface Bundle extends Resource {
  resourceType: 'Bundle';
  type: 'transaction';
  entry: BundleEntry[];
}
