import type { ComponentChildren, PartialInputHTMLAttributes } from 'preact';

/**
 * Form controls with their label, hint and error wired up: the label names the control, and the hint and the API's
 * error for the field are its description (aria-describedby), so a screen reader reads the problem with the field.
 */

export function fieldId(name: string): string {
  return `field-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

interface Common {
  name: string;
  label: string;
  hint?: ComponentChildren;
  error?: string | undefined;
  required?: boolean;
}

function describedBy(name: string, hint: unknown, error: string | undefined): string | undefined {
  const ids = [hint === undefined ? null : `${fieldId(name)}-hint`, error === undefined ? null : `${fieldId(name)}-error`].filter(
    (id): id is string => id !== null,
  );
  return ids.length === 0 ? undefined : ids.join(' ');
}

function Extras({ name, hint, error }: { name: string; hint?: ComponentChildren; error?: string | undefined }) {
  return (
    <>
      {hint === undefined ? null : (
        <p class="hint" id={`${fieldId(name)}-hint`}>
          {hint}
        </p>
      )}
      {error === undefined ? null : (
        <p class="field-error" id={`${fieldId(name)}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

export function TextField(
  props: Common & {
    value: string;
    onInput: (value: string) => void;
    type?: 'text' | 'password' | 'url';
    multiline?: boolean;
    autoComplete?: string;
    spellcheck?: boolean;
  },
) {
  const { name, label, hint, error, required, value, onInput } = props;
  const id = fieldId(name);
  const shared = {
    id,
    name,
    value,
    required,
    'aria-invalid': error !== undefined,
    'aria-describedby': describedBy(name, hint, error),
    onInput: (event: Event) => onInput((event.currentTarget as HTMLInputElement | HTMLTextAreaElement).value),
    spellcheck: props.spellcheck ?? false,
  };
  return (
    <div class={`field${error === undefined ? '' : ' invalid'}`}>
      <label for={id}>
        {label}
        {required === true ? null : <span class="optional"> (optional)</span>}
      </label>
      {props.multiline === true ? <textarea {...shared} rows={6} /> : <Input {...shared} type={props.type ?? 'text'} autoComplete={props.autoComplete ?? 'off'} />}
      <Extras name={name} hint={hint} error={error} />
    </div>
  );
}

type InputProps = Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'type' | 'role'> & { type: 'text' | 'password' | 'url' };

/** An input of one of the three text types (Preact types each input type's allowed ARIA roles apart). */
export function Input({ type, ...rest }: InputProps) {
  if (type === 'password') return <input {...rest} type="password" />;
  if (type === 'url') return <input {...rest} type="url" />;
  return <input {...rest} type="text" />;
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField(props: Common & { value: string; onChange: (value: string) => void; options: Option[] }) {
  const { name, label, hint, error, required, value, onChange, options } = props;
  const id = fieldId(name);
  return (
    <div class={`field${error === undefined ? '' : ' invalid'}`}>
      <label for={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        required={required}
        aria-invalid={error !== undefined}
        aria-describedby={describedBy(name, hint, error)}
        onChange={(event) => onChange((event.currentTarget as HTMLSelectElement).value)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <Extras name={name} hint={hint} error={error} />
    </div>
  );
}

export function CheckboxField(props: Omit<Common, 'required'> & { checked: boolean; onChange: (checked: boolean) => void }) {
  const { name, label, hint, error, checked, onChange } = props;
  const id = fieldId(name);
  return (
    <div class={`field checkbox${error === undefined ? '' : ' invalid'}`}>
      <input
        id={id}
        name={name}
        type="checkbox"
        checked={checked}
        aria-invalid={error !== undefined}
        aria-describedby={describedBy(name, hint, error)}
        onChange={(event) => onChange((event.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>{label}</label>
      <Extras name={name} hint={hint} error={error} />
    </div>
  );
}

/** Radio buttons in a fieldset whose legend names the group. */
export function RadioGroup(props: Common & { value: string; onChange: (value: string) => void; options: Array<Option & { hint?: string }> }) {
  const { name, label, hint, error, value, onChange, options } = props;
  return (
    <fieldset
      class={`field radios${error === undefined ? '' : ' invalid'}`}
      id={fieldId(name)}
      aria-invalid={error !== undefined}
      aria-describedby={describedBy(name, hint, error)}
      tabIndex={-1}
    >
      <legend>{label}</legend>
      {options.map((option) => {
        const id = `${fieldId(name)}-${option.value}`;
        return (
          <div class="radio" key={option.value}>
            <input
              id={id}
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
              aria-describedby={option.hint === undefined ? undefined : `${id}-hint`}
            />
            <label for={id}>{option.label}</label>
            {option.hint === undefined ? null : (
              <p class="hint" id={`${id}-hint`}>
                {option.hint}
              </p>
            )}
          </div>
        );
      })}
      <Extras name={name} hint={hint} error={error} />
    </fieldset>
  );
}
