import type { GraphqlClient } from '@web';
import type { AnchorRecord } from '../../../gateway/src/audit/audit-api.types.js';

/**
 * The diagnosis operations of the gateway's GraphQL for the clinician (schema: gateway/src/graphql/inference). Static
 * documents: every value travels in `variables`, never spliced into a document.
 */

/** One input of a model's data contract, as its card states it. */
export interface ModelInput {
  readonly name: string;
  readonly label: string;
  readonly unitLabel: string;
  /** Where the value comes from, in words (codes, lookback, selection). */
  readonly source: string;
  readonly validMin: number;
  readonly validMax: number;
  /** The reference profile's value. */
  readonly reference: number;
}

/** A model version the gateway runs, with its card. */
export interface ModelInfo {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  /** published-equation or learned. */
  readonly kind: string;
  /** SHA-256 of model.onnx. */
  readonly sha256: string;
  /** The newest loaded version of its id. */
  readonly latest: boolean;
  readonly intendedUse: string;
  readonly population: string;
  readonly provenance: string;
  readonly validation: string;
  readonly fairness: string;
  readonly limitations: readonly string[];
  readonly references: readonly string[];
  readonly referenceProfile: string;
  readonly outputMeaning: string;
  readonly inputs: readonly ModelInput[];
  /** Record compartments the data contract reads. */
  readonly compartments: readonly string[];
}

/** A live DIAGNOSIS consent to the signed-in clinician. */
export interface DiagnosisConsent {
  readonly patientId: string;
  readonly consent: {
    readonly id: string;
    readonly purpose: string;
    readonly compartments: readonly string[];
    readonly notBefore: string;
    readonly notAfter: string;
    readonly status: string;
  };
  /** Scope entries: `id` (any version) or `id@version` (pinned). */
  readonly models: readonly string[];
}

export interface DiagnosisOutput {
  readonly name: string;
  readonly label: string;
  readonly raw: number;
  readonly value: number;
  readonly unitLabel: string;
  readonly display: string;
  readonly band: string | null;
}

/** An input as used: value in the model's unit, the record it came from and when. */
export interface DiagnosisInput {
  readonly name: string;
  readonly label: string;
  readonly value: number;
  readonly unitLabel: string;
  /** `Type/id/_history/version` of the source record. */
  readonly reference: string | null;
  readonly date: string | null;
  /** The value as recorded, when a unit was converted. */
  readonly recordedValue: number | null;
  readonly recordedUnit: string | null;
}

/** One feature's Shapley attribution, in the output's shown unit. */
export interface Contribution {
  readonly feature: string;
  readonly label: string;
  readonly valueText: string;
  readonly contribution: number;
  /** raised, lowered or none. */
  readonly direction: string;
  readonly text: string;
}

export interface Explanation {
  /** exact or sampled-permutations. */
  readonly method: string;
  readonly summary: string;
  readonly prediction: number;
  readonly referencePrediction: number;
  readonly reference: string;
  readonly errorBound: number | null;
  readonly errorBoundMeaning: string | null;
  /** Largest |contribution| first. */
  readonly contributions: readonly Contribution[];
  readonly sha256: string;
}

export interface Feedback {
  /** accepted or overridden. */
  readonly decision: string;
  readonly reason: string | null;
  readonly author: string;
  readonly at: string;
}

/** An anchored tree head of the audit log, as the gateway recorded it. */
export type AuditAnchor = AnchorRecord;

/** Where the diagnosis's entry is in the audit log and, once anchored, the proof of it. */
export interface DiagnosisAudit {
  readonly leafIndex: number;
  /** Hex leaf hash. */
  readonly leafHash: string;
  readonly anchor: AuditAnchor | null;
  /** Hex hashes, leaf to root, in the tree of `anchor.treeSize` entries. */
  readonly inclusionProof: readonly string[] | null;
}

/** Where the browser reads anchored roots from (`auditChain`). */
export interface AuditChain {
  readonly chainId: number;
  readonly rpcUrl: string | null;
  readonly auditAnchor: string;
}

/** A model's result on a patient, as sealed into the patient's store. */
export interface Diagnosis {
  readonly id: string;
  readonly patientId: string;
  readonly occurredAt: string;
  readonly consentId: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly modelTitle: string;
  readonly modelSha256: string;
  readonly outputs: readonly DiagnosisOutput[];
  readonly inputs: readonly DiagnosisInput[];
  readonly explanation: Explanation;
  readonly warnings: readonly string[];
  readonly feedback: Feedback | null;
  /** Ids and SHA-256 hashes only (RFC 8785 canonical JSON) and the SHA-256 of that text. */
  readonly receipt: { readonly json: string; readonly sha256: string };
  readonly riskAssessment: string;
  readonly provenance: string;
  /** Its audit log entry; null for a diagnosis made before the log existed. */
  readonly audit: DiagnosisAudit | null;
}

/** One of the clinician's diagnoses (metadata; the result is read on demand). */
export interface DiagnosisHistoryEntry {
  readonly id: string;
  readonly patientId: string;
  readonly createdAt: string;
  readonly consentId: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly modelSha256: string;
  readonly feedback: string | null;
  readonly auditLeaf: number | null;
}

export type FeedbackDecision = 'accepted' | 'overridden';

/** How many diagnoses the history asks for. */
export const HISTORY_LIMIT = 20;

const MODELS = `query Models {
  models {
    id version title kind sha256 latest intendedUse population provenance validation fairness limitations references referenceProfile outputMeaning compartments
    inputs { name label unitLabel source validMin validMax reference }
  }
}`;

const DIAGNOSIS_CONSENTS = `query DiagnosisConsents {
  diagnosisConsents { patientId models consent { id purpose compartments notBefore notAfter status } }
}`;

const DIAGNOSIS_FIELDS = `fragment DiagnosisFields on Diagnosis {
  id patientId occurredAt consentId modelId modelVersion modelTitle modelSha256
  outputs { name label raw value unitLabel display band }
  inputs { name label value unitLabel reference date recordedValue recordedUnit }
  explanation { method summary prediction referencePrediction reference errorBound errorBoundMeaning sha256 contributions { feature label valueText contribution direction text } }
  warnings
  feedback { decision reason author at }
  receipt { json sha256 }
  riskAssessment provenance
  audit { leafIndex leafHash inclusionProof anchor { index treeSize rootHash transactionHash blockNumber anchoredAt } }
}`;

const REQUEST_DIAGNOSIS = `mutation RequestDiagnosis($input: DiagnoseInput!) {
  requestDiagnosis(input: $input) { ...DiagnosisFields }
}
${DIAGNOSIS_FIELDS}`;

const DIAGNOSIS_FEEDBACK = `mutation DiagnosisFeedback($input: DiagnosisFeedbackInput!) {
  diagnosisFeedback(input: $input) { ...DiagnosisFields }
}
${DIAGNOSIS_FIELDS}`;

const DIAGNOSIS = `query Diagnosis($id: String!) {
  diagnosis(id: $id) { ...DiagnosisFields }
}
${DIAGNOSIS_FIELDS}`;

const HISTORY = `query Diagnoses($limit: Int) {
  diagnoses(limit: $limit) { id patientId createdAt consentId modelId modelVersion modelSha256 feedback auditLeaf }
}`;

const AUDIT_CHAIN = 'query AuditChain { auditChain { chainId rpcUrl auditAnchor } }';

/** Every model version the gateway runs, with its card (empty until models are installed). */
export async function models(graphql: GraphqlClient): Promise<ModelInfo[]> {
  return (await graphql<{ models: ModelInfo[] }>(MODELS)).models;
}

export async function diagnosisConsents(graphql: GraphqlClient): Promise<DiagnosisConsent[]> {
  return (await graphql<{ diagnosisConsents: DiagnosisConsent[] }>(DIAGNOSIS_CONSENTS)).diagnosisConsents;
}

/** Runs `model@version` on the patient under exactly this consent. */
export async function requestDiagnosis(graphql: GraphqlClient, input: { readonly patientId: string; readonly model: string; readonly version: string; readonly consent: string }): Promise<Diagnosis> {
  return (await graphql<{ requestDiagnosis: Diagnosis }>(REQUEST_DIAGNOSIS, { input: { ...input } })).requestDiagnosis;
}

export async function diagnosisFeedback(graphql: GraphqlClient, diagnosisId: string, decision: FeedbackDecision, reason?: string): Promise<Diagnosis> {
  const input = { diagnosisId, decision, ...(reason !== undefined ? { reason } : {}) };
  return (await graphql<{ diagnosisFeedback: Diagnosis }>(DIAGNOSIS_FEEDBACK, { input })).diagnosisFeedback;
}

export async function diagnosis(graphql: GraphqlClient, id: string): Promise<Diagnosis> {
  return (await graphql<{ diagnosis: Diagnosis }>(DIAGNOSIS, { id })).diagnosis;
}

/** The clinician's own diagnoses, newest first. */
export async function diagnosisHistory(graphql: GraphqlClient, limit = HISTORY_LIMIT): Promise<DiagnosisHistoryEntry[]> {
  return (await graphql<{ diagnoses: DiagnosisHistoryEntry[] }>(HISTORY, { limit })).diagnoses;
}

export async function auditChain(graphql: GraphqlClient): Promise<AuditChain> {
  return (await graphql<{ auditChain: AuditChain }>(AUDIT_CHAIN)).auditChain;
}
