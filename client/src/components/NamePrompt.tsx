import { type FormEvent, useState } from "react";
import { ActorSchema, maxLengthOf } from "#shared/doc/index.ts";
import { DEFAULT_NAME } from "../session.ts";

/** Asks once for the name written as author on the timeline and shown on the caret. */
export function NamePrompt({ onName }: { onName: (name: string) => void }) {
  const [value, setValue] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onName(value);
  };
  return (
    <form className="name-prompt" data-testid="name-prompt" onSubmit={submit}>
      <label>
        Your name, as teammates will see it:{" "}
        <input
          data-testid="name-input"
          value={value}
          placeholder={DEFAULT_NAME}
          maxLength={maxLengthOf(ActorSchema.shape.name)}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>
      <button type="submit" className="primary" data-testid="name-save">
        Save
      </button>
      <button type="button" data-testid="name-skip" onClick={() => onName(DEFAULT_NAME)}>
        Skip
      </button>
    </form>
  );
}
