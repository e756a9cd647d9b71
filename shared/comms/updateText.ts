/** The parts of a comms update that make its text (the CommsRecord's fields). */
export interface UpdateTextFields {
  title: string;
  summary: string;
  currentStatus: string[];
  nextSteps: string[];
  nextUpdate: string;
}

/**
 * The update as plain text in the handbook's order (title, 1–2 sentence summary, Current
 * status, Next steps, when the next update comes): what the page previews, what a
 * responder pastes, and exactly what hotdoc publishes (the title is the Statuspage
 * incident's name and the email's subject, so a publication's body leaves it out).
 */
export function updateText(update: UpdateTextFields): string {
  const parts: string[] = [];
  if (update.title) parts.push(update.title);
  if (update.summary) parts.push(update.summary);
  if (update.currentStatus.length)
    parts.push(["Current status", ...update.currentStatus.map((b) => `- ${b}`)].join("\n"));
  if (update.nextSteps.length)
    parts.push(["Next steps", ...update.nextSteps.map((b) => `- ${b}`)].join("\n"));
  if (update.nextUpdate) parts.push(`Next update: ${update.nextUpdate}`);
  return parts.join("\n\n");
}

/** The body of a published update: its text without the title, which goes in the name or subject. */
export function publishedBody(update: UpdateTextFields): string {
  return updateText({ ...update, title: "" });
}
