/** @jsxImportSource preact */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { checkForm, type FieldProblem, type FormField, type FormValues } from '../forms';
import type { Texts } from '../i18n';

const INPUT_TYPES = { name: 'text', phone: 'tel', email: 'email', text: 'text' } as const;
const AUTOCOMPLETE = { name: 'name', phone: 'tel', email: 'email', text: 'off' } as const;

function Field({ field, problem, t }: { field: FormField; problem: FieldProblem | undefined; t: Texts }) {
  const id = `abrik-field-${field.key}`;
  const problemId = `${id}-problem`;
  const common = {
    id,
    name: field.key,
    'aria-required': field.required,
    'aria-invalid': problem !== undefined,
    'aria-describedby': problem ? problemId : undefined,
  };
  return (
    <div class="field">
      <label htmlFor={id}>
        {field.label ?? t.fields[field.kind]}
        {!field.required && <span class="optional"> ({t.optional})</span>}
      </label>
      {field.kind === 'message' ? (
        <textarea {...common} rows={3} maxLength={4000} dir="auto" />
      ) : (
        <input
          {...common}
          type={INPUT_TYPES[field.kind]}
          autoComplete={AUTOCOMPLETE[field.kind]}
          maxLength={500}
          // Numbers and addresses read left to right inside Persian text.
          dir={field.kind === 'phone' || field.kind === 'email' ? 'ltr' : 'auto'}
          inputMode={field.kind === 'phone' ? 'tel' : undefined}
          // Preact's types tell a text input from a combobox by `list`; this one has none.
          list={undefined}
        />
      )}
      {problem && (
        <p id={problemId} class="problem">
          {t.invalid[problem]}
        </p>
      )}
    </div>
  );
}

/** A form of fields checked here before it is sent (the browser's own checks are off: ours speak Persian). */
export function FieldsForm({
  testId,
  title,
  fields,
  t,
  submitLabel,
  contactRequired,
  onSubmit,
  children,
}: {
  testId: string;
  title: string;
  fields: FormField[];
  t: Texts;
  submitLabel: string;
  contactRequired?: boolean;
  onSubmit: (values: FormValues) => Promise<void> | void;
  children?: ComponentChildren;
}) {
  const [problems, setProblems] = useState<Record<string, FieldProblem>>({});
  const [busy, setBusy] = useState(false);
  const titleId = `${testId}-title`;

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const raw: FormValues = {};
    for (const field of fields) raw[field.key] = String(data.get(field.key) ?? '');
    const checked = checkForm(fields, raw, { contactRequired: contactRequired ?? false });
    setProblems(checked.problems);
    const first = Object.keys(checked.problems)[0];
    if (first) {
      form.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await onSubmit(checked.values);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form" data-testid={testId} noValidate aria-labelledby={titleId} onSubmit={submit}>
      <h2 id={titleId}>{title}</h2>
      {children}
      {fields.map((field) => (
        <Field key={field.key} field={field} problem={problems[field.key]} t={t} />
      ))}
      <button type="submit" class="primary" data-testid={`${testId}-submit`} disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
