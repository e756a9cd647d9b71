import type { PlatformModule } from "../PlatformModule.ts";
import { GenericAdapter } from "./GenericAdapter.ts";

export const webhook: PlatformModule<"webhook"> = {
  platform: "webhook",
  route: { method: "post", path: "/hooks/generic" },
  adapter: (settings) => new GenericAdapter(settings.secret),
  webhookBody: (text) => ({ text }),
};
