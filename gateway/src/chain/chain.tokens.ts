/** Injection token of the connected {@link ChainContext} (an async provider: it exists only once connected). */
export const CHAIN_CONTEXT = Symbol('CHAIN_CONTEXT');
