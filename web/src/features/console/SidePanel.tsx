import type { SupportTicket } from '@abrik/protocol';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { errorText } from '../../api/errors.js';
import { formatListTime } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import { formatPhone } from '../../lib/phone.js';
import { MaskedPhone, WidgetContact } from './CustomerDetails.js';
import { useAgents, useAssignments, useCustomer, useTeams } from './queries.js';
import { SlaTargets } from './SlaTargets.js';

/** Beside the conversation: who the customer is, their earlier conversations, who had this one. */
export function SidePanel({
  ticket,
  open = false,
  onClose,
}: {
  ticket: SupportTicket;
  /** On narrow screens the panel is hidden until opened (it then covers the conversation). */
  open?: boolean;
  onClose?: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const customer = useCustomer(ticket.conversationId);
  const history = useAssignments(ticket.conversationId);
  const agents = useAgents();
  const teams = useTeams();
  const agentName = (id: string | null) =>
    id ? (agents.data?.items.find((a) => a.id === id)?.name ?? t('names.unnamed')) : t('console.queue');
  const teamName = (id: string | null) => (id ? teams.data?.items.find((x) => x.id === id)?.name : undefined);
  // A website visitor's user key is not a phone (it comes as ''): their details are in `widget`.
  const phone = customer.data?.phone ? formatPhone(customer.data.phone, lang) : '';

  return (
    <aside
      className={`side-panel${open ? ' open' : ''}`}
      data-testid="side-panel"
      aria-label={t('console.side.label')}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) onClose?.();
      }}
    >
      {onClose && (
        <button type="button" className="link-button side-close" onClick={onClose}>
          {t('common.close')}
        </button>
      )}
      <SlaTargets conversationId={ticket.conversationId} version={ticket.version} />
      <section>
        <h3>{t('console.side.customer')}</h3>
        {customer.error && <p className="error small">{errorText(customer.error, t)}</p>}
        {customer.data && (
          <dl>
            <dt>{t('console.side.name')}</dt>
            <dd data-testid="side-customer-name">
              <bdi>{customer.data.name ?? t('names.unnamed')}</bdi>
            </dd>
            {phone && (
              <>
                <dt>{t('console.side.phone')}</dt>
                {/* Keyed by customer: a number shown stays with its customer, not the next one. */}
                <MaskedPhone key={customer.data.id} phone={phone} testId="side-phone" />
              </>
            )}
          </dl>
        )}
        {customer.data?.widget && <WidgetContact key={customer.data.id} widget={customer.data.widget} />}
      </section>
      <section>
        <h3>{t('console.side.earlier')}</h3>
        {customer.data && customer.data.conversations.length === 0 && (
          <p className="muted small">{t('console.side.noEarlier')}</p>
        )}
        <ul className="plain" data-testid="side-earlier">
          {customer.data?.conversations.map((c) => (
            <li key={c.conversationId}>
              <Link href={`/support/all/${c.conversationId}`}>
                <bdi>{c.subject ?? t('console.noSubject')}</bdi>
              </Link>{' '}
              <span className="muted small">
                {t(`console.status.${c.status}`)} · {formatListTime(c.createdAt, lang)}
              </span>
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h3>{t('console.side.history')}</h3>
        {history.error && <p className="error small">{errorText(history.error, t)}</p>}
        <ol className="plain history" data-testid="side-history">
          {history.data?.items.map((a) => (
            <li key={`${a.at}-${a.toId}-${a.reason}`}>
              <bdi>
                {t(`console.reason.${a.reason}`, {
                  to: agentName(a.toId),
                  team: teamName(a.teamId) ?? '',
                })}
              </bdi>
              {a.actorId && a.actorId !== a.toId && (
                <span className="muted small"> — {t('console.side.by', { name: agentName(a.actorId) })}</span>
              )}
              <span className="muted small"> · {formatListTime(a.at, lang)}</span>
              {a.note && (
                <p className="note-text" dir="auto">
                  {a.note}
                </p>
              )}
            </li>
          ))}
        </ol>
      </section>
    </aside>
  );
}
