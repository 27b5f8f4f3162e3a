import type { ErrorCode } from "./bindings";

/** What each error code means to a user, shown as the title of an error toast. */
export const errorMeaning: Record<ErrorCode, string> = {
  not_found: "Not found — it may have been removed meanwhile",
  conflict: "Not possible in its current state (in use, or already there)",
  engine_unreachable: "The Docker engine is unreachable",
  invalid_input: "Invalid input",
  permission_denied: "Permission denied by the engine",
  engine_error: "The engine reported an error",
  internal: "Something went wrong inside Berth",
  host_key_unknown: "The host's key is not known yet",
  host_key_changed: "The host's key has changed — connection refused",
  host_key_revoked: "The host's key is revoked — connection refused",
  auth_failed: "The SSH login was refused",
  passphrase_required: "The key needs its passphrase",
  passphrase_wrong: "Wrong passphrase",
  keyring_unavailable: "The system keyring could not be used",
};
