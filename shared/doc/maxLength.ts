import { z } from "zod";

type Text = z.ZodString | z.ZodStringFormat;
type Wrapped<T extends z.ZodType> = T | z.ZodOptional<T> | z.ZodNullable<T> | z.ZodDefault<T>;
/** A string schema, possibly optional, nullable or with a default, as the schemas declare their fields. */
export type TextSchema = Wrapped<Wrapped<Text>>;

/**
 * The most characters a text field's schema accepts, so a form can stop typing at
 * the limit the write will check (`maxLengthOf(ChangeInput.shape.what)`). Throws for a
 * schema without one: every text a person types into the document is bounded.
 */
export function maxLengthOf(schema: TextSchema): number {
  let inner: z.ZodType = schema;
  while (
    inner instanceof z.ZodOptional ||
    inner instanceof z.ZodNullable ||
    inner instanceof z.ZodDefault
  ) {
    inner = inner.unwrap() as z.ZodType;
  }
  const max =
    inner instanceof z.ZodString || inner instanceof z.ZodStringFormat ? inner.maxLength : null;
  if (max === null) throw new Error("this text schema sets no maximum length");
  return max;
}
