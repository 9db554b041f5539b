import { Field, Float, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ConsentModel } from '../consent/consent.models.js';

@ObjectType('ModelInput', { description: "One input of a model's data contract, as its card states it." })
export class ModelInputModel {
  @Field(() => String) name!: string;
  @Field(() => String) label!: string;
  @Field(() => String) unitLabel!: string;
  @Field(() => String, { description: 'Where the value comes from, in words (codes, lookback, selection).' }) source!: string;
  @Field(() => Float) validMin!: number;
  @Field(() => Float) validMax!: number;
  @Field(() => Float, { description: "The reference profile's value." }) reference!: number;
}

@ObjectType('Model', { description: 'A model version the gateway runs (file hash checked against its card at load).' })
export class ModelInfoModel {
  @Field(() => String) id!: string;
  @Field(() => String) version!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { description: 'published-equation or learned.' }) kind!: string;
  @Field(() => String, { description: 'SHA-256 of model.onnx.' }) sha256!: string;
  @Field(() => Boolean, { description: 'The newest loaded version of its id (run when a consent does not pin one).' }) latest!: boolean;
  @Field(() => String) intendedUse!: string;
  @Field(() => String) population!: string;
  @Field(() => String) provenance!: string;
  @Field(() => String) validation!: string;
  @Field(() => String) fairness!: string;
  @Field(() => [String]) limitations!: string[];
  @Field(() => [String]) references!: string[];
  @Field(() => String, { description: 'What the explanation is relative to.' }) referenceProfile!: string;
  @Field(() => String, { description: "The first output's meaning." }) outputMeaning!: string;
  @Field(() => [ModelInputModel]) inputs!: ModelInputModel[];
  @Field(() => [String], { description: 'Record compartments the data contract reads.' }) compartments!: string[];
  @Field(() => String, { description: 'The whole card as JSON.' }) card!: string;
}

@ObjectType('DiagnosisConsent', { description: 'A live DIAGNOSIS consent to the caller: which patient, which models.' })
export class DiagnosisConsentModel {
  @Field(() => String) patientId!: string;
  @Field(() => ConsentModel) consent!: ConsentModel;
  @Field(() => [String], { description: 'Model ids the scope names (`id` any version, `id@version` pinned).' }) models!: string[];
}

@ObjectType('DiagnosisOutput')
export class DiagnosisOutputModel {
  @Field(() => String) name!: string;
  @Field(() => String) label!: string;
  @Field(() => Float, { description: 'As the model gave it.' }) raw!: number;
  @Field(() => Float, { description: 'Scaled and rounded as shown.' }) value!: number;
  @Field(() => String) unitLabel!: string;
  @Field(() => String) display!: string;
  @Field(() => String, { nullable: true }) band!: string | null;
}

@ObjectType('DiagnosisInput', { description: 'An input as used: value in the model unit, the record it came from and when.' })
export class DiagnosisInputModel {
  @Field(() => String) name!: string;
  @Field(() => String) label!: string;
  @Field(() => Float) value!: number;
  @Field(() => String) unitLabel!: string;
  @Field(() => String, { nullable: true, description: 'Type/id/_history/version of the source record.' }) reference!: string | null;
  @Field(() => String, { nullable: true }) date!: string | null;
  @Field(() => Float, { nullable: true, description: 'The value as recorded, when a unit was converted.' }) recordedValue!: number | null;
  @Field(() => String, { nullable: true }) recordedUnit!: string | null;
}

@ObjectType('Contribution', { description: "One feature's Shapley attribution, in the output's shown unit." })
export class ContributionModel {
  @Field(() => String) feature!: string;
  @Field(() => String) label!: string;
  @Field(() => String) valueText!: string;
  @Field(() => Float) contribution!: number;
  @Field(() => String, { description: 'raised, lowered or none.' }) direction!: string;
  @Field(() => String) text!: string;
}

@ObjectType('Explanation')
export class ExplanationModel {
  @Field(() => String, { description: 'exact or sampled-permutations.' }) method!: string;
  @Field(() => String) summary!: string;
  @Field(() => Float, { description: 'Prediction (shown unit).' }) prediction!: number;
  @Field(() => Float, { description: "The reference profile's prediction (shown unit)." }) referencePrediction!: number;
  @Field(() => String) reference!: string;
  @Field(() => Float, { nullable: true }) errorBound!: number | null;
  @Field(() => String, { nullable: true }) errorBoundMeaning!: string | null;
  @Field(() => [ContributionModel], { description: 'Largest |contribution| first.' }) contributions!: ContributionModel[];
  @Field(() => String, { description: 'SHA-256 of the canonical explanation document.' }) sha256!: string;
  @Field(() => String, { description: 'The explanation as RFC 8785 canonical JSON.' }) document!: string;
}

@ObjectType('DiagnosisFeedback')
export class FeedbackModel {
  @Field(() => String, { description: 'accepted or overridden.' }) decision!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String) author!: string;
  @Field(() => String) at!: string;
}

@ObjectType('DiagnosisReceipt', { description: 'Ids and SHA-256 hashes of a diagnosis (no health data).' })
export class ReceiptModel {
  @Field(() => String, { description: 'RFC 8785 canonical JSON.' }) json!: string;
  @Field(() => String) sha256!: string;
}

@ObjectType('AuditAnchor', { description: 'An anchored tree head of the audit log: its size and root, and the transaction that put it on-chain.' })
export class AuditAnchorModel {
  @Field(() => Int, { description: 'Position of the head in anchoring order.' }) index!: number;
  @Field(() => Float, { description: 'Number of leaves in the anchored tree (RFC 9162 §2.1.1).' }) treeSize!: number;
  @Field(() => String, { description: '0x-prefixed hex root hash.' }) rootHash!: string;
  @Field(() => String) transactionHash!: string;
  @Field(() => Float) blockNumber!: number;
  @Field(() => String, { description: 'ISO-8601.' }) anchoredAt!: string;
}

@ObjectType('AuditChain', { description: 'Where a browser reads anchored audit roots: public chain information (as GET /audit/chain).' })
export class AuditChainModel {
  @Field(() => Int) chainId!: number;
  @Field(() => String, { nullable: true, description: 'Browser-reachable JSON-RPC URL (CHAIN_PUBLIC_RPC_URL, else the embedded node); null when none is configured.' }) rpcUrl!: string | null;
  @Field(() => String, { description: 'Address of the AuditAnchor contract.' }) auditAnchor!: string;
}

@ObjectType('DiagnosisAudit', { description: "Where the diagnosis's entry is in the audit log and, once anchored, the proof of it." })
export class DiagnosisAuditModel {
  @Field(() => Float, { description: 'Leaf index of the entry.' }) leafIndex!: number;
  @Field(() => String, { description: 'Hex leaf hash: SHA-256(0x00 || the canonical entry).' }) leafHash!: string;
  @Field(() => AuditAnchorModel, { nullable: true, description: 'The first anchored head that covers the entry.' }) anchor!: AuditAnchorModel | null;
  @Field(() => [String], { nullable: true, description: "Hex hashes, leaf to root, proving the entry in the anchor's tree (RFC 9162 §2.1.3)." }) inclusionProof!: string[] | null;
}

@ObjectType('Diagnosis', { description: "A model's result on a patient, as sealed into the patient's store." })
export class DiagnosisModel {
  @Field(() => String) id!: string;
  @Field(() => String) patientId!: string;
  @Field(() => String) occurredAt!: string;
  @Field(() => String) consentId!: string;
  @Field(() => String) modelId!: string;
  @Field(() => String) modelVersion!: string;
  @Field(() => String) modelTitle!: string;
  @Field(() => String) modelSha256!: string;
  @Field(() => [DiagnosisOutputModel]) outputs!: DiagnosisOutputModel[];
  @Field(() => [DiagnosisInputModel]) inputs!: DiagnosisInputModel[];
  @Field(() => ExplanationModel) explanation!: ExplanationModel;
  @Field(() => [String]) warnings!: string[];
  @Field(() => FeedbackModel, { nullable: true }) feedback!: FeedbackModel | null;
  @Field(() => ReceiptModel) receipt!: ReceiptModel;
  @Field(() => String, { description: 'Versioned reference of the RiskAssessment.' }) riskAssessment!: string;
  @Field(() => String, { description: 'Versioned reference of the Provenance.' }) provenance!: string;
  @Field(() => DiagnosisAuditModel, { nullable: true, description: "The diagnosis's audit log entry (leaf index; anchor and inclusion proof once anchored)." }) audit!: DiagnosisAuditModel | null;
}

@ObjectType('DiagnosisHistoryEntry', { description: "One of the caller's diagnoses (metadata; the result is read on demand)." })
export class DiagnosisHistoryModel {
  @Field(() => String) id!: string;
  @Field(() => String) patientId!: string;
  @Field(() => String) createdAt!: string;
  @Field(() => String) consentId!: string;
  @Field(() => String) modelId!: string;
  @Field(() => String) modelVersion!: string;
  @Field(() => String) modelSha256!: string;
  @Field(() => String, { nullable: true, description: 'accepted or overridden.' }) feedback!: string | null;
  @Field(() => Float, { nullable: true, description: "Leaf index of the diagnosis's audit log entry." }) auditLeaf!: number | null;
}

@InputType('DiagnoseInput')
export class DiagnoseInput {
  @Field(() => String) patientId!: string;
  @Field(() => String) model!: string;
  @Field(() => String, { nullable: true }) version?: string | null;
  @Field(() => String, { nullable: true, description: 'The on-chain consent id to act under.' }) consent?: string | null;
}

@InputType('DiagnosisFeedbackInput')
export class DiagnosisFeedbackInput {
  @Field(() => String) diagnosisId!: string;
  @Field(() => String, { description: 'accepted or overridden.' }) decision!: string;
  @Field(() => String, { nullable: true, description: 'Required for an override.' }) reason?: string | null;
}

