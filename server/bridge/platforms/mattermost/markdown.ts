import { ANNOUNCEMENT_MARK } from "#shared/chat/chatEvent.ts";

/**
 * Text people wrote, made inert for Mattermost, which renders posts and channel headers
 * as Markdown and notifies whole channels on `@channel`, `@all` and `@here`: Markdown's
 * punctuation is backslash-escaped (CommonMark escapes render as the character alone), so
 * `[x](url)` cannot become a link nor `**` bold, and a channel-wide mention gets a zero-width
 * space after its `@`, so it reads the same and notifies nobody. hotdoc's own mark at the
 * start stays as it is, so the bridge still knows its own posts when they come back.
 */
export function escapeMattermostText(text: string): string {
  const marked = text.startsWith(ANNOUNCEMENT_MARK);
  const rest = marked ? text.slice(ANNOUNCEMENT_MARK.length) : text;
  const escaped = rest
    .replace(/[\\`*_~[\]()<>#|!]/g, "\\$&")
    .replace(/@(channel|all|here)\b/gi, "@\u200b$1");
  return marked ? `${ANNOUNCEMENT_MARK}${escaped}` : escaped;
}
