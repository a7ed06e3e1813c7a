import type { SlaTarget } from '@abrik/protocol';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors.js';
import { slaTargets } from '../../api/sla.js';
import { useServices } from '../../app/context.js';
import { slaKey } from '../../chat/desk.js';
import { formatDate, formatNumber, formatTime } from '../../lib/format.js';
import { useLang, useNow } from '../../lib/hooks.js';
import { currentTargets, spanText, targetState } from './sla.js';
import './sla.css';

/**
 * A conversation's SLA targets. The ticket's version is part of the key: a reply, a status change
 * or a reopen moves the clocks, so they are read again with the ticket (the last answer stays on
 * screen meanwhile); `support:sla` invalidates them too.
 */
export function useSlaTargets(conversationId: string, version: number) {
  const { api } = useServices();
  return useQuery({
    queryKey: [...slaKey(conversationId), version],
    queryFn: () => slaTargets(api, conversationId),
    placeholderData: keepPreviousData,
  });
}

/**
 * The side panel's SLA section: each deadline of the current cycle with how it stands — time
 * left, overdue by, paused, met, breached — and every deadline of the conversation on request.
 */
export function SlaTargets({ conversationId, version }: { conversationId: string; version: number }) {
  const { t } = useTranslation();
  const lang = useLang();
  const targets = useSlaTargets(conversationId, version);
  const now = useNow(30_000);
  const items = targets.data?.items ?? [];
  const current = currentTargets(items);
  const key = (target: SlaTarget) => `${target.kind}-${target.cycle}-${target.startedAt}`;
  return (
    <section data-testid="side-sla" aria-labelledby={`sla-${conversationId}`}>
      <h3 id={`sla-${conversationId}`}>{t('sla.panel.title')}</h3>
      {targets.error && <p className="error small">{errorText(targets.error, t)}</p>}
      {targets.data && items.length === 0 && (
        <p className="muted small" data-testid="sla-none">
          {t('sla.panel.none')}
        </p>
      )}
      <ul className="plain sla-targets" data-testid="sla-current">
        {current.map((target) => (
          <TargetItem key={key(target)} target={target} now={now} />
        ))}
      </ul>
      {items.length > current.length && (
        <details className="sla-all">
          <summary>{t('sla.panel.earlier', { n: formatNumber(items.length, lang) })}</summary>
          <ul className="plain sla-targets" data-testid="sla-all">
            {items.map((target) => (
              <TargetItem key={key(target)} target={target} now={now} showCycle />
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function TargetItem({
  target,
  now,
  showCycle = false,
}: {
  target: SlaTarget;
  now: number;
  showCycle?: boolean;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const state = targetState(target, now);
  const when = (value: string) => ({ date: formatDate(value, lang), time: formatTime(value, lang) });
  const left = target.dueAt ? (Date.parse(target.dueAt) - now) / 1000 : null;

  let detail: string | null = null;
  if (state === 'met' || state === 'met_late') detail = t('sla.panel.metAt', when(target.metAt!));
  else if (state === 'running' || state === 'due_soon')
    detail = t('sla.panel.dueIn', { time: spanText(left ?? 0, t, lang) });
  else if (state === 'overdue' || (state === 'breached' && left !== null))
    detail = t('sla.panel.overdue', { time: spanText(-(left ?? 0), t, lang) });

  return (
    <li className="sla-target" data-testid="sla-target" data-kind={target.kind} data-state={state}>
      <span className="sla-target-head">
        <strong>{t(`sla.kinds.${target.kind}`)}</strong>
        {showCycle && (
          <span className="muted small">
            {' '}
            · {t('sla.panel.cycle', { n: formatNumber(target.cycle + 1, lang) })}
          </span>
        )}
        <span className="tag sla-state" data-state={state} data-testid="sla-state">
          {t(`sla.panel.state.${state}`)}
        </span>
      </span>
      {detail && (
        <span className="small" data-testid="sla-detail">
          {detail}
        </span>
      )}
      <span className="muted small">
        {target.dueAt && state !== 'met' && state !== 'stopped'
          ? `${t('sla.panel.dueAt', when(target.dueAt))} · `
          : ''}
        {target.business ? t('sla.panel.business') : t('sla.panel.calendar')}
      </span>
    </li>
  );
}
