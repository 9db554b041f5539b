import type { PatientProfile } from '../patient-profile.js';
import { ALICE } from './alice.profile.js';
import { BOB } from './bob.profile.js';
import { GRETA } from './greta.profile.js';
import { ROSA } from './rosa.profile.js';
import { TOMAS } from './tomas.profile.js';

/** The five synthetic patients, in the order they are generated and seeded. */
export const SYNTHETIC_PROFILES: readonly PatientProfile[] = [ALICE, BOB, TOMAS, GRETA, ROSA];
