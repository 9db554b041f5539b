import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { User } from 'oidc-client-ts';
import { loadAppConfig, type WebAppConfig } from './app-config.js';
import { type GatewayApi, gatewayApi } from './gateway-api.js';
import { type GraphqlClient, graphqlRequest } from './graphql-client.js';
import { OidcSession } from './oidc-session.js';
import { issuerUnreachable, Problem, toProblem } from './problem.js';

/** The caller as the gateway validated their token (GraphQL `me`). */
export interface Me {
  readonly username: string;
  readonly roles: readonly string[];
  readonly clientId: string;
  readonly fhirPatient: string | null;
}

export type SessionState =
  | { readonly phase: 'starting' }
  | { readonly phase: 'signed-out'; readonly notice?: string }
  | { readonly phase: 'redirecting'; readonly to: 'sign-in' | 'sign-out' }
  | { readonly phase: 'verifying' }
  | { readonly phase: 'signed-in'; readonly me: Me }
  /** `signedIn`: tokens are still held, so signing out is offered. */
  | { readonly phase: 'error'; readonly problem: Problem; readonly signedIn: boolean };

export interface SessionApi {
  readonly state: SessionState;
  signIn(): void;
  signOut(): void;
  /** Repeats the step that failed (loading settings, or asking the gateway who we are). */
  retry(): void;
  /** The gateway's REST API with this session's token; null until settings are loaded. */
  gatewayApi(): GatewayApi | null;
  /** The gateway's GraphQL with this session's token; null until settings are loaded. */
  graphql(): GraphqlClient | null;
}

export type AppClient = keyof WebAppConfig['clients'];

const ME_QUERY = 'query Me { me { username roles clientId fhirPatient } }';

interface Runtime {
  readonly config: WebAppConfig;
  readonly session: OidcSession;
  user: User | null;
  /** Why the authorization response could not be used; shown once. */
  callbackProblem?: Problem | undefined;
}

// One start per page load: React StrictMode runs effects twice in development, and an authorization code
// can be redeemed only once.
let starting: Promise<Runtime> | undefined;

function start(appBase: string, client: AppClient): Promise<Runtime> {
  starting ??= (async () => {
    const config = await loadAppConfig();
    const session = new OidcSession({ issuer: config.issuer, clientId: config.clients[client], appBase });
    try {
      return { config, session, user: await session.restore() };
    } catch (error) {
      return { config, session, user: null, callbackProblem: toProblem(error) };
    }
  })();
  return starting;
}

const SessionContext = createContext<SessionApi | null>(null);

/** Owns the app's sign-in state: settings → OIDC session → the gateway's view of the caller. */
export function SessionProvider({ appBase, client, children }: { appBase: string; client: AppClient; children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ phase: 'starting' });
  const [attempt, setAttempt] = useState(0);
  const runtime = useRef<Runtime | null>(null);

  useEffect(() => {
    let live = true;
    let unsubscribe: (() => void) | undefined;
    const set = (next: SessionState) => live && setState(next);
    void (async () => {
      try {
        const rt = await start(appBase, client);
        runtime.current = rt;
        if (!live) return;
        unsubscribe = rt.session.onExpired(() => {
          rt.user = null;
          void rt.session.forget();
          set({ phase: 'signed-out', notice: 'Your session expired. Please sign in again.' });
        });
        if (rt.callbackProblem) {
          const problem = rt.callbackProblem;
          rt.callbackProblem = undefined;
          return set({ phase: 'error', problem, signedIn: false });
        }
        if (!rt.user) return set({ phase: 'signed-out' });
        set({ phase: 'verifying' });
        const { me } = await graphqlRequest<{ me: Me }>(rt.config.graphqlUrl, ME_QUERY, rt.user.access_token);
        set({ phase: 'signed-in', me });
      } catch (error) {
        if (!runtime.current) starting = undefined; // let retry() load the settings again
        set({ phase: 'error', problem: toProblem(error), signedIn: Boolean(runtime.current?.user) });
      }
    })();
    return () => {
      live = false;
      unsubscribe?.();
    };
  }, [appBase, client, attempt]);

  const signIn = useCallback(() => {
    const rt = runtime.current;
    if (!rt) return setAttempt((n) => n + 1);
    setState({ phase: 'redirecting', to: 'sign-in' });
    void (async () => {
      try {
        await rt.session.forget();
        await rt.session.signIn();
      } catch (error) {
        // fetch() rejects with a TypeError when the issuer's discovery document cannot be loaded.
        const problem = error instanceof TypeError ? issuerUnreachable('Signing in') : toProblem(error, 'Signing in failed');
        setState({ phase: 'error', problem, signedIn: false });
      }
    })();
  }, []);

  const signOut = useCallback(() => {
    const rt = runtime.current;
    if (!rt) return;
    setState({ phase: 'redirecting', to: 'sign-out' });
    rt.session.signOut().catch(async () => {
      await rt.session.forget();
      rt.user = null;
      setState({ phase: 'signed-out', notice: 'You are signed out of this app, but the identity provider could not be reached to end its session.' });
    });
  }, []);

  const retry = useCallback(() => {
    setState({ phase: 'starting' });
    setAttempt((n) => n + 1);
  }, []);

  const api = useMemo<SessionApi>(() => {
    const rt = runtime.current;
    // The API lives beside GraphQL: the gateway's base path is the folder graphqlUrl sits in.
    const rest = rt ? gatewayApi(new URL('.', new URL(rt.config.graphqlUrl, window.location.origin)).href, () => rt.user?.access_token ?? null) : null;
    // The token is read at every call, like the REST API's, so an expired session is noticed before a request goes out.
    const graphql: GraphqlClient | null = rt
      ? (query, variables) => {
          const token = rt.user?.access_token;
          if (!token) return Promise.reject(new Problem('Your session expired', 'Please sign in again.', 'UNAUTHENTICATED', 'sign-in'));
          return graphqlRequest(rt.config.graphqlUrl, query, token, variables);
        }
      : null;
    return { state, signIn, signOut, retry, gatewayApi: () => rest, graphql: () => graphql };
  }, [state, signIn, signOut, retry]);
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

/**
 * The gateway's REST API for the signed-in user of the surrounding {@link SessionProvider}; for pages shown only
 * once signed in (an app's `Home`).
 * @throws Error outside a signed-in session.
 */
export function useGatewayApi(): GatewayApi {
  const api = useSession().gatewayApi();
  if (!api) throw new Error('useGatewayApi() needs a signed-in session');
  return api;
}

/**
 * The gateway's GraphQL for the signed-in user of the surrounding {@link SessionProvider}; for pages shown only
 * once signed in (an app's `Home`).
 * @throws Error outside a signed-in session.
 */
export function useGraphql(): GraphqlClient {
  const client = useSession().graphql();
  if (!client) throw new Error('useGraphql() needs a signed-in session');
  return client;
}

/** The session of the surrounding {@link SessionProvider}. */
export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error('useSession() needs a <SessionProvider> above it');
  return api;
}
