import type { Attachment, AttachmentKind } from '@abrik/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/errors.js';
import { useUploadFile } from '../../api/files.js';
import { Icon } from '../../components/Icon.js';
import { intlLocale } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import { formatSize } from './Attachment.js';

/** Types the server takes as photos (it sniffs the bytes; anything else goes as a document). */
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

export function kindOf(file: Blob): AttachmentKind {
  return PHOTO_TYPES.has(file.type) ? 'image' : 'file';
}

/**
 * A file on its way into a message: it uploads as soon as it is chosen (progress, cancel, retry),
 * and the message goes into the outbox only once the server has stored it — so the message that
 * carries it keeps its place in the order written, and a stored file is never sent twice.
 */
export type AttachmentDraft = { file: File; kind: AttachmentKind; options: PickOptions } & (
  | { status: 'uploading'; sent: number }
  | { status: 'stored'; attachment: Attachment }
  | { status: 'failed'; error: string }
);

/** How a file was picked: a voice note has its kind and length, and goes once stored. */
export interface PickOptions {
  kind?: AttachmentKind;
  durationMs?: number;
  /** Send it as soon as it is stored (a voice note: no caption to wait for). */
  autoSend?: boolean;
}

export function useAttachmentDraft(conversationId: string) {
  const upload = useUploadFile();
  const { t } = useTranslation();
  const [draft, setDraft] = useState<AttachmentDraft | null>(null);
  const abort = useRef<AbortController | null>(null);

  const start = useCallback(
    (file: File, options: PickOptions = {}) => {
      abort.current?.abort();
      const controller = new AbortController();
      abort.current = controller;
      const kind = options.kind ?? kindOf(file);
      setDraft({ status: 'uploading', file, kind, options, sent: 0 });
      upload(conversationId, file, kind, {
        signal: controller.signal,
        ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
        onProgress: (sent) =>
          setDraft((d) => (d?.file === file && d.status === 'uploading' ? { ...d, sent } : d)),
      }).then(
        (attachment) => {
          if (controller.signal.aborted) return;
          setDraft({ status: 'stored', file, kind, options, attachment });
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          const message = error instanceof ApiError && error.message ? error.message : t('files.failed');
          setDraft({ status: 'failed', file, kind, options, error: message });
        },
      );
    },
    [conversationId, upload, t],
  );
  const clear = useCallback(() => {
    abort.current?.abort();
    abort.current = null;
    setDraft(null);
  }, []);
  // Another conversation, or leaving it: an upload still going is cancelled.
  useEffect(() => clear, [clear]);
  return {
    draft,
    choose: start,
    retry: () => draft && start(draft.file, draft.options),
    cancel: clear,
    /** Hands the stored file to the message being sent and forgets it here. */
    take(): Attachment | null {
      if (draft?.status !== 'stored') return null;
      const { attachment } = draft;
      abort.current = null;
      setDraft(null);
      return attachment;
    },
  };
}

/** The draft above the message box: what is being sent, how far, and a way to cancel or retry. */
export function AttachmentDraftBar({
  draft,
  onCancel,
  onRetry,
}: {
  draft: AttachmentDraft;
  onCancel: () => void;
  onRetry: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => {
    if (draft.kind !== 'image') return;
    const url = URL.createObjectURL(draft.file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [draft.file, draft.kind]);
  const total = draft.file.size || 1;
  const percent =
    draft.status === 'stored' ? 100 : draft.status === 'uploading' ? (draft.sent / total) * 100 : 0;
  return (
    <div className="attachment-draft" data-testid="attachment-draft" data-status={draft.status}>
      {preview ? (
        <img className="attachment-draft-thumb" src={preview} alt="" width={48} height={48} />
      ) : (
        <span className="attachment-draft-icon" aria-hidden="true">
          <Icon name="attach" />
        </span>
      )}
      <div className="attachment-draft-text">
        <span className="attachment-draft-name" dir="auto">
          {draft.file.name}
        </span>
        <span className="muted small">
          {formatSize(draft.file.size, lang)}
          {' · '}
          {draft.status === 'uploading'
            ? t('files.uploading', {
                percent: new Intl.NumberFormat(intlLocale(lang), { style: 'percent' }).format(
                  Math.floor(percent) / 100,
                ),
              })
            : draft.status === 'stored'
              ? t('files.ready')
              : null}
        </span>
        {draft.status === 'failed' ? (
          <span className="error small" role="alert" data-testid="attachment-error">
            {draft.error}
          </span>
        ) : (
          <progress
            className="attachment-draft-progress"
            data-testid="attachment-progress"
            max={100}
            value={Math.round(percent)}
            aria-label={t('files.uploading', { percent: '' })}
          />
        )}
      </div>
      {draft.status === 'failed' && (
        <button type="button" className="link-button" data-testid="attachment-retry" onClick={onRetry}>
          {t('files.retryUpload')}
        </button>
      )}
      <button
        type="button"
        className="icon-button small"
        data-testid="attachment-cancel"
        aria-label={t('files.cancelUpload')}
        title={t('files.cancelUpload')}
        onClick={onCancel}
      >
        <Icon name="close" />
      </button>
    </div>
  );
}
