/**
 * What the annotation screens (/compare, /label) share: the bar with the project, counters and
 * panel buttons; the panels it opens (guidelines, keys); and the submit and skip buttons. Each
 * screen keeps its own form and keys.
 */
import { Link } from '@remix-run/react';
import type { ReactNode } from 'react';
import { KeyboardLegend } from './keyboard-legend';
import { Markdown } from './markdown';

export type Panel = 'none' | 'legend' | 'guidelines' | 'skip';

export function AnnotationBar({
  title,
  badges,
  counters,
  reserved,
  unit,
  historyTo,
  panel,
  setPanel,
}: {
  title: string;
  badges?: ReactNode;
  /** "Today 3", a streak, …: shown small, before the buttons */
  counters: ReactNode;
  /** the lease countdown, "m:ss" */
  reserved: string | null;
  /** "pair" or "item" */
  unit: string;
  historyTo: string;
  panel: Panel;
  setPanel: (panel: Panel) => void;
}) {
  const toggle = (which: Panel) => setPanel(panel === which ? 'none' : which);
  return (
    <div className="compare-bar">
      <div className="row">
        <strong>{title}</strong>
        {badges}
      </div>
      <div className="row small muted">
        {counters}
        <span title={`The ${unit} stays reserved for you this long`}>Reserved {reserved ?? '…'}</span>
        <button type="button" onClick={() => toggle('guidelines')}>
          Guidelines <kbd aria-hidden="true">G</kbd>
        </button>
        <button type="button" onClick={() => toggle('legend')}>
          Keys <kbd aria-hidden="true">?</kbd>
        </button>
        <Link to={historyTo} className="button">
          History
        </Link>
      </div>
    </div>
  );
}

/** The legend or the guidelines, whichever panel is open. */
export function AnnotationPanels({
  panel,
  setPanel,
  shortcuts,
  guidelines,
}: {
  panel: Panel;
  setPanel: (panel: Panel) => void;
  shortcuts: [string, string][];
  guidelines: string;
}) {
  if (panel === 'legend') return <KeyboardLegend shortcuts={shortcuts} onClose={() => setPanel('none')} />;
  if (panel !== 'guidelines') return null;
  return (
    <section className="card" aria-label="Guidelines">
      {guidelines ? (
        <Markdown text={guidelines} />
      ) : (
        <p className="muted">This project has no guidelines yet.</p>
      )}
    </section>
  );
}

/** Submit and Skip, with their keys, and a note while the submission is saved. */
export function SubmitSkip({ busy, onSkip }: { busy: boolean; onSkip: () => void }) {
  return (
    <div className="row">
      <button type="submit" className="button-primary" disabled={busy}>
        Submit <kbd aria-hidden="true">Enter</kbd>
      </button>
      <button type="button" onClick={onSkip} disabled={busy}>
        Skip <kbd aria-hidden="true">S</kbd>
      </button>
      {busy ? <span className="muted small">Saving…</span> : null}
    </div>
  );
}

/** What an annotation screen shows when the queue has nothing for this person. */
export function EmptyQueue({
  title,
  children,
  done,
  historyTo,
  historyLabel,
}: {
  title: string;
  /** why there is nothing, and when there will be */
  children: ReactNode;
  /** "Judged today: 3 · in total: 40" */
  done: string;
  historyTo: string;
  historyLabel: string;
}) {
  return (
    <div className="page">
      <div className="card empty-state">
        <h1>{title}</h1>
        <p>{children}</p>
        <p className="muted small">{done}</p>
        <div className="row">
          <Link to="/" className="button button-primary">
            Back to your home page
          </Link>
          <Link to={historyTo} className="button">
            {historyLabel}
          </Link>
        </div>
      </div>
    </div>
  );
}
