import { Body, Controller, Delete, Get, Inject, Param, Patch, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, type Principal, Public } from '../auth/index.js';
import { badRequest, methodNotAllowed } from '../common/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { FHIR_REPOSITORY, type FhirRepository, type FhirResource } from '../store/index.js';
import { processBatch } from './batch.processor.js';
import { parseBundle } from './bundle-entries.js';
import { buildCapabilityStatement, readSoftware } from './capability-statement.js';
import { parseIfMatch } from './etag.js';
import { httpResponse, sendFhir } from './fhir-response.js';
import { assertJsonFormat } from './media-type.js';
import { parseHistoryQuery } from './history-query.parser.js';
import { execute, type FhirContext, type FhirInteraction } from './interaction.js';
import { parsePrefer } from './prefer.js';
import { assertId, forCreate, forUpdate, readResourceBody } from './resource-body.js';
import { parseCriteria, parseSearch } from './search-query.parser.js';
import { supportedType } from './supported-types.js';
import { processTransaction } from './transaction.processor.js';

/** The query string of a request as ordered name/value pairs (repeats kept; FHIR R4 search.html#combining). */
function queryOf(request: FastifyRequest): [string, string][] {
  const at = request.url.indexOf('?');
  return at < 0 ? [] : [...new URLSearchParams(request.url.slice(at + 1))];
}

/** A form body (`POST _search`) as name/value pairs; Fastify's form parser gives repeated names as arrays. */
function formOf(body: unknown): [string, string][] {
  if (typeof body !== 'object' || body === null) return [];
  return Object.entries(body as Record<string, unknown>).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, String(v)]));
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The FHIR R4 RESTful API at `/fhir` (FHIR R4 http.html; design.md §3). Transport only: parsing, validation,
 * Bundles and HTTP semantics; who may do what is the repository's decision (the one enforcement point). Every
 * route but `metadata` needs a bearer token (the global AuthGuard).
 */
@Controller('fhir')
export class FhirController {
  private readonly context: FhirContext;
  private readonly capabilities: FhirResource;

  constructor(
    @Inject(FHIR_REPOSITORY) private readonly repository: FhirRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.context = { base: `${config.http.publicUrl}/fhir` };
    const realm = `${config.identity.authServerUrl}/realms/${config.identity.realm}/protocol/openid-connect`;
    this.capabilities = buildCapabilityStatement({
      base: this.context.base,
      software: readSoftware(),
      oauth: { token: `${realm}/token`, authorize: `${realm}/auth` },
      date: new Date().toISOString(),
    });
  }

  /** FHIR R4 http.html#capabilities: public, so clients can discover the server before they sign in. */
  @Public()
  @Get('metadata')
  metadata(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const mode = queryOf(request).find(([name]) => name === 'mode')?.[1];
    if (mode !== undefined && mode !== 'full' && mode !== 'normative') throw badRequest('mode: only full (the CapabilityStatement) is supported', 'mode');
    sendFhir(reply, { status: 200, headers: {}, body: this.capabilities });
  }

  /** FHIR R4 §3.1.0.11 (http.html#transaction): a transaction or batch Bundle. */
  @Post()
  async bundle(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const preferences = parsePrefer(request.headers.prefer);
    const parsed = parseBundle(body, this.context, preferences.handling);
    const process = parsed.type === 'transaction' ? processTransaction : processBatch;
    sendFhir(reply, { status: 200, headers: {}, body: await process(this.repository, principal, parsed, this.context, preferences) });
  }

  /** FHIR R4 http.html#create, with `If-None-Exist` (http.html#ccreate). The body's id is ignored. */
  @Post(':type')
  async create(@CurrentPrincipal() principal: Principal, @Param('type') typeName: string, @Req() request: FastifyRequest, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const type = supportedType(typeName);
    const resource = forCreate(readResourceBody(body, type));
    const criteria = header(request, 'if-none-exist');
    const ifNoneExist = criteria === undefined ? undefined : parseCriteria(type, criteria, this.context.base, 'If-None-Exist');
    await this.run(principal, request, reply, { kind: 'create', type, resource, ...(ifNoneExist ? { ifNoneExist } : {}) });
  }

  /** FHIR R4 http.html#search: `POST [type]/_search`, parameters in the form body and the URL together. */
  @Post(':type/_search')
  async searchByPost(@CurrentPrincipal() principal: Principal, @Param('type') typeName: string, @Req() request: FastifyRequest, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    await this.search(principal, typeName, [...queryOf(request), ...formOf(body)], request, reply);
  }

  /** FHIR R4 http.html#search: `GET [type]?…`. */
  @Get(':type')
  async searchByGet(@CurrentPrincipal() principal: Principal, @Param('type') typeName: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.search(principal, typeName, queryOf(request), request, reply);
  }

  /** FHIR R4 http.html#read. */
  @Get(':type/:id')
  async read(@CurrentPrincipal() principal: Principal, @Param('type') typeName: string, @Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const type = supportedType(typeName);
    if (id === '_history') throw badRequest('type-level history is not supported: GET [type]/[id]/_history');
    await this.run(principal, request, reply, { kind: 'read', type, id: assertId(id) });
  }

  /** FHIR R4 http.html#vread. */
  @Get(':type/:id/_history/:vid')
  async vread(
    @CurrentPrincipal() principal: Principal,
    @Param('type') typeName: string,
    @Param('id') id: string,
    @Param('vid') versionId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.run(principal, request, reply, { kind: 'vread', type: supportedType(typeName), id: assertId(id), versionId: assertId(versionId, 'versionId') });
  }

  /** FHIR R4 http.html#history: one resource's versions, newest first, paged by `_count` and `_cursor`. */
  @Get(':type/:id/_history')
  async history(@CurrentPrincipal() principal: Principal, @Param('type') typeName: string, @Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const type = supportedType(typeName);
    const query = parseHistoryQuery(queryOf(request), parsePrefer(request.headers.prefer).handling);
    await this.run(principal, request, reply, { kind: 'history', type, id: assertId(id), ...query });
  }

  /** FHIR R4 http.html#update with `If-Match` (http.html#concurrency); 201 when it created the resource (update as create). */
  @Put(':type/:id')
  async update(@CurrentPrincipal() principal: Principal, @Param('type') typeName: string, @Param('id') id: string, @Req() request: FastifyRequest, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const type = supportedType(typeName);
    const resource = forUpdate(readResourceBody(body, type), assertId(id));
    const ifMatch = parseIfMatch(request.headers['if-match']);
    await this.run(principal, request, reply, { kind: 'update', type, resource, ...(ifMatch !== undefined ? { ifMatch } : {}) });
  }

  /** FHIR R4 http.html#delete: 204 No Content (200 with an OperationOutcome on `Prefer: return=OperationOutcome`). */
  @Delete(':type/:id')
  async delete(@CurrentPrincipal() principal: Principal, @Param('type') typeName: string, @Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const type = supportedType(typeName);
    if (request.headers['if-match'] !== undefined) throw badRequest('If-Match: not supported on delete', 'If-Match');
    await this.run(principal, request, reply, { kind: 'delete', type, id: assertId(id) });
  }

  /** FHIR R4 http.html#cond-update: servers without conditional update answer 400. */
  @Put(':type')
  conditionalUpdate(@Param('type') typeName: string): void {
    supportedType(typeName);
    throw badRequest('conditional update is not supported: PUT [type]/[id]');
  }

  /** Conditional delete is not supported (CapabilityStatement: conditionalDelete not-supported). */
  @Delete(':type')
  conditionalDelete(@Param('type') typeName: string): void {
    supportedType(typeName);
    throw badRequest('conditional delete is not supported: DELETE [type]/[id]');
  }

  /** FHIR R4 http.html#patch is not offered; the request hook answers 405 before the body is read. */
  @Patch(':type/:id')
  patch(): void {
    throw methodNotAllowed('patch is not supported: send the whole resource with PUT (update)');
  }

  private async search(principal: Principal, typeName: string, entries: [string, string][], request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const type = supportedType(typeName);
    // The request hook checked the URL's _format; a form body may carry one too.
    assertJsonFormat(entries.filter(([name]) => name === '_format').map(([, value]) => value));
    const search = parseSearch(type, entries, { handling: parsePrefer(request.headers.prefer).handling, base: this.context.base });
    await this.run(principal, request, reply, { kind: 'search', type, search });
  }

  private async run(principal: Principal, request: FastifyRequest, reply: FastifyReply, interaction: FhirInteraction): Promise<void> {
    const result = await execute(this.repository, principal, interaction, this.context);
    sendFhir(reply, httpResponse(result, this.context, parsePrefer(request.headers.prefer).return));
  }
}
