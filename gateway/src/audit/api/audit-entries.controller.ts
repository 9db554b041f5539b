import { Controller, Get, Header, Inject, Param, Query } from '@nestjs/common';
import { Roles } from '../../auth/index.js';
import { entryQuery, integerParam, type RawQuery } from './audit-params.js';
import type { EntriesPage, EntryItem } from '../audit-api.types.js';
import { AuditQueryService } from './audit-query.service.js';
import type { AuditReceipt } from '../audit-log.js';

/**
 * Regulator API (issue 6 §4): the audit log's entries exactly as stored and hashed, filtered by the indexed
 * columns (time, purpose, model, actor, patient pseudonym, outcome, action) and paged by leaf index.
 */
@Controller('audit/entries')
@Roles('auditor')
export class AuditEntriesController {
  constructor(@Inject(AuditQueryService) private readonly audit: AuditQueryService) {}

  @Get()
  @Header('cache-control', 'no-store')
  list(@Query() query: RawQuery): Promise<EntriesPage> {
    const { filter, page } = entryQuery(query);
    return this.audit.entries(filter, page);
  }

  @Get(':leafIndex')
  @Header('cache-control', 'no-store')
  one(@Param('leafIndex') leafIndex: string): Promise<EntryItem & { receipt: AuditReceipt }> {
    return this.audit.entry(integerParam('leafIndex', leafIndex, 0, Number.MAX_SAFE_INTEGER));
  }
}
