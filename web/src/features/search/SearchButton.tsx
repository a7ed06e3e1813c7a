import { lazy, Suspense, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon.js';
import { useDisclosure } from '../../lib/hooks.js';

// The panel (and its highlighting) is a chunk of its own, fetched when search is first opened.
const SearchPanel = lazy(() => import('./SearchPanel.js').then((m) => ({ default: m.SearchPanel })));

/**
 * The search button: across all my conversations, or (with `conversationId`) inside one. It opens
 * the search panel; Escape closes it and focus goes back to the button.
 */
export function SearchButton({ conversationId }: { conversationId?: string | undefined }) {
  const { t } = useTranslation();
  const panel = useDisclosure<'search'>();
  const open = panel.open === 'search';
  const panelId = useId();
  const label = conversationId ? t('search.openHere') : t('search.open');
  return (
    <>
      <button
        type="button"
        className="icon-button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={label}
        title={label}
        data-testid={conversationId ? 'search-conversation' : 'search-messages'}
        onClick={() => panel.toggle('search')}
      >
        <Icon name="search" />
      </button>
      {open && (
        <Suspense fallback={null}>
          <SearchPanel id={panelId} conversationId={conversationId} onClose={panel.close} />
        </Suspense>
      )}
    </>
  );
}
