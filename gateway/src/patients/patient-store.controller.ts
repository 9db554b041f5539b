import { Body, Controller, Get, Header, HttpCode, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, type Principal, Roles } from '../auth/index.js';
import { badRequest } from '../common/index.js';
import { COMPARTMENTS, type SealedStoreExport, type StoreClaim } from '../crypto/index.js';
import { PatientStoreService, type PatientStoreStatus } from '../store/index.js';

const base64Key = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'expected a base64url 32-byte X25519 public key');

/** The wire shape of a claim (built by the key library's `buildStoreClaim`). */
const claimSchema = z.strictObject({
  patient: z.string().min(1).max(64),
  address: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected an Ethereum address'),
  compartmentKeys: z.strictObject(Object.fromEntries(COMPARTMENTS.map((c) => [c, base64Key])) as Record<(typeof COMPARTMENTS)[number], typeof base64Key>),
  gateway: z.string().min(1).max(2048),
  issuedAt: z.number().int().nonnegative(),
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'expected a 65-byte 0x-hex signature'),
});

/**
 * The patient's own store (design.md §2.1), for the portal and the key library's CLI:
 * - `GET /api/patient-store`: status (claimed or in escrow, record count);
 * - `POST /api/patient-store/claim`: a signed {@link StoreClaim}; re-wraps every key to the patient, destroys escrow;
 * - `GET /api/patient-store/export`: every version, sealed, with the wrapped batch keys, to open client-side.
 * Only the patient whose token names the store gets an answer; anyone else gets 404.
 */
@Controller('api/patient-store')
@Roles('patient')
export class PatientStoreController {
  constructor(@Inject(PatientStoreService) private readonly stores: PatientStoreService) {}

  @Get()
  @Header('cache-control', 'no-store')
  status(@CurrentPrincipal() principal: Principal): Promise<PatientStoreStatus> {
    return this.stores.status(principal);
  }

  @Post('claim')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  claim(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<PatientStoreStatus> {
    const parsed = claimSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badRequest(`${issue.path.join('.') || 'body'}: ${issue.message}`, issue.path.join('.') || undefined);
    }
    return this.stores.claim(principal, parsed.data as StoreClaim);
  }

  @Get('export')
  @Header('cache-control', 'no-store')
  export(@CurrentPrincipal() principal: Principal): Promise<SealedStoreExport> {
    return this.stores.exportSealed(principal);
  }
}
