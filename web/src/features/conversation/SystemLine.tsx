import type { Message } from '@abrik/protocol';
import { useTranslation } from 'react-i18next';
import type { ChatActions } from './actionsContext.js';
import { systemText } from './SystemText.js';

/** A group's system message, worded in the reader's language with members' and former members' names. */
export function SystemLine({ message, actions }: { message: Message; actions?: ChatActions | null }) {
  const { t } = useTranslation();
  if (!message.system) return <>{message.body ?? ''}</>;
  return (
    <span data-testid="system-text" data-action={message.system.action}>
      {systemText(message.system, actions?.names ?? new Map(), t)}
    </span>
  );
}
