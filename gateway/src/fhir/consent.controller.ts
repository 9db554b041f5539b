import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { ConsentProjection } from '../consent/index.js';
import { badRequest } from '../common/index.js';
import { sendFhir } from './fhir-response.js';
import { parsePrefer } from './prefer.js';
import { ReadOnlyResourceController } from './read-only-resource.controller.js';

/** Search parameters of the Consent projection (FHIR R4 Consent search parameters of the same names). */
export const CONSENT_SEARCH_PARAMS = ['_id', 'patient', 'status'] as const;
const PAGE_MAX = 200;
const READ_ONLY = 'consents are granted and revoked by patients (signed with their own key, recorded on-chain) through the patient portal; /fhir/Consent is read-only';

/**
 * `/fhir/Consent` (issue 4 §2): read and search of the Consent projection of chain state; the patient reads their
 * own consents, a grantee those granted to them. Writes answer 405: a consent exists only once the patient signed
 * it and the chain recorded it. (Static routes take precedence over the generic `/fhir/:type` routes.)
 */
@Controller('fhir/Consent')
export class ConsentFhirController extends ReadOnlyResourceController {
  protected readonly readOnly = READ_ONLY;
  private readonly base: string;

  constructor(
    @Inject(ConsentProjection) private readonly projection: ConsentProjection,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.base = `${config.http.publicUrl}/fhir`;
  }

  @Get(':id')
  async read(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const resource = await this.projection.read(principal, id);
    sendFhir(reply, { status: 200, headers: {}, body: resource });
  }

  @Get()
  async search(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const at = request.url.indexOf('?');
    const entries = at < 0 ? [] : [...new URLSearchParams(request.url.slice(at + 1))];
    const strict = parsePrefer(request.headers.prefer).handling === 'strict';
    let patient: string | undefined;
    let status: string | undefined;
    let ids: string[] | undefined;
    let count = 50;
    for (const [name, value] of entries) {
      if (name === 'patient') patient = value.replace(/^Patient\//, '');
      else if (name === 'status') status = value;
      else if (name === '_id') ids = value.split(',');
      else if (name === '_count') {
        count = Number(value);
        if (!Number.isInteger(count) || count < 0 || count > PAGE_MAX) throw badRequest(`_count: expected 0 to ${PAGE_MAX}`, '_count');
      } else if (name === '_format') continue;
      else if (strict) throw badRequest(`${name.slice(0, 40)}: not a supported search parameter of Consent (supported: ${CONSENT_SEARCH_PARAMS.join(', ')})`, name.slice(0, 40));
    }
    const matches = await this.projection.search(principal, { ...(patient !== undefined ? { patient } : {}), ...(status !== undefined ? { status } : {}), ...(ids ? { ids } : {}) });
    sendFhir(reply, {
      status: 200,
      headers: {},
      body: {
        resourceType: 'Bundle',
        type: 'searchset',
        total: matches.length,
        link: [{ relation: 'self', url: `${this.base}/Consent${at < 0 ? '' : request.url.slice(at)}` }],
        entry: matches.slice(0, count).map((resource) => ({ fullUrl: `${this.base}/Consent/${resource.id}`, resource, search: { mode: 'match' } })),
      },
    });
  }
}
