import {
  type AgentSchema,
  NameSchema,
  normalizePhone,
  PLATFORM_ROLES,
  type PlatformRole,
  type Team,
} from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { useSupportApi } from '../../app/context.js';
import { personName } from '../../chat/names.js';
import { SubmitButton, SubmitCancel } from '../../components/FormButtons.js';
import { FormError } from '../../components/FormError.js';
import { PhoneInput } from '../../components/PhoneInput.js';
import { formatNumber } from '../../lib/format.js';
import { useAction, useLang } from '../../lib/hooks.js';
import { EditButton, ItemList } from './ListPage.js';
import {
  agentsKey,
  CheckList,
  FieldError,
  focusFirstInvalid,
  invalidProps,
  NameInput,
  NumberInput,
  numberText,
  parseNumber,
  QueryState,
  refreshStaff,
  sameIds,
  useAgents,
  useMe,
  useTeams,
} from './shared.js';

type Agent = z.infer<typeof AgentSchema>;

const MAX_CAPACITY = 1000;
/** Roles an admin gives from the "add staff" form: customers need no adding. */
const STAFF_ROLES: PlatformRole[] = ['agent', 'supervisor', 'admin'];

function isRole(value: string): value is PlatformRole {
  return (PLATFORM_ROLES as readonly string[]).includes(value);
}

/** Every staff member with their role, availability, load and teams; admins change them. */
export function AgentsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const isAdmin = me?.role === 'admin';
  const agents = useAgents({ fresh: true });
  const teams = useTeams();
  const [editing, setEditing] = useState<string | null>(null);
  const teamList = teams.data?.items ?? [];

  return (
    <section className="admin-section" aria-labelledby="admin-agents-title">
      <h2 id="admin-agents-title">{t('admin.agents.title')}</h2>
      {!isAdmin && <p className="muted small">{t('admin.readOnly')}</p>}
      <ItemList query={agents} empty={t('admin.agents.empty')} rowTestId="agent-row">
        {(agent) => (
          <>
            <AgentSummary
              agent={agent}
              teams={teamList}
              editing={editing === agent.id}
              onEdit={isAdmin ? () => setEditing((id) => (id === agent.id ? null : agent.id)) : undefined}
            />
            {isAdmin && editing === agent.id && (
              <div className="admin-editor">
                <RoleForm agent={agent} />
                {/* Its team boxes start from the teams: not before they are known. */}
                {teams.data ? (
                  <AgentForm agent={agent} teams={teams.data.items} onDone={() => setEditing(null)} />
                ) : (
                  <QueryState isPending={teams.isPending} error={teams.error} />
                )}
              </div>
            )}
          </>
        )}
      </ItemList>
      {isAdmin && <AddStaffForm />}
    </section>
  );
}

function AgentSummary({
  agent,
  teams,
  editing,
  onEdit,
}: {
  agent: Agent;
  teams: Team[];
  editing: boolean;
  onEdit: (() => void) | undefined;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const name = personName(agent.id, agent.name, t, lang);
  const teamNames = agent.teamIds.map((id) => {
    const team = teams.find((x) => x.id === id);
    if (!team) return null;
    return team.supervisorIds.includes(agent.id) && !team.agentIds.includes(agent.id)
      ? t('admin.agents.supervises', { team: team.name })
      : team.name;
  });
  const role = isRole(agent.role) ? t(`admin.roles.${agent.role}`) : agent.role;
  return (
    <div className="admin-row">
      <div className="admin-row-main">
        <strong dir="auto" data-testid="agent-name">
          {name}
        </strong>
        <span className="admin-tag" data-testid="agent-role-label">
          {role}
        </span>
        <span className="admin-availability" data-availability={agent.availability}>
          {t(`admin.agents.availability.${agent.availability}`)}
        </span>
      </div>
      <div className="admin-row-details small">
        <span data-testid="agent-load">
          {t('admin.agents.loadLabel')}{' '}
          {t('admin.agents.load', {
            load: formatNumber(agent.load, lang),
            max: formatNumber(agent.maxConversations, lang),
          })}
        </span>
        <span data-testid="agent-teams" dir="auto">
          {teamNames.filter(Boolean).length > 0
            ? teamNames.filter(Boolean).join(t('admin.listSeparator'))
            : t('admin.agents.noTeams')}
        </span>
      </div>
      {onEdit && <EditButton testId="agent-edit" name={name} open={editing} onClick={onEdit} />}
    </div>
  );
}

/** An admin changes someone's role; the server refuses their own (`user/own_role`). */
function RoleForm({ agent }: { agent: Agent }) {
  const { t } = useTranslation();
  const support = useSupportApi();
  const queryClient = useQueryClient();
  const id = useId();
  const [role, setRole] = useState<PlatformRole>(isRole(agent.role) ? agent.role : 'agent');
  const { busy, error, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      await support.setRole(agent.id, role);
      // A new role changes who is staff and who may be in teams.
      await refreshStaff(queryClient);
    });
  }

  return (
    <form className="admin-form" onSubmit={submit} noValidate aria-label={t('admin.agents.changeRole')}>
      <label htmlFor={`${id}-role`}>{t('admin.agents.role')}</label>
      <div className="row">
        <select
          id={`${id}-role`}
          data-testid="agent-role"
          value={role}
          onChange={(e) => isRole(e.target.value) && setRole(e.target.value)}
        >
          {PLATFORM_ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`admin.roles.${r}`)}
            </option>
          ))}
        </select>
        <SubmitButton testId="agent-role-save" disabled={busy || role === agent.role}>
          {busy ? t('admin.saving') : t('admin.agents.changeRole')}
        </SubmitButton>
      </div>
      {role === 'customer' && agent.role !== 'customer' && (
        <p className="muted small">{t('admin.agents.demoteHint')}</p>
      )}
      <FormError error={error} />
    </form>
  );
}

/** Capacity and teams. Only what changed is sent: the list shows capacity as in effect, so an
 * untouched field must not pin the configured default as the agent's own value. */
function AgentForm({ agent, teams, onDone }: { agent: Agent; teams: Team[]; onDone: () => void }) {
  const { t } = useTranslation();
  const lang = useLang();
  const support = useSupportApi();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  // Teams they answer in (PATCH teamIds replaces those only, not the ones they supervise).
  const initialTeams = teams.filter((team) => team.agentIds.includes(agent.id)).map((team) => team.id);
  const [initialCapacity] = useState(() => numberText(agent.maxConversations, lang));
  const [capacity, setCapacity] = useState(initialCapacity);
  const [teamIds, setTeamIds] = useState<string[]>(initialTeams);
  const [capacityError, setCapacityError] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const changes: { maxConversations?: number | null; teamIds?: string[] } = {};
    const value = parseNumber(capacity);
    if (value !== null && (!Number.isInteger(value) || value > MAX_CAPACITY)) {
      setCapacityError(t('admin.agents.capacityInvalid'));
      focusFirstInvalid(formRef.current);
      return;
    }
    // The same number (in either script) is no change; empty is "the default", always sent.
    if (value !== parseNumber(initialCapacity)) changes.maxConversations = value;
    setCapacityError(null);
    if (!sameIds(teamIds, initialTeams)) changes.teamIds = teamIds;
    if (Object.keys(changes).length === 0) {
      onDone();
      return;
    }
    await run(async () => {
      await support.updateAgent(agent.id, changes);
      await refreshStaff(queryClient);
      onDone();
    });
  }

  return (
    <form
      ref={formRef}
      className="admin-form"
      onSubmit={submit}
      noValidate
      aria-label={t('admin.agents.settings')}
    >
      <label htmlFor={`${id}-capacity`}>{t('admin.agents.capacity')}</label>
      <NumberInput
        id={`${id}-capacity`}
        testId="agent-capacity"
        value={capacity}
        onChange={setCapacity}
        error={capacityError}
      />
      <p className="muted small">{t('admin.agents.capacityHint')}</p>
      <FieldError id={`${id}-capacity`} error={capacityError} />
      <CheckList
        legend={t('admin.agents.teams')}
        options={teams.map((team) => ({ id: team.id, label: team.name }))}
        selected={teamIds}
        onChange={setTeamIds}
        testId="agent-team"
        empty={t('admin.teams.empty')}
      />
      <FormError error={error} />
      <SubmitCancel testId="agent-save" disabled={busy} onCancel={onDone}>
        {busy ? t('admin.saving') : t('common.save')}
      </SubmitCancel>
    </form>
  );
}

/** Gives someone a staff role by their phone number, creating them if they are new. */
function AddStaffForm() {
  const { t } = useTranslation();
  const lang = useLang();
  const support = useSupportApi();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [phone, setPhone] = useState('');
  const [role, setRole] = useState<PlatformRole>('agent');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<{ phone?: string; name?: string }>({});
  const { busy, error, setError, run } = useAction();
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setDone(null);
    const e164 = normalizePhone(phone);
    const parsedName = name.trim() ? NameSchema.safeParse(name) : null;
    const found = {
      ...(e164 ? {} : { phone: t('admin.agents.add.phoneInvalid') }),
      ...(parsedName && !parsedName.success ? { name: t('admin.nameInvalid') } : {}),
    };
    setErrors(found);
    if (Object.keys(found).length > 0 || !e164) {
      focusFirstInvalid(formRef.current);
      return;
    }
    await run(async () => {
      const user = await support.setRoleByPhone({
        phone: e164,
        role,
        ...(parsedName?.success ? { name: parsedName.data } : {}),
      });
      await queryClient.invalidateQueries({ queryKey: agentsKey });
      setDone(
        t('admin.agents.add.done', {
          name: personName(user.id, user.name, t, lang),
          role: t(`admin.roles.${user.role}`),
        }),
      );
      setPhone('');
      setName('');
    });
  }

  return (
    <form
      ref={formRef}
      className="panel admin-form"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
    >
      <h3 id={`${id}-title`}>{t('admin.agents.add.title')}</h3>
      <label htmlFor={`${id}-phone`}>{t('admin.agents.add.phone')}</label>
      <PhoneInput
        id={`${id}-phone`}
        data-testid="staff-phone"
        autoComplete="off"
        value={phone}
        onValueChange={setPhone}
        {...invalidProps(`${id}-phone`, errors.phone)}
      />
      <FieldError id={`${id}-phone`} error={errors.phone} />
      <label htmlFor={`${id}-role`}>{t('admin.agents.role')}</label>
      <select
        id={`${id}-role`}
        data-testid="staff-role"
        value={role}
        onChange={(e) => isRole(e.target.value) && setRole(e.target.value)}
      >
        {STAFF_ROLES.map((r) => (
          <option key={r} value={r}>
            {t(`admin.roles.${r}`)}
          </option>
        ))}
      </select>
      <NameInput
        id={`${id}-name`}
        label={t('admin.agents.add.name')}
        testId="staff-name"
        value={name}
        onChange={setName}
        error={errors.name}
        hint={t('admin.agents.add.nameHint')}
      />
      <FormError error={error} />
      {done && (
        <p className="admin-done" role="status" data-testid="staff-done">
          {done}
        </p>
      )}
      <div className="row">
        <SubmitButton testId="staff-submit" disabled={busy}>
          {busy ? t('admin.saving') : t('admin.agents.add.submit')}
        </SubmitButton>
      </div>
    </form>
  );
}
