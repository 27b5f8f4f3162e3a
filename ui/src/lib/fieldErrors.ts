// The core names the field a refused value belongs to ("The subnet … is not …"); the forms show
// the message next to that field.
import { BackendError } from "./backend";
import { errorMeaning } from "./errors";

/** Which of `fields` (phrases as the core words them, "the subnet") a refusal is about; `null` for none. */
export function fieldOf(message: string, fields: string[]): string | null {
  const lower = message.toLowerCase();
  return fields.find((field) => lower.includes(field)) ?? null;
}

/** An error for a form: the field it belongs to, and what to show. */
export function formError(err: unknown, fields: string[]): { field: string | null; message: string } {
  if (err instanceof BackendError) {
    const field = err.code === "invalid_input" ? fieldOf(err.message, fields) : null;
    return { field, message: field ? err.message : `${errorMeaning[err.code]}: ${err.message}` };
  }
  return { field: null, message: String(err) };
}

/** `key=value` lines (blank lines skipped) as label pairs; a line without `=` is a key with an empty value. */
export function parseLabels(text: string): [string, string][] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf("=");
      return at < 0 ? [line, ""] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    });
}
