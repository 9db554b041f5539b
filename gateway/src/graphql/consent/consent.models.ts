import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Grantee', { description: 'Someone a patient can consent to (from the consent directory).' })
export class GranteeModel {
  @Field(() => String, { description: 'On-chain grantee id (bytes32 hex): hash of issuer and principal reference.' })
  id!: string;
  @Field(() => String, { description: 'clinician, organization or emergency.' })
  kind!: string;
  @Field(() => String)
  name!: string;
  @Field(() => String, { description: 'user:<sub>, client:<clientId> or role:clinician.' })
  reference!: string;
}

@ObjectType('Consent', { description: 'A consent as the chain holds it, with the terms this gateway relayed.' })
export class ConsentModel {
  @Field(() => String) id!: string;
  @Field(() => String) patientId!: string;
  @Field(() => GranteeModel) grantee!: GranteeModel;
  @Field(() => String, { description: 'TREATMENT, DIAGNOSIS, RESEARCH or EMERGENCY.' }) purpose!: string;
  @Field(() => [String]) compartments!: string[];
  @Field(() => [String]) models!: string[];
  @Field(() => String, { description: 'ISO-8601.' }) notBefore!: string;
  @Field(() => String, { description: 'ISO-8601.' }) notAfter!: string;
  @Field(() => String, { description: 'active, revoked, expired or pending.' }) status!: string;
  @Field(() => Int) chainId!: number;
  @Field(() => String) grantTransaction!: string;
  @Field(() => Int) grantBlock!: number;
  @Field(() => String, { nullable: true }) revokeTransaction!: string | null;
  @Field(() => Int, { nullable: true }) revokeBlock!: number | null;
  @Field(() => String, { nullable: true, description: 'The FHIR Consent id (GET /fhir/Consent/<id>).' }) fhirConsentId!: string | null;
}

@ObjectType('ConsentDraft', { description: 'What the patient signs in the browser, and what the releases are bound to.' })
export class ConsentDraftModel {
  @Field(() => String, { description: 'The consent id the grant will get (known before it is mined).' }) consentId!: string;
  @Field(() => String, { description: 'EIP-712 typed data as JSON: {domain, types, primaryType, message}.' }) typedData!: string;
  @Field(() => String, { description: 'RFC 8785 canonical scope JSON (its SHA-256 is signed).' }) scope!: string;
  @Field(() => String) scopeHash!: string;
  @Field(() => String, { description: "The gateway's release public key (X25519, base64url)." }) releaseKey!: string;
  @Field(() => String) patientAddress!: string;
  @Field(() => Int, { description: 'Unix seconds.' }) notBefore!: number;
  @Field(() => Int, { description: 'Unix seconds.' }) notAfter!: number;
  @Field(() => Int, { description: 'Unix seconds: relay before this.' }) deadline!: number;
}

@ObjectType('RevocationDraft')
export class RevocationDraftModel {
  @Field(() => String) consentId!: string;
  @Field(() => String, { description: 'EIP-712 typed data as JSON.' }) typedData!: string;
  @Field(() => Int) deadline!: number;
}

@ObjectType('ModelVersionRef', { description: 'A model version as the audit log names it: id, version and the SHA-256 of its ONNX file.' })
export class ModelVersionRefModel {
  @Field(() => String) id!: string;
  @Field(() => String) version!: string;
  @Field(() => String) sha256!: string;
}

@ObjectType('AccessEvent', { description: 'One access decision on the patient’s records (never contents): an entry of the audit log.' })
export class AccessEventModel {
  @Field(() => Int, { description: 'Leaf index of the entry in the audit log (the same number the regulator sees).' }) leafIndex!: number;
  @Field(() => String) at!: string;
  @Field(() => String, { description: 'Username of who accessed.' }) actor!: string;
  @Field(() => String) actorRole!: string;
  @Field(() => String) interaction!: string;
  @Field(() => String, { nullable: true }) resourceType!: string | null;
  @Field(() => String, { description: 'allowed or denied.' }) outcome!: string;
  @Field(() => String, { nullable: true }) consentId!: string | null;
  @Field(() => String, { nullable: true, description: 'The consent’s purpose: TREATMENT, DIAGNOSIS, RESEARCH or EMERGENCY.' }) purpose!: string | null;
  @Field(() => String, { nullable: true }) emergencyId!: string | null;
  @Field(() => ModelVersionRefModel, { nullable: true, description: 'For inferences: the model version that ran.' }) model!: ModelVersionRefModel | null;
}

@ObjectType('EmergencyAccess', { description: 'A break-glass access, recorded on-chain.' })
export class EmergencyAccessModel {
  @Field(() => String) id!: string;
  @Field(() => String) patientId!: string;
  @Field(() => String) consentId!: string;
  @Field(() => String) clinician!: string;
  @Field(() => String) reason!: string;
  @Field(() => String) declaredAt!: string;
  @Field(() => String) expiresAt!: string;
  @Field(() => String) transaction!: string;
  @Field(() => Int) block!: number;
  @Field(() => Boolean) active!: boolean;
}

@ObjectType('ConsentedPatient', { description: 'A patient whose live consent (or break-glass access) covers the caller.' })
export class ConsentedPatientModel {
  @Field(() => String) patientId!: string;
  @Field(() => [ConsentModel]) consents!: ConsentModel[];
  @Field(() => [String], { description: 'Compartments the caller may read now.' }) compartments!: string[];
  @Field(() => String, { nullable: true, description: 'Set when the access is a declared emergency (break-glass).' }) emergencyId!: string | null;
  @Field(() => String, { description: 'ISO-8601: when the access ends.' }) expiresAt!: string;
}

@InputType('ConsentDraftInput')
export class ConsentDraftInput {
  @Field(() => String) granteeId!: string;
  @Field(() => String) purpose!: string;
  @Field(() => [String]) compartments!: string[];
  @Field(() => [String], { defaultValue: [] }) models!: string[];
  @Field(() => Int) durationDays!: number;
  @Field(() => Int, { nullable: true, description: 'Unix seconds; now when absent.' }) notBefore?: number | null;
}

@InputType('ConsentReleaseInput')
export class ConsentReleaseInput {
  @Field(() => String) compartment!: string;
  @Field(() => String, { description: 'base64url release envelope.' }) envelope!: string;
}

@InputType('ConsentGrantInput')
export class ConsentGrantInput {
  @Field(() => String) typedData!: string;
  @Field(() => String) signature!: string;
  @Field(() => String) scope!: string;
  @Field(() => [ConsentReleaseInput]) releases!: ConsentReleaseInput[];
}

@InputType('ConsentRevokeInput')
export class ConsentRevokeInput {
  @Field(() => String) typedData!: string;
  @Field(() => String) signature!: string;
}

@InputType('EmergencyInput')
export class EmergencyInput {
  @Field(() => String) patientId!: string;
  @Field(() => String) reason!: string;
  @Field(() => Int, { nullable: true, description: 'Default 60, at most 1440.' }) durationMinutes?: number | null;
}
