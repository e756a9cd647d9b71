import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerAuthenticationResponse } from "smtp-server";

/**
 * A mail server on 127.0.0.1 for tests: smtp-server (nodemailer's own server library)
 * taking every message, with the recipe of smtp-server's README and nodemailer's
 * transport tests (nodemailer/nodemailer test/smtp-transport/smtp-tranport-test.js;
 * nodemailer/smtp-server lib/smtp-server.js, lib/smtp-connection.js; see
 * test/fixtures/paging/smtp.json): `authOptional`, STARTTLS disabled so the plain
 * connection is kept, `onData` collecting the raw message and `session.envelope`.
 * Messages are parsed here without mailparser: headers unfolded, the text/plain and
 * text/html parts found (through multipart/alternative) and decoded from
 * quoted-printable or base64.
 */

interface SinkMessage {
  envelope: { from: string | false; to: string[] };
  raw: string;
  /** Header name (lower case) → values, unfolded, in order. */
  headers: Map<string, string[]>;
  header(name: string): string | undefined;
  text?: string;
  html?: string;
}

export interface SmtpSink {
  /** smtp://127.0.0.1:PORT?ignoreTLS=true (nodemailer parses the query into options). */
  url: string;
  port: number;
  messages: SinkMessage[];
  /** Rejects the next `n` messages at end of DATA with SMTP reply `code`. */
  failNext(n: number, code: number): void;
  close(): Promise<void>;
}

export async function startSmtpSink(
  options: { users?: Record<string, string> } = {},
): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const failures: number[] = [];
  const server = new SMTPServer({
    authOptional: !options.users,
    // AUTH over the plain test connection (smtp-server refuses it without TLS otherwise).
    allowInsecureAuth: true,
    disabledCommands: options.users ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    logger: false,
    onAuth(auth, _session, callback) {
      const ok = options.users?.[auth.username ?? ""] === auth.password;
      // An error without responseCode is answered "535 Error: …" by smtp-server.
      if (!ok) return callback(new Error("Invalid username or password"));
      callback(null, { user: auth.username } as SMTPServerAuthenticationResponse);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const code = failures.shift();
        if (code !== undefined) {
          const error = new Error(`refused by the test (${code})`) as Error & {
            responseCode: number;
          };
          error.responseCode = code;
          return callback(error);
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        const envelope = session.envelope;
        messages.push(
          parseMessage(raw, {
            from: envelope.mailFrom ? envelope.mailFrom.address : false,
            to: envelope.rcptTo.map((r) => r.address),
          }),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    port,
    messages,
    failNext(n, code) {
      for (let i = 0; i < n; i++) failures.push(code);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Part {
  headers: Map<string, string[]>;
  body: string;
}

function splitPart(raw: string): Part {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? "" : raw.slice(at).replace(/^\r?\n\r?\n/, "");
  const headers = new Map<string, string[]>();
  // Unfold: a line starting with space or tab continues the previous one (RFC 5322 §2.2.3).
  for (const line of head.replace(/\r?\n(?=[ \t])/g, "").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return { headers, body };
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get("content-transfer-encoding")?.[0] ?? "7bit").toLowerCase();
  const type = part.headers.get("content-type")?.[0] ?? "";
  const charset = (/charset="?([^";]+)"?/i.exec(type)?.[1] ?? "utf-8").toLowerCase();
  let bytes: Buffer;
  if (encoding === "base64") bytes = Buffer.from(part.body.replace(/\s+/g, ""), "base64");
  else if (encoding === "quoted-printable") bytes = decodeQuotedPrintable(part.body);
  else bytes = Buffer.from(part.body, "utf8");
  // SMTP carries CRLF line ends; the decoded text is given back with LF, as it was written.
  return bytes
    .toString(charset === "utf-8" || charset === "utf8" ? "utf8" : "latin1")
    .replace(/\r\n/g, "\n");
}

/** RFC 2045 §6.7: `=` + CRLF is a soft line break, `=XX` a byte. */
function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/[ \t]+(?=\r?\n)/g, "").replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const char = joined[i];
    if (char === "=" && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, "utf8"));
    }
  }
  return Buffer.from(bytes);
}

/** The leaf parts of a message, through multipart/* bodies. */
function leaves(part: Part): Part[] {
  const type = part.headers.get("content-type")?.[0] ?? "text/plain";
  if (!/^multipart\//i.test(type)) return [part];
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!boundary) return [];
  const pieces = part.body.split(`--${boundary}`);
  // pieces[0] is the preamble; the piece starting with "--" is the epilogue.
  return pieces
    .slice(1)
    .filter((piece) => !piece.startsWith("--"))
    .flatMap((piece) => leaves(splitPart(piece.replace(/^\r?\n/, "").replace(/\r?\n$/, ""))));
}

function parseMessage(raw: string, envelope: SinkMessage["envelope"]): SinkMessage {
  const top = splitPart(raw);
  const message: SinkMessage = {
    envelope,
    raw,
    headers: top.headers,
    header: (name) => top.headers.get(name.toLowerCase())?.[0],
  };
  for (const leaf of leaves(top)) {
    const type = (leaf.headers.get("content-type")?.[0] ?? "text/plain").toLowerCase();
    if (type.startsWith("text/plain") && message.text === undefined)
      message.text = decodeBody(leaf);
    if (type.startsWith("text/html") && message.html === undefined) message.html = decodeBody(leaf);
  }
  return message;
}
