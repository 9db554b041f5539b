import { type DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FastifyInstance } from 'fastify';
import { AuthModule, type Principal, TokenVerifier } from '../../auth/index.js';
import { OperationOutcomeFilter, unauthorized } from '../../common/index.js';
import { type AppConfig, ConfigModule, loadConfig } from '../../config/index.js';
import { FHIR_REPOSITORY, type FhirRepository } from '../../store/index.js';
import { FhirModule } from '../fhir.module.js';
import { MemoryFhirRepository } from './memory-fhir-repository.js';
import { HOSPITAL } from './principals.js';

/** Accepts the one token `hospital`; anything else is the verifier's 401. */
class StubVerifier extends TokenVerifier {
  async verify(token: string): Promise<Principal> {
    if (token !== 'hospital') throw unauthorized('invalid token');
    return HOSPITAL;
  }
  async checkReady() {
    return { up: true, detail: 'stub' };
  }
}

/** Stands in for the store module: provides the repository under FHIR_REPOSITORY to every module. */
@Module({})
class FakeStoreModule {
  static with(repository: FhirRepository): DynamicModule {
    return { module: FakeStoreModule, global: true, providers: [{ provide: FHIR_REPOSITORY, useValue: repository }, PluginDuringInit], exports: [FHIR_REPOSITORY] };
  }
}

/**
 * Registers a Fastify plugin during module init, as the gateway's embedded identity provider does: Fastify then
 * binds the routes' error handlers before Nest installs its own, so errors of body reading and parsing take
 * Fastify's path, as they do in the gateway.
 */
@Injectable()
class PluginDuringInit implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}
  async onModuleInit(): Promise<void> {
    await this.adapterHost.httpAdapter.getInstance<FastifyInstance>().register(async () => undefined);
  }
}

/** A test gateway: its configuration (PUBLIC_URL https://fhir.example.org, BODY_LIMIT_BYTES 4096). */
export const TEST_CONFIG: AppConfig = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://fhir.example.org', BODY_LIMIT_BYTES: '4096' });

/**
 * Boots FhirModule the way the gateway does (Fastify with the configured bodyLimit, the global AuthGuard, the
 * OperationOutcome filter), with an in-memory repository and a stub token verifier.
 */
export async function fhirTestApp(repository: FhirRepository = new MemoryFhirRepository()): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(TEST_CONFIG), AuthModule, FakeStoreModule.with(repository), FhirModule] })
    .overrideProvider(TokenVerifier)
    .useValue(new StubVerifier())
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: TEST_CONFIG.http.bodyLimit }), { logger: false });
  app.useGlobalFilters(new OperationOutcomeFilter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
