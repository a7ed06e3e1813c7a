import type { SystemEvent } from '@abrik/protocol';
import type { TFunction } from 'i18next';

/** "Ali", "Ali and Sara", "Ali, Sara and Reza". */
function joinNames(names: readonly string[], t: TFunction): string {
  if (names.length <= 1) return names[0] ?? t('names.someone');
  return `${names.slice(0, -1).join(t('actions.system.list'))}${t('actions.system.and')}${names.at(-1)}`;
}

/**
 * A group's system message in the reader's language ("سارا علی را اضافه کرد"), with the names of
 * current and former members (`names`, from memberNames): nobody who left turns "Unnamed". Where
 * former members are not known (the conversation list has current members only), `unknown` says
 * "someone" instead.
 */
export function systemText(
  event: SystemEvent,
  names: ReadonlyMap<string, string>,
  t: TFunction,
  unknown: 'unnamed' | 'someone' = 'unnamed',
): string {
  const name = (id: string | null) =>
    id ? (names.get(id) ?? t(unknown === 'unnamed' ? 'names.unnamed' : 'names.someone')) : t('names.someone');
  const actor = name(event.actorId);
  const users = joinNames(
    event.userIds.map((id) => name(id)),
    t,
  );
  switch (event.action) {
    case 'created':
      return t('actions.system.created', { actor });
    case 'added':
      // Joined by oneself (a link, an invitation taken): no one "added" them.
      return event.actorId && event.userIds.length === 1 && event.userIds[0] === event.actorId
        ? t('actions.system.joined', { users })
        : t('actions.system.added', { actor, users });
    case 'removed':
      return t('actions.system.removed', { actor, users });
    case 'left':
      return t('actions.system.left', { users: event.userIds.length > 0 ? users : actor });
    case 'promoted':
      return t('actions.system.promoted', { actor, users });
    case 'demoted':
      return t('actions.system.demoted', { actor, users });
    case 'title':
      return t('actions.system.title', { actor, value: event.value ?? '' });
    case 'description':
      return event.value
        ? t('actions.system.description', { actor })
        : t('actions.system.descriptionCleared', { actor });
    case 'pinned':
      return t('actions.system.pinned', { actor });
  }
}
