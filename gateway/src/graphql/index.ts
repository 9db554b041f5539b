export { GatewayGraphqlModule } from './graphql.module.js';
