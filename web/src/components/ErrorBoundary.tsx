import { Component, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A rendering bug in one part (a conversation) shows a message with a way out instead of a blank
 * page; the rest of the app keeps working.
 */
export class ErrorBoundary extends Component<
  { fallback: (reset: () => void) => ReactNode; children: ReactNode },
  { failed: boolean }
> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.error('render failed', error);
  }

  override render(): ReactNode {
    return this.state.failed
      ? this.props.fallback(() => this.setState({ failed: false }))
      : this.props.children;
  }
}

/** A pane (the open conversation) that fails alone: "something went wrong" and a retry. */
export function PaneBoundary({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <ErrorBoundary
      fallback={(reset) => (
        <div className="empty-pane" role="alert">
          <p>{t('errors.unknown')}</p>
          <button type="button" onClick={reset}>
            {t('conv.retry')}
          </button>
        </div>
      )}
    >
      {children}
    </ErrorBoundary>
  );
}
