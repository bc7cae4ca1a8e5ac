import type { ErrorCode } from "../bindings/ErrorCode";
import type { ErrorReport } from "../bindings/ErrorReport";
import { t } from "./i18n";

/**
 * An error as the window shows it: the core's `ErrorReport` (its `code` one of the core's
 * `ErrorCode`s), or `unknown` for what did not come from the core (Tauri's own refusals,
 * exceptions).
 */
export type Report = ErrorReport | { code: "unknown"; message: string };

/** The next step the error banner offers for an error code (UI-CONTRACT.md). */
export type NextStep =
  | "sign-in"
  | "permission"
  | "choose-org"
  | "back-to-search"
  | "retry"
  | "new-link"
  | "back-to-sign-in"
  | "open-settings"
  | "message";

/** Every code of the core has its step here: a new code fails the type check until it does. */
export function nextStep(code: ErrorCode | "unknown"): NextStep {
  switch (code) {
    case "not_signed_in":
    case "session_ended":
    case "token_rejected":
      return "sign-in";
    case "permission_denied":
      return "permission";
    case "org_not_found":
    case "no_org":
      return "choose-org";
    case "user_not_found":
    case "ambiguous_user":
    case "not_human":
    case "user_not_active":
      return "back-to-search";
    case "network":
    case "timeout":
    case "unavailable":
    case "rate_limited":
    case "tls":
    case "bad_response":
      return "retry";
    case "link_expired":
    case "code_invalid":
    case "no_link":
      return "new-link";
    case "config":
      return "open-settings";
    case "sign_in_failed":
    case "sign_in_denied":
    case "sign_in_expired":
    case "sign_in_cancelled":
    case "no_device_sign_in":
      return "back-to-sign-in";
    case "conflict":
    case "server":
    case "foreign_link":
    case "unimplemented":
    case "unsupported_version":
    case "forbidden":
    case "keyring":
    case "pin_refused":
    case "invalid_input":
    case "kiosk_locked":
    case "kiosk_mode":
    case "unlock_refused":
    case "no_pin":
    case "passkey_not_found":
    case "identity_check_required":
    case "email_unverified":
    case "queue_empty":
    case "interrupted":
    case "io":
    case "desktop":
    case "unknown":
      return "message";
    default:
      return unhandled(code);
  }
}

function unhandled(code: never): NextStep {
  void code;
  return "message";
}

/** Every code of the core (a missing or unknown one is a type error). */
const CODES: Readonly<Record<ErrorCode, true>> = {
  not_signed_in: true,
  token_rejected: true,
  permission_denied: true,
  org_not_found: true,
  user_not_found: true,
  ambiguous_user: true,
  not_human: true,
  user_not_active: true,
  code_invalid: true,
  link_expired: true,
  conflict: true,
  rate_limited: true,
  timeout: true,
  network: true,
  tls: true,
  unavailable: true,
  server: true,
  bad_response: true,
  foreign_link: true,
  unimplemented: true,
  unsupported_version: true,
  forbidden: true,
  session_ended: true,
  sign_in_failed: true,
  sign_in_denied: true,
  sign_in_expired: true,
  sign_in_cancelled: true,
  keyring: true,
  pin_refused: true,
  config: true,
  invalid_input: true,
  kiosk_locked: true,
  kiosk_mode: true,
  unlock_refused: true,
  no_pin: true,
  no_link: true,
  no_org: true,
  no_device_sign_in: true,
  passkey_not_found: true,
  identity_check_required: true,
  email_unverified: true,
  queue_empty: true,
  interrupted: true,
  io: true,
  desktop: true,
};

/** Whether `code` is one of the core's codes. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(CODES, code);
}

/**
 * Whatever a command rejected with, as a Report. Commands reject with `{code, message}`;
 * anything else (Tauri's own string errors, exceptions, a code this window does not know)
 * becomes `unknown` with a plain message, so no raw JSON or stack trace ever reaches the
 * screen. (The core's messages stay as they come; only this stand-in for a missing one is in
 * the UI's language.)
 */
export function toReport(e: unknown): Report {
  if (typeof e === "object" && e !== null) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && typeof message === "string") {
      return isErrorCode(code) ? { code, message } : { code: "unknown", message };
    }
    if (e instanceof Error && e.message) return { code: "unknown", message: e.message };
  }
  if (typeof e === "string" && e.trim() !== "") return { code: "unknown", message: e };
  return { code: "unknown", message: t("error.unknown") };
}
