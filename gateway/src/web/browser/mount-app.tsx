import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { type AppClient, SessionProvider } from './session-context.js';
import { AppShell, type AppShellProps } from './ui/app-shell.js';
import './ui/styles.css';

/** Everything that makes an app different from the other: its client, name, colour and home page. */
export interface WebAppDefinition extends AppShellProps {
  /** Which of the app config's OIDC clients the app signs in as. */
  readonly client: AppClient;
  /** The app's colour (`--accent`: banner, buttons, focus rings) and a light tint of it (`--accent-soft`). */
  readonly accent: { readonly color: string; readonly soft: string };
}

/**
 * Starts an app: sets its accent colours, then renders the shared {@link AppShell} with the session into
 * `#root` (the element webAppPage() puts in every app's HTML).
 * @throws Error when the page has no `#root` element.
 */
export function mountApp({ client, accent, ...shell }: WebAppDefinition, container: HTMLElement | null = document.getElementById('root')): Root {
  if (!container) throw new Error('expected an element with id "root" in index.html, found none');
  // CSSOM, not a style attribute: the apps' CSP (style-src 'self') allows it.
  document.documentElement.style.setProperty('--accent', accent.color);
  document.documentElement.style.setProperty('--accent-soft', accent.soft);
  const root = createRoot(container);
  root.render(
    <StrictMode>
      <SessionProvider appBase={import.meta.env.BASE_URL} client={client}>
        <AppShell {...shell} />
      </SessionProvider>
    </StrictMode>,
  );
  return root;
}
