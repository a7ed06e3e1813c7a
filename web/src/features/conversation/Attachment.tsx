import type { Attachment as AttachmentData } from '@abrik/protocol';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { acquireBlobUrl, fileUrl, releaseBlobUrl, useFileUrl } from '../../api/files.js';
import { useServices } from '../../app/context.js';
import { Icon } from '../../components/Icon.js';
import type { Lang } from '../../i18n/index.js';
import { formatCountdown, intlLocale } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';

/** The thumbnail's box in a bubble: at most this wide or tall, the image's own proportions. */
const THUMB_MAX_PX = 240;

/** `۱٫۲ مگابایت` in Persian, `1.2 MB` in English. */
export function formatSize(bytes: number, lang: Lang): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(intlLocale(lang), {
    style: 'unit',
    unit: units[unit],
    // Persian readers know مگابایت better than MB.
    unitDisplay: lang === 'fa' ? 'long' : 'short',
    maximumFractionDigits: unit === 0 || value >= 10 ? 0 : 1,
  }).format(value);
}

/** A file in a message bubble: a photo's thumbnail (opening its preview), a document to download, a voice note to play. */
export function Attachment({ attachment }: { attachment: AttachmentData }) {
  if (attachment.kind === 'image') return <ImageAttachment attachment={attachment} />;
  if (attachment.kind === 'voice') return <VoiceAttachment attachment={attachment} />;
  return <FileAttachment attachment={attachment} />;
}

function ImageAttachment({ attachment }: { attachment: AttachmentData }) {
  const { t } = useTranslation();
  const thumbnail = useFileUrl(attachment.id, 'thumbnail');
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const scale = Math.min(
    1,
    THUMB_MAX_PX / Math.max(attachment.width ?? THUMB_MAX_PX, attachment.height ?? THUMB_MAX_PX),
  );
  const width = Math.round((attachment.width ?? THUMB_MAX_PX) * scale);
  const height = Math.round((attachment.height ?? THUMB_MAX_PX) * scale);
  return (
    <>
      <button
        ref={opener}
        type="button"
        className="attachment attachment-image"
        data-testid="attachment-image"
        aria-label={t('files.openPhoto')}
        style={{ inlineSize: `${width}px`, aspectRatio: `${width} / ${height}` }}
        onClick={() => setOpen(true)}
      >
        {thumbnail.url ? (
          <img src={thumbnail.url} alt={t('files.photo')} width={width} height={height} />
        ) : (
          <span className="attachment-placeholder" role={thumbnail.error ? 'alert' : undefined}>
            {thumbnail.error ? t('files.failed') : t('files.loading')}
          </span>
        )}
      </button>
      {open && (
        <PhotoOverlay
          attachment={attachment}
          onClose={() => {
            setOpen(false);
            opener.current?.focus();
          }}
        />
      )}
    </>
  );
}

/** The photo's preview over the page: Escape, the close button or a click beside it closes it. */
function PhotoOverlay({ attachment, onClose }: { attachment: AttachmentData; onClose: () => void }) {
  const { t } = useTranslation();
  const preview = useFileUrl(attachment.id, 'preview');
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    close.current?.focus();
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      event.preventDefault();
      onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  const keepFocus = (event: KeyboardEvent<HTMLDivElement>) => {
    // One button inside: Tab stays on it.
    if (event.key === 'Tab') {
      event.preventDefault();
      close.current?.focus();
    }
  };
  return createPortal(
    <div
      className="photo-overlay"
      role="dialog"
      aria-modal="true"
      aria-label={attachment.name}
      data-testid="photo-overlay"
      onKeyDown={keepFocus}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <button
        ref={close}
        type="button"
        className="icon-button photo-overlay-close"
        aria-label={t('files.closePhoto')}
        onClick={onClose}
      >
        <Icon name="close" />
      </button>
      {preview.url ? (
        <img src={preview.url} alt={attachment.name} />
      ) : (
        <span className="attachment-placeholder">
          {preview.error ? t('files.failed') : t('files.loading')}
        </span>
      )}
    </div>,
    document.body,
  );
}

function FileAttachment({ attachment }: { attachment: AttachmentData }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { session } = useServices();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  async function download() {
    const path = fileUrl(attachment.id);
    setBusy(true);
    setFailed(false);
    try {
      const url = await acquireBlobUrl(session, path, lang);
      const link = document.createElement('a');
      link.href = url;
      link.download = attachment.name;
      document.body.append(link);
      link.click();
      link.remove();
    } catch {
      setFailed(true);
    } finally {
      // The browser copied the bytes when the download started; the URL can go.
      releaseBlobUrl(path);
      setBusy(false);
    }
  }

  return (
    <div className="attachment attachment-file" data-testid="attachment-file">
      <svg className="attachment-file-icon" viewBox="0 0 24 24" aria-hidden="true">
        <path
          d="M6 3h8l4 4v14H6zM14 3v4h4"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.6"
          strokeLinejoin="round"
        />
      </svg>
      <span className="attachment-file-text">
        <bdi className="attachment-name">{attachment.name}</bdi>
        <span className="attachment-size" data-testid="attachment-size">
          {formatSize(attachment.size, lang)}
        </span>
        {failed && (
          <span className="attachment-error" role="alert">
            {t('files.failed')}
          </span>
        )}
      </span>
      <button
        type="button"
        className="attachment-download"
        disabled={busy}
        data-testid="attachment-download"
        onClick={download}
      >
        {t('files.download')}
      </button>
    </div>
  );
}

function VoiceAttachment({ attachment }: { attachment: AttachmentData }) {
  const { t } = useTranslation();
  const lang = useLang();
  const audio = useFileUrl(attachment.id);
  return (
    <div className="attachment attachment-voice" data-testid="attachment-voice">
      {audio.url ? (
        // biome-ignore lint/a11y/useMediaCaption: a voice note has no captions to give.
        <audio controls preload="metadata" src={audio.url} aria-label={t('files.voice')} />
      ) : (
        <span className="attachment-placeholder" role={audio.error ? 'alert' : undefined}>
          {audio.error ? t('files.failed') : t('files.loading')}
        </span>
      )}
      {attachment.durationMs !== null && (
        <span className="attachment-duration">{formatCountdown(attachment.durationMs / 1000, lang)}</span>
      )}
    </div>
  );
}
