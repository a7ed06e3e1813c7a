import {
  type Inbox,
  NameSchema,
  WIDGET_IDENTITY_MODES,
  WIDGET_PRECHAT_KINDS,
  type Widget,
  type WidgetIdentityMode,
  type WidgetPrechatField,
  WidgetPrechatFieldSchema,
} from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors.js';
import {
  createWidget,
  deleteWidget,
  rotateWidgetSecret,
  updateWidget,
  type WidgetWithSecret,
} from '../../api/widgets.js';
import { useServices } from '../../app/context.js';
import type { Lang } from '../../i18n/index.js';
import { useLang } from '../../lib/hooks.js';
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
import { useWidgets, widgetsKey } from './queries.js';
import { CopyButton, SecretDialog, useShownSecret } from './SecretDialog.js';
import {
  FieldError,
  focusFirstInvalid,
  invalidProps,
  NameInput,
  NumberInput,
  numberText,
  parseNumber,
  refusedIssues,
  useInboxes,
  useMe,
} from './shared.js';
import { dateTimeText } from './time.js';
import './settings.css';

/** The loader's own colours, shown while a widget keeps them (web/src/widget/embed.ts). */
const DEFAULT_PRIMARY = '#0e6b5c';
const DEFAULT_TEXT = '#ffffff';
const POSITIONS = ['auto', 'left', 'right'] as const;
type Position = (typeof POSITIONS)[number];
const LANGS = ['fa', 'en'] as const;
const MAX_ORIGINS = 50;
const MAX_FIELDS = 10;
const MAX_WAIT_MINUTES = 1440;
/** The contact's own details: a field of these kinds is keyed by its kind unless told otherwise. */
const CONTACT_KINDS = ['name', 'phone', 'email'] as const;
/** How long the secret before a rotation stays valid; `server`: the server's setting. */
const GRACES = [
  ['server', undefined],
  ['none', 0],
  ['hour', 3600],
  ['day', 86_400],
  ['week', 7 * 86_400],
] as const;
type Grace = (typeof GRACES)[number][0];

/**
 * Website widgets: which site origins may show each one, the inbox its conversations go to,
 * identity, look, texts and pre-chat form, and the snippet to paste. Admins create them (the
 * secret is shown once), change, rotate the secret and delete them; supervisors read them.
 */
export function WidgetsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const isAdmin = me?.role === 'admin';
  const list = useWidgets();
  const inboxes = useInboxes();
  const { form, toggle, close } = useOpenForm();
  const secret = useShownSecret<{ widget: WidgetWithSecret; rotated: boolean }>();
  /** The widget just created: its snippet is opened, that being the next thing to do. */
  const [created, setCreated] = useState<string | null>(null);
  const inboxList = inboxes.data?.items ?? [];

  return (
    <ListPage
      id="admin-widgets-title"
      title={t('widgets.title')}
      intro={t('widgets.intro')}
      readOnly={!isAdmin}
      add={{
        label: t('widgets.new'),
        testId: 'widget-new',
        open: form === 'new',
        onToggle: () => toggle('new'),
      }}
    >
      {isAdmin && form === 'new' && (
        <WidgetForm
          widget={null}
          inboxes={inboxList}
          inboxesLoaded={inboxes.data !== undefined}
          onDone={(made) => {
            close();
            if (!made) return;
            setCreated(made.id);
            secret.show({ widget: made, rotated: false }, '[data-testid="widget-new"]');
          }}
        />
      )}
      <ItemList query={list} empty={t('widgets.empty')} rowTestId="widget-row">
        {(widget) => (
          <WidgetRow
            widget={widget}
            inboxes={inboxList}
            isAdmin={isAdmin}
            editing={form === widget.id}
            justCreated={created === widget.id}
            onEdit={() => toggle(widget.id)}
            onDone={close}
            onSecret={(rotated) =>
              secret.show(
                { widget: rotated, rotated: true },
                `[data-id="${widget.id}"] [data-testid="widget-rotate"]`,
              )
            }
          />
        )}
      </ItemList>
      {secret.shown && (
        <WidgetSecretDialog
          widget={secret.shown.widget}
          rotated={secret.shown.rotated}
          onClose={secret.close}
        />
      )}
    </ListPage>
  );
}

function Fact({ label, testId, children }: { label: string; testId: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

/** A field's label in the UI language, else the standard wording of its kind. */
function fieldLabel(field: WidgetPrechatField, t: TFunction, lang: Lang): string {
  return field.label[lang] ?? t(`widgets.kinds.${field.kind}`);
}

function WidgetRow({
  widget,
  inboxes,
  isAdmin,
  editing,
  justCreated,
  onEdit,
  onDone,
  onSecret,
}: {
  widget: Widget;
  inboxes: Inbox[];
  isAdmin: boolean;
  editing: boolean;
  justCreated: boolean;
  onEdit: () => void;
  onDone: () => void;
  onSecret: (widget: WidgetWithSecret) => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const id = useId();
  const [showSnippet, setShowSnippet] = useState(justCreated);
  const [grace, setGrace] = useState<Grace>('server');
  const { busy, error, setError, notice, act } = useRowAction();
  const inboxName = inboxes.find((i) => i.id === widget.inboxId)?.name ?? t('hours.unknownInbox');
  const previous = widget.previousSecretExpiresAt;

  useEffect(() => {
    if (justCreated) setShowSnippet(true);
  }, [justCreated]);

  function toggle() {
    return act(
      async () => {
        await updateWidget(api, widget.id, { enabled: !widget.enabled });
        await queryClient.invalidateQueries({ queryKey: widgetsKey });
      },
      widget.enabled ? t('widgets.disabledNow') : t('widgets.enabledNow'),
    );
  }

  return (
    <>
      <div className="admin-row">
        <div className="admin-row-main">
          <strong dir="auto">{widget.name}</strong>
          <span className="admin-tag" data-testid="widget-enabled" data-enabled={String(widget.enabled)}>
            {widget.enabled ? t('widgets.enabled') : t('widgets.disabled')}
          </span>
        </div>
        <dl className="admin-facts small">
          <Fact label={t('widgets.facts.inbox')} testId="widget-inbox">
            <span dir="auto">{inboxName}</span>
          </Fact>
          <Fact label={t('widgets.facts.origins')} testId="widget-origins">
            {widget.allowedOrigins.length === 0 ? (
              <span className="muted">{t('widgets.originsNone')}</span>
            ) : (
              widget.allowedOrigins.map((origin) => (
                <bdi key={origin} dir="ltr" className="widget-origin">
                  {origin}
                </bdi>
              ))
            )}
          </Fact>
          <Fact label={t('widgets.facts.identity')} testId="widget-identity">
            {t(`widgets.identityModes.${widget.identityMode}`)}
          </Fact>
          <Fact label={t('widgets.facts.prechat')} testId="widget-prechat">
            {widget.prechat.enabled && widget.prechat.fields.length > 0
              ? widget.prechat.fields.map((f) => fieldLabel(f, t, lang)).join(t('admin.listSeparator'))
              : t('widgets.prechatOff')}
          </Fact>
          <Fact label={t('widgets.facts.waitOffer')} testId="widget-wait-offer">
            {widget.waitOfferSeconds === 0
              ? t('widgets.waitOfferNever')
              : t('widgets.waitOfferAfter', { minutes: numberText(widget.waitOfferSeconds / 60, lang) })}
          </Fact>
          {previous !== null && Date.parse(previous) > Date.now() && (
            <Fact label={t('widgets.facts.previousSecret')} testId="widget-previous-secret">
              {t('widgets.previousValidUntil', { at: dateTimeText(previous, lang) })}
            </Fact>
          )}
        </dl>
        <div className="row">
          <button
            type="button"
            className="link-button"
            data-testid="widget-snippet-toggle"
            aria-expanded={showSnippet}
            aria-controls={`${id}-snippet`}
            aria-label={t('widgets.snippetOf', { name: widget.name })}
            onClick={() => setShowSnippet((s) => !s)}
          >
            {t('widgets.snippet')}
          </button>
          {isAdmin && (
            <>
              <EditButton testId="widget-edit" name={widget.name} open={editing} onClick={onEdit} />
              <button
                type="button"
                className="link-button"
                data-testid="widget-toggle"
                disabled={busy}
                aria-label={t(widget.enabled ? 'widgets.disableNamed' : 'widgets.enableNamed', {
                  name: widget.name,
                })}
                onClick={() => void toggle()}
              >
                {widget.enabled ? t('widgets.disable') : t('widgets.enable')}
              </button>
            </>
          )}
        </div>
        <RowOutcome error={error} notice={notice} testId="widget-notice" />
        {isAdmin && (
          <>
            <div className="widget-grace">
              <label htmlFor={`${id}-grace`}>{t('widgets.grace')}</label>
              <select
                id={`${id}-grace`}
                data-testid="widget-grace"
                value={grace}
                onChange={(e) => setGrace(GRACES.find(([key]) => key === e.target.value)?.[0] ?? 'server')}
              >
                {GRACES.map(([key]) => (
                  <option key={key} value={key}>
                    {t(`widgets.graces.${key}`)}
                  </option>
                ))}
              </select>
            </div>
            <ConfirmButton
              label={t('widgets.rotate')}
              buttonLabel={t('widgets.rotateNamed', { name: widget.name })}
              question={t('widgets.rotateQuestion')}
              yes={t('widgets.rotateYes')}
              busyText={t('widgets.rotating')}
              testId="widget-rotate"
              danger={false}
              onConfirm={async () => {
                setError(null);
                const seconds = GRACES.find(([key]) => key === grace)?.[1];
                const rotated = await rotateWidgetSecret(api, widget.id, seconds);
                onSecret(rotated);
                await queryClient.invalidateQueries({ queryKey: widgetsKey });
              }}
            />
            <ConfirmButton
              label={t('widgets.delete')}
              buttonLabel={t('widgets.deleteNamed', { name: widget.name })}
              question={t('widgets.deleteQuestion', { name: widget.name })}
              testId="widget-delete"
              onConfirm={async () => {
                await deleteWidget(api, widget.id);
                await queryClient.invalidateQueries({ queryKey: widgetsKey });
              }}
            />
          </>
        )}
      </div>
      {showSnippet && <Snippet id={`${id}-snippet`} widget={widget} />}
      {isAdmin && editing && (
        <WidgetForm widget={widget} inboxes={inboxes} inboxesLoaded onDone={() => onDone()} />
      )}
    </>
  );
}

/** The snippet to paste into the site's pages, read-only, with a copy button. */
function Snippet({ id, widget }: { id: string; widget: Widget }) {
  const { t } = useTranslation();
  const field = useRef<HTMLTextAreaElement>(null);
  return (
    <div id={id} className="admin-editor" data-testid="widget-snippet">
      <label htmlFor={`${id}-text`}>{t('widgets.snippetOf', { name: widget.name })}</label>
      <textarea
        ref={field}
        id={`${id}-text`}
        data-testid="widget-snippet-text"
        className="widget-snippet"
        dir="ltr"
        readOnly
        spellCheck={false}
        rows={widget.snippet.split('\n').length}
        value={widget.snippet}
        onFocus={(e) => e.currentTarget.select()}
      />
      <p className="muted small">{t('widgets.snippetHint')}</p>
      <CopyButton
        text={widget.snippet}
        field={field}
        label={t('widgets.copy')}
        buttonLabel={t('widgets.copySnippet', { name: widget.name })}
        copied={t('widgets.copied')}
        selected={t('widgets.copySelected')}
        testId="widget-snippet-copy"
        statusTestId="widget-snippet-copied"
      />
    </div>
  );
}

function WidgetSecretDialog({
  widget,
  rotated,
  onClose,
}: {
  widget: WidgetWithSecret;
  rotated: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const previous = widget.previousSecretExpiresAt;
  return (
    <SecretDialog
      secret={widget.secret}
      texts={{
        title: t('widgets.secretTitle', { name: widget.name }),
        warning: t('widgets.secretWarning'),
        label: t('widgets.secret'),
        copy: t('widgets.copy'),
        copied: t('widgets.copied'),
        selected: t('widgets.copySelected'),
        done: t('widgets.secretDone'),
      }}
      onClose={onClose}
    >
      <p className="muted small">{t('widgets.secretUse')}</p>
      {rotated && (
        <p className="small" data-testid="secret-previous">
          {previous !== null && Date.parse(previous) > Date.now()
            ? t('widgets.previousUntil', { at: dateTimeText(previous, lang) })
            : t('widgets.previousGone')}
        </p>
      )}
    </SecretDialog>
  );
}

// ---- the form -------------------------------------------------------------------------------

type Texts = Record<(typeof LANGS)[number], string>;
interface FieldDraft {
  /** Tells the rows apart while keys are typed. */
  uid: number;
  key: string;
  kind: WidgetPrechatField['kind'];
  label: Texts;
  required: boolean;
}
interface Draft {
  name: string;
  inboxId: string;
  origins: string;
  identityMode: WidgetIdentityMode;
  primaryColor: string | null;
  textColor: string | null;
  position: Position;
  greeting: Texts;
  offlineText: Texts;
  prechatEnabled: boolean;
  fields: FieldDraft[];
  waitOffer: string;
  enabled: boolean;
}
/** What the form sends: every setting (a change sends only the ones that differ). */
type WidgetInput = Pick<
  Widget,
  | 'name'
  | 'inboxId'
  | 'allowedOrigins'
  | 'identityMode'
  | 'theme'
  | 'greeting'
  | 'offlineText'
  | 'prechat'
  | 'waitOfferSeconds'
  | 'enabled'
>;
type Errors = {
  name?: string;
  inbox?: string;
  waitOffer?: string;
  /** Per field of the pre-chat form, by uid. */
  keys?: Record<number, string>;
};
/** A refused origin (the server's words, with the origin it refused) or the list's own error. */
type OriginError = { origin: string | null; message: string };

let nextUid = 1;

const textsOf = (texts: { fa?: string | undefined; en?: string | undefined }): Texts => ({
  fa: texts.fa ?? '',
  en: texts.en ?? '',
});
/** Filled texts only: an empty one falls back to the widget's standard wording. */
function readTexts(texts: Texts): { fa?: string; en?: string } {
  const fa = texts.fa.trim();
  const en = texts.en.trim();
  return { ...(fa ? { fa } : {}), ...(en ? { en } : {}) };
}

function draftOf(widget: Widget | null, lang: Lang): Draft {
  return {
    name: widget?.name ?? '',
    inboxId: widget?.inboxId ?? '',
    origins: (widget?.allowedOrigins ?? []).join('\n'),
    identityMode: widget?.identityMode ?? 'optional',
    primaryColor: widget?.theme.primaryColor ?? null,
    textColor: widget?.theme.textColor ?? null,
    position: widget?.theme.position ?? 'auto',
    greeting: textsOf(widget?.greeting ?? {}),
    offlineText: textsOf(widget?.offlineText ?? {}),
    prechatEnabled: widget?.prechat.enabled ?? false,
    fields: (widget?.prechat.fields ?? []).map((f) => ({
      uid: nextUid++,
      key: f.key,
      kind: f.kind,
      label: textsOf(f.label),
      required: f.required,
    })),
    waitOffer: numberText((widget?.waitOfferSeconds ?? 180) / 60, lang),
    enabled: widget?.enabled ?? true,
  };
}

/** One line per origin, blanks and repeats dropped (the server normalises and checks each). */
const originsOf = (text: string) => [
  ...new Set(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== ''),
  ),
];

/** JSON with object keys in order and unset keys left out, to tell a changed setting. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** A refused setting (from the server's 400 details), in words. */
function settingLabel(field: string, t: TFunction): string | undefined {
  switch (field) {
    case 'name':
      return t('widgets.name');
    case 'inboxId':
      return t('widgets.inbox');
    case 'allowedOrigins':
      return t('widgets.origins');
    case 'identityMode':
      return t('widgets.identity');
    case 'theme':
      return t('widgets.look');
    case 'greeting':
      return t('widgets.greeting');
    case 'offlineText':
      return t('widgets.offlineText');
    case 'prechat':
      return t('widgets.prechat');
    case 'waitOfferSeconds':
      return t('widgets.facts.waitOffer');
    case 'enabled':
      return t('widgets.enabledField');
    default:
      return undefined;
  }
}

/**
 * The server's refusal: its words, with the settings it refused (400) named; each refused origin
 * goes under the origins with the server's reason.
 */
function refusalOf(
  error: unknown,
  sentOrigins: readonly string[],
  t: TFunction,
): { text: string; origins: OriginError[] } {
  const text = errorText(error, t);
  const origins: OriginError[] = [];
  const fields = new Set<string>();
  for (const { path, message } of refusedIssues(error)) {
    const [field, index] = path;
    const origin = field === 'allowedOrigins' && index !== undefined ? sentOrigins[Number(index)] : undefined;
    if (origin !== undefined) origins.push({ origin, message });
    const label = settingLabel(String(field ?? ''), t);
    if (label) fields.add(label);
  }
  return {
    text:
      fields.size === 0
        ? text
        : t('widgets.invalidFields', { text, fields: [...fields].join(t('admin.listSeparator')) }),
    origins,
  };
}

/** A new widget (`widget` null: answered with its secret) or changes to one; only changes are sent. */
function WidgetForm({
  widget,
  inboxes,
  inboxesLoaded,
  onDone,
}: {
  widget: Widget | null;
  inboxes: Inbox[];
  inboxesLoaded: boolean;
  onDone: (created?: WidgetWithSecret) => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState(() => draftOf(widget, lang));
  const [errors, setErrors] = useState<Errors>({});
  const [originErrors, setOriginErrors] = useState<OriginError[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setField = (uid: number, patch: Partial<FieldDraft>) =>
    setDraft((d) => ({ ...d, fields: d.fields.map((f) => (f.uid === uid ? { ...f, ...patch } : f)) }));
  // Website inboxes; the widget's own stays listed whatever its kind.
  const choices = inboxes.filter((i) => i.kind === 'widget' || i.id === widget?.inboxId);

  function addField() {
    setDraft((d) => {
      const kind = CONTACT_KINDS.find((k) => !d.fields.some((f) => f.key === k)) ?? 'text';
      const field: FieldDraft = {
        uid: nextUid++,
        key: kind === 'text' ? '' : kind,
        kind,
        label: { fa: '', en: '' },
        required: false,
      };
      return { ...d, fields: [...d.fields, field] };
    });
  }

  function changeKind(field: FieldDraft, kind: FieldDraft['kind']) {
    // A key that only echoed the kind follows it.
    const echoed = field.key === '' || field.key === field.kind;
    setField(field.uid, { kind, ...(echoed ? { key: kind === 'text' ? '' : kind } : {}) });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const found: Errors = {};
    const parsedName = NameSchema.safeParse(draft.name);
    if (!parsedName.success) found.name = t('admin.nameInvalid');
    if (!draft.inboxId) found.inbox = t('widgets.inboxRequired');
    const origins = originsOf(draft.origins);
    const tooMany = origins.length > MAX_ORIGINS;
    const minutes = parseNumber(draft.waitOffer);
    if (minutes === null || Number.isNaN(minutes) || minutes > MAX_WAIT_MINUTES) {
      found.waitOffer = t('widgets.waitOfferInvalid');
    }
    const keys: Record<number, string> = {};
    for (const field of draft.fields) {
      const key = field.key.trim();
      if (!WidgetPrechatFieldSchema.shape.key.safeParse(key).success)
        keys[field.uid] = t('widgets.fieldKeyInvalid');
      else if (draft.fields.some((f) => f.uid !== field.uid && f.key.trim() === key)) {
        keys[field.uid] = t('widgets.fieldKeyTaken');
      }
    }
    if (Object.keys(keys).length > 0) found.keys = keys;
    setErrors(found);
    setOriginErrors(tooMany ? [{ origin: null, message: t('widgets.originsTooMany') }] : []);
    if (Object.keys(found).length > 0 || tooMany || !parsedName.success || minutes === null) {
      focusFirstInvalid(formRef.current);
      return;
    }

    const input: WidgetInput = {
      name: parsedName.data,
      inboxId: draft.inboxId,
      allowedOrigins: origins,
      identityMode: draft.identityMode,
      theme: {
        ...(draft.primaryColor ? { primaryColor: draft.primaryColor } : {}),
        ...(draft.textColor ? { textColor: draft.textColor } : {}),
        ...(draft.position !== 'auto' ? { position: draft.position } : {}),
      },
      greeting: readTexts(draft.greeting),
      offlineText: readTexts(draft.offlineText),
      prechat: {
        enabled: draft.prechatEnabled,
        fields: draft.fields.map((f) => ({
          key: f.key.trim(),
          kind: f.kind,
          label: readTexts(f.label),
          required: f.required,
        })),
      },
      waitOfferSeconds: Math.round(minutes * 60),
      enabled: draft.enabled,
    };
    setBusy(true);
    try {
      if (widget) {
        const changes = Object.fromEntries(
          Object.entries(input).filter(
            ([key, value]) => stable(value) !== stable(widget[key as keyof WidgetInput]),
          ),
        );
        if (Object.keys(changes).length > 0) await updateWidget(api, widget.id, changes);
        await queryClient.invalidateQueries({ queryKey: widgetsKey });
        onDone();
      } else {
        const made = await createWidget(api, input);
        await queryClient.invalidateQueries({ queryKey: widgetsKey });
        onDone(made);
      }
    } catch (e) {
      const refusal = refusalOf(e, origins, t);
      setError(refusal.text);
      setOriginErrors(refusal.origins);
      if (refusal.origins.length > 0) focusFirstInvalid(formRef.current);
    } finally {
      setBusy(false);
    }
  }

  return (
    <ItemForm
      formRef={formRef}
      testId="widget-form"
      title={widget ? t('admin.editNamed', { name: widget.name }) : t('widgets.new')}
      onSubmit={submit}
      error={error}
      busy={busy}
      submit={{ testId: 'widget-save', label: widget ? t('common.save') : t('widgets.create') }}
      onCancel={() => onDone()}
    >
      <NameInput
        id={`${id}-name`}
        label={t('widgets.name')}
        testId="widget-name"
        value={draft.name}
        onChange={(name) => set({ name })}
        error={errors.name}
      />

      <label htmlFor={`${id}-inbox`}>{t('widgets.inbox')}</label>
      <select
        id={`${id}-inbox`}
        data-testid="widget-inbox-select"
        value={draft.inboxId}
        onChange={(e) => set({ inboxId: e.target.value })}
        {...invalidProps(`${id}-inbox`, errors.inbox)}
      >
        <option value="">{t('widgets.chooseInbox')}</option>
        {choices.map((inbox) => (
          <option key={inbox.id} value={inbox.id}>
            {inbox.name}
          </option>
        ))}
      </select>
      {inboxesLoaded && choices.length === 0 && <p className="muted small">{t('widgets.noWidgetInbox')}</p>}
      <FieldError id={`${id}-inbox`} error={errors.inbox} />

      <label htmlFor={`${id}-origins`}>{t('widgets.origins')}</label>
      <textarea
        id={`${id}-origins`}
        data-testid="widget-origins-input"
        dir="ltr"
        rows={3}
        spellCheck={false}
        autoComplete="off"
        placeholder="https://shop.example.ir"
        value={draft.origins}
        onChange={(e) => set({ origins: e.target.value })}
        {...invalidProps(`${id}-origins`, originErrors.length > 0 ? 'refused' : null)}
      />
      <p className="muted small">{t('widgets.originsHint')}</p>
      {originErrors.length > 0 && (
        <ul
          id={`${id}-origins-error`}
          className="error small widget-origin-errors"
          data-testid="origins-error"
        >
          {originErrors.map((e) => (
            <li key={`${e.origin}|${e.message}`}>
              {e.origin === null ? (
                e.message
              ) : (
                <>
                  <bdi dir="ltr">{e.origin}</bdi>: <bdi dir="auto">{e.message}</bdi>
                </>
              )}
            </li>
          ))}
        </ul>
      )}

      <fieldset className="admin-choices">
        <legend>{t('widgets.identity')}</legend>
        {WIDGET_IDENTITY_MODES.map((mode) => (
          <label key={mode} className="admin-choice">
            <input
              type="radio"
              name={`${id}-identity`}
              data-testid="widget-identity-mode"
              value={mode}
              checked={draft.identityMode === mode}
              onChange={() => set({ identityMode: mode })}
            />
            <span>
              <span className="admin-choice-title">{t(`widgets.identityModes.${mode}`)}</span>
              <span className="muted small">{t(`widgets.identityHelp.${mode}`)}</span>
            </span>
          </label>
        ))}
      </fieldset>

      <fieldset className="admin-checklist">
        <legend>{t('widgets.look')}</legend>
        <ColourField
          id={`${id}-primary`}
          label={t('widgets.primaryColor')}
          testId="widget-primary-color"
          value={draft.primaryColor}
          fallback={DEFAULT_PRIMARY}
          onChange={(primaryColor) => set({ primaryColor })}
        />
        <ColourField
          id={`${id}-text-colour`}
          label={t('widgets.textColor')}
          testId="widget-text-color"
          value={draft.textColor}
          fallback={DEFAULT_TEXT}
          onChange={(textColor) => set({ textColor })}
        />
        <label htmlFor={`${id}-position`}>{t('widgets.position')}</label>
        <select
          id={`${id}-position`}
          data-testid="widget-position"
          value={draft.position}
          onChange={(e) => set({ position: POSITIONS.find((p) => p === e.target.value) ?? 'auto' })}
        >
          {POSITIONS.map((position) => (
            <option key={position} value={position}>
              {t(`widgets.positions.${position}`)}
            </option>
          ))}
        </select>
      </fieldset>

      <TextsField
        id={`${id}-greeting`}
        legend={t('widgets.greeting')}
        testId="widget-greeting"
        value={draft.greeting}
        onChange={(greeting) => set({ greeting })}
      />
      <TextsField
        id={`${id}-offline`}
        legend={t('widgets.offlineText')}
        testId="widget-offline"
        value={draft.offlineText}
        onChange={(offlineText) => set({ offlineText })}
      />
      <p className="muted small">{t('widgets.textsHint')}</p>

      <fieldset className="admin-checklist" data-testid="widget-prechat-editor">
        <legend>{t('widgets.prechat')}</legend>
        <label className="admin-check">
          <input
            type="checkbox"
            data-testid="widget-prechat-enabled"
            checked={draft.prechatEnabled}
            onChange={(e) => set({ prechatEnabled: e.target.checked })}
          />
          <span>{t('widgets.prechatEnabled')}</span>
        </label>
        <p className="muted small">{t('widgets.prechatHint')}</p>
        {draft.fields.length === 0 && <p className="muted small">{t('widgets.prechatEmpty')}</p>}
        {draft.fields.map((field, index) => {
          const fieldId = `${id}-field-${field.uid}`;
          const n = numberText(index + 1, lang);
          const keyError = errors.keys?.[field.uid];
          return (
            <fieldset key={field.uid} className="widget-field" data-testid="widget-field">
              <legend>{t('widgets.fieldN', { n })}</legend>
              <div className="widget-field-grid">
                <div>
                  <label htmlFor={`${fieldId}-kind`}>{t('widgets.fieldKind')}</label>
                  <select
                    id={`${fieldId}-kind`}
                    data-testid="widget-field-kind"
                    value={field.kind}
                    onChange={(e) => {
                      const kind = WIDGET_PRECHAT_KINDS.find((k) => k === e.target.value);
                      if (kind) changeKind(field, kind);
                    }}
                  >
                    {WIDGET_PRECHAT_KINDS.map((kind) => (
                      <option key={kind} value={kind}>
                        {t(`widgets.kinds.${kind}`)}
                      </option>
                    ))}
                  </select>
                </div>
                <div>
                  <label htmlFor={`${fieldId}-key`}>{t('widgets.fieldKey')}</label>
                  <input
                    id={`${fieldId}-key`}
                    data-testid="widget-field-key"
                    dir="ltr"
                    maxLength={32}
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="order_id"
                    value={field.key}
                    onChange={(e) => setField(field.uid, { key: e.target.value })}
                    {...invalidProps(`${fieldId}-key`, keyError)}
                  />
                </div>
                {LANGS.map((l) => (
                  <div key={l}>
                    <label htmlFor={`${fieldId}-label-${l}`}>
                      {t('widgets.fieldLabel', { lang: l === 'fa' ? t('widgets.inFa') : t('widgets.inEn') })}
                    </label>
                    <input
                      id={`${fieldId}-label-${l}`}
                      data-testid={`widget-field-label-${l}`}
                      dir={l === 'fa' ? 'rtl' : 'ltr'}
                      lang={l}
                      maxLength={500}
                      autoComplete="off"
                      value={field.label[l]}
                      onChange={(e) =>
                        setField(field.uid, { label: { ...field.label, [l]: e.target.value } })
                      }
                    />
                  </div>
                ))}
              </div>
              <p className="muted small">{t('widgets.fieldKeyHint')}</p>
              <FieldError id={`${fieldId}-key`} error={keyError} />
              <div className="row between">
                <label className="admin-check">
                  <input
                    type="checkbox"
                    data-testid="widget-field-required"
                    checked={field.required}
                    onChange={(e) => setField(field.uid, { required: e.target.checked })}
                  />
                  <span>{t('widgets.fieldRequired')}</span>
                </label>
                <button
                  type="button"
                  className="link-button danger"
                  data-testid="widget-field-remove"
                  onClick={() => set({ fields: draft.fields.filter((f) => f.uid !== field.uid) })}
                >
                  {t('widgets.removeField', { n })}
                </button>
              </div>
            </fieldset>
          );
        })}
        <div className="row">
          <button
            type="button"
            data-testid="widget-field-add"
            disabled={draft.fields.length >= MAX_FIELDS}
            onClick={addField}
          >
            {t('widgets.addField')}
          </button>
          {draft.fields.length >= MAX_FIELDS && <span className="muted small">{t('widgets.fieldsMax')}</span>}
        </div>
      </fieldset>

      <label htmlFor={`${id}-wait`}>{t('widgets.waitOffer')}</label>
      <NumberInput
        id={`${id}-wait`}
        testId="widget-wait-offer-input"
        decimal
        value={draft.waitOffer}
        onChange={(waitOffer) => set({ waitOffer })}
        error={errors.waitOffer}
      />
      <p className="muted small">{t('widgets.waitOfferHint')}</p>
      <FieldError id={`${id}-wait`} error={errors.waitOffer} />

      <label className="admin-check">
        <input
          type="checkbox"
          data-testid="widget-enabled-input"
          checked={draft.enabled}
          onChange={(e) => set({ enabled: e.target.checked })}
        />
        <span>{t('widgets.enabledField')}</span>
      </label>
    </ItemForm>
  );
}

/** A colour, or the widget's default one until picked (with a way back to it). */
function ColourField({
  id,
  label,
  testId,
  value,
  fallback,
  onChange,
}: {
  id: string;
  label: string;
  testId: string;
  value: string | null;
  fallback: string;
  onChange: (value: string | null) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="widget-colour">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="color"
        data-testid={testId}
        value={value ?? fallback}
        onChange={(e) => onChange(e.target.value)}
      />
      <bdi dir="ltr" className="small muted" data-testid={`${testId}-value`}>
        {value ?? t('widgets.colourDefault')}
      </bdi>
      {value !== null && (
        <button
          type="button"
          className="link-button"
          data-testid={`${testId}-reset`}
          aria-label={t('widgets.colourReset', { what: label })}
          onClick={() => onChange(null)}
        >
          {t('widgets.colourDefault')}
        </button>
      )}
    </div>
  );
}

/** A text in Persian and in English (each written in its own direction). */
function TextsField({
  id,
  legend,
  testId,
  value,
  onChange,
}: {
  id: string;
  legend: string;
  testId: string;
  value: Texts;
  onChange: (value: Texts) => void;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="admin-checklist">
      <legend>{legend}</legend>
      {LANGS.map((l) => (
        <div key={l}>
          <label htmlFor={`${id}-${l}`}>{l === 'fa' ? t('widgets.inFa') : t('widgets.inEn')}</label>
          <textarea
            id={`${id}-${l}`}
            data-testid={`${testId}-${l}`}
            dir={l === 'fa' ? 'rtl' : 'ltr'}
            lang={l}
            rows={2}
            maxLength={500}
            value={value[l]}
            onChange={(e) => onChange({ ...value, [l]: e.target.value })}
          />
        </div>
      ))}
    </fieldset>
  );
}
