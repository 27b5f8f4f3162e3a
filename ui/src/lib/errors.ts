import type { ErrorCode } from "./bindings";

/** What each error code means to a user, shown as the title of an error toast. */
export const errorMeaning: Record<ErrorCode, string> = {
  not_found: "Not found — it may have been removed meanwhile",
  conflict: "Not possible in the container's current state",
  engine_unreachable: "The Docker engine is unreachable",
  invalid_input: "Invalid input",
  permission_denied: "Permission denied by the engine",
  engine_error: "The engine reported an error",
  internal: "Something went wrong inside Berth",
};
