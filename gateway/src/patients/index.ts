export { PatientsModule } from './patients.module.js';
