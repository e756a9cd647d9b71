import type { PlatformModule } from "../PlatformModule.ts";
import { MatrixAdapter } from "./MatrixAdapter.ts";
import { MatrixApi } from "./MatrixApi.ts";

/** Matrix has no incoming webhooks: hotdoc talks in rooms only through the application service's API. */
export const matrix: PlatformModule<"matrix"> = {
  platform: "matrix",
  route: { method: "put", path: "/_matrix/app/v1/transactions/:txnId" },
  adapter: (settings) => new MatrixAdapter(settings.hsToken),
  api: (settings, deps) =>
    settings.asToken && settings.homeserverUrl ? new MatrixApi(settings, deps) : undefined,
  apiUrl: (settings) => settings.homeserverUrl,
};
