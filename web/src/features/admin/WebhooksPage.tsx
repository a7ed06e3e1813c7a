import {
  NameSchema,
  WEBHOOK_EVENTS,
  WEBHOOK_PING_EVENT,
  type Webhook,
  type WebhookDelivery,
  type WebhookEvent,
  type WebhookWithSecret,
} from '@abrik/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  createWebhook,
  deleteWebhook,
  rotateWebhookSecret,
  testWebhook,
  updateWebhook,
  webhookDeliveries,
} from '../../api/webhooks.js';
import { useServices } from '../../app/context.js';
import { formatNumber } from '../../lib/format.js';
import { useAction, useLang } from '../../lib/hooks.js';
import { ConfirmButton } from './ConfirmButton.js';
import {
  EditButton,
  ItemForm,
  ItemList,
  ListPage,
  RowOutcome,
  useOpenForm,
  useRowAction,
} from './ListPage.js';
import { deliveriesKey, useWebhooks, webhooksKey } from './queries.js';
import { SecretDialog, useShownSecret } from './SecretDialog.js';
import {
  CheckList,
  FieldError,
  focusFirstInvalid,
  invalidProps,
  NameInput,
  QueryState,
  useMe,
} from './shared.js';
import { dateTimeText } from './time.js';
import './settings.css';

/** Deliveries read per webhook: the row's summary shows the newest few, the table all of them. */
const DELIVERIES = 20;
const SUMMARY = 5;
/** While a delivery is pending (being tried), its table is read again this often. */
const PENDING_REFRESH_MS = 5000;

/**
 * Webhooks of the support lifecycle: where they post, which events, their last deliveries.
 * Admins create them (the secret is shown once), switch them on and off, rotate the secret, send
 * a test and delete them; supervisors read them.
 */
export function WebhooksPage() {
  const { t } = useTranslation();
  const me = useMe();
  const isAdmin = me?.role === 'admin';
  const list = useWebhooks();
  const { form, toggle, close } = useOpenForm();
  const secret = useShownSecret<WebhookWithSecret>();

  return (
    <ListPage
      id="admin-webhooks-title"
      title={t('webhooks.title')}
      intro={t('webhooks.intro')}
      readOnly={!isAdmin}
      add={{
        label: t('webhooks.new'),
        testId: 'webhook-new',
        open: form === 'new',
        onToggle: () => toggle('new'),
      }}
    >
      {isAdmin && form === 'new' && (
        <WebhookForm
          webhook={null}
          onDone={(created) => {
            close();
            if (created) secret.show(created, '[data-testid="webhook-new"]');
          }}
        />
      )}
      <ItemList query={list} empty={t('webhooks.empty')} rowTestId="webhook-row">
        {(webhook) => (
          <WebhookRow
            webhook={webhook}
            isAdmin={isAdmin}
            editing={form === webhook.id}
            onEdit={() => toggle(webhook.id)}
            onDone={close}
            onSecret={(rotated) =>
              secret.show(rotated, `[data-id="${webhook.id}"] [data-testid="webhook-rotate"]`)
            }
          />
        )}
      </ItemList>
      {secret.shown && <WebhookSecretDialog webhook={secret.shown} onClose={secret.close} />}
    </ListPage>
  );
}

function useDeliveries(id: string) {
  const { api } = useServices();
  return useQuery({
    queryKey: deliveriesKey(id),
    queryFn: () => webhookDeliveries(api, id, DELIVERIES),
    refetchInterval: (query) =>
      query.state.data?.items.some((d) => d.status === 'pending') ? PENDING_REFRESH_MS : false,
  });
}

function WebhookRow({
  webhook,
  isAdmin,
  editing,
  onEdit,
  onDone,
  onSecret,
}: {
  webhook: Webhook;
  isAdmin: boolean;
  editing: boolean;
  onEdit: () => void;
  onDone: () => void;
  onSecret: (webhook: WebhookWithSecret) => void;
}) {
  const { t } = useTranslation();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const deliveries = useDeliveries(webhook.id);
  const [showDeliveries, setShowDeliveries] = useState(false);
  const { busy, error, setError, notice, act } = useRowAction();
  const recent = (deliveries.data?.items ?? []).slice(0, SUMMARY);

  function toggle() {
    return act(
      async () => {
        await updateWebhook(api, webhook.id, { enabled: !webhook.enabled });
        await queryClient.invalidateQueries({ queryKey: webhooksKey, exact: true });
      },
      webhook.enabled ? t('webhooks.disabledNow') : t('webhooks.enabledNow'),
    );
  }

  async function sendTest() {
    const ok = await act(async () => {
      await testWebhook(api, webhook.id);
      await queryClient.invalidateQueries({ queryKey: deliveriesKey(webhook.id) });
    }, t('webhooks.testQueued'));
    if (ok) setShowDeliveries(true);
  }

  return (
    <>
      <div className="admin-row">
        <div className="admin-row-main">
          <strong dir="auto">{webhook.name}</strong>
          <span className="admin-tag" data-testid="webhook-enabled" data-enabled={String(webhook.enabled)}>
            {webhook.enabled ? t('webhooks.enabled') : t('webhooks.disabled')}
          </span>
        </div>
        <bdi dir="ltr" className="webhook-url small" data-testid="webhook-url">
          {webhook.url}
        </bdi>
        <p className="small" data-testid="webhook-events">
          {webhook.events.map((e) => eventText(e, t)).join(t('admin.listSeparator'))}
        </p>
        <p className="muted small">
          {t('webhooks.secretHint')} <bdi dir="ltr">••••{webhook.secretHint}</bdi>
        </p>
        <p className="small" data-testid="webhook-recent">
          {t('webhooks.recent')}{' '}
          {deliveries.isPending ? (
            t('common.loading')
          ) : recent.length === 0 ? (
            <span className="muted">{t('webhooks.noDeliveries')}</span>
          ) : (
            recent.map((d) => (
              <span
                key={d.id}
                className="webhook-status"
                data-status={d.status}
                data-testid="webhook-recent-status"
              >
                {t(`webhooks.status.${d.status}`)}
              </span>
            ))
          )}
        </p>
        <div className="row">
          <button
            type="button"
            className="link-button"
            data-testid="webhook-deliveries-toggle"
            aria-expanded={showDeliveries}
            aria-label={t('webhooks.deliveriesOf', { name: webhook.name })}
            onClick={() => setShowDeliveries((s) => !s)}
          >
            {t('webhooks.deliveries')}
          </button>
          {isAdmin && (
            <>
              <EditButton testId="webhook-edit" name={webhook.name} open={editing} onClick={onEdit} />
              <button
                type="button"
                className="link-button"
                data-testid="webhook-toggle"
                disabled={busy}
                aria-label={t(webhook.enabled ? 'webhooks.disableNamed' : 'webhooks.enableNamed', {
                  name: webhook.name,
                })}
                onClick={() => void toggle()}
              >
                {webhook.enabled ? t('webhooks.disable') : t('webhooks.enable')}
              </button>
              <button
                type="button"
                className="link-button"
                data-testid="webhook-test"
                disabled={busy}
                aria-label={t('webhooks.testNamed', { name: webhook.name })}
                onClick={() => void sendTest()}
              >
                {t('webhooks.test')}
              </button>
            </>
          )}
        </div>
        <RowOutcome error={error} notice={notice} testId="webhook-notice" />
        {isAdmin && (
          <>
            <ConfirmButton
              label={t('webhooks.rotate')}
              buttonLabel={t('webhooks.rotateNamed', { name: webhook.name })}
              question={t('webhooks.rotateQuestion')}
              yes={t('webhooks.rotateYes')}
              busyText={t('webhooks.rotating')}
              testId="webhook-rotate"
              danger={false}
              onConfirm={async () => {
                setError(null);
                const rotated = await rotateWebhookSecret(api, webhook.id);
                onSecret(rotated);
                await queryClient.invalidateQueries({ queryKey: webhooksKey, exact: true });
              }}
            />
            <ConfirmButton
              label={t('webhooks.delete')}
              buttonLabel={t('webhooks.deleteNamed', { name: webhook.name })}
              question={t('webhooks.deleteQuestion', { name: webhook.name })}
              testId="webhook-delete"
              onConfirm={async () => {
                await deleteWebhook(api, webhook.id);
                await queryClient.invalidateQueries({ queryKey: webhooksKey, exact: true });
              }}
            />
          </>
        )}
      </div>
      {isAdmin && editing && <WebhookForm webhook={webhook} onDone={onDone} />}
      {showDeliveries && (
        <DeliveriesTable
          name={webhook.name}
          deliveries={deliveries.data?.items}
          pending={deliveries.isPending}
          error={deliveries.error}
          onRefresh={() => void deliveries.refetch()}
        />
      )}
    </>
  );
}

/** The events' text keys (i18next reads the wire names' dots as nesting). */
const EVENT_KEYS = {
  'support.opened': 'opened',
  'support.assigned': 'assigned',
  'support.resolved': 'resolved',
  'support.sla_breached': 'sla_breached',
  'support.csat_received': 'csat_received',
} as const satisfies Record<WebhookEvent, string>;

/** An event in words; the test's `ping` too; an event this client does not know, as it is named. */
function eventText(event: string, t: TFunction): string {
  if (event === WEBHOOK_PING_EVENT) return t('webhooks.ping');
  const key = EVENT_KEYS[event as WebhookEvent] as (typeof EVENT_KEYS)[WebhookEvent] | undefined;
  return key ? t(`webhooks.events.${key}`) : event;
}

function DeliveriesTable({
  name,
  deliveries,
  pending,
  error,
  onRefresh,
}: {
  name: string;
  deliveries: WebhookDelivery[] | undefined;
  pending: boolean;
  error: unknown;
  onRefresh: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const id = useId();
  const time = (value: string | null) => (value ? dateTimeText(value, lang) : '—');
  return (
    <div className="admin-editor" data-testid="webhook-deliveries">
      <div className="row between">
        <h3 id={`${id}-title`}>{t('webhooks.deliveriesOf', { name })}</h3>
        <button
          type="button"
          className="link-button"
          data-testid="webhook-deliveries-refresh"
          onClick={onRefresh}
        >
          {t('webhooks.refresh')}
        </button>
      </div>
      <QueryState isPending={pending} error={error} />
      {deliveries && deliveries.length === 0 && <p className="muted small">{t('webhooks.noDeliveries')}</p>}
      {deliveries && deliveries.length > 0 && (
        <div className="settings-table-wrap">
          <table className="settings-table small" aria-labelledby={`${id}-title`}>
            <thead>
              <tr>
                <th scope="col">{t('webhooks.table.event')}</th>
                <th scope="col">{t('webhooks.table.status')}</th>
                <th scope="col">{t('webhooks.table.attempts')}</th>
                <th scope="col">{t('webhooks.table.last')}</th>
                <th scope="col">{t('webhooks.table.created')}</th>
                <th scope="col">{t('webhooks.table.lastAttempt')}</th>
                <th scope="col">{t('webhooks.table.delivered')}</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id} data-testid="delivery-row">
                  <td>{eventText(d.event, t)}</td>
                  <td>
                    <span className="webhook-status" data-status={d.status}>
                      {t(`webhooks.status.${d.status}`)}
                    </span>
                  </td>
                  <td>{formatNumber(d.attempts, lang)}</td>
                  <td data-testid="delivery-last">
                    {d.lastStatusCode !== null && (
                      <bdi dir="ltr">{t('webhooks.httpStatus', { code: d.lastStatusCode })}</bdi>
                    )}
                    {d.lastStatusCode !== null && d.lastError && ' — '}
                    {d.lastError && <bdi dir="ltr">{d.lastError}</bdi>}
                    {d.lastStatusCode === null && !d.lastError && '—'}
                  </td>
                  <td>{time(d.createdAt)}</td>
                  <td>{time(d.lastAttemptAt)}</td>
                  <td>{time(d.deliveredAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** A new webhook (`webhook` null: answered with its secret) or changes to one; only changes are sent. */
function WebhookForm({
  webhook,
  onDone,
}: {
  webhook: Webhook | null;
  onDone: (created?: WebhookWithSecret) => void;
}) {
  const { t } = useTranslation();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState(webhook?.name ?? '');
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [events, setEvents] = useState<string[]>(webhook?.events ?? []);
  const [errors, setErrors] = useState<{ name?: string; url?: string; events?: string }>({});
  const { busy, error, setError, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const parsedName = NameSchema.safeParse(name);
    const target = url.trim();
    const urlOk = URL.canParse(target) && /^https?:$/.test(new URL(target).protocol);
    const chosen = WEBHOOK_EVENTS.filter((e) => events.includes(e));
    const found = {
      ...(parsedName.success ? {} : { name: t('admin.nameInvalid') }),
      ...(urlOk ? {} : { url: t('webhooks.urlInvalid') }),
      ...(chosen.length > 0 ? {} : { events: t('webhooks.eventsRequired') }),
    };
    setErrors(found);
    if (Object.keys(found).length > 0 || !parsedName.success) {
      focusFirstInvalid(formRef.current);
      return;
    }
    await run(async () => {
      if (webhook) {
        const changes = {
          ...(parsedName.data !== webhook.name ? { name: parsedName.data } : {}),
          ...(target !== webhook.url ? { url: target } : {}),
          ...(chosen.join() !== WEBHOOK_EVENTS.filter((e) => webhook.events.includes(e)).join()
            ? { events: chosen }
            : {}),
        };
        if (Object.keys(changes).length > 0) await updateWebhook(api, webhook.id, changes);
        await queryClient.invalidateQueries({ queryKey: webhooksKey, exact: true });
        onDone();
      } else {
        const created = await createWebhook(api, { name: parsedName.data, url: target, events: chosen });
        await queryClient.invalidateQueries({ queryKey: webhooksKey, exact: true });
        onDone(created);
      }
    });
  }

  return (
    <ItemForm
      formRef={formRef}
      testId="webhook-form"
      title={webhook ? t('admin.editNamed', { name: webhook.name }) : t('webhooks.new')}
      onSubmit={submit}
      error={error}
      busy={busy}
      submit={{ testId: 'webhook-save', label: webhook ? t('common.save') : t('webhooks.create') }}
      onCancel={() => onDone()}
    >
      <NameInput
        id={`${id}-name`}
        label={t('webhooks.name')}
        testId="webhook-name"
        value={name}
        onChange={setName}
        error={errors.name}
      />
      <label htmlFor={`${id}-url`}>{t('webhooks.url')}</label>
      <input
        id={`${id}-url`}
        data-testid="webhook-url-input"
        type="url"
        dir="ltr"
        autoComplete="off"
        placeholder="https://example.com/abrik"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        {...invalidProps(`${id}-url`, errors.url)}
      />
      <p className="muted small">{t('webhooks.urlHint')}</p>
      <FieldError id={`${id}-url`} error={errors.url} />
      <CheckList
        legend={t('webhooks.eventsLegend')}
        options={WEBHOOK_EVENTS.map((e) => ({ id: e, label: eventText(e, t) }))}
        selected={events}
        onChange={setEvents}
        testId="webhook-event"
        empty=""
      />
      {errors.events && (
        <p className="error small" role="alert" data-testid="field-error">
          {errors.events}
        </p>
      )}
    </ItemForm>
  );
}

/** The webhook's secret, this once (after create or rotate), with how to use it. */
function WebhookSecretDialog({ webhook, onClose }: { webhook: WebhookWithSecret; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <SecretDialog
      secret={webhook.secret}
      texts={{
        title: t('webhooks.secretTitle', { name: webhook.name }),
        warning: t('webhooks.secretWarning'),
        label: t('webhooks.secret'),
        copy: t('webhooks.copy'),
        copied: t('webhooks.copied'),
        selected: t('webhooks.copyFailed'),
        done: t('webhooks.secretDone'),
      }}
      onClose={onClose}
    >
      <p className="muted small">{t('webhooks.secretUse')}</p>
    </SecretDialog>
  );
}
