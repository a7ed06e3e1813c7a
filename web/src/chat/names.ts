import type { Conversation } from '@abrik/protocol';
import type { TFunction } from 'i18next';
import type { Lang } from '../i18n/index.js';
import { contactLabel } from '../lib/contacts.js';
import { localDigits } from '../lib/format.js';

/** An Iranian number as people write it (`09121234567`); others in E.164. */
export function displayPhone(e164: string): string {
  return e164.startsWith('+98') ? `0${e164.slice(3)}` : e164;
}

/** The other person of a direct conversation (or the customer of a support one). */
export function peerOf(conversation: Conversation, meId: string) {
  return conversation.members.find((m) => m.userId !== meId);
}

/** A person's name, else the number I typed to reach them, else "Unnamed". */
export function personName(userId: string, name: string | null, t: TFunction, lang: Lang): string {
  if (name) return name;
  const phone = contactLabel(userId);
  return phone ? localDigits(displayPhone(phone), lang) : t('names.unnamed');
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
