/** A project's completion as a bar with its numbers, used wherever projects are listed. */
export function ProjectProgress({
  completed,
  units,
  noun,
}: {
  completed: number;
  units: number;
  noun: string;
}) {
  const share = units === 0 ? 0 : completed / units;
  return (
    <div>
      <div
        className="progress"
        role="progressbar"
        aria-label={`${noun} complete`}
        aria-valuemin={0}
        aria-valuemax={units}
        aria-valuenow={completed}
      >
        <span style={{ width: `${Math.round(share * 100)}%` }} />
      </div>
      <div className="small muted" style={{ marginTop: '0.3rem' }}>
        {completed.toLocaleString('en')} of {units.toLocaleString('en')} {noun} complete (
        {Math.round(share * 100)}%)
      </div>
    </div>
  );
}

/** A job's progress bar: `value` of `max` done, named for screen readers. */
export function JobProgressBar({ label, value, max = 100 }: { label: string; value: number; max?: number }) {
  const share = max > 0 ? Math.min(1, value / max) : 0;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
    >
      <span style={{ width: `${Math.round(share * 100)}%` }} />
    </div>
  );
}
