import type { ChecklistItem } from "#shared/comms/drafts.ts";

/**
 * The handbook's completeness checklist, answered from the document. Unknowns
 * stay in the list and are flagged: the update must state them, not omit them.
 */
export function CommsChecklist({ items }: { items: ChecklistItem[] }) {
  const unknown = items.filter((item) => !item.known).length;
  return (
    <div className="comms-checklist">
      <div className="comms-preview-head">
        <span className="comms-label">Checklist</span>
        {unknown > 0 && (
          <span className="muted">{unknown} unknown: say so explicitly in the update</span>
        )}
      </div>
      <ul>
        {items.map((item) => (
          <li
            key={item.question}
            className={item.known ? "known" : "unknown"}
            data-testid="comms-checklist-item"
            data-known={item.known ? "true" : "false"}
          >
            <span className="question">{item.question}</span>
            <span className="answer">
              {!item.known && <span className="badge comms-unknown">unknown</span>} {item.answer}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
