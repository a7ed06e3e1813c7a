import type { SupportWidgetContact } from '@abrik/protocol';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localDigits } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import { formatPhone } from '../../lib/phone.js';

/** A phone shown as «۰۹۱۲ ••• ••۶۷»: enough to recognise, not enough to copy off a shared screen. */
export function maskPhone(shown: string): string {
  const digits = [...shown].filter((c) => /\p{Nd}/u.test(c));
  let seen = 0;
  const keepHead = 4;
  const keepTail = 2;
  return [...shown]
    .map((c) => {
      if (!/\p{Nd}/u.test(c)) return c;
      seen++;
      return seen <= keepHead || seen > digits.length - keepTail ? c : '•';
    })
    .join('');
}

/** A `<dd>` with a phone masked until the agent asks to see it. */
export function MaskedPhone({ phone, testId }: { phone: string; testId: string }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(false);
  return (
    <dd className="row">
      <bdi dir="ltr" data-testid={testId}>
        {shown ? phone : maskPhone(phone)}
      </bdi>
      <button
        type="button"
        className="link-button"
        data-testid={`${testId}-toggle`}
        aria-pressed={shown}
        onClick={() => setShown((s) => !s)}
      >
        {shown ? t('console.side.hidePhone') : t('console.side.showPhone')}
      </button>
    </dd>
  );
}

type AttributeValue = SupportWidgetContact['attributes'][string];

/**
 * What the website widget knows of a visitor: which site and page, whether the site vouched for
 * them, their details, the form they filled in and the site's attributes. Only the signed
 * identity is the site's word; everything else is marked as the visitor's (or the page's) own.
 */
export function WidgetContact({ widget }: { widget: SupportWidgetContact }) {
  const { t } = useTranslation();
  const lang = useLang();
  const form = Object.entries(widget.form);
  const attributes = Object.entries(widget.attributes);
  const attributeText = (value: AttributeValue) => {
    if (value === null) return '—';
    if (typeof value === 'boolean') return value ? t('console.widget.yes') : t('console.widget.no');
    // Only numbers: a string may be an e-mail or a code that Persian digits would garble.
    return typeof value === 'number' ? localDigits(String(value), lang) : value;
  };

  return (
    <div className="side-widget" data-testid="side-widget">
      <p data-testid="side-widget-site">
        {t('console.widget.site')} <bdi>{widget.widgetName}</bdi>
        {widget.hostOrigin && (
          <>
            {' · '}
            <bdi dir="ltr" className="muted">
              {widget.hostOrigin}
            </bdi>
          </>
        )}
      </p>
      <p className="row wrap">
        <span
          className={`tag ${widget.verified ? 'trust-verified' : 'trust-unverified'}`}
          data-testid="side-widget-trust"
        >
          {widget.verified ? t('console.widget.verified') : t('console.widget.unverified')}
        </span>
        {widget.offline && (
          <span className="tag" data-testid="side-widget-offline">
            {t('console.widget.offline')}
          </span>
        )}
      </p>
      <dl data-testid="side-widget-contact">
        {widget.verified && widget.externalId && (
          <>
            <dt>{t('console.widget.externalId')}</dt>
            <dd>
              <bdi dir="ltr" data-testid="side-widget-external-id">
                {widget.externalId}
              </bdi>
            </dd>
          </>
        )}
        {widget.name && (
          <>
            <dt>{t('console.side.name')}</dt>
            <dd>
              <bdi data-testid="side-widget-name">{widget.name}</bdi>
            </dd>
          </>
        )}
        {widget.phone && (
          <>
            <dt>{t('console.side.phone')}</dt>
            <MaskedPhone phone={formatPhone(widget.phone, lang)} testId="side-widget-phone" />
          </>
        )}
        {widget.email && (
          <>
            <dt>{t('console.widget.email')}</dt>
            <dd>
              <bdi dir="ltr" data-testid="side-widget-email">
                {widget.email}
              </bdi>
            </dd>
          </>
        )}
      </dl>
      {form.length > 0 && (
        <>
          <h4>{t('console.widget.form')}</h4>
          <dl data-testid="side-widget-form">
            {form.map(([key, value]) => (
              <KeyValue key={key} name={key} value={value} />
            ))}
          </dl>
        </>
      )}
      {attributes.length > 0 && (
        <>
          <h4>
            {t('console.widget.attributes')}{' '}
            <span className="tag trust-unverified">{t('console.widget.notSigned')}</span>
          </h4>
          <dl className="unverified" data-testid="side-widget-attributes">
            {attributes.map(([key, value]) => (
              <KeyValue key={key} name={key} value={attributeText(value)} />
            ))}
          </dl>
        </>
      )}
    </div>
  );
}

/** A key the site chose and what was given for it; either may be in any script. */
function KeyValue({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>
        <bdi>{name}</bdi>
      </dt>
      <dd>
        <bdi dir="auto">{value}</bdi>
      </dd>
    </>
  );
}
