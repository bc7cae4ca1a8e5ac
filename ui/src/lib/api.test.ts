import { describe, expect, it } from "vitest";
import { mockCommands, settings } from "../test/fixtures";
import * as api from "./api";

// The invoke names and argument keys of docs/UI-CONTRACT.md.
describe("api", () => {
  it("calls each command by its contract name with camelCase args", async () => {
    const calls = mockCommands(new Proxy({}, { get: () => () => null }));
    await api.settingsGet();
    await api.settingsSave(settings);
    await api.connectionTest(settings);
    await api.sessionGet();
    await api.signInBrowser();
    await api.signInDeviceStart();
    await api.signInDeviceFinish();
    await api.signInCancel();
    await api.signOut();
    await api.orgsList();
    await api.orgCurrent();
    await api.orgSelect("100");
    await api.usersSearch("ali");
    await api.linkCreate("u1");
    await api.linkCreate("u1", "cross-platform");
    await api.linkWait();
    await api.linkCopy();
    await api.linkEmail();
    await api.linkSavePng();
    await api.linkSend("u1");
    await api.linkClose();
    await api.screenGet();
    await api.screenNext(7);
    await api.screenActivity();
    await api.presenterMonitors();
    await api.presenterOpen("HDMI-1");
    await api.presenterOpen(null);
    await api.presenterClose();
    await api.kioskGet();
    await api.kioskEnter();
    await api.kioskLeave("482916");
    await api.kioskLeaveBySignIn();
    await api.kioskPinSet("482916");
    await api.kioskPinSet(null);
    await api.auditList({ user: "jose", since: "2026-11-01", until: null });
    await api.auditExportCsv({ user: null, since: null, until: null });
    await api.uiReady();
    expect(calls).toEqual([
      { cmd: "settings_get", args: {} },
      { cmd: "settings_save", args: { settings } },
      { cmd: "connection_test", args: { settings } },
      { cmd: "session_get", args: {} },
      { cmd: "sign_in_browser", args: {} },
      { cmd: "sign_in_device_start", args: {} },
      { cmd: "sign_in_device_finish", args: {} },
      { cmd: "sign_in_cancel", args: {} },
      { cmd: "sign_out", args: {} },
      { cmd: "orgs_list", args: {} },
      { cmd: "org_current", args: {} },
      { cmd: "org_select", args: { orgId: "100" } },
      { cmd: "users_search", args: { query: "ali" } },
      { cmd: "link_create", args: { userId: "u1", authenticator: "any" } },
      { cmd: "link_create", args: { userId: "u1", authenticator: "cross-platform" } },
      { cmd: "link_wait", args: {} },
      { cmd: "link_copy", args: {} },
      { cmd: "link_email", args: {} },
      { cmd: "link_save_png", args: {} },
      { cmd: "link_send", args: { userId: "u1" } },
      { cmd: "link_close", args: {} },
      { cmd: "screen_get", args: {} },
      { cmd: "screen_next", args: { seen: 7 } },
      { cmd: "screen_activity", args: {} },
      { cmd: "presenter_monitors", args: {} },
      { cmd: "presenter_open", args: { monitor: "HDMI-1" } },
      { cmd: "presenter_open", args: { monitor: null } },
      { cmd: "presenter_close", args: {} },
      { cmd: "kiosk_get", args: {} },
      { cmd: "kiosk_enter", args: {} },
      { cmd: "kiosk_leave", args: { pin: "482916" } },
      { cmd: "kiosk_leave_by_sign_in", args: {} },
      { cmd: "kiosk_pin_set", args: { pin: "482916" } },
      { cmd: "kiosk_pin_set", args: { pin: null } },
      { cmd: "audit_list", args: { filter: { user: "jose", since: "2026-11-01", until: null } } },
      { cmd: "audit_export_csv", args: { filter: { user: null, since: null, until: null } } },
      { cmd: "ui_ready", args: {} },
    ]);
  });

  it("passes the command's rejection (an ErrorReport) through", async () => {
    mockCommands({ link_copy: () => Promise.reject({ code: "input", message: "no link on screen: create one first" }) });
    await expect(api.linkCopy()).rejects.toEqual({ code: "input", message: "no link on screen: create one first" });
  });
});
