import type { MessageMeta } from '@abrik/protocol';
import { type Locale, t } from '../../platform/i18n/messages.js';

const PREVIEW_LENGTH = 120;

/**
 * The start of a message for a notification (whole code points, never half a character): a
 * message with a file says so first ("📷 Photo", "📎 report.pdf", "🎤 Voice message"), then its caption.
 */
export function preview(
  message: { body: string | null; meta?: MessageMeta | null | undefined },
  locale: Locale,
): string {
  const attachment = message.meta?.attachment;
  let text = message.body ?? '';
  if (attachment) {
    const caption = text.trim();
    const texts = t(locale).attachment;
    const label =
      attachment.kind === 'image'
        ? texts.image
        : attachment.kind === 'voice'
          ? texts.voice
          : texts.file(attachment.name);
    text = caption ? `${label} ${caption}` : label;
  }
  return [...text].slice(0, PREVIEW_LENGTH).join('');
}
