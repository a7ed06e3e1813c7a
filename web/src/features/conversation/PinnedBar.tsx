import type { Message, Pin } from '@abrik/protocol';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import './actions.css';
import { quoteText } from './ReplyQuote.js';
import { useJumpTo } from './reading.js';

/**
 * The pinned messages at the top of a conversation, newest pin first: the one shown, its place
 * among them; a tap jumps to it and shows the next older one (round again after the oldest).
 */
export function PinnedBar({ pins, held }: { pins: readonly Pin[]; held: readonly Message[] }) {
  const { t } = useTranslation();
  const lang = useLang();
  const jumpTo = useJumpTo();
  const [index, setIndex] = useState(0);
  if (pins.length === 0) return null;
  const at = index % pins.length;
  const pin = pins[at]!;
  const message = held.find((m) => m.id === pin.messageId);
  const text = message
    ? quoteText(
        {
          body: message.body,
          deleted: Boolean(message.deletedAt),
          attachmentKind: message.attachment?.kind ?? null,
        },
        t,
      ) || t('actions.pinned')
    : t('actions.pinned');
  return (
    <button
      type="button"
      className="pinned-bar"
      data-testid="pinned-bar"
      data-count={pins.length}
      data-seq={pin.seq}
      aria-label={t('actions.pinnedShow', { text })}
      onClick={() => {
        void jumpTo(pin.seq);
        setIndex(at + 1);
      }}
    >
      <span className="pinned-title">
        {pins.length > 1
          ? t('actions.pinnedOf', { i: formatNumber(at + 1, lang), n: formatNumber(pins.length, lang) })
          : t('actions.pinned')}
      </span>
      <span className="pinned-text" data-testid="pinned-text" dir="auto">
        {text}
      </span>
    </button>
  );
}
