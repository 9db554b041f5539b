import { Inject } from '@nestjs/common';
import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type Principal, Roles } from '../../auth/index.js';
import { ChainService } from '../../chain/index.js';
import { AuditLog } from '../../audit/audit-log.js';
import { ConsentDirectory, ConsentService } from '../../consent/index.js';
import { badRequest } from '../../common/index.js';
import { AccessEventModel, ConsentDraftInput, ConsentDraftModel, ConsentGrantInput, ConsentModel, ConsentRevokeInput, GranteeModel, RevocationDraftModel } from './consent.models.js';
import { presentAccessEvent, presentConsent } from './consent.presenter.js';
import { limit, limitList } from './input-limits.js';

const TYPED_DATA_MAX = 4_096;
const SCOPE_MAX = 2_048;

/** The patient's consent lifecycle (gateway/src/consent/README.md): directory, drafts, grants, revocations, timeline. */
@Resolver()
@Roles('patient')
export class ConsentResolver {
  constructor(
    @Inject(ConsentService) private readonly consents: ConsentService,
    @Inject(ConsentDirectory) private readonly directory: ConsentDirectory,
    @Inject(AuditLog) private readonly log: AuditLog,
    @Inject(ChainService) private readonly chain: ChainService,
  ) {}

  @Query(() => [GranteeModel], { description: 'Clinicians and organizations a patient can consent to, and the emergency grantee.' })
  consentDirectory(): GranteeModel[] {
    return this.directory.list().map((g) => ({ ...g }));
  }

  @Query(() => [ConsentModel], { description: "The caller's consents, newest first." })
  async myConsents(@CurrentPrincipal() principal: Principal): Promise<ConsentModel[]> {
    return (await this.consents.mine(principal)).map((row) => presentConsent(row, this.directory, this.chain.chainId));
  }

  @Mutation(() => ConsentDraftModel, { description: 'Drafts a consent: the typed data to sign and the key to seal releases to.' })
  draftConsent(@CurrentPrincipal() principal: Principal, @Args('input') input: ConsentDraftInput): Promise<ConsentDraftModel> {
    limitList(input.compartments, 16, 'compartments');
    limitList(input.models, 16, 'models');
    limit(input.granteeId, 80, 'granteeId');
    return this.consents.draft(principal, { granteeId: input.granteeId, purpose: limit(input.purpose, 32, 'purpose'), compartments: input.compartments, models: input.models, durationDays: input.durationDays, ...(input.notBefore != null ? { notBefore: input.notBefore } : {}) });
  }

  @Mutation(() => ConsentModel, { description: 'Submits a signed grant with its key releases; relays it on-chain and waits for the block.' })
  async grantConsent(@CurrentPrincipal() principal: Principal, @Args('input') input: ConsentGrantInput): Promise<ConsentModel> {
    limit(input.typedData, TYPED_DATA_MAX, 'typedData');
    limit(input.signature, 200, 'signature');
    limit(input.scope, SCOPE_MAX, 'scope');
    limitList(input.releases, 16, 'releases');
    input.releases.forEach((r, i) => {
      limit(r.compartment, 32, `releases[${i}].compartment`);
      limit(r.envelope, 200, `releases[${i}].envelope`);
    });
    return presentConsent(await this.consents.grant(principal, input), this.directory, this.chain.chainId);
  }

  @Mutation(() => RevocationDraftModel, { description: 'Drafts the revocation of one of the caller’s consents.' })
  draftRevocation(@CurrentPrincipal() principal: Principal, @Args('consentId') consentId: string): Promise<RevocationDraftModel> {
    return this.consents.draftRevocation(principal, limit(consentId, 80, 'consentId'));
  }

  @Mutation(() => ConsentModel, { description: 'Submits a signed revocation; relays it and destroys the key releases.' })
  async revokeConsent(@CurrentPrincipal() principal: Principal, @Args('input') input: ConsentRevokeInput): Promise<ConsentModel> {
    limit(input.typedData, TYPED_DATA_MAX, 'typedData');
    limit(input.signature, 200, 'signature');
    return presentConsent(await this.consents.revoke(principal, input), this.directory, this.chain.chainId);
  }

  @Query(() => [AccessEventModel], { description: "Who accessed the caller's records, when and under what; newest first." })
  async accessTimeline(@CurrentPrincipal() principal: Principal, @Args('limit', { type: () => Int, defaultValue: 100 }) count: number): Promise<AccessEventModel[]> {
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw badRequest(`limit: expected 1 to 1000, got ${count}`, 'limit');
    if (!principal.fhirPatient) return [];
    return (await this.log.timeline(principal.fhirPatient, count)).map(presentAccessEvent);
  }

  @Query(() => String, { nullable: true, description: "The caller's pseudonym in the audit log (entries' `patient`), which a regulator can filter by; null without a patient record." })
  myAuditPseudonym(@CurrentPrincipal() principal: Principal): string | null {
    return principal.fhirPatient ? this.log.pseudonym(principal.fhirPatient) : null;
  }
}
