import { Inject } from '@nestjs/common';
import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type Principal, Roles } from '../../auth/index.js';
import { ChainService } from '../../chain/index.js';
import { badRequest } from '../../common/index.js';
import { ConsentDirectory, ConsentView, EmergencyAccessService } from '../../consent/index.js';
import { ACCESS_GRANTS, type AccessGrants, FHIR_REPOSITORY, type FhirRepository } from '../../store/index.js';
import { isSupportedResourceType } from '../../fhir/supported-types.js';
import { ConsentedPatientModel, EmergencyAccessModel, EmergencyInput } from './consent.models.js';
import { presentConsent, presentEmergency } from './consent.presenter.js';
import { limit } from './input-limits.js';

/** What clinicians and hospital systems see of consent: who consented to them, break-glass, and the records. */
@Resolver()
export class CareResolver {
  constructor(
    @Inject(ACCESS_GRANTS) private readonly grants: AccessGrants,
    @Inject(ConsentView) private readonly view: ConsentView,
    @Inject(ConsentDirectory) private readonly directory: ConsentDirectory,
    @Inject(EmergencyAccessService) private readonly emergencies: EmergencyAccessService,
    @Inject(FHIR_REPOSITORY) private readonly repository: FhirRepository,
    @Inject(ChainService) private readonly chain: ChainService,
  ) {}

  @Query(() => [ConsentedPatientModel], { description: 'Patients whose live consent (or break-glass access) covers the caller.' })
  @Roles('clinician', 'hospital-system')
  async consentedPatients(@CurrentPrincipal() principal: Principal): Promise<ConsentedPatientModel[]> {
    const grants = await this.grants.grantsFor(principal);
    const patients: ConsentedPatientModel[] = [];
    for (const [patientId, list] of grants) {
      const consents = [];
      for (const consentId of new Set(list.map((g) => g.consentId))) {
        const consent = await this.view.byId(consentId);
        if (consent) consents.push(presentConsent(consent, this.directory, this.chain.chainId));
      }
      patients.push({
        patientId,
        consents,
        compartments: [...new Set(list.flatMap((g) => [...g.compartments]))].sort(),
        emergencyId: list.find((g) => g.emergencyId !== undefined)?.emergencyId ?? null,
        expiresAt: new Date(Math.max(...list.map((g) => g.expiresAt))).toISOString(),
      });
    }
    return patients.sort((a, b) => a.patientId.localeCompare(b.patientId));
  }

  @Mutation(() => EmergencyAccessModel, { description: 'Declares an emergency (break-glass) for a patient: recorded on-chain at once.' })
  @Roles('clinician')
  async declareEmergency(@CurrentPrincipal() principal: Principal, @Args('input') input: EmergencyInput): Promise<EmergencyAccessModel> {
    limit(input.patientId, 64, 'patientId');
    limit(input.reason, 500, 'reason');
    return presentEmergency(await this.emergencies.declare(principal, { patientId: input.patientId, reason: input.reason, ...(input.durationMinutes != null ? { durationMinutes: input.durationMinutes } : {}) }));
  }

  @Query(() => [EmergencyAccessModel], { description: "Break-glass accesses on the caller's records (patients)." })
  @Roles('patient')
  async emergencyAccesses(@CurrentPrincipal() principal: Principal): Promise<EmergencyAccessModel[]> {
    return principal.fhirPatient ? (await this.emergencies.ofPatient(principal.fhirPatient)).map(presentEmergency) : [];
  }

  @Query(() => [String], { description: "A patient's records of one type the caller may read, as FHIR JSON (same enforcement as /fhir)." })
  @Roles('clinician', 'hospital-system')
  async patientRecords(
    @CurrentPrincipal() principal: Principal,
    @Args('patientId') patientId: string,
    @Args('resourceType') resourceType: string,
    @Args('count', { type: () => Int, defaultValue: 50 }) count: number,
  ): Promise<string[]> {
    limit(patientId, 64, 'patientId');
    if (!isSupportedResourceType(resourceType)) throw badRequest('resourceType: expected a resource type this gateway serves', 'resourceType');
    if (!Number.isInteger(count) || count < 1 || count > 200) throw badRequest(`count: expected 1 to 200, got ${count}`, 'count');
    const params = resourceType === 'Patient' ? [{ name: '_id', values: [patientId] }] : [{ name: 'patient', values: [`Patient/${patientId}`] }];
    const page = await this.repository.search(principal, { resourceType, params, count, include: [], sort: '-_lastUpdated' });
    return page.matches.map((m) => JSON.stringify(m.resource));
  }
}
