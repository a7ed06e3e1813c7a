import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { answerCsatLink, csatLink } from '../../api/csat.js';
import { ApiError, errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { LanguageSwitch } from '../../components/LanguageSwitch.js';
import { formatDate } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import { CsatForm } from './CsatForm.js';

/** The SMS link's page, `/csat/:token`: rate a resolved conversation without signing in. */
export function CsatPage({ token }: { token: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const key = ['csat-link', token] as const;
  const survey = useQuery({
    queryKey: key,
    queryFn: () => csatLink(api, token),
    // An unknown or expired link stays so; only network trouble and 5xx are worth asking again.
    retry: (count, error) =>
      !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 3,
  });
  const failure =
    survey.error instanceof ApiError && survey.error.code === 'csat/expired'
      ? t('csat.expired')
      : survey.error instanceof ApiError && survey.error.code === 'csat/not_found'
        ? t('csat.notFound')
        : survey.error
          ? errorText(survey.error, t)
          : null;

  return (
    <div className="auth">
      <header className="auth-header">
        <span className="brand">{t('app.name')}</span>
        <LanguageSwitch />
      </header>
      <main className="auth-card" data-testid="csat-page">
        <h1>{t('csat.pageTitle')}</h1>
        {survey.isPending && <p className="muted">{t('common.loading')}</p>}
        {failure && (
          <p className="error" role="alert" data-testid="csat-page-error">
            {failure}
          </p>
        )}
        {survey.data && (
          <>
            {survey.data.agentName && (
              <p>
                <bdi>{t('csat.agent', { name: survey.data.agentName })}</bdi>
              </p>
            )}
            {survey.data.subject && (
              <p>
                <bdi>{t('csat.subject', { subject: survey.data.subject })}</bdi>
              </p>
            )}
            <CsatForm
              key={survey.data.cycle}
              value={survey.data}
              testId="csat-link"
              onSubmit={async (rating, comment) => {
                queryClient.setQueryData(key, await answerCsatLink(api, token, { rating, comment }));
              }}
            />
            <p className="muted small">
              {t('csat.linkUntil', { date: formatDate(survey.data.expiresAt, lang) })}
            </p>
          </>
        )}
      </main>
    </div>
  );
}
