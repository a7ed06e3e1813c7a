import type { CannedReply } from '@abrik/protocol';
import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, type Ref, useEffect, useImperativeHandle, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors.js';
import { useSupportApi } from '../../app/context.js';
import { useAction } from '../../lib/hooks.js';
import { matchCanned } from './canned.js';
import { cannedKey } from './queries.js';

export const CANNED_LISTBOX_ID = 'canned-options';
const cannedOptionId = (id: string) => `canned-option-${id}`;

export interface CannedPickerHandle {
  /** Keys typed in the composer while the picker is open; true when the picker used it. */
  key(event: KeyboardEvent): boolean;
}

/**
 * The `/` menu of canned replies under the composer: filtered as the agent types, moved through
 * with the arrows, picked with Enter or a click (then the server fills in its variables), closed
 * with Esc. The focus stays in the composer.
 */
export function CannedPicker({
  query,
  conversationId,
  onPicked,
  onClose,
  onActive,
  ref,
}: {
  query: string;
  conversationId: string;
  /** The reply's text with its variables filled; `unresolved`: those the server could not fill. */
  onPicked: (text: string, unresolved: string[]) => void;
  onClose: () => void;
  /** The highlighted option's element id, for the composer's `aria-activedescendant`. */
  onActive?: (optionId: string | undefined) => void;
  ref?: Ref<CannedPickerHandle>;
}) {
  const { t } = useTranslation();
  const support = useSupportApi();
  const replies = useQuery({
    queryKey: cannedKey,
    queryFn: () => support.cannedReplies(),
    staleTime: 60_000,
  });
  const [index, setIndex] = useState(0);
  const { busy, error, run } = useAction();
  const matches = matchCanned(replies.data?.items ?? [], query);
  const selected = Math.min(index, Math.max(0, matches.length - 1));
  const activeId = matches[selected] ? cannedOptionId(matches[selected].id) : undefined;
  // The focus stays in the composer; screen readers follow the highlighted option through it.
  useEffect(() => {
    onActive?.(activeId);
  }, [activeId, onActive]);
  useEffect(() => () => onActive?.(undefined), [onActive]);

  async function pick(reply: CannedReply | undefined) {
    if (!reply || busy) return;
    await run(async () => {
      const rendered = await support.renderCannedReply(reply.id, conversationId);
      onPicked(rendered.text, rendered.unresolved);
    });
  }

  useImperativeHandle(ref, () => ({
    key(event) {
      switch (event.key) {
        case 'ArrowDown':
          setIndex((selected + 1) % Math.max(1, matches.length));
          return true;
        case 'ArrowUp':
          setIndex((selected - 1 + matches.length) % Math.max(1, matches.length));
          return true;
        case 'Enter':
        case 'Tab':
          // Still loading: Enter must not send the half-typed `/word` to the customer.
          if (replies.isPending) return event.key === 'Enter';
          if (matches.length === 0) return false;
          void pick(matches[selected]);
          return true;
        case 'Escape':
          onClose();
          return true;
        default:
          return false;
      }
    },
  }));

  return (
    <div className="canned-picker" data-testid="canned-picker">
      {replies.isPending && <p className="muted small pad">{t('common.loading')}</p>}
      {replies.error && <p className="error small pad">{errorText(replies.error, t)}</p>}
      {replies.data && matches.length === 0 && (
        <p className="muted small pad" data-testid="canned-none">
          {t('console.canned.none')}
        </p>
      )}
      {/* The keyboard stays in the composer (arrows, Enter, Esc reach the picker through `key`). */}
      <div id={CANNED_LISTBOX_ID} className="options" role="listbox" aria-label={t('console.canned.title')}>
        {matches.map((reply, i) => (
          // biome-ignore lint/a11y/useKeyWithClickEvents: keys are handled from the composer
          <div
            key={reply.id}
            role="option"
            id={cannedOptionId(reply.id)}
            tabIndex={-1}
            aria-selected={i === selected}
            data-testid="canned-option"
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => void pick(reply)}
          >
            <span className="shortcut" dir="auto">
              /{reply.shortcut}
            </span>
            {reply.title && <bdi className="title">{reply.title}</bdi>}
            <span className="preview muted small" dir="auto">
              {reply.body}
            </span>
          </div>
        ))}
      </div>
      {error && (
        <p className="error small pad" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
