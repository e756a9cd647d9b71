import type { ChangeEntry } from "../../../shared/doc/index.ts";
import { formatTime } from "../format.ts";

/** "What have we changed, and how do we undo it?" — changes still to revert are highlighted. */
export function ChangeLog({ changes, stillToRevert }: { changes: ChangeEntry[]; stillToRevert: string[] }) {
  const pending = new Set(stillToRevert);
  return (
    <section className="panel" aria-labelledby="changes-title" data-testid="change-log">
      <div className="panel-head">
        <h2 id="changes-title">Change log</h2>
        <span className={pending.size > 0 ? "badge to-revert" : "muted"} data-testid="still-to-revert-count">
          {pending.size} still to revert
        </span>
      </div>
      {changes.length === 0 ? (
        <p className="muted">No changes recorded.</p>
      ) : (
        <table className="grid changes">
          <thead>
            <tr>
              <th>Time</th>
              <th>Who</th>
              <th>What</th>
              <th>How</th>
              <th>Why</th>
              <th>Revert steps</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((change) => {
              const toRevert = pending.has(change.id);
              return (
                <tr
                  key={change.id}
                  className={toRevert ? "to-revert" : undefined}
                  data-testid="change-row"
                  data-id={change.id}
                  data-state={change.state}
                  data-still-to-revert={toRevert}
                >
                  <td className="mono">{formatTime(change.at)}</td>
                  <td>{change.author}</td>
                  <td>{change.what}</td>
                  <td className="pre">{change.how}</td>
                  <td>{change.why}</td>
                  <td className="pre">{change.revertSteps || <span className="muted">none given</span>}</td>
                  <td>
                    {change.state}
                    {toRevert && <span className="badge to-revert">still to revert</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
