/** Random record ids: 12 base-36 characters from the platform's CSPRNG (browser and Node alike). */
export function newId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let id = "";
  for (const byte of bytes) id += (byte % 36).toString(36);
  return id;
}

/** Normalises any ISO-8601 instant to UTC with millisecond precision, so string order is time order. */
export function toInstant(value: string | Date | number): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a valid instant: ${String(value)}`);
  return date.toISOString();
}
