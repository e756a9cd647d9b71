import { describe, expect, it } from "vitest";
import { PLATFORMS } from "../../server/bridge/platforms/registry.ts";

/**
 * What people wrote reaches other rooms in announcements; it must read as written and
 * never turn into a mention of everyone, a link or formatting there.
 */
describe("text people wrote, in another platform's room", () => {
  const said =
    "[hotdoc] HOT-3: Change (applied): restart <!channel> @channel @all [x](https://e.example) **now**";

  it("Slack's incoming webhook gets Slack's three escapes, so <!channel> is text", () => {
    expect(PLATFORMS.slack.webhookBody?.(said)).toEqual({
      text: "[hotdoc] HOT-3: Change (applied): restart &lt;!channel&gt; @channel @all [x](https://e.example) **now**",
    });
  });

  it("Mattermost gets its Markdown escaped and @channel/@all silenced, the mark kept as it is", () => {
    const body = PLATFORMS.mattermost.webhookBody?.(said) as { text: string };
    expect(body.text.startsWith("[hotdoc] HOT-3")).toBe(true);
    expect(body.text).toContain("@\u200bchannel @\u200ball");
    expect(body.text).toContain("\\[x\\]\\(https://e.example\\)");
    expect(body.text).toContain("\\*\\*now\\*\\*");
    // Rendered (a backslash escape shows the character alone), it reads as written.
    expect(body.text.replace(/\\(.)/g, "$1").replace(/\u200b/g, "")).toBe(said);
  });
});
