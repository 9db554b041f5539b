import type { GatewayApi } from '@web';
import type { StoreClaim } from '../../../gateway/src/crypto/index.js';

/** `GET /api/patient-store`: the patient's own store as the gateway describes it (never any content). */
export interface StoreStatus {
  readonly patient: string;
  /** False until a hospital has written the first record of this patient. */
  readonly exists: boolean;
  readonly claimed: boolean;
  /** ISO time of the claim; only once claimed. */
  readonly claimedAt?: string;
  /** The address the store was claimed with; only once claimed. */
  readonly address?: string;
  /** Records currently in the store (deleted ones not counted). */
  readonly records: number;
}

/** The patient-store endpoints of gateway/src/patients/patient-store.controller.ts. */
export class PatientStoreApi {
  constructor(private readonly api: GatewayApi) {}

  /** The store's status (`exists: false` while the gateway holds no store for this patient yet). */
  status(): Promise<StoreStatus> {
    return this.api.get<StoreStatus>('api/patient-store');
  }

  /** Sends a signed claim: only the claim (address, public keys, signature) leaves the browser. */
  claim(claim: StoreClaim): Promise<StoreStatus> {
    return this.api.post<StoreStatus>('api/patient-store/claim', claim);
  }

  /** Every stored version, sealed; the shape is checked by the key library before any key touches it. */
  sealedExport(): Promise<unknown> {
    return this.api.get<unknown>('api/patient-store/export');
  }

  /** The public URL the claim must name (the gateway's PUBLIC_URL). */
  gatewayUrl(): Promise<string> {
    return this.api.publicUrl();
  }
}
