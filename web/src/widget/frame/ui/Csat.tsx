/** @jsxImportSource preact */
import type { WidgetConversation } from '@abrik/protocol';
import { useState } from 'preact/hooks';
import type { WidgetChat } from '../chat';
import { formatNumber, type Locale, type Texts } from '../i18n';

const RATINGS = [1, 2, 3, 4, 5];

/** The survey of a resolved conversation: a rating at one click, then an optional comment. */
export function Csat({
  chat,
  csat,
  t,
  locale,
}: {
  chat: WidgetChat;
  csat: NonNullable<WidgetConversation['csat']>;
  t: Texts;
  locale: Locale;
}) {
  const [comment, setComment] = useState('');
  const [commented, setCommented] = useState(false);
  if (csat.rating === null) {
    return (
      <section class="csat" data-testid="widget-csat" aria-labelledby="abrik-csat-question">
        <p id="abrik-csat-question">{t.csatQuestion}</p>
        <div class="ratings">
          {RATINGS.map((rating) => (
            <button
              key={rating}
              type="button"
              data-testid={`widget-csat-${rating}`}
              aria-label={t.csatRating(formatNumber(locale, rating))}
              onClick={() => void chat.rate(rating)}
            >
              {formatNumber(locale, rating)}
            </button>
          ))}
        </div>
      </section>
    );
  }
  const rating = csat.rating;
  const editable = csat.editableUntil !== null && Date.parse(csat.editableUntil) > Date.now();
  return (
    <section class="csat" data-testid="widget-csat">
      <p role="status">{t.csatThanks}</p>
      {editable && !commented && !csat.comment && (
        <form
          class="form"
          onSubmit={async (event) => {
            event.preventDefault();
            if (!comment.trim()) return;
            await chat.rate(rating, comment.trim());
            setCommented(true);
          }}
        >
          <label htmlFor="abrik-csat-comment">{t.csatComment}</label>
          <textarea
            id="abrik-csat-comment"
            data-testid="widget-csat-comment"
            rows={2}
            maxLength={1000}
            dir="auto"
            value={comment}
            onInput={(event) => setComment(event.currentTarget.value)}
          />
          <button type="submit" class="primary" data-testid="widget-csat-submit">
            {t.csatSend}
          </button>
        </form>
      )}
    </section>
  );
}
