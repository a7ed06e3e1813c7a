import type { Conversation } from '@abrik/protocol';
import type { TFunction } from 'i18next';
import type { Lang } from '../i18n/index.js';
import { contactLabel } from '../lib/contacts.js';
import { formatPhone } from '../lib/phone.js';

/** The other person of a direct conversation (or the customer of a support one). */
export function peerOf(conversation: Conversation, meId: string) {
  return conversation.members.find((m) => m.userId !== meId);
}

/** A person's name, else the number I typed to reach them, else "Unnamed". */
export function personName(userId: string, name: string | null, t: TFunction, lang: Lang): string {
  if (name) return name;
  const phone = contactLabel(userId);
  // Isolated left to right: its digit groups keep their order inside right-to-left text.
  return phone ? `\u2066${formatPhone(phone, lang)}\u2069` : t('names.unnamed');
}

export function conversationTitle(
  conversation: Conversation,
  meId: string,
  t: TFunction,
  lang: Lang,
): string {
  if (conversation.kind === 'group') return conversation.title ?? t('names.group');
  if (conversation.kind === 'support')
    return conversation.subject ?? conversation.title ?? t('names.support');
  const peer = peerOf(conversation, meId);
  return peer ? personName(peer.userId, peer.name, t, lang) : t('names.unnamed');
}

/**
 * Everyone who is or was in the conversation, by id: people who left or were removed keep their
 * names on their old messages and in system messages.
 */
export function memberNames(
  conversation: Pick<Conversation, 'members' | 'formerMembers'> | undefined,
  t: TFunction,
  lang: Lang,
): Map<string, string> {
  const map = new Map<string, string>();
  for (const m of conversation?.formerMembers ?? []) map.set(m.userId, personName(m.userId, m.name, t, lang));
  for (const m of conversation?.members ?? []) map.set(m.userId, personName(m.userId, m.name, t, lang));
  return map;
}
