/** Browser code shared by the patient portal and the clinician app (bundled by Vite through the `@web` alias). */
export { type Me, useGatewayApi, useGraphql, useSession } from './session-context.js';
export { type GraphqlClient, GraphqlError, type GraphqlVariables } from './graphql-client.js';
export { type GatewayApi, GatewayError } from './gateway-api.js';
export { mountApp } from './mount-app.js';
export { Problem, toProblem } from './problem.js';
export { Card } from './ui/card.js';
export { Notice } from './ui/notice.js';
export { roleLabel } from './ui/role-badges.js';
