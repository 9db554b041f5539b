import { Notice } from '@web';
import { Component, type ErrorInfo, type ReactNode } from 'react';

/**
 * Keeps a failure while rendering one part of the page inside that part: it shows a notice with the error's message
 * instead of React unmounting the whole page (a blank screen). Messages here come from the portal's own code and
 * the gateway's answers, which never carry health data or secrets.
 */
export class SectionBoundary extends Component<{ what: string; testId: string; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`${this.props.what} failed to render`, error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <Notice kind="error" title={`${this.props.what} could not be shown`} testId={this.props.testId}>
        <p className="notice__text">{this.state.error.message || 'An unexpected error occurred.'} Reload the page to try again.</p>
      </Notice>
    );
  }
}
