import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { Roles } from '../../auth/index.js';
import { badRequest } from '../../common/index.js';
import { integerParam, queryOf, type RawQuery } from './audit-params.js';
import type { ConsistencyProofView, InclusionProofView } from '../audit-api.types.js';
import { AuditQueryService } from './audit-query.service.js';

const required = (q: Record<string, string>, name: string): string => {
  const value = q[name];
  if (value === undefined) throw badRequest(`${name}: required, got nothing`, name);
  return value;
};

/**
 * Regulator API (issue 6 §4): RFC 9162 proofs over the log's Merkle tree. Hashes are lowercase hex without `0x`;
 * a verifier checks them with the RFC's algorithms (§2.1.3.2, §2.1.4.2) against roots it reads from the chain.
 */
@Controller('audit/proofs')
@Roles('auditor')
export class AuditProofsController {
  constructor(@Inject(AuditQueryService) private readonly audit: AuditQueryService) {}

  /** `?leafIndex=&treeSize=`: treeSize defaults to the first anchored head covering the leaf, else the log's size. */
  @Get('inclusion')
  @Header('cache-control', 'no-store')
  inclusion(@Query() query: RawQuery): Promise<InclusionProofView> {
    const q = queryOf(query, ['leafIndex', 'treeSize']);
    const leafIndex = integerParam('leafIndex', required(q, 'leafIndex'), 0, Number.MAX_SAFE_INTEGER);
    const treeSize = q['treeSize'] !== undefined ? integerParam('treeSize', q['treeSize'], 1, Number.MAX_SAFE_INTEGER) : undefined;
    return this.audit.inclusion(leafIndex, treeSize);
  }

  /** `?first=&second=`: second defaults to the log's size. */
  @Get('consistency')
  @Header('cache-control', 'no-store')
  consistency(@Query() query: RawQuery): Promise<ConsistencyProofView> {
    const q = queryOf(query, ['first', 'second']);
    const first = integerParam('first', required(q, 'first'), 1, Number.MAX_SAFE_INTEGER);
    const second = q['second'] !== undefined ? integerParam('second', q['second'], 1, Number.MAX_SAFE_INTEGER) : undefined;
    return this.audit.consistency(first, second);
  }
}
