import type { InputHTMLAttributes, Ref } from 'react';

type Props = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'type' | 'inputMode' | 'dir' | 'value' | 'onChange'
> & {
  value: string;
  onValueChange: (value: string) => void;
  ref?: Ref<HTMLInputElement>;
};

/**
 * A phone number field: the phone keypad, left to right in either UI language. What is typed is kept
 * as typed (Persian or Latin digits, spaces); `normalizePhone` reads it when the form is sent.
 */
export function PhoneInput({ value, onValueChange, ...rest }: Props) {
  return (
    <input
      type="tel"
      inputMode="tel"
      dir="ltr"
      value={value}
      onChange={(e) => onValueChange(e.target.value)}
      {...rest}
    />
  );
}
