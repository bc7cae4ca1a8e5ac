import type { OrgView } from "../bindings/OrgView";
import type { QueueState } from "../bindings/QueueState";
import type { QueueSummary } from "../bindings/QueueSummary";
import { t, type PlainKey } from "./i18n";

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

const QUEUE_STATES: Readonly<Record<QueueState, PlainKey>> = {
  waiting: "queue.state.waiting",
  checked: "queue.state.checked",
  link_shown: "queue.state.link_shown",
  registered: "queue.state.registered",
  expired: "queue.state.expired",
  skipped: "queue.state.skipped",
  no_show: "queue.state.no_show",
  sent: "queue.state.sent",
};

/** Where a person of the queue is, in words. */
export function queueState(state: QueueState): string {
  return t(QUEUE_STATES[state]);
}

/** The day at a glance: "23 of 40 registered, 3 skipped, 14 waiting" (parts that are 0 left out). */
export function queueSummary(s: QueueSummary): string {
  const parts = [t("queue.summary", { registered: s.registered, total: s.total })];
  if (s.atDesk > 0) parts.push(t("queue.summaryPart.atDesk", { count: s.atDesk }));
  if (s.waiting > 0) parts.push(t("queue.summaryPart.waiting", { count: s.waiting }));
  if (s.expired > 0) parts.push(t("queue.summaryPart.expired", { count: s.expired }));
  if (s.skipped > 0) parts.push(t("queue.summaryPart.skipped", { count: s.skipped }));
  if (s.noShow > 0) parts.push(t("queue.summaryPart.noShow", { count: s.noShow }));
  if (s.sent > 0) parts.push(t("queue.summaryPart.sent", { count: s.sent }));
  return parts.join(", ");
}
