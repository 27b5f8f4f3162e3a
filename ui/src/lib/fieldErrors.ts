// A refused form names the field it is about in `field` (the request type's field name:
// `ports`, `workingDir`, `subnet`); the forms show the message next to that field.
import { BackendError } from "./backend";
import { errorMeaning } from "./errors";

/** An error for a form with `fields`: the one it belongs to (null when it names none of
 * them), and what to show — beside a field its message, else with what its code means. */
export function formError<F extends string>(err: unknown, fields: readonly F[]): { field: F | null; message: string } {
  const failure = BackendError.from(err);
  const field = fields.find((f) => f === failure.field) ?? null;
  return { field, message: field ? failure.message : `${errorMeaning[failure.code]}: ${failure.message}` };
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
