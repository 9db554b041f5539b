import { Controller, Get, HttpCode, Inject, Logger, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public, TokenVerifier } from '../auth/index.js';
import { ChainService } from '../chain/index.js';
import { DatabaseService } from '../store/index.js';
import { runReadinessChecks } from './readiness.js';

const CHECK_TIMEOUT_MS = 3_000;
/** Probes run at most once per this interval, however often the (public) endpoint is called. */
const CACHE_MS = 1_000;

/** What /health/ready answers: per dependency only up or down. Details (addresses, URLs, errors) go to the log. */
export interface ReadinessAnswer {
  readonly status: 'ready' | 'not ready';
  readonly checks: Record<string, { readonly up: boolean }>;
}

/** Liveness and readiness for orchestrators and the start script. Public: they reveal no data. */
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('health');
  private cached?: { at: number; answer: Promise<ReadinessAnswer> };

  constructor(
    @Inject(DatabaseService) private readonly store: DatabaseService,
    @Inject(ChainService) private readonly chain: ChainService,
    @Inject(TokenVerifier) private readonly identity: TokenVerifier,
  ) {}

  /** Liveness: the process serves HTTP. */
  @Public()
  @Get()
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the chain answers with our contracts deployed, the identity keys are loaded, the store is open. */
  @Public()
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessAnswer> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= CACHE_MS) this.cached = { at: now, answer: this.probe() };
    const answer = await this.cached.answer;
    void reply.status(answer.status === 'ready' ? 200 : 503).header('cache-control', 'no-store');
    return answer;
  }

  private async probe(): Promise<ReadinessAnswer> {
    const { ready, checks } = await runReadinessChecks({ store: this.store, chain: this.chain, identity: this.identity }, CHECK_TIMEOUT_MS);
    const down = Object.entries(checks).filter(([, c]) => !c.up);
    if (down.length > 0) this.logger.warn({ down: Object.fromEntries(down.map(([name, c]) => [name, c.detail])) }, 'not ready');
    return { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(Object.entries(checks).map(([name, c]) => [name, { up: c.up }])) };
  }
}
