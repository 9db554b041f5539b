import { Controller, Get } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AuthModule, CurrentPrincipal, type Principal, Public, Roles } from '../../gateway/src/auth/index.js';
import { OperationOutcomeFilter } from '../../gateway/src/common/index.js';
import { ConfigModule } from '../../gateway/src/config/index.js';
import { IdentityService } from '../../gateway/src/identity/index.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { demoAccessToken } from '../support/oidc.js';

/**
 * Routes that exist only in this test: the gateway's own role-restricted endpoints (e.g. the audit API) arrive
 * with their modules. The guard, verifier and filter are the real ones, and the tokens come from a real gateway,
 * whose embedded identity provider the verifier reads the realm's keys from, as in the gateway itself.
 */
@Controller('test')
@Roles('auditor')
class RoleProbeController {
  @Get('audit')
  audit(@CurrentPrincipal() principal: Principal): { username: string } {
    return { username: principal.username };
  }

  @Get('governance')
  @Roles('steward', 'auditor')
  governance(@CurrentPrincipal() principal: Principal): { username: string } {
    return { username: principal.username };
  }

  @Get('open')
  @Public()
  open(@CurrentPrincipal() principal: Principal | undefined): { authenticated: boolean } {
    return { authenticated: principal !== undefined };
  }
}

/** The started gateway's embedded identity provider as this test app sees it: its keys, without mounting it again. */
class GatewayIdentity extends IdentityService {
  constructor(private readonly gateway: StartedGateway) {
    super(gateway.config);
  }

  publicJwks() {
    return this.gateway.app.get(IdentityService).publicJwks();
  }

  demoAccounts() {
    return undefined;
  }
}

describe('role checks of the global AuthGuard (@Roles, @Public)', () => {
  let gateway: StartedGateway;
  let app: NestFastifyApplication;
  let base: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    gateway = await startGateway();
    for (const user of ['alice', 'audrey', 'sam']) tokens[user] = await demoAccessToken(gateway, user);
    const identity = { module: class GatewayIdentityModule {}, global: true, providers: [{ provide: IdentityService, useValue: new GatewayIdentity(gateway) }], exports: [IdentityService] };
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(gateway.config), identity, AuthModule], controllers: [RoleProbeController] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    app.useGlobalFilters(new OperationOutcomeFilter());
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = await app.getUrl();
    base = base.replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await gateway?.close();
  });

  const get = (path: string, user?: string) => fetch(`${base}${path}`, { headers: user ? { authorization: `Bearer ${tokens[user]}` } : {} });

  it('lets an auditor through a route that requires the auditor role', async () => {
    const response = await get('/test/audit', 'audrey');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ username: 'audrey' });
  });

  it('answers a valid token without the required role with 403 forbidden naming the role', async () => {
    const response = await get('/test/audit', 'alice');
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'requires the realm role "auditor"' }] });
  });

  it('lets a handler list of roles replace the controller list, naming all of them when refused', async () => {
    expect((await get('/test/governance', 'sam')).status).toBe(200);
    const refused = await get('/test/governance', 'alice');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { issue: { diagnostics: string }[] }).issue[0]!.diagnostics).toBe('requires one of the realm roles "steward", "auditor"');
  });

  it('checks the token before the role: no token is 401, not 403', async () => {
    const response = await get('/test/audit');
    expect(response.status).toBe(401);
    expect(((await response.json()) as { issue: { code: string }[] }).issue[0]!.code).toBe('login');
  });

  it('lets anyone reach a @Public() route, without authenticating them', async () => {
    const response = await get('/test/open', 'alice');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ authenticated: false });
  });
});
