import type { Context } from "hono";
import type { z } from "zod";
import { HotdocError } from "../errors.ts";

/** Largest JSON body the REST API reads. */
export const MAX_JSON_BYTES = 1024 * 1024;

/** Reads a JSON body and parses it with `schema`; a bad body is a typed 400 and nothing is written. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const length = Number(c.req.header("content-length") ?? 0);
  if (length > MAX_JSON_BYTES) throw new HotdocError("payload_too_large", `body over ${MAX_JSON_BYTES} bytes`);
  const raw = await c.req.text();
  if (Buffer.byteLength(raw) > MAX_JSON_BYTES) throw new HotdocError("payload_too_large", `body over ${MAX_JSON_BYTES} bytes`);
  let value: unknown;
  try {
    value = raw.length === 0 ? {} : JSON.parse(raw);
  } catch {
    throw new HotdocError("invalid_json", "the body is not valid JSON");
  }
  return schema.parse(value);
}
