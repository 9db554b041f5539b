import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { Roles } from '../../auth/index.js';
import { ChainService } from '../../chain/index.js';
import { APP_CONFIG, type AppConfig } from '../../config/index.js';
import { queryOf, type RawQuery, windowParams } from './audit-params.js';
import type { AuditChainView, AuditStatistics, TreeHeadView } from '../audit-api.types.js';
import { AuditQueryService } from './audit-query.service.js';

/** Regulator API (issue 6 §4): the log's current tree head, where it is anchored, and statistics. */
@Controller('audit')
@Roles('auditor')
export class AuditHeadController {
  constructor(
    @Inject(AuditQueryService) private readonly audit: AuditQueryService,
    @Inject(ChainService) private readonly chain: ChainService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('tree-head')
  @Header('cache-control', 'no-store')
  treeHead(@Query() query: RawQuery): Promise<TreeHeadView> {
    queryOf(query, []);
    return this.audit.treeHead();
  }

  @Get('chain')
  chainInfo(@Query() query: RawQuery): AuditChainView {
    queryOf(query, []);
    const contracts = this.chain.deployment.contracts;
    // CHAIN_RPC_URL may carry an API key: only the public URL, or the embedded anvil's own, is ever shown.
    const rpcUrl = this.config.chain.publicRpcUrl ?? this.chain.anvil?.url ?? null;
    return { chainId: this.chain.chainId, rpcUrl, auditAnchor: contracts['AuditAnchor']!.address, consentRegistry: contracts['ConsentRegistry']!.address };
  }

  /** `?from=&to=` (ISO 8601; from inclusive, to exclusive). */
  @Get('statistics')
  @Header('cache-control', 'no-store')
  statistics(@Query() query: RawQuery): Promise<AuditStatistics> {
    return this.audit.statistics(windowParams(queryOf(query, ['from', 'to'])));
  }
}
