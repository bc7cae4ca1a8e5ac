// One typed function per command of docs/UI-CONTRACT.md; every one rejects with an ErrorReport.
import { invoke } from "@tauri-apps/api/core";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { AuditFilter } from "../bindings/AuditFilter";
import type { Authenticator } from "../bindings/Authenticator";
import type { ConnectionReport } from "../bindings/ConnectionReport";
import type { DeviceView } from "../bindings/DeviceView";
import type { KioskView } from "../bindings/KioskView";
import type { LinkView } from "../bindings/LinkView";
import type { MonitorView } from "../bindings/MonitorView";
import type { Org } from "../bindings/Org";
import type { OrgView } from "../bindings/OrgView";
import type { RegistrationView } from "../bindings/RegistrationView";
import type { ScreenState } from "../bindings/ScreenState";
import type { SessionView } from "../bindings/SessionView";
import type { SettingsView } from "../bindings/SettingsView";
import type { User } from "../bindings/User";
import type { UserRow } from "../bindings/UserRow";

export const settingsGet = () => invoke<SettingsView>("settings_get");
export const settingsSave = (settings: SettingsView) => invoke<SettingsView>("settings_save", { settings });
export const connectionTest = (settings: SettingsView) => invoke<ConnectionReport>("connection_test", { settings });
export const sessionGet = () => invoke<SessionView | null>("session_get");
export const signInBrowser = () => invoke<SessionView>("sign_in_browser");
export const signInDeviceStart = () => invoke<DeviceView>("sign_in_device_start");
export const signInDeviceFinish = () => invoke<SessionView>("sign_in_device_finish");
export const signInCancel = () => invoke<null>("sign_in_cancel");
export const signOut = () => invoke<null>("sign_out");
export const orgsList = () => invoke<Org[]>("orgs_list");
export const orgCurrent = () => invoke<OrgView | null>("org_current");
export const orgSelect = (orgId: string) => invoke<OrgView>("org_select", { orgId });
export const usersSearch = (query: string) => invoke<UserRow[]>("users_search", { query });
export const linkCreate = (userId: string, authenticator: Authenticator = "any") =>
  invoke<LinkView>("link_create", { userId, authenticator });
export const linkWait = () => invoke<RegistrationView>("link_wait");
export const linkCopy = () => invoke<null>("link_copy");
export const linkEmail = () => invoke<null>("link_email");
export const linkSavePng = () => invoke<string>("link_save_png");
export const linkSend = (userId: string) => invoke<User>("link_send", { userId });
export const linkClose = () => invoke<null>("link_close");

// The public screen (the presenter window may call these three and nothing else).
export const screenGet = () => invoke<ScreenState>("screen_get");
export const screenNext = (seen: number) => invoke<ScreenState>("screen_next", { seen });
export const screenActivity = () => invoke<null>("screen_activity");

export const presenterMonitors = () => invoke<MonitorView[]>("presenter_monitors");
export const presenterOpen = (monitor: string | null) => invoke<MonitorView>("presenter_open", { monitor });
export const presenterClose = () => invoke<null>("presenter_close");

export const kioskGet = () => invoke<KioskView>("kiosk_get");
export const kioskEnter = () => invoke<KioskView>("kiosk_enter");
export const kioskLeave = (pin: string) => invoke<KioskView>("kiosk_leave", { pin });
export const kioskLeaveBySignIn = () => invoke<KioskView>("kiosk_leave_by_sign_in");
export const kioskPinSet = (pin: string | null) => invoke<SettingsView>("kiosk_pin_set", { pin });
// The audit log (not in kiosk mode).
export const auditList = (filter: AuditFilter) => invoke<AuditEntry[]>("audit_list", { filter });
export const auditExportCsv = (filter: AuditFilter) => invoke<string>("audit_export_csv", { filter });
/** The first screen is painted (a startup timing in the app's log). */
export const uiReady = () => invoke<void>("ui_ready");
