import {
  type Inbox,
  NameSchema,
  PRIORITIES,
  type Priority,
  SLA_TARGET_KINDS,
  type SlaPolicy,
  type SlaTargetKind,
} from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors.js';
import { createSlaPolicy, deleteSlaPolicy, type SlaPolicyInput, updateSlaPolicy } from '../../api/sla.js';
import { useServices } from '../../app/context.js';
import type { Lang } from '../../i18n/index.js';
import { useLang } from '../../lib/hooks.js';
import { hoursMinutesText } from '../console/sla.js';
import { ConfirmButton } from './ConfirmButton.js';
import { EditButton, ItemForm, ItemList, ListPage, useOpenForm } from './ListPage.js';
import { slaPoliciesKey, useSlaPolicies } from './queries.js';
import {
  FieldError,
  focusFirstInvalid,
  NameInput,
  NumberInput,
  numberText,
  parseNumber,
  refusedIssues,
  useInboxes,
  useMe,
} from './shared.js';
import './settings.css';

const MINUTE = 60;
const HOUR = 3600;
/** The limits of CreateSlaPolicySchema (protocol/src/sla.ts). */
const MIN_TARGET = MINUTE;
const MAX_TARGET = 90 * 86_400;
const MAX_WARN = 86_400;

/** Each target's two fields of the policy. */
const FIELDS = {
  first_response: { seconds: 'firstResponseSeconds', business: 'firstResponseBusiness' },
  next_response: { seconds: 'nextResponseSeconds', business: 'nextResponseBusiness' },
  resolution: { seconds: 'resolutionSeconds', business: 'resolutionBusiness' },
} as const satisfies Record<SlaTargetKind, { seconds: keyof SlaPolicy; business: keyof SlaPolicy }>;

/** A refused field of a policy, in words; undefined for one the form does not have. */
function fieldLabel(field: string, t: TFunction): string | undefined {
  switch (field) {
    case 'name':
      return t('sla.name');
    case 'inboxId':
      return t('sla.inbox');
    case 'priority':
      return t('sla.priority');
    case 'firstResponseSeconds':
      return t('sla.kinds.first_response');
    case 'nextResponseSeconds':
      return t('sla.kinds.next_response');
    case 'resolutionSeconds':
      return t('sla.kinds.resolution');
    case 'warnBeforeSeconds':
      return t('sla.warnBefore');
    default:
      return undefined;
  }
}

/** How an SLA error reads: the server's words, and for a refused field (400), which one in words. */
export function slaErrorText(error: unknown, t: TFunction): string {
  const text = errorText(error, t);
  const fields = refusedIssues(error)
    .map((issue) => fieldLabel(String(issue.path[0] ?? ''), t))
    .filter((label) => label !== undefined);
  return fields.length === 0
    ? text
    : t('sla.invalidFields', { text, fields: [...new Set(fields)].join(t('admin.listSeparator')) });
}

/**
 * SLA policies: per inbox (or all) and priority (or any), the first response, next response and
 * resolution targets, each in business hours or calendar time. Most specific first, as the server
 * picks them. Admins change them; supervisors read them.
 */
export function SlaPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const me = useMe();
  const isAdmin = me?.role === 'admin';
  const policies = useSlaPolicies();
  const inboxes = useInboxes();
  const { form, toggle, close } = useOpenForm();
  const inboxList = inboxes.data?.items ?? [];
  const inboxName = (id: string | null) =>
    id === null ? t('sla.allInboxes') : (inboxList.find((i) => i.id === id)?.name ?? t('hours.unknownInbox'));

  return (
    <ListPage
      id="admin-sla-title"
      title={t('sla.title')}
      intro={t('sla.intro')}
      readOnly={!isAdmin}
      add={{ label: t('sla.new'), testId: 'sla-new', open: form === 'new', onToggle: () => toggle('new') }}
    >
      {isAdmin && form === 'new' && <PolicyForm policy={null} inboxes={inboxList} onDone={close} />}
      <ItemList query={policies} empty={t('sla.empty')} rowTestId="sla-row">
        {(policy) => (
          <>
            <div className="admin-row">
              <div className="admin-row-main">
                <strong dir="auto">{policy.name}</strong>
                <span className="admin-tag" data-testid="sla-scope">
                  <bdi>{inboxName(policy.inboxId)}</bdi>
                  {t('admin.listSeparator')}
                  {policy.priority === null
                    ? t('sla.anyPriority')
                    : t('sla.priorityIs', { priority: t(`console.priority.${policy.priority}`) })}
                </span>
              </div>
              <dl className="admin-facts small">
                {SLA_TARGET_KINDS.map((kind) => (
                  <div key={kind}>
                    <dt>{t(`sla.kinds.${kind}`)}</dt>
                    <dd data-testid={`sla-${kind}`}>{targetText(policy, kind, t, lang)}</dd>
                  </div>
                ))}
                <div>
                  <dt>{t('sla.pause')}</dt>
                  <dd data-testid="sla-pause-label">{pauseText(policy, t)}</dd>
                </div>
                <div>
                  <dt>{t('sla.warnBefore')}</dt>
                  <dd>
                    {policy.warnBeforeSeconds === 0
                      ? t('sla.noWarning')
                      : hoursMinutesText(policy.warnBeforeSeconds, t, lang)}
                  </dd>
                </div>
              </dl>
              {isAdmin && (
                <div className="row">
                  <EditButton
                    testId="sla-edit"
                    name={policy.name}
                    open={form === policy.id}
                    onClick={() => toggle(policy.id)}
                  />
                </div>
              )}
            </div>
            {isAdmin && form === policy.id && (
              <PolicyForm policy={policy} inboxes={inboxList} onDone={close} />
            )}
            {isAdmin && form !== policy.id && <DeletePolicy policy={policy} />}
          </>
        )}
      </ItemList>
    </ListPage>
  );
}

function targetText(policy: SlaPolicy, kind: SlaTargetKind, t: TFunction, lang: Lang): string {
  const seconds = policy[FIELDS[kind].seconds];
  if (seconds === null) return t('sla.notTracked');
  return t(policy[FIELDS[kind].business] ? 'sla.inBusiness' : 'sla.inCalendar', {
    time: hoursMinutesText(seconds, t, lang),
  });
}

function pauseText(policy: SlaPolicy, t: TFunction): string {
  if (policy.pauseWhenPending && policy.pauseWhenSnoozed) return t('sla.pauseBoth');
  if (policy.pauseWhenPending) return t('sla.pausePending');
  if (policy.pauseWhenSnoozed) return t('sla.pauseSnoozed');
  return t('sla.pauseNever');
}

function DeletePolicy({ policy }: { policy: SlaPolicy }) {
  const { t } = useTranslation();
  const { api } = useServices();
  const queryClient = useQueryClient();
  return (
    <ConfirmButton
      label={t('sla.delete')}
      buttonLabel={t('sla.deleteNamed', { name: policy.name })}
      question={t('sla.deleteQuestion', { name: policy.name })}
      testId="sla-delete"
      onConfirm={async () => {
        await deleteSlaPolicy(api, policy.id);
        await queryClient.invalidateQueries({ queryKey: slaPoliciesKey });
      }}
    />
  );
}

interface TargetDraft {
  hours: string;
  minutes: string;
  business: boolean;
}

function targetDraft(seconds: number | null, business: boolean, lang: Lang): TargetDraft {
  if (seconds === null) return { hours: '', minutes: '', business };
  return {
    hours: numberText(Math.floor(seconds / HOUR), lang),
    minutes: numberText(Math.round((seconds % HOUR) / MINUTE), lang),
    business,
  };
}

/** Seconds from hours and minutes typed; null when both are empty; undefined when not a target. */
function readTarget(draft: TargetDraft): number | null | undefined {
  const hours = parseNumber(draft.hours);
  const minutes = parseNumber(draft.minutes);
  if (hours === null && minutes === null) return null;
  const h = hours ?? 0;
  const m = minutes ?? 0;
  if (!Number.isInteger(h) || !Number.isInteger(m) || m > 59) return undefined;
  const seconds = h * HOUR + m * MINUTE;
  return seconds >= MIN_TARGET && seconds <= MAX_TARGET ? seconds : undefined;
}

type Field = 'name' | SlaTargetKind | 'warn';

/** A new policy (`policy` null) or changes to one; only what changed is sent. */
function PolicyForm({
  policy,
  inboxes,
  onDone,
}: {
  policy: SlaPolicy | null;
  inboxes: Inbox[];
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState(policy?.name ?? '');
  const [inboxId, setInboxId] = useState<string | null>(policy?.inboxId ?? null);
  const [priority, setPriority] = useState<Priority | null>(policy?.priority ?? null);
  const [targets, setTargets] = useState<Record<SlaTargetKind, TargetDraft>>(() => ({
    first_response: targetDraft(
      policy?.firstResponseSeconds ?? null,
      policy?.firstResponseBusiness ?? true,
      lang,
    ),
    next_response: targetDraft(
      policy?.nextResponseSeconds ?? null,
      policy?.nextResponseBusiness ?? true,
      lang,
    ),
    resolution: targetDraft(policy?.resolutionSeconds ?? null, policy?.resolutionBusiness ?? true, lang),
  }));
  const [pausePending, setPausePending] = useState(policy?.pauseWhenPending ?? true);
  const [pauseSnoozed, setPauseSnoozed] = useState(policy?.pauseWhenSnoozed ?? true);
  const [warn, setWarn] = useState(numberText((policy?.warnBeforeSeconds ?? 600) / MINUTE, lang));
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const found: Partial<Record<Field, string>> = {};
    const parsedName = NameSchema.safeParse(name);
    if (!parsedName.success) found.name = t('admin.nameInvalid');
    const seconds = {} as Record<SlaTargetKind, number | null>;
    for (const kind of SLA_TARGET_KINDS) {
      const value = readTarget(targets[kind]);
      if (value === undefined) found[kind] = t('sla.targetInvalid');
      else seconds[kind] = value;
    }
    const warnMinutes = parseNumber(warn);
    const warnSeconds = warnMinutes === null ? 0 : Math.round(warnMinutes * MINUTE);
    if (Number.isNaN(warnSeconds) || warnSeconds > MAX_WARN) found.warn = t('sla.warnInvalid');
    setErrors(found);
    if (Object.keys(found).length > 0 || !parsedName.success) {
      focusFirstInvalid(formRef.current);
      return;
    }

    const input: SlaPolicyInput = {
      name: parsedName.data,
      inboxId,
      priority,
      firstResponseSeconds: seconds.first_response,
      firstResponseBusiness: targets.first_response.business,
      nextResponseSeconds: seconds.next_response,
      nextResponseBusiness: targets.next_response.business,
      resolutionSeconds: seconds.resolution,
      resolutionBusiness: targets.resolution.business,
      pauseWhenPending: pausePending,
      pauseWhenSnoozed: pauseSnoozed,
      warnBeforeSeconds: warnSeconds,
    };
    const changes = policy
      ? (Object.fromEntries(
          Object.entries(input).filter(([key, value]) => policy[key as keyof SlaPolicyInput] !== value),
        ) as Partial<SlaPolicyInput>)
      : input;
    if (policy && Object.keys(changes).length === 0) {
      onDone();
      return;
    }
    setBusy(true);
    try {
      if (policy) await updateSlaPolicy(api, policy.id, changes);
      else await createSlaPolicy(api, input);
      await queryClient.invalidateQueries({ queryKey: slaPoliciesKey });
      onDone();
    } catch (e) {
      setError(slaErrorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  const setTarget = (kind: SlaTargetKind, patch: Partial<TargetDraft>) =>
    setTargets((all) => ({ ...all, [kind]: { ...all[kind], ...patch } }));

  return (
    <ItemForm
      formRef={formRef}
      testId="sla-form"
      title={policy ? t('admin.editNamed', { name: policy.name }) : t('sla.new')}
      onSubmit={submit}
      error={error}
      busy={busy}
      submit={{ testId: 'sla-save', label: policy ? t('common.save') : t('sla.create') }}
      onCancel={onDone}
    >
      <NameInput
        id={`${id}-name`}
        label={t('sla.name')}
        testId="sla-name"
        value={name}
        onChange={setName}
        error={errors.name}
      />
      <label htmlFor={`${id}-inbox`}>{t('sla.inbox')}</label>
      <select
        id={`${id}-inbox`}
        data-testid="sla-inbox"
        value={inboxId ?? ''}
        onChange={(e) => setInboxId(e.target.value === '' ? null : e.target.value)}
      >
        <option value="">{t('sla.allInboxes')}</option>
        {inboxes.map((inbox) => (
          <option key={inbox.id} value={inbox.id}>
            {inbox.name}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-priority`}>{t('sla.priority')}</label>
      <select
        id={`${id}-priority`}
        data-testid="sla-priority"
        value={priority ?? ''}
        onChange={(e) => setPriority(PRIORITIES.find((p) => p === e.target.value) ?? null)}
      >
        <option value="">{t('sla.anyPriority')}</option>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {t(`console.priority.${p}`)}
          </option>
        ))}
      </select>
      <p className="muted small">{t('sla.scopeHint')}</p>

      {SLA_TARGET_KINDS.map((kind) => {
        const fieldId = `${id}-${kind}`;
        const draft = targets[kind];
        return (
          <fieldset key={kind} className="admin-timers" data-testid={`sla-target-${kind}`}>
            <legend>{t(`sla.kinds.${kind}`)}</legend>
            <div className="row">
              <label htmlFor={`${fieldId}-hours`} className="sla-unit">
                {t('sla.hours')}
              </label>
              <NumberInput
                id={`${fieldId}-hours`}
                testId={`sla-${kind}-hours`}
                value={draft.hours}
                onChange={(hours) => setTarget(kind, { hours })}
                error={errors[kind]}
                errorOf={fieldId}
              />
              <label htmlFor={`${fieldId}-minutes`} className="sla-unit">
                {t('sla.minutes')}
              </label>
              <NumberInput
                id={`${fieldId}-minutes`}
                testId={`sla-${kind}-minutes`}
                value={draft.minutes}
                onChange={(minutes) => setTarget(kind, { minutes })}
                error={errors[kind]}
                errorOf={fieldId}
              />
            </div>
            <label htmlFor={`${fieldId}-clock`}>{t('sla.counted')}</label>
            <select
              id={`${fieldId}-clock`}
              data-testid={`sla-${kind}-clock`}
              value={draft.business ? 'business' : 'calendar'}
              onChange={(e) => setTarget(kind, { business: e.target.value === 'business' })}
            >
              <option value="business">{t('sla.business')}</option>
              <option value="calendar">{t('sla.calendar')}</option>
            </select>
            <FieldError id={fieldId} error={errors[kind]} />
          </fieldset>
        );
      })}
      <p className="muted small">{t('sla.targetHint')}</p>

      <fieldset className="admin-checklist">
        <legend>{t('sla.pause')}</legend>
        <label className="admin-check">
          <input
            type="checkbox"
            data-testid="sla-pause-pending"
            checked={pausePending}
            onChange={(e) => setPausePending(e.target.checked)}
          />
          <span>{t('sla.pauseWhenPending')}</span>
        </label>
        <label className="admin-check">
          <input
            type="checkbox"
            data-testid="sla-pause-snoozed"
            checked={pauseSnoozed}
            onChange={(e) => setPauseSnoozed(e.target.checked)}
          />
          <span>{t('sla.pauseWhenSnoozed')}</span>
        </label>
      </fieldset>

      <div className="admin-field">
        <label htmlFor={`${id}-warn`}>{t('sla.warnBeforeMinutes')}</label>
        <NumberInput
          id={`${id}-warn`}
          testId="sla-warn"
          value={warn}
          onChange={setWarn}
          error={errors.warn}
        />
        <FieldError id={`${id}-warn`} error={errors.warn} />
      </div>
    </ItemForm>
  );
}
