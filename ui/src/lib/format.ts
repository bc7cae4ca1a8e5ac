import { t } from "./i18n";

/** "no passkey", "1 passkey", "3 passkeys"; "passkeys unknown" when the count could not be read. */
export function passkeyCount(count: number | null): string {
  if (count === null) return t("user.passkeysUnknown");
  return t("user.passkeys", { count });
}

/** The shortcut hint for focusing the search: ⌘K on Apple systems, Ctrl+K (Strg+K) elsewhere. */
export function searchShortcut(): string {
  const platform = typeof navigator === "undefined" ? "" : navigator.platform || navigator.userAgent;
  return /Mac|iPhone|iPad/i.test(platform) ? "⌘K" : t("shortcut.ctrlK");
}

/** ZITADEL's user states in words; a state this version does not know is shown as it came. */
export function userState(state: string): string {
  switch (state) {
    case "active":
      return t("user.state.active");
    case "inactive":
      return t("user.state.inactive");
    case "deleted":
      return t("user.state.deleted");
    case "locked":
      return t("user.state.locked");
    case "suspended":
      return t("user.state.suspended");
    case "initial":
      return t("user.state.initial");
    case "unspecified":
      return t("user.state.unspecified");
    default:
      return state;
  }
}
