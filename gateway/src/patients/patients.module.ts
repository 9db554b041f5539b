import { Module } from '@nestjs/common';
import { PatientStoreController } from './patient-store.controller.js';

/** Patients' own endpoints (their store's status, claim and sealed export). */
@Module({ controllers: [PatientStoreController] })
export class PatientsModule {}
