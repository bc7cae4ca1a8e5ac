import type { ErrorReport } from "../bindings/ErrorReport";
import { t } from "./i18n";

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

export function nextStep(code: string): NextStep {
  switch (code) {
    case "not_signed_in":
    case "session_ended":
    case "token_rejected":
      return "sign-in";
    case "permission_denied":
      return "permission";
    case "org_not_found":
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
      return "new-link";
    case "config":
      return "open-settings";
    default:
      return code.startsWith("sign_in_") ? "back-to-sign-in" : "message";
  }
}

/**
 * Whatever a command rejected with, as an ErrorReport. Commands reject with `{code, message}`;
 * anything else (Tauri's own string errors, exceptions) becomes `unknown` with a plain message,
 * so no raw JSON or stack trace ever reaches the screen. (The core's messages stay as they come;
 * only this stand-in for a missing one is in the UI's language.)
 */
export function toReport(e: unknown): ErrorReport {
  if (typeof e === "object" && e !== null) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && typeof message === "string") return { code, message };
    if (e instanceof Error && e.message) return { code: "unknown", message: e.message };
  }
  if (typeof e === "string" && e.trim() !== "") return { code: "unknown", message: e };
  return { code: "unknown", message: t("error.unknown") };
}
