import { NameSchema, type Team } from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSupportApi } from '../../app/context.js';
import { SubmitCancel } from '../../components/FormButtons.js';
import { FormError } from '../../components/FormError.js';
import { useAction, useLang } from '../../lib/hooks.js';
import {
  CheckList,
  focusFirstInvalid,
  NameInput,
  QueryState,
  refreshStaff,
  SectionHeading,
  sameIds,
  staffName,
  useAgents,
  useMe,
  useTeams,
} from './shared.js';

/** Teams with their agents and supervisors; admins create and change them. */
export function TeamsPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const me = useMe();
  const isAdmin = me?.role === 'admin';
  const teams = useTeams();
  const agents = useAgents();
  // null: no form; 'new': the create form; else the id of the team being edited.
  const [form, setForm] = useState<string | null>(null);
  const people = useMemo(() => new Map((agents.data?.items ?? []).map((a) => [a.id, a])), [agents.data]);
  const names = (ids: string[]) =>
    ids.length === 0
      ? t('admin.teams.nobody')
      : ids.map((id) => staffName(id, people, t, lang)).join(t('admin.listSeparator'));

  return (
    <section className="admin-section" aria-labelledby="admin-teams-title">
      <SectionHeading
        id="admin-teams-title"
        title={t('admin.teams.title')}
        add={
          isAdmin
            ? {
                label: t('admin.teams.new'),
                testId: 'team-new',
                open: form === 'new',
                onToggle: () => setForm((f) => (f === 'new' ? null : 'new')),
              }
            : undefined
        }
      />
      {!isAdmin && <p className="muted small">{t('admin.readOnly')}</p>}
      {isAdmin && form === 'new' && <TeamForm team={null} onDone={() => setForm(null)} />}
      <QueryState isPending={teams.isPending} error={teams.error} />
      {teams.data &&
        (teams.data.items.length === 0 ? (
          <p className="muted">{t('admin.teams.empty')}</p>
        ) : (
          <ul className="admin-list">
            {teams.data.items.map((team) => (
              <li key={team.id} data-testid="team-row" data-id={team.id}>
                <div className="admin-row">
                  <div className="admin-row-main">
                    <strong dir="auto" data-testid="team-name-label">
                      {team.name}
                    </strong>
                  </div>
                  <dl className="admin-facts small">
                    <div>
                      <dt>{t('admin.teams.agents')}</dt>
                      <dd dir="auto" data-testid="team-agents">
                        {names(team.agentIds)}
                      </dd>
                    </div>
                    <div>
                      <dt>{t('admin.teams.supervisors')}</dt>
                      <dd dir="auto" data-testid="team-supervisors">
                        {names(team.supervisorIds)}
                      </dd>
                    </div>
                  </dl>
                  {isAdmin && (
                    <button
                      type="button"
                      className="link-button"
                      data-testid="team-edit"
                      aria-expanded={form === team.id}
                      aria-label={t('admin.editNamed', { name: team.name })}
                      onClick={() => setForm((f) => (f === team.id ? null : team.id))}
                    >
                      {t('admin.edit')}
                    </button>
                  )}
                </div>
                {isAdmin && form === team.id && <TeamForm team={team} onDone={() => setForm(null)} />}
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

/** A new team (`team` null) or changes to one: its name and who is in it. */
function TeamForm({ team, onDone }: { team: Team | null; onDone: () => void }) {
  const { t } = useTranslation();
  const lang = useLang();
  const support = useSupportApi();
  const queryClient = useQueryClient();
  const agents = useAgents();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState(team?.name ?? '');
  const [agentIds, setAgentIds] = useState<string[]>(team?.agentIds ?? []);
  const [supervisorIds, setSupervisorIds] = useState<string[]>(team?.supervisorIds ?? []);
  const [nameError, setNameError] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const staff = agents.data?.items ?? [];
  const people = new Map(staff.map((a) => [a.id, a]));
  const options = staff.map((a) => ({ id: a.id, label: staffName(a.id, people, t, lang) }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const parsed = NameSchema.safeParse(name);
    if (!parsed.success) {
      setNameError(t('admin.nameInvalid'));
      focusFirstInvalid(formRef.current);
      return;
    }
    setNameError(null);
    await run(async () => {
      if (team) {
        // Only what changed: a list sent replaces that role's members.
        const changes = {
          ...(parsed.data !== team.name ? { name: parsed.data } : {}),
          ...(sameIds(agentIds, team.agentIds) ? {} : { agentIds }),
          ...(sameIds(supervisorIds, team.supervisorIds) ? {} : { supervisorIds }),
        };
        if (Object.keys(changes).length > 0) await support.updateTeam(team.id, changes);
      } else {
        await support.createTeam({ name: parsed.data, agentIds, supervisorIds });
      }
      // Members' teams show on the agents page too.
      await refreshStaff(queryClient);
      onDone();
    });
  }

  return (
    <form
      ref={formRef}
      className="panel admin-form"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
      data-testid="team-form"
    >
      <h3 id={`${id}-title`}>{team ? t('admin.editNamed', { name: team.name }) : t('admin.teams.new')}</h3>
      <NameInput
        id={`${id}-name`}
        label={t('admin.teams.name')}
        testId="team-name"
        value={name}
        onChange={setName}
        error={nameError}
      />
      <CheckList
        legend={t('admin.teams.agents')}
        options={options}
        selected={agentIds}
        onChange={setAgentIds}
        testId="team-agent"
        empty={t('admin.agents.empty')}
      />
      <CheckList
        legend={t('admin.teams.supervisors')}
        options={options}
        selected={supervisorIds}
        onChange={setSupervisorIds}
        testId="team-supervisor"
        empty={t('admin.agents.empty')}
      />
      <FormError error={error} />
      <SubmitCancel testId="team-save" disabled={busy} onCancel={onDone}>
        {busy ? t('admin.saving') : team ? t('common.save') : t('admin.teams.create')}
      </SubmitCancel>
    </form>
  );
}
