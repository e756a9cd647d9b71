/**
 * What a Slack message says, as plain text: Slack's markup (entities, links, mentions,
 * channels, dates) read the way a person sees it, and a message without `text` read
 * from its blocks, attachments or files. Formats from Slack's "Formatting text" docs.
 */
const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };

/** Slack escapes exactly these three; one pass, so `&amp;lt;` stays the literal `&lt;` it was typed as. */
function unescapeEntities(text: string): string {
  return text.replace(/&(?:amp|lt|gt);/g, (entity) => ENTITIES[entity] ?? entity);
}

/** `http://www.foo.com` and its typed form `www.foo.com` are the same link, not a label. */
function sameLink(url: string, label: string): boolean {
  const bare = (value: string) =>
    value.replace(/^[a-z][a-z0-9+.-]*:(\/\/)?/i, "").replace(/\/$/, "");
  return bare(url) === bare(label);
}

/** One `<…>` control sequence of Slack's markup, as a reader would see it. */
function readableSequence(body: string): string {
  const pipe = body.indexOf("|");
  const target = pipe === -1 ? body : body.slice(0, pipe);
  const label = pipe === -1 ? undefined : unescapeEntities(body.slice(pipe + 1));
  if (target.startsWith("#C") || target.startsWith("#G")) return `#${label ?? target.slice(1)}`;
  if (target.startsWith("@U") || target.startsWith("@W") || target.startsWith("@B"))
    return `@${label?.replace(/^@/, "") ?? target.slice(1)}`;
  if (target.startsWith("!subteam^"))
    return `@${label?.replace(/^@/, "") ?? target.slice("!subteam^".length)}`;
  if (["!here", "!channel", "!everyone", "!group"].includes(target)) return `@${target.slice(1)}`;
  if (target.startsWith("!date^")) return label ?? target;
  // Commands Slack may add later: shown with their brackets, as its docs ask.
  if (target.startsWith("!")) return `<${label ?? target.slice(1)}>`;
  const url = unescapeEntities(target);
  return label === undefined || sameLink(url, label) ? url : `${label} (${url})`;
}

/**
 * Slack's message markup as plain text: `<https://x|label>` → `label (https://x)`,
 * `<#C024BE7LR|general>` → `#general`, `<@U024BE7LH|bob>` → `@bob` (`@U024BE7LH`
 * without a name), `<!here>` → `@here`, `<!subteam^ID|@team>` → `@team`, and
 * `&amp;`/`&lt;`/`&gt;` back to the characters typed
 * (slackhq/slack-api-docs page_formatting.md, "How to display formatted messages").
 */
function slackMarkupToText(text: string): string {
  let out = "";
  let last = 0;
  for (const match of text.matchAll(/<([^<>]*)>/g)) {
    out += unescapeEntities(text.slice(last, match.index)) + readableSequence(match[1] ?? "");
    last = match.index + match[0].length;
  }
  return (out + unescapeEntities(text.slice(last))).trim();
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" && value.trim() ? value : undefined;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null)
    : [];
}

/** The words of a rich_text element tree (rich_text_section, _list, _quote, _preformatted). */
function richText(elements: unknown): string {
  return records(elements)
    .map((element) => {
      if (element.elements) return richText(element.elements);
      switch (element.type) {
        case "text":
          return stringField(element, "text") ?? "";
        case "link":
          return stringField(element, "text") ?? stringField(element, "url") ?? "";
        case "user":
          return `@${stringField(element, "user_id") ?? ""}`;
        case "channel":
          return `#${stringField(element, "channel_id") ?? ""}`;
        case "usergroup":
          return `@${stringField(element, "usergroup_id") ?? ""}`;
        case "broadcast":
          return `@${stringField(element, "range") ?? ""}`;
        case "emoji":
          return `:${stringField(element, "name") ?? ""}:`;
        default:
          return "";
      }
    })
    .join("");
}

/** Readable text of Block Kit blocks: section and header text, section fields, context, rich text. */
function blocksText(blocks: unknown): string {
  const textOf = (value: unknown) =>
    typeof value === "object" && value !== null
      ? slackMarkupToText(stringField(value as Record<string, unknown>, "text") ?? "")
      : "";
  return records(blocks)
    .flatMap((block) => {
      if (block.type === "rich_text") return [richText(block.elements).trim()];
      if (block.type === "context") return records(block.elements).map(textOf);
      return [textOf(block.text), ...records(block.fields).map(textOf)];
    })
    .filter(Boolean)
    .join("\n");
}

/** A legacy attachment's pretext, title and text, or its plain-text fallback when it has none of those. */
function attachmentsText(attachments: unknown): string {
  return records(attachments)
    .map((attachment) => {
      const parts = ["pretext", "title", "text"]
        .map((key) => stringField(attachment, key))
        .filter((part): part is string => part !== undefined)
        .map(slackMarkupToText);
      const fallback = stringField(attachment, "fallback");
      return parts.length > 0 ? parts.join("\n") : fallback ? slackMarkupToText(fallback) : "";
    })
    .filter(Boolean)
    .join("\n");
}

/**
 * What a message says, for the timeline: its text, else its blocks, else its
 * attachments, else the names of the files it shares; empty when it has none.
 */
export function readableContent(message: {
  text: string;
  attachments?: unknown;
  blocks?: unknown;
  files?: unknown;
}): string {
  const text = slackMarkupToText(message.text);
  if (text) return text;
  const fromBlocks = blocksText(message.blocks);
  if (fromBlocks) return fromBlocks;
  const fromAttachments = attachmentsText(message.attachments);
  if (fromAttachments) return fromAttachments;
  const files = records(message.files)
    .map((file) => stringField(file, "title") ?? stringField(file, "name"))
    .filter(Boolean);
  return files.length > 0
    ? `Shared ${files.length === 1 ? "a file" : "files"}: ${files.join(", ")}`
    : "";
}
