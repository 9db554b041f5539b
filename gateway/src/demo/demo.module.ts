import { Module } from '@nestjs/common';
import { DemoSeeder } from './demo-seeder.js';

/** Embedded mode only: seeds the synthetic demo patients on first start (see DEMO_DATA). */
@Module({ providers: [DemoSeeder] })
export class DemoModule {}
