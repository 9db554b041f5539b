import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/index.js';
import { badRequest, forbidden, notFound, OperationOutcomeError } from '../common/index.js';
import type { AuditLog, AuditReceipt } from '../audit/audit-log.js';
import type { ConsentAccessGrants, DiagnosisGrant } from '../consent/index.js';
import { fhirConsentId } from '../consent/index.js';
import { GATEWAY_PRINCIPAL } from '../consent/gateway-principal.js';
import type { DatabaseSchema, FhirRepository, StoredResource } from '../store/index.js';
import { principalRef } from '../store/index.js';
import { resolveInputs } from './data-contract.js';
import { type DiagnosisDocument, type Feedback, feedbackOf, documentOf, provenance, riskAssessment, showOutput } from './diagnosis-fhir.js';
import { explain, explanationDocument, summarize } from './explain/index.js';
import type { LoadedModel, ModelCatalog } from './model-catalog.js';
import { canonicalJson } from '../crypto/index.js';

/** What a clinician asks: a model id, optionally a version and the consent to act under. */
export interface DiagnoseRequest {
  readonly model: string;
  readonly version?: string;
  /** The on-chain consent id (0x…) or its FHIR Consent id. */
  readonly consent?: string;
}

/**
 * What `$diagnose` hands back beside the result: ids and SHA-256 hashes only, as RFC 8785 canonical JSON, so a
 * regulator can later match it against the audit log (issue 6 adds the leaf index, the inclusion proof and the
 * anchoring transaction).
 */
export interface DiagnosisReceipt {
  readonly diagnosisId: string;
  readonly issuedAt: string;
  readonly patient: string;
  readonly consentId: string;
  readonly model: { readonly id: string; readonly version: string; readonly sha256: string };
  /** SHA-256 of each input record version's canonical JSON, by versioned reference. */
  readonly inputs: readonly { readonly reference: string; readonly sha256: string }[];
  readonly outputSha256: string;
  readonly explanationSha256: string;
  readonly riskAssessment: string;
  readonly provenance: string;
}

export interface DiagnosisResult {
  readonly document: DiagnosisDocument;
  readonly summary: string;
  readonly riskAssessment: StoredResource['resource'];
  readonly provenance: StoredResource['resource'];
  readonly receipt: DiagnosisReceipt;
  readonly receiptJson: string;
  /** SHA-256 (hex) of {@link receiptJson}. */
  readonly receiptSha256: string;
  /** The explanation document as RFC 8785 canonical JSON (its SHA-256 is `document.explanationSha256`). */
  readonly explanationJson: string;
  readonly feedback?: Feedback;
  /** Where the diagnosis's entry is in the audit log and, once anchored, its inclusion proof and the anchor. */
  readonly audit?: AuditReceipt;
}

/** One row of a clinician's diagnosis history (no health data unless the result can be read back). */
export interface DiagnosisRecord {
  readonly diagnosisId: string;
  readonly patientId: string;
  readonly consentId: string;
  readonly model: { readonly id: string; readonly version: string; readonly sha256: string };
  readonly createdAt: Date;
  readonly receipt: DiagnosisReceipt;
  readonly feedback: string | null;
  /** Leaf index of the diagnosis's audit entry. */
  readonly auditLeaf: number | null;
}

const MODEL_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const VERSION = /^[A-Za-z0-9._-]{1,32}$/;
const MAX_REASON = 2_000;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * `$diagnose` (design.md §2.3, issue 5 §3): consent check (a live DIAGNOSIS consent whose scope names the model) →
 * the data contract reads only the records the model needs, under that consent → onnxruntime → Shapley explanation
 * → a RiskAssessment (basis = the exact input versions) and its Provenance, sealed into the patient's ai-results
 * compartment → a receipt. Every decision is logged on the patient's access timeline, denials included.
 */
export class DiagnosisService {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly catalog: ModelCatalog,
    private readonly grants: ConsentAccessGrants,
    private readonly repository: FhirRepository,
    private readonly log: AuditLog,
    private readonly clock: () => number = Date.now,
  ) {}

  async diagnose(principal: Principal, patientId: string, request: DiagnoseRequest): Promise<DiagnosisResult> {
    if (!principal.roles.includes('clinician')) throw forbidden('$diagnose requires the clinician role');
    if (!MODEL_ID.test(request.model)) throw badRequest('model: expected a model id ([a-z0-9-], 1 to 64 characters)', 'model');
    if (request.version !== undefined && !VERSION.test(request.version)) throw badRequest('version: expected a version ([A-Za-z0-9._-], 1 to 32 characters)', 'version');
    const versions = this.catalog.versionsOf(request.model);
    if (versions.length === 0) throw badRequest(`model: ${request.model} is not a model this gateway runs (available: ${this.available()})`, 'model');
    if (request.version !== undefined && !this.catalog.get(request.model, request.version)) {
      throw badRequest(`version: ${request.model} has no version ${request.version} here (available: ${versions.map((m) => m.card.version).join(', ')})`, 'version');
    }

    const { grant, model } = await this.authorize(principal, patientId, request);
    const asOf = new Date(this.clock());
    const card = model.card;
    try {
      const inputs = await resolveInputs(card, { patient: () => this.repository.readUnder(principal, grant.grant, 'Patient', patientId), search: (query) => this.repository.searchUnder(principal, grant.grant, query) }, { asOf, patientId, compartments: grant.grant.compartments });
      const primary = card.outputs[0]!.name;
      const outputs = await model.run(Float64Array.from(inputs.features), 1);
      const reference = card.inputs.map((i) => i.reference);
      // explain() seeds a sampled explanation from the inputs and the reference: the same question, the same answer.
      const shapley = await explain(async (rows, count) => (await model.run(rows, count))[primary]!, inputs.features, reference);
      const summary = summarize(card, inputs.features, shapley);
      const explanation = explanationDocument(card, model.sha256, inputs.features, shapley, summary);

      const diagnosisId = randomUUID();
      const provenanceId = randomUUID();
      const occurredAt = asOf.toISOString();
      const basis = inputs.basis.map((s) => `${s.resource.resourceType}/${s.resource.id}/_history/${s.resource.meta.versionId}`);
      const document: DiagnosisDocument = {
        diagnosisId,
        patientId,
        occurredAt,
        consentId: grant.grant.consentId,
        model: { id: card.id, version: card.version, sha256: model.sha256, title: card.title },
        outputs: card.outputs.map((o) => showOutput(card, o.name, outputs[o.name]![0]!)),
        inputs: inputs.used,
        explanation: explanation.document,
        explanationSha256: explanation.sha256,
        summary: { text: summary.text, items: summary.items.map((i) => ({ feature: i.feature, label: i.label, valueText: i.valueText, contribution: Number(i.contribution.toPrecision(10)), direction: i.direction, text: i.text })) },
        method: {
          name: shapley.method,
          prediction: Number((shapley.prediction * card.outputs[0]!.scale).toPrecision(10)),
          referencePrediction: Number((shapley.referencePrediction * card.outputs[0]!.scale).toPrecision(10)),
          ...(shapley.errorBound !== undefined ? { errorBound: Number((shapley.errorBound * card.outputs[0]!.scale).toPrecision(10)) } : {}),
          ...(shapley.errorBoundMeaning ? { errorBoundMeaning: shapley.errorBoundMeaning } : {}),
          ...(shapley.permutations !== undefined ? { permutations: shapley.permutations } : {}),
          reference: card.explanation.reference,
        },
        warnings: inputs.warnings,
      };
      const documentJson = canonicalJson(document);
      const consentRef = fhirConsentId(grant.grant.consentId);
      const written = await this.repository.transactionWithDatabase(async (repo, db) => {
        const ra = (await repo.create(GATEWAY_PRINCIPAL, riskAssessment(card, document, documentJson, summary.text, basis, consentRef), { id: diagnosisId })).stored;
        const raVersion = `RiskAssessment/${ra.resource.id}/_history/${ra.resource.meta.versionId}`;
        const pv = (await repo.create(GATEWAY_PRINCIPAL, provenance(card, document, raVersion, { issuer: principal.issuer, subject: principal.subject, username: principal.username }, basis, `Consent/${consentRef}`, provenanceId), { id: provenanceId })).stored;
        const receipt: DiagnosisReceipt = {
          diagnosisId,
          issuedAt: occurredAt,
          patient: `Patient/${patientId}`,
          consentId: grant.grant.consentId,
          model: { id: card.id, version: card.version, sha256: model.sha256 },
          inputs: inputs.basis.map((s) => ({ reference: `${s.resource.resourceType}/${s.resource.id}/_history/${s.resource.meta.versionId}`, sha256: sha256(canonicalJson(s.resource)) })),
          outputSha256: sha256(canonicalJson(Object.fromEntries(card.outputs.map((o) => [o.name, outputs[o.name]![0]!])))),
          explanationSha256: explanation.sha256,
          riskAssessment: raVersion,
          provenance: `Provenance/${pv.resource.id}/_history/${pv.resource.meta.versionId}`,
        };
        const receiptJson = canonicalJson(receipt);
        // In the same database transaction as the two records: a diagnosis is written whole or not at all.
        await db
          .insertInto('diagnosis')
          .values({
            diagnosis_id: diagnosisId,
            patient_id: patientId,
            requester: principalRef(principal),
            consent_id: grant.grant.consentId,
            model_id: card.id,
            model_version: card.version,
            model_sha256: model.sha256,
            risk_assessment_id: diagnosisId,
            provenance_id: provenanceId,
            created_at: asOf.getTime(),
            receipt: receiptJson,
            feedback: null,
            feedback_at: null,
            feedback_by: null,
            audit_leaf: null,
          })
          .execute();
        return { ra, pv, receipt, receiptJson };
      });
      // Durable before the response: the entry names the model file, the inputs, the output and the explanation.
      const appended = await this.log.append({
        principal,
        action: 'diagnose',
        outcome: 'allowed',
        patientId,
        resourceType: 'RiskAssessment',
        consentId: grant.grant.consentId,
        purpose: grant.grant.purpose,
        model: written.receipt.model,
        inputs: written.receipt.inputs.map((i) => i.sha256),
        output: written.receipt.outputSha256,
        explanation: written.receipt.explanationSha256,
        result: diagnosisId,
      });
      await this.db.updateTable('diagnosis').set({ audit_leaf: appended.leafIndex }).where('diagnosis_id', '=', diagnosisId).execute();
      return resultOf(document, summary.text, written.ra.resource, written.pv.resource, written.receiptJson, undefined, await this.log.receiptOf(appended.leafIndex));
    } catch (error) {
      if (error instanceof OperationOutcomeError && error.status < 500) void this.log.append({ principal, action: 'diagnose', outcome: 'denied', patientId, resourceType: 'RiskAssessment', consentId: grant.grant.consentId, purpose: grant.grant.purpose, model: { id: model.card.id, version: model.card.version, sha256: model.sha256 }, reason: error.status === 422 ? 'invalid' : 'forbidden' });
      throw error;
    }
  }

  /** Accept or override a result (with a reason): a new version of the RiskAssessment in the patient's store. */
  async feedback(principal: Principal, diagnosisId: string, decision: 'accepted' | 'overridden', reason: string | undefined): Promise<DiagnosisResult> {
    if (!principal.roles.includes('clinician')) throw forbidden('feedback on a diagnosis requires the clinician role');
    const trimmed = reason?.trim() ?? '';
    if (decision === 'overridden' && trimmed.length === 0) throw badRequest('reason: an override needs a reason', 'reason');
    if (trimmed.length > MAX_REASON) throw badRequest(`reason: at most ${MAX_REASON} characters`, 'reason');
    const row = await this.ownRow(principal, diagnosisId);
    const grant = await this.liveGrantFor(principal, row.patient_id, row.consent_id);
    const stored = await this.readResult(principal, grant, row.risk_assessment_id, diagnosisId);
    const doc = documentOf(stored.resource)!;
    const at = new Date(this.clock()).toISOString();
    const fb: Feedback = { decision, ...(trimmed ? { reason: trimmed } : {}), author: principal.username, at };
    const card = this.catalog.get(doc.model.id, doc.model.version)?.card;
    if (!card) throw notFound(`model ${doc.model.id}@${doc.model.version} of diagnosis ${diagnosisId} is no longer loaded`);
    const summary = (stored.resource['note'] as { text?: string }[] | undefined)?.[0]?.text ?? '';
    const updated = riskAssessment(card, doc, canonicalJson(doc), summary, ((stored.resource['basis'] as { reference: string }[] | undefined) ?? []).map((b) => b.reference), fhirConsentId(row.consent_id), fb);
    // The new RiskAssessment version and the decision in the diagnosis row commit together.
    const written = await this.repository.transactionWithDatabase(async (repo, db) => {
      const stored = await repo.update(GATEWAY_PRINCIPAL, updated);
      await db.updateTable('diagnosis').set({ feedback: decision, feedback_at: Date.parse(at), feedback_by: principalRef(principal) }).where('diagnosis_id', '=', diagnosisId).execute();
      return stored;
    });
    await this.log.append({
      principal,
      action: `diagnosis-${decision === 'accepted' ? 'accept' : 'override'}`,
      outcome: 'allowed',
      patientId: row.patient_id,
      resourceType: 'RiskAssessment',
      consentId: row.consent_id,
      purpose: grant.grant.purpose,
      model: { id: row.model_id, version: row.model_version, sha256: row.model_sha256 },
      result: diagnosisId,
    });
    const pv = await this.repository.readUnder(principal, grant.grant, 'Provenance', row.provenance_id);
    return resultOf(doc, summary, written.resource, pv.resource, row.receipt, fb, await this.auditOf(row.audit_leaf));
  }

  /** The clinician's own diagnoses, newest first (optionally of one patient). */
  async history(principal: Principal, patientId?: string, limit = 50): Promise<DiagnosisRecord[]> {
    if (!principal.roles.includes('clinician')) throw forbidden('the diagnosis history requires the clinician role');
    let query = this.db.selectFrom('diagnosis').selectAll().where('requester', '=', principalRef(principal));
    if (patientId !== undefined) query = query.where('patient_id', '=', patientId);
    const rows = await query.orderBy('created_at', 'desc').limit(Math.min(Math.max(limit, 1), 200)).execute();
    return rows.map((r) => ({ diagnosisId: r.diagnosis_id, patientId: r.patient_id, consentId: r.consent_id, model: { id: r.model_id, version: r.model_version, sha256: r.model_sha256 }, createdAt: new Date(Number(r.created_at)), receipt: JSON.parse(r.receipt) as DiagnosisReceipt, feedback: r.feedback, auditLeaf: r.audit_leaf === null ? null : Number(r.audit_leaf) }));
  }

  /** One of the clinician's diagnoses with its result, read back from the patient's store under the same consent while it is live. */
  async result(principal: Principal, diagnosisId: string): Promise<DiagnosisResult> {
    if (!principal.roles.includes('clinician')) throw forbidden('reading a diagnosis requires the clinician role');
    const row = await this.ownRow(principal, diagnosisId);
    const grant = await this.liveGrantFor(principal, row.patient_id, row.consent_id);
    const stored = await this.readResult(principal, grant, row.risk_assessment_id, diagnosisId);
    const doc = documentOf(stored.resource)!;
    const pv = await this.repository.readUnder(principal, grant.grant, 'Provenance', row.provenance_id);
    const fb = feedbackOf(stored.resource);
    const summary = (stored.resource['note'] as { text?: string }[] | undefined)?.[0]?.text ?? '';
    return resultOf(doc, summary, stored.resource, pv.resource, row.receipt, fb, await this.auditOf(row.audit_leaf));
  }

  private async auditOf(leaf: number | null): Promise<AuditReceipt | undefined> {
    return leaf === null ? undefined : this.log.receiptOf(Number(leaf));
  }

  /** The loaded models (for the apps): every version with its card. */
  models(): LoadedModel[] {
    return this.catalog.list();
  }

  /**
   * A diagnosis's RiskAssessment, read back under its consent: 404 when the consent does not cover `ai-results`
   * (or the record holds no result document); an integrity failure stays the store's 500.
   */
  private async readResult(principal: Principal, grant: DiagnosisGrant, resourceId: string, diagnosisId: string): Promise<StoredResource> {
    const unreadable = () => notFound(`the result of diagnosis ${diagnosisId} cannot be read under its consent (the consent must cover the ai-results records)`);
    let stored: StoredResource;
    try {
      stored = await this.repository.readUnder(principal, grant.grant, 'RiskAssessment', resourceId);
    } catch (error) {
      if (error instanceof OperationOutcomeError && (error.status === 404 || error.status === 410)) throw unreadable();
      throw error;
    }
    if (!documentOf(stored.resource)) throw unreadable();
    return stored;
  }

  private available(): string {
    return [...new Set(this.catalog.list().map((m) => m.card.id))].join(', ') || 'none';
  }

  private async ownRow(principal: Principal, diagnosisId: string) {
    const row = /^[0-9a-f-]{36}$/.test(diagnosisId) ? await this.db.selectFrom('diagnosis').selectAll().where('diagnosis_id', '=', diagnosisId).executeTakeFirst() : undefined;
    // Someone else's diagnosis is as unknown as a missing one.
    if (!row || row.requester !== principalRef(principal)) throw notFound(`diagnosis ${diagnosisId.slice(0, 40)} is not known`);
    return row;
  }

  private async liveGrantFor(principal: Principal, patientId: string, consentId: string): Promise<DiagnosisGrant> {
    const grant = (await this.grants.diagnosisGrants(principal, patientId)).find((g) => g.grant.consentId === consentId);
    if (!grant) throw forbidden('the consent this diagnosis ran under is no longer active; its result can no longer be read here');
    return grant;
  }

  /**
   * The consent and model version to run: a live DIAGNOSIS consent from the patient (the one named, if any) whose
   * scope names the model id (any version) or pins `id@version`. Without any live consent from the patient the
   * patient is unknown to the caller (404); with consents that do not cover this, 403 says why. Both are logged.
   */
  private async authorize(principal: Principal, patientId: string, request: DiagnoseRequest): Promise<{ grant: DiagnosisGrant; model: LoadedModel }> {
    const deny = (error: OperationOutcomeError, consentId?: string): never => {
      void this.log.append({ principal, action: 'diagnose', outcome: 'denied', patientId, resourceType: 'RiskAssessment', ...(consentId ? { consentId, purpose: 'DIAGNOSIS' } : {}), reason: error.status === 404 ? 'not-found' : 'forbidden' });
      throw error;
    };
    const all = await this.grants.diagnosisGrants(principal, patientId);
    if (all.length === 0) {
      if (!(await this.grants.knowsPatient(principal, patientId))) deny(notFound(`Patient/${patientId.slice(0, 64)} is not known`));
      deny(forbidden(`no live DIAGNOSIS consent from Patient/${patientId} names you as grantee; the patient can grant one in the patient portal`));
    }
    const named = request.consent?.toLowerCase();
    const candidates = named === undefined ? all : all.filter((g) => g.grant.consentId === named || fhirConsentId(g.grant.consentId) === request.consent);
    if (candidates.length === 0) deny(forbidden(`consent: ${request.consent!.slice(0, 80)} is not a live DIAGNOSIS consent of this patient to you`));
    for (const grant of candidates) {
      const pinned = grant.models.filter((m) => m.startsWith(`${request.model}@`)).map((m) => m.slice(request.model.length + 1));
      const anyVersion = grant.models.includes(request.model);
      if (!anyVersion && pinned.length === 0) continue;
      let version = request.version;
      if (version === undefined) {
        const loaded = this.catalog.versionsOf(request.model).map((m) => m.card.version);
        version = anyVersion ? loaded.at(-1) : [...loaded].reverse().find((v) => pinned.includes(v));
      }
      if (version === undefined || (!anyVersion && !pinned.includes(version))) continue;
      const model = this.catalog.get(request.model, version);
      if (model) return { grant, model };
    }
    const covered = [...new Set(candidates.flatMap((g) => g.models))];
    return deny(
      forbidden(`the patient's DIAGNOSIS consent${candidates.length > 1 ? 's do' : ' does'} not cover ${request.model}${request.version ? `@${request.version}` : ''} (covered: ${covered.join(', ') || 'no models'})`),
      candidates[0]!.grant.consentId,
    );
  }
}

/** A diagnosis as handed to the transports, with the receipt's and the explanation's canonical JSON derived once. */
function resultOf(document: DiagnosisDocument, summary: string, riskAssessment: StoredResource['resource'], provenance: StoredResource['resource'], receiptJson: string, feedback?: Feedback, audit?: AuditReceipt): DiagnosisResult {
  return {
    document,
    summary,
    riskAssessment,
    provenance,
    receipt: JSON.parse(receiptJson) as DiagnosisReceipt,
    receiptJson,
    receiptSha256: sha256(receiptJson),
    explanationJson: canonicalJson(document.explanation),
    ...(feedback ? { feedback } : {}),
    ...(audit ? { audit } : {}),
  };
}
