/**
 * What a Slack message says, as plain text: Slack's markup (entities, links, mentions,
 * channels, dates) read the way a person sees it, and a message without `text` read
 * from its blocks, attachments or files. Formats from Slack's "Formatting text" docs.
 */
const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };

/** A person mentioned by user id (`<@U0G9QF9C6>`), with the text that stands for them in the readable text. */
export interface UserMention {
  /** Slack user id (U… or, on Enterprise Grid, W…). */
  id: string;
  /** What stands for the person in the text: `@U0G9QF9C6`, or `@bob` when Slack sent a label. */
  text: string;
}

/** What a message says, as plain text, and the people it mentions by user id. */
export interface Readable {
  text: string;
  userMentions: UserMention[];
}

/** Bounds of ChatEvent's `userMentions` (shared/chat/chatEvent.ts): at most 100, each text 2–320 characters. */
const MAX_MENTIONS = 100;
const MAX_MENTION_TEXT = 320;

/** Collects the user ids a text mentions, each id and text once. */
class Mentions {
  readonly list: UserMention[] = [];

  add(id: string, text: string): void {
    if (
      !/^[UW][A-Z0-9]+$/.test(id) ||
      text.length < 2 ||
      text.length > MAX_MENTION_TEXT ||
      this.list.length >= MAX_MENTIONS ||
      this.list.some((m) => m.id === id && m.text === text)
    )
      return;
    this.list.push({ id, text });
  }
}

/** Slack escapes exactly these three; one pass, so `&amp;lt;` stays the literal `&lt;` it was typed as. */
function unescapeEntities(text: string): string {
  return text.replace(/&(?:amp|lt|gt);/g, (entity) => ENTITIES[entity] ?? entity);
}

/**
 * Text hotdoc sends to Slack, escaped the way Slack asks: `&`, `<` and `>` become
 * `&amp;`, `&lt;` and `&gt;`, so that what was typed is shown, never read as a link,
 * a mention or `<!channel>` (slackhq/slack-api-docs page_formatting.md, "URLs and
 * Escaping": "Before sending messages to the server, clients should make the following
 * transforms").
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `http://www.foo.com` and its typed form `www.foo.com` are the same link, not a label. */
function sameLink(url: string, label: string): boolean {
  const bare = (value: string) =>
    value.replace(/^[a-z][a-z0-9+.-]*:(\/\/)?/i, "").replace(/\/$/, "");
  return bare(url) === bare(label);
}

/**
 * One `<…>` control sequence of Slack's markup, as a reader would see it. A person
 * mentioned by id (`<@U…>`, `<@W…>`) is also noted in `mentions`, with what stands
 * for them in the text, so their name can replace it once the Web API tells it.
 */
function readableSequence(body: string, mentions: Mentions): string {
  const pipe = body.indexOf("|");
  const target = pipe === -1 ? body : body.slice(0, pipe);
  // An empty label (`<@U1|>`) names nothing: the id stands instead.
  const label = pipe === -1 ? undefined : unescapeEntities(body.slice(pipe + 1)) || undefined;
  if (target.startsWith("#C") || target.startsWith("#G")) return `#${label ?? target.slice(1)}`;
  if (target.startsWith("@U") || target.startsWith("@W") || target.startsWith("@B")) {
    const shown = `@${label?.replace(/^@/, "") || target.slice(1)}`;
    // Bot ids (B…) are not people users.info can name.
    if (!target.startsWith("@B")) mentions.add(target.slice(1), shown);
    return shown;
  }
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
function slackMarkupToText(text: string, mentions: Mentions): string {
  let out = "";
  let last = 0;
  for (const match of text.matchAll(/<([^<>]*)>/g)) {
    out +=
      unescapeEntities(text.slice(last, match.index)) + readableSequence(match[1] ?? "", mentions);
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
function richText(elements: unknown, mentions: Mentions): string {
  return records(elements)
    .map((element) => {
      if (element.elements) return richText(element.elements, mentions);
      switch (element.type) {
        case "text":
          return stringField(element, "text") ?? "";
        case "link":
          return stringField(element, "text") ?? stringField(element, "url") ?? "";
        case "user": {
          const id = stringField(element, "user_id") ?? "";
          mentions.add(id, `@${id}`);
          return `@${id}`;
        }
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
function blocksText(blocks: unknown, mentions: Mentions): string {
  const textOf = (value: unknown) =>
    typeof value === "object" && value !== null
      ? slackMarkupToText(stringField(value as Record<string, unknown>, "text") ?? "", mentions)
      : "";
  return records(blocks)
    .flatMap((block) => {
      if (block.type === "rich_text") return [richText(block.elements, mentions).trim()];
      if (block.type === "context") return records(block.elements).map(textOf);
      return [textOf(block.text), ...records(block.fields).map(textOf)];
    })
    .filter(Boolean)
    .join("\n");
}

/** A legacy attachment's pretext, title and text, or its plain-text fallback when it has none of those. */
function attachmentsText(attachments: unknown, mentions: Mentions): string {
  return records(attachments)
    .map((attachment) => {
      const parts = ["pretext", "title", "text"]
        .map((key) => stringField(attachment, key))
        .filter((part): part is string => part !== undefined)
        .map((part) => slackMarkupToText(part, mentions));
      const fallback = stringField(attachment, "fallback");
      return parts.length > 0
        ? parts.join("\n")
        : fallback
          ? slackMarkupToText(fallback, mentions)
          : "";
    })
    .filter(Boolean)
    .join("\n");
}

/**
 * What a message says, for the timeline: its text, else its blocks, else its
 * attachments, else the names of the files it shares; empty when it has none. The
 * people it mentions by id are those of the part read (`<@U…>` in the text, `user`
 * elements of rich text), each with the text that stands for them.
 */
export function readableContent(message: {
  text: string;
  attachments?: unknown;
  blocks?: unknown;
  files?: unknown;
}): Readable {
  const sources = [
    (mentions: Mentions) => slackMarkupToText(message.text, mentions),
    (mentions: Mentions) => blocksText(message.blocks, mentions),
    (mentions: Mentions) => attachmentsText(message.attachments, mentions),
  ];
  for (const source of sources) {
    // Fresh for each part, so only the part that is read reports its mentions.
    const mentions = new Mentions();
    const text = source(mentions);
    if (text) return { text, userMentions: mentions.list };
  }
  const files = records(message.files)
    .map((file) => stringField(file, "title") ?? stringField(file, "name"))
    .filter(Boolean);
  return {
    text:
      files.length > 0
        ? `Shared ${files.length === 1 ? "a file" : "files"}: ${files.join(", ")}`
        : "",
    userMentions: [],
  };
}
