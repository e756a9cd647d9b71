import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Listens on `host`:`port` (0 for any free port) and says where the server is: `localUrl`
 * is the bound address this process can reach, `url` the one to show people (localhost
 * for a wildcard host).
 */
export async function listen(
  server: Server,
  host: string,
  requestedPort: number,
): Promise<{ port: number; localUrl: string; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(requestedPort, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const port = address.port;
  const localHost =
    address.address === "::" || address.address === "0.0.0.0" ? "127.0.0.1" : address.address;
  const localUrl = `http://${bracketed(localHost)}:${port}`;
  const displayHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  const url = `http://${bracketed(displayHost)}:${port}`;
  return { port, localUrl, url };
}

/** An IPv6 address as a URL's host needs it. */
function bracketed(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
