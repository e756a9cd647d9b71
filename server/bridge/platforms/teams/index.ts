import type { PlatformModule } from "../PlatformModule.ts";
import { teamsWorkflowBody } from "./adaptiveCard.ts";
import { TeamsAdapter } from "./TeamsAdapter.ts";

export const teams: PlatformModule<"teams"> = {
  platform: "teams",
  route: { method: "post", path: "/hooks/teams" },
  adapter: (settings) => new TeamsAdapter(settings.secret),
  // A Teams Workflows webhook posts Adaptive Cards only: see adaptiveCard.ts.
  webhookBody: teamsWorkflowBody,
};
