import { Inject } from '@nestjs/common';
import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type Principal, Roles } from '../../auth/index.js';
import { ChainService } from '../../chain/index.js';
import { badRequest } from '../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../config/index.js';
import { ConsentAccessGrants, ConsentDirectory } from '../../consent/index.js';
import { contractCompartments, DiagnosisService, type DiagnosisResult, type LoadedModel } from '../../inference/index.js';
import type { ModelInput } from '../../inference/model-card.js';
import { presentConsent } from '../consent/consent.presenter.js';
import { limit } from '../consent/input-limits.js';
import type { AuditReceipt } from '../../audit/audit-log.js';
import { AuditChainModel, DiagnoseInput, type DiagnosisAuditModel, DiagnosisConsentModel, DiagnosisFeedbackInput, DiagnosisHistoryModel, DiagnosisModel, ModelInfoModel } from './diagnosis.models.js';

/** The diagnostic models and the clinician's diagnoses (design.md §2.3; issue 5 §3, §5, §6). */
@Resolver()
export class DiagnosisResolver {
  constructor(
    @Inject(DiagnosisService) private readonly diagnoses: DiagnosisService,
    @Inject(ConsentAccessGrants) private readonly grants: ConsentAccessGrants,
    @Inject(ConsentDirectory) private readonly directory: ConsentDirectory,
    @Inject(ChainService) private readonly chain: ChainService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Query(() => AuditChainModel, { description: "Where to read anchored audit roots from, so a receipt's inclusion proof can be checked in the browser." })
  @Roles('clinician', 'auditor')
  auditChain(): AuditChainModel {
    const rpcUrl = this.config.chain.publicRpcUrl ?? (this.chain.mode === 'embedded' ? this.chain.anvil?.url : undefined);
    return { chainId: this.chain.chainId, rpcUrl: rpcUrl ?? null, auditAnchor: this.chain.deployment.contracts['AuditAnchor']!.address };
  }

  @Query(() => [ModelInfoModel], { description: 'Every model version this gateway runs, with its card.' })
  @Roles('clinician', 'patient', 'steward', 'auditor')
  models(): ModelInfoModel[] {
    const all = this.diagnoses.models();
    return all.map((m) => presentModel(m, all.filter((o) => o.card.id === m.card.id).at(-1) === m));
  }

  @Query(() => [DiagnosisConsentModel], { description: 'Live DIAGNOSIS consents to the caller: which patients, which models.' })
  @Roles('clinician')
  async diagnosisConsents(@CurrentPrincipal() principal: Principal): Promise<DiagnosisConsentModel[]> {
    const rows = await this.grants.diagnosisConsents(principal);
    return rows.map((row) => {
      const consent = presentConsent(row, this.directory, this.chain.chainId);
      return { patientId: row.patientId, consent, models: consent.models };
    });
  }

  @Mutation(() => DiagnosisModel, { description: 'Runs a model on a patient under their DIAGNOSIS consent (same as POST /fhir/Patient/{id}/$diagnose).' })
  @Roles('clinician')
  async requestDiagnosis(@CurrentPrincipal() principal: Principal, @Args('input') input: DiagnoseInput): Promise<DiagnosisModel> {
    limit(input.patientId, 64, 'patientId');
    limit(input.model, 64, 'model');
    if (input.version != null) limit(input.version, 32, 'version');
    if (input.consent != null) limit(input.consent, 80, 'consent');
    const result = await this.diagnoses.diagnose(principal, input.patientId, { model: input.model, ...(input.version != null ? { version: input.version } : {}), ...(input.consent != null ? { consent: input.consent } : {}) });
    return presentDiagnosis(result);
  }

  @Mutation(() => DiagnosisModel, { description: 'Accepts or overrides (with a reason) a result; recorded on the RiskAssessment.' })
  @Roles('clinician')
  async diagnosisFeedback(@CurrentPrincipal() principal: Principal, @Args('input') input: DiagnosisFeedbackInput): Promise<DiagnosisModel> {
    limit(input.diagnosisId, 64, 'diagnosisId');
    if (input.decision !== 'accepted' && input.decision !== 'overridden') throw badRequest('decision: expected accepted or overridden', 'decision');
    if (input.reason != null) limit(input.reason, 2_000, 'reason');
    return presentDiagnosis(await this.diagnoses.feedback(principal, input.diagnosisId, input.decision, input.reason ?? undefined));
  }

  @Query(() => [DiagnosisHistoryModel], { name: 'diagnoses', description: "The caller's diagnoses, newest first." })
  @Roles('clinician')
  async diagnosisHistory(@CurrentPrincipal() principal: Principal, @Args('patientId', { type: () => String, nullable: true }) patientId?: string | null, @Args('limit', { type: () => Int, nullable: true }) count?: number | null): Promise<DiagnosisHistoryModel[]> {
    if (patientId != null) limit(patientId, 64, 'patientId');
    const rows = await this.diagnoses.history(principal, patientId ?? undefined, count ?? 50);
    return rows.map((r) => ({ id: r.diagnosisId, patientId: r.patientId, createdAt: r.createdAt.toISOString(), consentId: r.consentId, modelId: r.model.id, modelVersion: r.model.version, modelSha256: r.model.sha256, feedback: r.feedback, auditLeaf: r.auditLeaf }));
  }

  @Query(() => DiagnosisModel, { description: 'One of the caller\'s diagnoses with its result (read back under its consent while it is live).' })
  @Roles('clinician')
  async diagnosis(@CurrentPrincipal() principal: Principal, @Args('id') id: string): Promise<DiagnosisModel> {
    limit(id, 64, 'id');
    return presentDiagnosis(await this.diagnoses.result(principal, id));
  }
}

function describeSource(input: ModelInput): string {
  const s = input.source;
  const codes = (list: readonly { system: string; code: string; display: string; unit?: string }[]) => list.map((c) => `${c.display} (${c.code}${c.unit ? `, ${c.unit}` : ''})`).join(' or ');
  switch (s.kind) {
    case 'patient-age':
      return 'Patient.birthDate: age in whole years at the time of the diagnosis';
    case 'patient-gender':
      return `Patient.gender (${Object.keys(s.map).join(' or ')})`;
    case 'patient-race':
      return `US Core race (ombCategory ${Object.keys(s.map).join(', ')}); otherwise ${s.otherwise}, with a warning`;
    case 'observation-quantity':
      return `most recent final Observation ${codes(s.codes)}${s.component ? `, or the ${s.component.display} component of ${codes(s.panels)}` : ''}, within ${s.lookbackDays} days`;
    case 'observation-coded':
      return `most recent final Observation ${codes(s.codes)} within ${s.lookbackDays} days: ${s.answers.map((a) => `${a.display} = ${a.value}`).join(', ')}`;
    case 'condition-present':
      return `1 if an active Condition ${codes(s.codes)} is recorded, else 0`;
    case 'medication-active':
      return `1 if an active MedicationRequest or MedicationStatement ${codes(s.codes)} is recorded, else 0`;
  }
}

function presentModel(m: LoadedModel, latest: boolean): ModelInfoModel {
  const c = m.card;
  return {
    id: c.id,
    version: c.version,
    title: c.title,
    kind: c.kind,
    sha256: m.sha256,
    latest,
    intendedUse: c.intendedUse,
    population: c.population,
    provenance: c.provenance,
    validation: c.validation,
    fairness: c.fairness,
    limitations: [...c.limitations],
    references: [...c.references],
    referenceProfile: c.explanation.reference,
    outputMeaning: c.outputs[0]!.meaning,
    inputs: c.inputs.map((i) => ({ name: i.name, label: i.label, unitLabel: i.unitLabel, source: describeSource(i), validMin: i.valid.min, validMax: i.valid.max, reference: i.reference })),
    compartments: contractCompartments(c),
    card: JSON.stringify(c),
  };
}

export function presentDiagnosis(result: DiagnosisResult): DiagnosisModel {
  const d = result.document;
  return {
    id: d.diagnosisId,
    patientId: d.patientId,
    occurredAt: d.occurredAt,
    consentId: d.consentId,
    modelId: d.model.id,
    modelVersion: d.model.version,
    modelTitle: d.model.title,
    modelSha256: d.model.sha256,
    outputs: d.outputs.map((o) => ({ name: o.name, label: o.label, raw: o.raw, value: o.value, unitLabel: o.unitLabel, display: o.display, band: o.band ?? null })),
    inputs: d.inputs.map((i) => ({ name: i.name, label: i.label, value: i.value, unitLabel: i.unitLabel, reference: i.reference ?? null, date: i.date ?? null, recordedValue: i.recorded?.value ?? null, recordedUnit: i.recorded?.unit ?? null })),
    explanation: {
      method: d.method.name,
      summary: d.summary.text,
      prediction: d.method.prediction,
      referencePrediction: d.method.referencePrediction,
      reference: d.method.reference,
      errorBound: d.method.errorBound ?? null,
      errorBoundMeaning: d.method.errorBoundMeaning ?? null,
      contributions: d.summary.items.map((i) => ({ ...i })),
      sha256: d.explanationSha256,
      document: result.explanationJson,
    },
    warnings: [...d.warnings],
    feedback: result.feedback ? { decision: result.feedback.decision, reason: result.feedback.reason ?? null, author: result.feedback.author, at: result.feedback.at } : null,
    receipt: { json: result.receiptJson, sha256: result.receiptSha256 },
    riskAssessment: result.receipt.riskAssessment,
    provenance: result.receipt.provenance,
    audit: result.audit ? presentAudit(result.audit) : null,
  };
}

function presentAudit(audit: AuditReceipt): DiagnosisAuditModel {
  return { leafIndex: audit.leafIndex, leafHash: audit.leafHash, anchor: audit.anchor ? { ...audit.anchor } : null, inclusionProof: audit.inclusionProof ? [...audit.inclusionProof] : null };
}
