import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatCountdown } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';

/** The longest voice note: recording stops by itself here. */
export const MAX_VOICE_MS = 5 * 60_000;

/** Containers the server takes as voice notes, in the order tried (Chromium records WebM, Safari MP4). */
const TYPES = ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/webm', 'audio/mp4'];

export function canRecord(): boolean {
  return typeof MediaRecorder !== 'undefined' && Boolean(navigator.mediaDevices?.getUserMedia);
}

function extensionOf(type: string): string {
  if (type.startsWith('audio/ogg')) return 'ogg';
  if (type.startsWith('audio/mp4')) return 'm4a';
  return 'webm';
}

type State =
  | { status: 'idle'; error?: string }
  | { status: 'starting' }
  | { status: 'recording'; startedAt: number };

/**
 * A voice note from the microphone (MediaRecorder): `start` asks for the microphone and records,
 * `stop` hands the recording to `onRecorded` with its length, `cancel` throws it away. The
 * microphone is released as soon as recording ends.
 */
export function useVoiceRecorder(onRecorded: (file: File, durationMs: number) => void) {
  const { t } = useTranslation();
  const [state, setState] = useState<State>({ status: 'idle' });
  const recorder = useRef<MediaRecorder | null>(null);
  const keep = useRef(false);
  const latest = useRef(onRecorded);
  latest.current = onRecorded;

  // Only refs: the same functions for the component's life.
  const release = useCallback(() => {
    for (const track of recorder.current?.stream.getTracks() ?? []) track.stop();
    recorder.current = null;
  }, []);
  const finish = useCallback(
    (send: boolean) => {
      keep.current = send;
      if (recorder.current?.state === 'recording') recorder.current.stop();
      else release();
    },
    [release],
  );
  useEffect(() => () => finish(false), [finish]);

  async function start(): Promise<void> {
    if (state.status !== 'idle') return;
    setState({ status: 'starting' });
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      setState({ status: 'idle', error: t('files.micDenied') });
      return;
    }
    const mimeType = TYPES.find((type) => MediaRecorder.isTypeSupported(type));
    const media = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
    const chunks: Blob[] = [];
    const startedAt = Date.now();
    media.ondataavailable = (event) => {
      if (event.data.size > 0) chunks.push(event.data);
    };
    media.onstop = () => {
      release();
      setState({ status: 'idle' });
      if (!keep.current || chunks.length === 0) return;
      const type = media.mimeType || mimeType || 'audio/webm';
      const durationMs = Math.min(Date.now() - startedAt, MAX_VOICE_MS);
      const file = new File(chunks, `voice-${startedAt}.${extensionOf(type)}`, { type: type.split(';')[0] });
      latest.current(file, durationMs);
    };
    recorder.current = media;
    keep.current = false;
    media.start(250);
    setState({ status: 'recording', startedAt });
  }

  // The longest note stops by itself, and goes.
  useEffect(() => {
    if (state.status !== 'recording') return;
    const timer = setTimeout(() => finish(true), MAX_VOICE_MS - (Date.now() - state.startedAt));
    return () => clearTimeout(timer);
  }, [state, finish]);

  return { state, start, stop: () => finish(true), cancel: () => finish(false) };
}

/** While recording: how long so far, and Send or Cancel. */
export function RecordingBar({
  startedAt,
  onStop,
  onCancel,
}: {
  startedAt: number;
  onStop: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  return (
    <div className="recording-bar" role="status" data-testid="recording">
      <span className="recording-dot" aria-hidden="true" />
      <span>{t('files.recording')}</span>
      <time data-testid="recording-time">
        {formatCountdown(Math.floor(Math.max(0, now - startedAt) / 1000), lang)}
      </time>
      <button type="button" className="link-button" data-testid="recording-cancel" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      <button type="button" className="primary" data-testid="recording-send" onClick={onStop}>
        {t('conv.send')}
      </button>
    </div>
  );
}
