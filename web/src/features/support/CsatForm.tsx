import { CSAT_COMMENT_MAX, type CsatView } from '@abrik/protocol';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../components/FormError.js';
import { formatDate, formatNumber, formatTime } from '../../lib/format.js';
import { useAction, useLang, useNow } from '../../lib/hooks.js';
import './csat.css';

const RATINGS = [1, 2, 3, 4, 5] as const;
type Rating = (typeof RATINGS)[number];
const FACES: Record<Rating, string> = { 1: '😞', 2: '🙁', 3: '😐', 4: '🙂', 5: '😄' };

/**
 * The satisfaction survey: five labelled buttons (1–5) and an optional comment; once answered,
 * the answer — and, within the day the server allows, a way to change it. Used inline in the
 * customer's resolved conversation and on the SMS link's page.
 */
export function CsatForm({
  value,
  onSubmit,
  testId,
}: {
  value: CsatView;
  onSubmit: (rating: number, comment: string | null) => Promise<unknown>;
  testId: string;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const id = useId();
  const now = useNow(60_000);
  const answered = value.rating !== null;
  const [editing, setEditing] = useState(!answered);
  const [rating, setRating] = useState<number | null>(value.rating);
  const [comment, setComment] = useState(value.comment ?? '');
  const { busy, error, run } = useAction();
  const text = (n: number) => t(`csat.rating.r${n as Rating}`);
  const label = (n: number) => t('csat.ratingLabel', { n: formatNumber(n, lang), text: text(n) });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (rating === null) return;
    if (await run(() => onSubmit(rating, comment.trim() || null))) setEditing(false);
  }

  if (answered && !editing) {
    const until = value.editableUntil;
    const editable = until !== null && Date.parse(until) > now;
    return (
      <section className="panel csat" aria-labelledby={`${id}-title`} data-testid={testId}>
        <h2 id={`${id}-title`}>{t('csat.thanks')}</h2>
        <p data-testid={`${testId}-answer`}>
          {t('csat.yourRating', { n: formatNumber(value.rating ?? 0, lang), text: text(value.rating ?? 0) })}
        </p>
        {value.comment && (
          <p className="csat-comment" dir="auto">
            {value.comment}
          </p>
        )}
        {editable && until && (
          <>
            <p className="muted small">
              {t('csat.editableUntil', { date: formatDate(until, lang), time: formatTime(until, lang) })}
            </p>
            <div className="row">
              <button
                type="button"
                data-testid={`${testId}-change`}
                onClick={() => {
                  setRating(value.rating);
                  setComment(value.comment ?? '');
                  setEditing(true);
                }}
              >
                {t('csat.change')}
              </button>
            </div>
          </>
        )}
      </section>
    );
  }

  return (
    <form
      className="panel csat"
      onSubmit={submit}
      aria-labelledby={`${id}-title`}
      data-testid={testId}
      noValidate
    >
      <h2 id={`${id}-title`}>{t('csat.title')}</h2>
      <p className="muted small">{t('csat.intro')}</p>
      <fieldset className="csat-ratings">
        <legend>{t('csat.legend')}</legend>
        <div className="csat-buttons">
          {RATINGS.map((n) => (
            <button
              key={n}
              type="button"
              className="csat-rating"
              aria-pressed={rating === n}
              aria-label={label(n)}
              title={label(n)}
              data-testid={`${testId}-rating-${n}`}
              onClick={() => setRating(n)}
            >
              <span className="csat-face" aria-hidden="true">
                {FACES[n]}
              </span>
              <span aria-hidden="true">{formatNumber(n, lang)}</span>
            </button>
          ))}
        </div>
      </fieldset>
      <label htmlFor={`${id}-comment`}>{t('csat.comment')}</label>
      <textarea
        id={`${id}-comment`}
        data-testid={`${testId}-comment`}
        dir="auto"
        rows={3}
        maxLength={CSAT_COMMENT_MAX}
        aria-describedby={`${id}-hint`}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
      />
      <p id={`${id}-hint`} className="muted small">
        {t('csat.commentHint', { max: formatNumber(CSAT_COMMENT_MAX, lang) })}
      </p>
      <FormError error={error} />
      <div className="row">
        <button
          type="submit"
          className="primary"
          data-testid={`${testId}-submit`}
          disabled={busy || rating === null}
        >
          {answered ? t('csat.update') : t('csat.submit')}
        </button>
        {answered && (
          <button type="button" onClick={() => setEditing(false)}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
