import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, type Principal, Roles } from '../../auth/index.js';
import { APP_CONFIG, type AppConfig } from '../../config/index.js';
import { parseAuditEventSearch } from './audit-event-search.js';
import { AuditEventProjection } from './audit-event.projection.js';
import { ReadOnlyResourceController } from '../../fhir/read-only-resource.controller.js';

const READ_ONLY = 'AuditEvents are the audit log as the gateway wrote it (append-only, anchored on-chain); /fhir/AuditEvent is read-only';

/** Sends a FHIR JSON body, never cached (FHIR R4 http.html; the gateway's FHIR responses all say no-store). */
function send(reply: FastifyReply, body: unknown): void {
  void reply.status(200).header('content-type', 'application/fhir+json; charset=utf-8').header('cache-control', 'no-store').send(body);
}

/** Percent-encodes a query for a link, leaving `|` and `:` readable as FHIR's own examples do. */
function queryString(entries: readonly (readonly [string, string])[]): string {
  return entries.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value).replace(/%7C/g, '|').replace(/%3A/g, ':')}`).join('&');
}

/**
 * `/fhir/AuditEvent` (issue 6 §4): read and search of the AuditEvent projection of the audit log, for auditors
 * (everything) and patients (their own); other roles get 403. Writes answer 405. (Static routes take precedence
 * over the generic `/fhir/:type` routes.)
 */
@Controller('fhir/AuditEvent')
@Roles('auditor', 'patient')
export class AuditEventController extends ReadOnlyResourceController {
  protected readonly readOnly = READ_ONLY;
  private readonly base: string;

  constructor(
    @Inject(AuditEventProjection) private readonly projection: AuditEventProjection,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.base = `${config.http.publicUrl}/fhir`;
  }

  @Get(':id')
  async read(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.projection.read(principal, id));
  }

  /** Newest first, `_count` per page, `next` links carrying a `_cursor` (FHIR R4 http.html#paging); no `total`. */
  @Get()
  async search(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const at = request.url.indexOf('?');
    const entries = at < 0 ? [] : [...new URLSearchParams(request.url.slice(at + 1))];
    const strict = /(^|[;,\s])handling\s*=\s*strict\b/.test(String(request.headers.prefer ?? ''));
    const search = parseAuditEventSearch(entries, strict);
    const page = await this.projection.search(principal, search);
    const link = (extra: readonly (readonly [string, string])[]) => {
      const query = queryString([...search.used, ...extra]);
      return `${this.base}/AuditEvent${query ? `?${query}` : ''}`;
    };
    send(reply, {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [
        { relation: 'self', url: link(search.cursor !== undefined ? [['_cursor', String(search.cursor)]] : []) },
        ...(page.next !== undefined ? [{ relation: 'next', url: link([['_cursor', String(page.next)]]) }] : []),
      ],
      entry: page.events.map((resource) => ({ fullUrl: `${this.base}/AuditEvent/${String(resource['id'])}`, resource, search: { mode: 'match' } })),
    });
  }
}
