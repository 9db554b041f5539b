/**
 * Canonical URIs of the code systems the synthetic records use (FHIR R4 §4.3 "Using Codes in Resources",
 * "External code systems" table; HL7 Terminology (THO) for the `terminology.hl7.org` ones).
 */
export const SYSTEMS = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  ucum: 'http://unitsofmeasure.org',
  /** CDC Race & Ethnicity code set, as US Core binds it (US Core 6.1 us-core-race / us-core-ethnicity). */
  cdcRace: 'urn:oid:2.16.840.1.113883.6.238',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  maritalStatus: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  diagnosticServiceSection: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  /** US Core DocumentReference category (US Core 6.1 CodeSystem us-core-documentreference-category). */
  usCoreDocumentCategory: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
} as const;

/** The fictional demo hospital's medical record number namespace (`.example` is reserved by RFC 2606 §3). */
export const DEMO_MRN_SYSTEM = 'https://demo-hospital.example/mrn';

/** US Core extension URLs for race, ethnicity and birth sex (US Core 6.1 §StructureDefinition-us-core-race etc.). */
export const US_CORE_EXTENSIONS = {
  race: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
  ethnicity: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
  birthSex: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex',
} as const;
