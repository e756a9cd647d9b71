/**
 * What a Teams Workflows webhook ("Post to a channel when a webhook request is
 * received", trigger "When a Teams webhook request is received") takes: a message
 * activity carrying one Adaptive Card. Workflows post Adaptive Cards only, not the old
 * connector MessageCard nor a bare `{text}`, and answer 202 Accepted.
 *
 * The shape and the card version are those of Microsoft's own example, "Send Adaptive
 * Cards using an Incoming Webhook" (MicrosoftDocs/msteams-docs,
 * msteams-platform/webhooks-and-connectors/how-to/connectors-using.md, and the
 * JavaScript sample of add-incoming-webhook.md;
 * https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using):
 * `type` must be "message", `attachments` holds the cards, `contentType` must be
 * "application/vnd.microsoft.card.adaptive", `contentUrl` is null, `content` is the card
 * (`$schema` http://adaptivecards.io/schemas/adaptive-card.json, `type` "AdaptiveCard",
 * `version` "1.2", `body` of TextBlocks). The same pages limit a message to 28 KB.
 */

/** The Adaptive Card version of Microsoft's webhook example. */
const ADAPTIVE_CARD_VERSION = "1.2";
const ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json";
const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

/** One line of the card. */
interface TextBlock {
  type: "TextBlock";
  text: string;
  wrap: true;
  weight?: "Bolder";
}

/** The body a Teams Workflows webhook takes: a message with one Adaptive Card attachment. */
export interface TeamsWorkflowMessage {
  type: "message";
  attachments: [
    {
      contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
      contentUrl: null;
      content: {
        $schema: typeof ADAPTIVE_CARD_SCHEMA;
        type: "AdaptiveCard";
        version: typeof ADAPTIVE_CARD_VERSION;
        body: TextBlock[];
      };
    },
  ];
}

/**
 * Room for the card's lines, in bytes of JSON: Teams refuses a message over 28 KB
 * ("The message size limit is 28 KB", add-incoming-webhook.md); the rest is left for
 * the envelope and the "more lines" note.
 */
const BODY_BUDGET_BYTES = 24 * 1024;

/** A letter or digit of any script: an `_` between two of them is inside a word. */
const WORD = /^[\p{L}\p{N}]$/u;

/**
 * Makes text typed by people show as typed in a TextBlock. TextBlocks render a Markdown
 * subset (cards-format.md: `**bold**`, `_italic_`, `- ` and `1. ` lists, `[title](url)`
 * links), and Teams' renderers take more of CommonMark than that. Two kinds of
 * renderer read the text: CommonMark ones, where a backslash before ASCII punctuation
 * is removed and makes it literal, and the Adaptive Cards shared parser
 * (microsoft/AdaptiveCards source/shared/cpp/ObjectModel/MarkDownBlockParser.cpp),
 * where a backslash stops emphasis but stays visible and a link needs `](` side by
 * side. So backslashes go only where markup could start, placed to defeat both:
 * - `\` itself, doubled, so a typed backslash cannot cancel an escape added here;
 * - `*` and `` ` `` and `~` everywhere (bold/italic, code, strikethrough);
 * - `_` except inside a word (`snake_case` is never emphasis in either parser);
 * - `](` becomes `]\(`, so `[label](url)` and `![alt](url)` are never a link or image;
 * - `<` before a letter, `/`, `!` or `?` (autolinks, HTML, `<at>` mentions);
 * - `&` starting an entity (`&amp;`, `&#91;`), so entities show as typed;
 * - `{{` becomes `{\{` (the `{{DATE(…)}}` / `{{TIME(…)}}` functions TextBlocks evaluate);
 * - at the start of the line: `-`, `+` and `#` before a space or a run of themselves
 *   (lists, rules, headings), `>` and `[` (quotes, link reference definitions), and
 *   the `.` or `)` after leading digits before a space (ordered lists).
 * Bare URLs are left alone: a renderer that links them shows the destination itself.
 */
export function escapeCardText(line: string): string {
  return line
    .replace(/\\/g, "\\\\")
    .replace(/[*`~]/g, "\\$&")
    .replace(/_/g, (underscore, offset: number, whole: string) =>
      WORD.test(whole[offset - 1] ?? "") && WORD.test(whole[offset + 1] ?? "") ? underscore : "\\_",
    )
    .replace(/\]\(/g, "]\\(")
    .replace(/<(?=[A-Za-z/!?])/g, "\\<")
    .replace(/&(?=#?\w+;)/g, "\\&")
    .replace(/\{(?=\{)/g, "{\\")
    .replace(/^(\d+)([.)])(?=\s|$)/, "$1\\$2")
    .replace(/^([-+#])(?=\s|$|\1)/, "\\$1")
    .replace(/^[>[]/, "\\$&");
}

/**
 * The Workflows webhook body for an announcement or reply: each non-empty line a
 * wrapping TextBlock, the first (the announcement mark and the incident) bold, every
 * line escaped as `escapeCardText` says. Lines past the 28 KB limit are dropped and
 * counted in a last line.
 */
export function teamsWorkflowBody(text: string): TeamsWorkflowMessage {
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const body: TextBlock[] = [];
  let used = 0;
  for (const [index, line] of lines.entries()) {
    const block: TextBlock = { type: "TextBlock", text: escapeCardText(line), wrap: true };
    if (index === 0) block.weight = "Bolder";
    const size = Buffer.byteLength(JSON.stringify(block)) + 1;
    if (used + size > BODY_BUDGET_BYTES) {
      if (body.length === 0) {
        // One line bigger than the whole budget: keep its start.
        block.text = `${escapeCardText(Array.from(line).slice(0, 2000).join(""))} …`;
        body.push(block);
      }
      const left = lines.length - body.length;
      if (left > 0)
        body.push({
          type: "TextBlock",
          text: `… ${left} more line${left === 1 ? "" : "s"} not shown`,
          wrap: true,
        });
      break;
    }
    used += size;
    body.push(block);
  }
  return {
    type: "message",
    attachments: [
      {
        contentType: ADAPTIVE_CARD_CONTENT_TYPE,
        contentUrl: null,
        content: {
          $schema: ADAPTIVE_CARD_SCHEMA,
          type: "AdaptiveCard",
          version: ADAPTIVE_CARD_VERSION,
          body,
        },
      },
    ],
  };
}
