// One typed function per command of docs/UI-CONTRACT.md; every one rejects with an ErrorReport.
// The desk's state is not asked for: the core pushes it over a channel (`deskWatch`,
// `screenWatch`) now and on every change.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { AuditFilter } from "../bindings/AuditFilter";
import type { Authenticator } from "../bindings/Authenticator";
import type { ConnectionReport } from "../bindings/ConnectionReport";
import type { CoverageView } from "../bindings/CoverageView";
import type { DeskView } from "../bindings/DeskView";
import type { DeviceView } from "../bindings/DeviceView";
import type { LinkView } from "../bindings/LinkView";
import type { MonitorView } from "../bindings/MonitorView";
import type { Org } from "../bindings/Org";
import type { OrgView } from "../bindings/OrgView";
import type { Passkey } from "../bindings/Passkey";
import type { PasskeyCount } from "../bindings/PasskeyCount";
import type { PublicView } from "../bindings/PublicView";
import type { SavedPng } from "../bindings/SavedPng";
import type { SessionView } from "../bindings/SessionView";
import type { SettingsView } from "../bindings/SettingsView";
import type { User } from "../bindings/User";
import type { UserRow } from "../bindings/UserRow";
import type { ImportView } from "../bindings/ImportView";
import type { QueueView } from "../bindings/QueueView";
import type { BulkSend } from "../bindings/BulkSend";

export const settingsGet = () => invoke<SettingsView>("settings_get");
export const settingsSave = (settings: SettingsView) => invoke<SettingsView>("settings_save", { settings });
export const connectionTest = (settings: SettingsView) => invoke<ConnectionReport>("connection_test", { settings });
export const sessionRestore = () => invoke<SessionView | null>("session_restore");
export const signInBrowser = () => invoke<SessionView>("sign_in_browser");
export const signInDeviceStart = () => invoke<DeviceView>("sign_in_device_start");
export const signInDeviceFinish = () => invoke<SessionView>("sign_in_device_finish");
export const signInCancel = () => invoke<null>("sign_in_cancel");
export const signOut = () => invoke<null>("sign_out");
/** The orgs, as the core read them this session; `refresh` reads them again. */
export const orgsList = (refresh = false) => invoke<Org[]>("orgs_list", { refresh });
export const orgCurrent = () => invoke<OrgView | null>("org_current");
export const orgSelect = (orgId: string) => invoke<OrgView>("org_select", { orgId });
export const usersSearch = (query: string) => invoke<UserRow[]>("users_search", { query });
/** The passkey counts of the last search's people: asked once the query has settled. */
export const passkeyCounts = () => invoke<PasskeyCount[]>("passkey_counts");
/** Starts counting the current org's passkey coverage; the progress comes with the desk's view. */
export const coverageStart = () => invoke<CoverageView>("coverage_start");
export const coverageStop = () => invoke<null>("coverage_stop");
/** Emails a registration link (via ZITADEL) to everyone the count found without a passkey. */
export const coverageSend = (verified: string[] = []) => invoke<CoverageView>("coverage_send", { verified });
/** A person's passkeys (name and state). */
export const passkeysList = (userId: string) => invoke<Passkey[]>("passkeys_list", { userId });
/** Removes one of a person's passkeys (audited); answers the passkeys left. */
export const passkeyRemove = (userId: string, passkeyId: string) =>
  invoke<Passkey[]>("passkey_remove", { userId, passkeyId });
export const userSelect = (userId: string) => invoke<UserRow>("user_select", { userId });
export const backToSearch = () => invoke<null>("back_to_search");
/** `verified`: the org's identity checks the admin ticked for this person (none where it has none). */
export const linkCreate = (userId: string, authenticator: Authenticator = "any", verified: string[] = []) =>
  invoke<LinkView>("link_create", { userId, authenticator, verified });
/** A new link for a person whose old device goes (its passkeys once the new one is registered, or now if stolen). */
export const linkReplace = (
  userId: string,
  passkeyIds: string[],
  stolen: boolean,
  authenticator: Authenticator = "any",
  verified: string[] = [],
) => invoke<LinkView>("link_replace", { userId, passkeyIds, stolen, authenticator, verified });
export const linkClose = () => invoke<null>("link_close");
export const linkCopy = () => invoke<null>("link_copy");
/** `confirmed`: the admin said yes to an address ZITADEL has not verified (else `email_unverified`). */
export const linkEmail = (confirmed = false) => invoke<null>("link_email", { confirmed });
export const linkSavePng = () => invoke<SavedPng>("link_save_png");
export const linkPrint = () => invoke<null>("link_print");
export const linkSend = (userId: string, verified: string[] = []) => invoke<User>("link_send", { userId, verified });

/** The admin's window follows the desk: `onChange` gets the core's view now and on every change. */
export function deskWatch(onChange: (view: DeskView) => void): Promise<null> {
  const channel = new Channel<DeskView>();
  channel.onmessage = onChange;
  return invoke<null>("desk_watch", { onChange: channel });
}
/** An operator touched the admin's window (an unlocked kiosk stays open for longer). */
export const deskActivity = () => invoke<null>("desk_activity");

// The public screen (the presenter window may call these two and nothing else; the kiosk's
// window also the unlock below).
export function screenWatch(onChange: (view: PublicView) => void): Promise<null> {
  const channel = new Channel<PublicView>();
  channel.onmessage = onChange;
  return invoke<null>("screen_watch", { onChange: channel });
}
export const screenActivity = () => invoke<null>("screen_activity");

export const presenterMonitors = () => invoke<MonitorView[]>("presenter_monitors");
export const presenterOpen = (monitor: string | null) => invoke<MonitorView>("presenter_open", { monitor });
export const presenterClose = () => invoke<null>("presenter_close");

export const kioskEnter = () => invoke<null>("kiosk_enter");
export const kioskLock = () => invoke<null>("kiosk_lock");
export const kioskLeave = () => invoke<null>("kiosk_leave");
export const kioskPinSet = (pin: string | null) => invoke<SettingsView>("kiosk_pin_set", { pin });
// The kiosk's window: an operator unlocks the admin side.
export const kioskUnlockPin = (pin: string) => invoke<null>("kiosk_unlock_pin", { pin });
export const kioskUnlockDeviceStart = () => invoke<DeviceView>("kiosk_unlock_device_start");
export const kioskUnlockDeviceFinish = () => invoke<null>("kiosk_unlock_device_finish");
export const kioskUnlockCancel = () => invoke<null>("kiosk_unlock_cancel");

// The audit log (not in kiosk mode).
export const auditList = (filter: AuditFilter) => invoke<AuditEntry[]>("audit_list", { filter });
export const auditExportCsv = (filter: AuditFilter) => invoke<string>("audit_export_csv", { filter });
/** The first screen is painted (a startup timing in the app's log). */
export const uiReady = () => invoke<void>("ui_ready");

// The enrollment day's queue of the current org (the core keeps and saves it).
export const queueImport = (roster: string) => invoke<ImportView>("queue_import", { roster });
export const queueImportAccept = () => invoke<QueueView>("queue_import_accept");
export const queueAdd = (userId: string) => invoke<QueueView>("queue_add", { userId });
export const queueNext = () => invoke<UserRow>("queue_next");
export const queueSkip = (userId: string) => invoke<QueueView>("queue_skip", { userId });
export const queueNoShow = (userId: string) => invoke<QueueView>("queue_no_show", { userId });
export const queueBack = (userId: string) => invoke<QueueView>("queue_back", { userId });
export const queueNew = () => invoke<null>("queue_new");
export const queueExportCsv = () => invoke<string>("queue_export_csv");
/** The remote wave: ZITADEL emails everyone waiting; `verified`: how the wave was checked. */
export const queueSendWaiting = (verified: string[]) => invoke<BulkSend>("queue_send_waiting", { verified });
/** The identity checklist of an org (the settings screen). */
export const identityChecksSet = (orgId: string, items: string[]) =>
  invoke<string[]>("identity_checks_set", { orgId, items });
