import http from "node:http";
import type { AddressInfo } from "node:net";
import { withTimeout } from "./clients.ts";

/**
 * A room's incoming webhook on loopback, standing in for the one hotdoc announces to: it
 * records the `text` of each JSON post and when it came.
 */
export function fakeRoomWebhook() {
  const posts: { text: string; at: number }[] = [];
  const waiters: (() => void)[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      posts.push({ text: JSON.parse(body).text, at: Date.now() });
      response.end("ok");
      for (const wake of waiters) wake();
    });
  });
  return {
    posts,
    /** The posts' texts so far. */
    texts: () => posts.map((p) => p.text),
    /** Starts listening; resolves to the webhook's URL. */
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    /** Resolves once `predicate` holds after some post (or already), within 10 s. */
    until: (predicate: () => boolean, what = "webhook posts") =>
      withTimeout(
        new Promise<void>((resolve) => {
          const check = () => predicate() && resolve();
          waiters.push(check);
          check();
        }),
        10_000,
        what,
      ),
  };
}
