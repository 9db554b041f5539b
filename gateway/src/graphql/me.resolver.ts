import { Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type Principal, whoAmI } from '../auth/index.js';
import { MeModel } from './me.model.js';

@Resolver(() => MeModel)
export class MeResolver {
  /** Any authenticated caller may ask who they are; the global guard has already validated the token. */
  @Query(() => MeModel, { description: 'The signed-in caller.' })
  me(@CurrentPrincipal() principal: Principal): MeModel {
    const me = whoAmI(principal);
    return { ...me, roles: [...me.roles] };
  }
}
