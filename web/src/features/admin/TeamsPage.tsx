import { NameSchema, type Team } from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSupportApi } from '../../app/context.js';
import { useAction, useLang } from '../../lib/hooks.js';
import { EditButton, ItemForm, ItemList, ListPage, useOpenForm } from './ListPage.js';
import {
  CheckList,
  focusFirstInvalid,
  NameInput,
  refreshStaff,
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
  const { form, toggle, close } = useOpenForm();
  const people = useMemo(() => new Map((agents.data?.items ?? []).map((a) => [a.id, a])), [agents.data]);
  const names = (ids: string[]) =>
    ids.length === 0
      ? t('admin.teams.nobody')
      : ids.map((id) => staffName(id, people, t, lang)).join(t('admin.listSeparator'));

  return (
    <ListPage
      id="admin-teams-title"
      title={t('admin.teams.title')}
      readOnly={!isAdmin}
      add={{
        label: t('admin.teams.new'),
        testId: 'team-new',
        open: form === 'new',
        onToggle: () => toggle('new'),
      }}
    >
      {isAdmin && form === 'new' && <TeamForm team={null} onDone={close} />}
      <ItemList query={teams} empty={t('admin.teams.empty')} rowTestId="team-row">
        {(team) => (
          <>
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
                <EditButton
                  testId="team-edit"
                  name={team.name}
                  open={form === team.id}
                  onClick={() => toggle(team.id)}
                />
              )}
            </div>
            {isAdmin && form === team.id && <TeamForm team={team} onDone={close} />}
          </>
        )}
      </ItemList>
    </ListPage>
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
    <ItemForm
      formRef={formRef}
      testId="team-form"
      title={team ? t('admin.editNamed', { name: team.name }) : t('admin.teams.new')}
      onSubmit={submit}
      error={error}
      busy={busy}
      submit={{ testId: 'team-save', label: team ? t('common.save') : t('admin.teams.create') }}
      onCancel={onDone}
    >
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
    </ItemForm>
  );
}
