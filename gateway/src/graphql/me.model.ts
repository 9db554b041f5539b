import { Field, ObjectType } from '@nestjs/graphql';

/** The caller as the gateway validated their token. */
@ObjectType('Me', { description: 'The signed-in caller, as the gateway validated their access token.' })
export class MeModel {
  @Field(() => String, { description: 'Subject id (pseudonymous; stable per identity provider).' })
  subject!: string;

  @Field(() => String, { description: 'preferred_username from the token.' })
  username!: string;

  @Field(() => [String], { description: 'Realm roles: patient, clinician, hospital-system, auditor, steward.' })
  roles!: string[];

  @Field(() => String, { description: 'The client the token was issued to (azp).' })
  clientId!: string;

  @Field(() => String, { nullable: true, description: 'The FHIR Patient id of a patient user.' })
  fhirPatient?: string | null;
}
