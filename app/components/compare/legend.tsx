/** The keyboard legend (opened with "?"). */
export const SHORTCUTS: [string, string][] = [
  ['1 … 7', 'Helpfulness: left much better … tie (4) … right much better'],
  ['Q … U', 'Safety: left much better … tie (R) … right much better'],
  [
    '[  /  ]',
    'Go to the flags of the left / right response (Space toggles, Tab moves, arrows change severity)',
  ],
  ['B', 'Both responses unacceptable'],
  ['N', 'Write a rationale (Ctrl+Enter submits from there)'],
  ['Enter', 'Submit and go to the next pair'],
  ['S', 'Skip this pair (choose a reason)'],
  ['G', 'Show or hide the guidelines'],
  ['?', 'Show or hide this legend'],
  ['Esc', 'Close panels, leave a text box'],
];

export function KeyboardLegend({ onClose }: { onClose: () => void }) {
  return (
    <div className="card legend" role="dialog" aria-label="Keyboard shortcuts">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2>Keyboard shortcuts</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <table className="data">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
