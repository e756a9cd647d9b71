/**
 * The chat platforms hotdoc bridges, in one list: the timeline's sources, the server's
 * platform modules (`server/bridge/platforms/registry.ts`, which must name each) and the
 * page's source icons are all derived from it.
 */
export const CHAT_PLATFORM_INFO = {
  slack: { label: "Slack", glyph: "#" },
  mattermost: { label: "Mattermost", glyph: "M" },
  matrix: { label: "Matrix", glyph: "[m]" },
  teams: { label: "Microsoft Teams", glyph: "T" },
  webhook: { label: "Webhook", glyph: "⚡" },
} as const;

type ChatPlatformName = keyof typeof CHAT_PLATFORM_INFO;

/** The platforms' names, as a tuple zod can make an enum of. */
export const CHAT_SOURCES = Object.keys(CHAT_PLATFORM_INFO) as [
  ChatPlatformName,
  ...ChatPlatformName[],
];
