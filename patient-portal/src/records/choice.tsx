/** One option of a {@link Choice}. */
export interface ChoiceOption<T extends string> {
  readonly value: T;
  readonly label: string;
  /** One line under the label: what this way means. */
  readonly hint: string;
  readonly testId: string;
}

/** Two or more ways to do one thing, as toggle buttons (aria-pressed): the chosen one is shown below it. */
export function Choice<T extends string>({ label, options, value, disabled, onChange }: { label: string; options: readonly ChoiceOption<T>[]; value: T | null; disabled: boolean; onChange: (value: T) => void }) {
  return (
    <div className="choice" role="group" aria-label={label}>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          className={`choice__option${option.value === value ? ' choice__option--chosen' : ''}`}
          aria-pressed={option.value === value}
          disabled={disabled}
          onClick={() => onChange(option.value)}
          data-testid={option.testId}
        >
          <span className="choice__label">{option.label}</span>
          <span className="choice__hint">{option.hint}</span>
        </button>
      ))}
    </div>
  );
}
