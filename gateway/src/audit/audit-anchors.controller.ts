import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { Roles } from '../auth/index.js';
import { ChainService } from '../chain/index.js';
import { badRequest } from '../common/index.js';
import type { AnchorsResponse } from './audit-api.types.js';

const MAX_LIMIT = 1000;

/** Parses `?limit=`: an integer from 1 to 1000, 20 when absent. */
function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return 20;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw badRequest(`limit: expected an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(raw.slice(0, 20))}`, 'limit');
  }
  return Number(raw);
}

/**
 * Regulator API: the audit log's tree heads as anchored on-chain (design.md §2.4), newest first, read from the
 * chain's `TreeHeadAnchored` logs — not from the gateway's own database — so an auditor sees what the chain holds.
 */
@Controller('audit/anchors')
export class AuditAnchorsController {
  constructor(@Inject(ChainService) private readonly chain: ChainService) {}

  @Get()
  @Roles('auditor')
  @Header('cache-control', 'no-store')
  async list(@Query('limit') limit?: string): Promise<AnchorsResponse> {
    const heads = await this.chain.latestAnchors(parseLimit(limit));
    return {
      chainId: this.chain.chainId,
      contract: this.chain.deployment.contracts['AuditAnchor']!.address,
      anchors: heads.map((h) => ({
        index: h.index,
        treeSize: h.treeSize.toString(),
        rootHash: h.rootHash,
        anchoredAt: new Date(h.timestamp * 1000).toISOString(),
        transactionHash: h.txHash,
        blockNumber: h.blockNumber,
        blockHash: h.blockHash,
      })),
    };
  }
}
