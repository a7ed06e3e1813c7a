import { NameSchema } from '@abrik/protocol';
import { type FormEvent, type InputHTMLAttributes, type Ref, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';

/**
 * My name as typed in a form (the banner's or the settings panel's), and saving it: a name the
 * schema refuses (blank) is not sent; the saved user replaces the session's, so every view follows.
 */
export function useRename(initial: string, onSaved?: () => void) {
  const { t } = useTranslation();
  const { api, session } = useServices();
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    const parsed = NameSchema.safeParse(name);
    if (!parsed.success) return;
    setSaving(true);
    setError(null);
    try {
      session.updateUser(await api.rename(parsed.data));
      onSaved?.();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setSaving(false);
    }
  }

  return { name, setName, error, saving, save };
}

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'dir' | 'maxLength' | 'value' | 'onChange'> & {
  value: string;
  onValueChange: (value: string) => void;
  ref?: Ref<HTMLInputElement>;
};

/** The field for a person's name: in its own script's direction, as long as the schema allows. */
export function NameInput({ value, onValueChange, ...rest }: Props) {
  const { t } = useTranslation();
  return (
    <input
      dir="auto"
      maxLength={64}
      placeholder={t('settings.namePlaceholder')}
      value={value}
      onChange={(e) => onValueChange(e.target.value)}
      {...rest}
    />
  );
}
