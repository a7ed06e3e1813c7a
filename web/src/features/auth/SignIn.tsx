import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { SubmitButton } from '../../components/FormButtons.js';
import { FormError } from '../../components/FormError.js';
import { LanguageSwitch } from '../../components/LanguageSwitch.js';
import { PhoneInput } from '../../components/PhoneInput.js';
import { digitsOnly, formatCountdown, localDigits } from '../../lib/format.js';
import { useLang, useNow } from '../../lib/hooks.js';
import { onceUntilFailed } from '../../lib/once.js';
// The chosen theme (settings) applies from the first screen on.
import '../../lib/theme.js';

type PhoneCheck = typeof import('./phone-check.js');
/**
 * The phone check, fetched once: asked for as soon as the field is touched (and when the browser
 * is idle after the first paint), awaited when the number is sent; a failed fetch is tried again.
 */
const loadPhoneCheck = onceUntilFailed((): Promise<PhoneCheck> => import('./phone-check.js'));

/** Phone number → SMS code → signed in. */
export function SignIn() {
  const { t } = useTranslation();
  const lang = useLang();
  const { api, session } = useServices();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<'phone' | 'code'>('phone');
  const [phone, setPhone] = useState('');
  const [e164, setE164] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [resendAt, setResendAt] = useState(0);
  /** Asked again too soon: the code sent before still works; the wait as it was then. */
  const [stillValid, setStillValid] = useState<string | null>(null);
  const now = useNow(500, resendAt > Date.now());
  const waitSeconds = Math.max(0, Math.ceil((resendAt - now) / 1000));
  const codeRef = useRef<HTMLInputElement>(null);
  const phones = useRef<PhoneCheck | null>(null);
  const errorId = useId();
  /** The field of the step shown is the one the error is about. */
  const fieldError = {
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errorId : undefined,
  } as const;

  useEffect(() => {
    if (step === 'code') codeRef.current?.focus();
  }, [step]);

  useEffect(() => {
    const preload = () => void loadPhoneCheck().catch(() => {});
    if (typeof requestIdleCallback !== 'function') return preload();
    const idle = requestIdleCallback(preload, { timeout: 3000 });
    return () => cancelIdleCallback(idle);
  }, []);

  async function requestCode(target: string) {
    setBusy(true);
    setError(null);
    setStillValid(null);
    try {
      const sent = await api.requestCode(target);
      setResendAt(Date.now() + sent.retryAfterSeconds * 1000);
      setStep('code');
    } catch (e) {
      if (e instanceof ApiError && e.code === 'rate_limited') {
        // Asked again too soon: not an error. The code sent before still works; say so, calmly,
        // with how long until a new one may be asked.
        const wait = e.retryAfterSeconds ?? 60;
        setResendAt(Date.now() + wait * 1000);
        setStillValid(formatCountdown(wait, lang));
        setStep('code');
      } else {
        setError(errorText(e, t));
      }
    } finally {
      setBusy(false);
    }
  }

  async function submitPhone(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      phones.current = await loadPhoneCheck();
    } catch {
      // Offline, or the line dropped: the same words as for a request that could not be sent.
      setError(t('errors.network'));
      setBusy(false);
      return;
    }
    const normalized = phones.current.normalizePhone(phone);
    if (!normalized) {
      setError(t('signIn.phoneInvalid'));
      setBusy(false);
      return;
    }
    setE164(normalized);
    await requestCode(normalized);
  }

  async function submitCode(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const tokens = await api.verify(e164, digitsOnly(code));
      queryClient.clear();
      session.signIn(tokens);
    } catch (e) {
      setError(errorText(e, t));
      setBusy(false);
    }
  }

  return (
    <div className="auth">
      <header className="auth-header">
        <span className="brand">{t('app.name')}</span>
        <LanguageSwitch />
      </header>
      <main className="auth-card">
        {step === 'phone' ? (
          <form onSubmit={submitPhone} noValidate>
            <h1>{t('signIn.title')}</h1>
            <p className="muted">{t('signIn.intro')}</p>
            <label htmlFor="phone">{t('signIn.phone')}</label>
            <PhoneInput
              id="phone"
              data-testid="phone-input"
              autoComplete="tel"
              placeholder={localDigits('0912 123 4567', lang)}
              value={phone}
              onValueChange={setPhone}
              onFocus={() => void loadPhoneCheck().catch(() => {})}
              {...fieldError}
              required
            />
            <FormError id={errorId} error={error} />
            <SubmitButton testId="phone-submit" disabled={busy}>
              {t('signIn.sendCode')}
            </SubmitButton>
          </form>
        ) : (
          <form onSubmit={submitCode} noValidate>
            <h1>{t('signIn.codeTitle')}</h1>
            <p className="muted">
              {t('signIn.codeSent')} <bdi dir="ltr">{phones.current?.formatPhone(e164, lang) ?? e164}</bdi>
            </p>
            {stillValid && (
              <p className="notice" role="status" data-testid="code-still-valid">
                {t('signIn.stillValid', { time: stillValid })}
              </p>
            )}
            <label htmlFor="code">{t('signIn.code')}</label>
            <input
              id="code"
              ref={codeRef}
              data-testid="code-input"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              dir="ltr"
              maxLength={12}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              {...fieldError}
              required
            />
            <FormError id={errorId} error={error} />
            <SubmitButton testId="code-submit" disabled={busy || !code.trim()}>
              {t('signIn.verify')}
            </SubmitButton>
            <div className="row between">
              <button
                type="button"
                className="link-button"
                data-testid="resend"
                disabled={busy || waitSeconds > 0}
                onClick={() => void requestCode(e164)}
              >
                {waitSeconds > 0
                  ? t('signIn.resendIn', { time: formatCountdown(waitSeconds, lang) })
                  : t('signIn.resend')}
              </button>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  setStep('phone');
                  setCode('');
                  setError(null);
                  setStillValid(null);
                }}
              >
                {t('signIn.changePhone')}
              </button>
            </div>
          </form>
        )}
      </main>
    </div>
  );
}
