/** A form's error text, read out as it appears; `id` lets the field name it in `aria-describedby`. */
export function FormError({ error, id }: { error: string | null; id?: string }) {
  if (!error) return null;
  return (
    <p id={id} className="error" role="alert">
      {error}
    </p>
  );
}
