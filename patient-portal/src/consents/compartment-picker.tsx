import { useId } from 'react';
import type { Compartment } from '../../../gateway/src/crypto/index.js';
import { COMPARTMENT_HINTS, COMPARTMENT_LABELS, COMPARTMENT_ORDER } from '../compartment-labels.js';

/**
 * Which kinds of records a consent shares: one checkbox per compartment, named in plain words with what it holds.
 * `testIdPrefix` keeps two pickers on one page apart (`compartment-labs`, `emergency-compartment-labs`).
 */
export function CompartmentPicker({
  legend,
  value,
  disabled,
  testIdPrefix,
  onChange,
}: {
  legend: string;
  value: readonly Compartment[];
  disabled: boolean;
  testIdPrefix: string;
  onChange: (value: Compartment[]) => void;
}) {
  const id = useId();
  const toggle = (name: Compartment, on: boolean) => onChange(COMPARTMENT_ORDER.filter((c) => (c === name ? on : value.includes(c))));
  return (
    <fieldset className="picker" disabled={disabled}>
      <legend className="consent-form__label">{legend}</legend>
      {COMPARTMENT_ORDER.map((name) => (
        <div key={name} className="picker__option">
          <input id={`${id}-${name}`} type="checkbox" checked={value.includes(name)} onChange={(event) => toggle(name, event.target.checked)} aria-describedby={`${id}-${name}-hint`} data-testid={`${testIdPrefix}-${name}`} />
          <label htmlFor={`${id}-${name}`}>
            <span className="picker__label">{COMPARTMENT_LABELS[name]}</span>{' '}
            <span id={`${id}-${name}-hint`} className="picker__hint">
              {COMPARTMENT_HINTS[name]}
            </span>
          </label>
        </div>
      ))}
    </fieldset>
  );
}
