export { AuthModule } from './auth.module.js';
export { CurrentPrincipal } from './current-principal.decorator.js';
export type { Principal } from './principal.js';
export { Public } from './public.decorator.js';
export { Roles } from './roles.decorator.js';
export { TokenVerifier } from './token-verifier.js';
export { whoAmI } from './whoami.controller.js';
