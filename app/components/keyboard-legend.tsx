/** The keyboard legend of an annotation screen (opened with "?"): one row per key and what it does. */
export function KeyboardLegend({
  shortcuts,
  onClose,
}: {
  shortcuts: [string, string][];
  onClose: () => void;
}) {
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
          {shortcuts.map(([keys, what]) => (
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
