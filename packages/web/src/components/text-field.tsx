/**
 * A labelled text input in a `.field` box, the form control of the login, settings and project
 * pages. The label is tied to the input by id, which is what gives the input its accessible name.
 */
import type { InputHTMLAttributes, ReactNode } from 'react';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>;

export function TextField(
  props: InputProps & {
    id: string;
    label: ReactNode;
    value: string;
    onChange: (value: string) => void;
    /** Extra class on the box (e.g. `field-wide`). */
    fieldClass?: string;
  },
) {
  const { id, label, onChange, fieldClass, ...input } = props;
  return (
    <div className={fieldClass ? `field ${fieldClass}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
