import type { ReactNode } from 'react';

/**
 * A status or error message. Errors use role="alert" so screen readers announce them; progress uses
 * role="status" (polite).
 */
export function Notice({ kind, title, children, testId }: { kind: 'info' | 'error' | 'progress'; title: string; children?: ReactNode; testId?: string }) {
  return (
    <section className={`notice notice--${kind}`} role={kind === 'error' ? 'alert' : 'status'} aria-live={kind === 'error' ? 'assertive' : 'polite'} data-testid={testId ?? kind}>
      <h2 className="notice__title">
        {kind === 'progress' && <span className="spinner" aria-hidden="true" />}
        {title}
      </h2>
      {children}
    </section>
  );
}
