import type { OrgView } from "../bindings/OrgView";
import { t } from "./i18n";

/** Why "Create link" is not offered in an org: the permission the core found missing, in words. */
export function createLinkReason(org: OrgView): string {
  if (!org.createLinkLacks) return t("selected.createNotAllowed");
  const reason = t("selected.lacks", { permission: org.createLinkLacks, org: org.org.name });
  return org.capabilities.sendLink ? t("selected.sendStillWorks", { reason }) : reason;
}

/** Why "Send via ZITADEL" is not offered in an org. */
export function sendLinkReason(org: OrgView): string {
  if (!org.sendLinkLacks) return t("common.sendNotAllowed");
  return t("selected.lacks", { permission: org.sendLinkLacks, org: org.org.name });
}

/** Why "Remove" is not offered for passkeys in an org. */
export function removePasskeyReason(org: OrgView): string {
  if (!org.removePasskeysLacks) return t("passkeys.removeNotAllowed");
  return t("selected.lacks", { permission: org.removePasskeysLacks, org: org.org.name });
}

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
