import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Channel } from "@tauri-apps/api/core";
import { describe, expect, it, vi } from "vitest";
import { deskView, mockCommands, settings, welcome } from "../test/fixtures";
import * as api from "./api";

// The invoke names and argument keys of docs/UI-CONTRACT.md.
describe("api", () => {
  it("calls each command by its contract name with camelCase args", async () => {
    const calls = mockCommands(new Proxy({}, { get: () => () => null }));
    await api.settingsGet();
    await api.settingsSave(settings);
    await api.connectionTest(settings);
    await api.sessionRestore();
    await api.signInBrowser();
    await api.signInDeviceStart();
    await api.signInDeviceFinish();
    await api.signInCancel();
    await api.signOut();
    await api.orgsList();
    await api.orgsList(true);
    await api.orgCurrent();
    await api.orgSelect("100");
    await api.usersSearch("ali");
    await api.userSelect("u1");
    await api.backToSearch();
    await api.linkCreate("u1");
    await api.linkCreate("u1", "cross-platform", ["Photo ID seen"]);
    await api.linkCopy();
    await api.linkEmail();
    await api.linkEmail(true);
    await api.linkSavePng();
    await api.linkPrint();
    await api.linkSend("u1");
    await api.linkClose();
    await api.deskActivity();
    await api.screenActivity();
    await api.presenterMonitors();
    await api.presenterOpen("HDMI-1");
    await api.presenterOpen(null);
    await api.presenterClose();
    await api.kioskEnter();
    await api.kioskLock();
    await api.kioskLeave();
    await api.kioskPinSet("482916");
    await api.kioskPinSet(null);
    await api.kioskUnlockPin("482916");
    await api.kioskUnlockDeviceStart();
    await api.kioskUnlockDeviceFinish();
    await api.kioskUnlockCancel();
    await api.auditList({ user: "jose", since: "2026-11-01", until: null });
    await api.auditExportCsv({ user: null, since: null, until: null });
    await api.uiReady();
    await api.queueImport("login\njose@acme.example\n");
    await api.queueImportAccept();
    await api.queueAdd("u1");
    await api.queueNext();
    await api.queueSkip("u1");
    await api.queueNoShow("u1");
    await api.queueBack("u1");
    await api.queueNew();
    await api.queueExportCsv();
    await api.queueSendWaiting(["Manager approved"]);
    await api.identityChecksSet("100", ["Photo ID seen"]);
    await api.coverageSend(["Manager approved"]);
    expect(calls).toEqual([
      { cmd: "settings_get", args: {} },
      { cmd: "settings_save", args: { settings } },
      { cmd: "connection_test", args: { settings } },
      { cmd: "session_restore", args: {} },
      { cmd: "sign_in_browser", args: {} },
      { cmd: "sign_in_device_start", args: {} },
      { cmd: "sign_in_device_finish", args: {} },
      { cmd: "sign_in_cancel", args: {} },
      { cmd: "sign_out", args: {} },
      { cmd: "orgs_list", args: { refresh: false } },
      { cmd: "orgs_list", args: { refresh: true } },
      { cmd: "org_current", args: {} },
      { cmd: "org_select", args: { orgId: "100" } },
      { cmd: "users_search", args: { query: "ali" } },
      { cmd: "user_select", args: { userId: "u1" } },
      { cmd: "back_to_search", args: {} },
      { cmd: "link_create", args: { userId: "u1", authenticator: "any", verified: [] } },
      { cmd: "link_create", args: { userId: "u1", authenticator: "cross-platform", verified: ["Photo ID seen"] } },
      { cmd: "link_copy", args: {} },
      { cmd: "link_email", args: { confirmed: false } },
      { cmd: "link_email", args: { confirmed: true } },
      { cmd: "link_save_png", args: {} },
      { cmd: "link_print", args: {} },
      { cmd: "link_send", args: { userId: "u1", verified: [] } },
      { cmd: "link_close", args: {} },
      { cmd: "desk_activity", args: {} },
      { cmd: "screen_activity", args: {} },
      { cmd: "presenter_monitors", args: {} },
      { cmd: "presenter_open", args: { monitor: "HDMI-1" } },
      { cmd: "presenter_open", args: { monitor: null } },
      { cmd: "presenter_close", args: {} },
      { cmd: "kiosk_enter", args: {} },
      { cmd: "kiosk_lock", args: {} },
      { cmd: "kiosk_leave", args: {} },
      { cmd: "kiosk_pin_set", args: { pin: "482916" } },
      { cmd: "kiosk_pin_set", args: { pin: null } },
      { cmd: "kiosk_unlock_pin", args: { pin: "482916" } },
      { cmd: "kiosk_unlock_device_start", args: {} },
      { cmd: "kiosk_unlock_device_finish", args: {} },
      { cmd: "kiosk_unlock_cancel", args: {} },
      { cmd: "audit_list", args: { filter: { user: "jose", since: "2026-11-01", until: null } } },
      { cmd: "audit_export_csv", args: { filter: { user: null, since: null, until: null } } },
      { cmd: "ui_ready", args: {} },
      { cmd: "queue_import", args: { roster: "login\njose@acme.example\n" } },
      { cmd: "queue_import_accept", args: {} },
      { cmd: "queue_add", args: { userId: "u1" } },
      { cmd: "queue_next", args: {} },
      { cmd: "queue_skip", args: { userId: "u1" } },
      { cmd: "queue_no_show", args: { userId: "u1" } },
      { cmd: "queue_back", args: { userId: "u1" } },
      { cmd: "queue_new", args: {} },
      { cmd: "queue_export_csv", args: {} },
      { cmd: "queue_send_waiting", args: { verified: ["Manager approved"] } },
      { cmd: "identity_checks_set", args: { orgId: "100", items: ["Photo ID seen"] } },
      { cmd: "coverage_send", args: { verified: ["Manager approved"] } },
    ]);
  });

  it("desk_watch and screen_watch pass a channel whose messages reach the handler", async () => {
    const channels: Channel<unknown>[] = [];
    mockCommands({
      desk_watch: (args) => channels.push(args.onChange as Channel<unknown>) && null,
      screen_watch: (args) => channels.push(args.onChange as Channel<unknown>) && null,
    });
    const desk = vi.fn();
    const screen = vi.fn();
    await api.deskWatch(desk);
    await api.screenWatch(screen);
    expect(channels).toHaveLength(2);
    expect(channels.every((c) => c instanceof Channel)).toBe(true);
    channels[0].onmessage(deskView());
    channels[1].onmessage({ screen: welcome, unlock: null });
    expect(desk).toHaveBeenCalledWith(deskView());
    expect(screen).toHaveBeenCalledWith({ screen: welcome, unlock: null });
  });

  it("passes the command's rejection (an ErrorReport) through", async () => {
    mockCommands({ link_copy: () => Promise.reject({ code: "no_link", message: "no link on screen: create one first" }) });
    await expect(api.linkCopy()).rejects.toEqual({ code: "no_link", message: "no link on screen: create one first" });
  });

  it("has one function per command of the shell's command list, and no other", () => {
    const list = readFileSync(resolve(__dirname, "../../../src-tauri/src/command_list.rs"), "utf8");
    // The lists by window (`admin: [...]`, `public: [...]`, `unlock: [...]`), comments dropped.
    const code = list.slice(list.indexOf("macro_rules! with_commands"), list.indexOf("pub struct CommandGroups")).replace(/\/\/[^\n]*/g, "");
    const groups = [...code.matchAll(/([a-z]+):\s*\[([^\]]*)\]/g)];
    expect(groups.map((g) => g[1])).toEqual(["admin", "public", "unlock"]);
    const commands = groups
      .flatMap((g) => g[2].split(","))
      .map((c) => c.trim())
      .filter(Boolean)
      .sort();
    const source = readFileSync(resolve(__dirname, "./api.ts"), "utf8");
    const invoked = [...source.matchAll(/invoke<[^>]*>\("([a-z_]+)"/g)].map((m) => m[1]).sort();
    expect(invoked).toEqual(commands);
  });
});
