/**
 * A row of toggle buttons of which one is on (view or layout switches). Each is a plain button
 * with aria-pressed, so it is announced as a toggle and works with the keyboard as any button.
 */
export function Segmented<V extends string>(props: {
  /** The group's accessible name ("View", "Diff layout"). */
  label: string;
  options: readonly { value: V; label: string }[];
  value: V;
  onChange: (value: V) => void;
  /** Extra class on the group (the details page's smaller variant). */
  className?: string;
  buttonClass?: string;
}) {
  return (
    <div
      className={props.className ? `segmented ${props.className}` : 'segmented'}
      role="group"
      aria-label={props.label}
    >
      {props.options.map((o) => (
        <button
          key={o.value}
          className={props.buttonClass}
          type="button"
          aria-pressed={props.value === o.value}
          onClick={() => props.onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
