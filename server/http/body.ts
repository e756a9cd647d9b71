import type { Context } from "hono";
import type { z } from "zod";
import { HotdocError } from "../errors.ts";

/** Largest JSON body the REST API reads. */
const MAX_JSON_BYTES = 1024 * 1024;

/** Reads a JSON body and parses it with `schema`; a bad body is a typed 400 and nothing is written. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const raw = (await readLimited(c.req.raw.body, MAX_JSON_BYTES)).toString("utf8");
  let value: unknown;
  try {
    value = raw.length === 0 ? {} : JSON.parse(raw);
  } catch {
    throw new HotdocError("invalid_json", "the body is not valid JSON");
  }
  return schema.parse(value);
}

/**
 * Reads a request body, refusing it (`payload_too_large`) once it passes `limit`
 * bytes, whether or not it declared a length. A refused body is still read, up to
 * eight times the limit, so the sender gets the 413 rather than a reset connection.
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size <= limit) chunks.push(value);
    if (size > 8 * limit) {
      await reader.cancel();
      break;
    }
  }
  if (size > limit) throw new HotdocError("payload_too_large", `the body is over ${limit} bytes`);
  return Buffer.concat(chunks);
}
