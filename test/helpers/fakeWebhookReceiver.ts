import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyHotdocSignature,
} from "../../server/paging/hotdocSignature.ts";

/**
 * A team's endpoint for hotdoc's signed webhooks: verifies each request with
 * verifyHotdocSignature over the raw body (401 when it does not verify) and records the
 * deliveries it accepted, with 204.
 */
interface WebhookDelivery {
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  body: unknown;
}

export interface FakeWebhookReceiver {
  url: string;
  /** Verified deliveries, in order. */
  deliveries: WebhookDelivery[];
  /** Every request, verified or not, with the status answered. */
  requests: { status: number; verified: boolean; rawBody: string }[];
  failNext(n: number, answer: { status: number; body?: string }): void;
  close(): Promise<void>;
}

export async function startFakeWebhookReceiver(options: {
  secret: string;
}): Promise<FakeWebhookReceiver> {
  const deliveries: WebhookDelivery[] = [];
  const requests: FakeWebhookReceiver["requests"] = [];
  const failures: { status: number; body?: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const header = (name: string) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const verified = verifyHotdocSignature(
        options.secret,
        rawBody,
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
      );
      const failure = failures.shift();
      const status = failure?.status ?? (verified ? 204 : 401);
      requests.push({ status, verified, rawBody });
      if (!failure && verified) {
        let body: unknown;
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = rawBody;
        }
        deliveries.push({ path: req.url ?? "", headers: req.headers, rawBody, body });
      }
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(failure?.body ?? (verified ? "" : "signature does not verify"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/page`,
    deliveries,
    requests,
    failNext(n, failure) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
