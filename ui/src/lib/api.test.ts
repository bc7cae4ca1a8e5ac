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
    await api.linkWait();
    await api.linkCopy();
    await api.linkEmail();
    await api.linkSavePng();
    await api.linkSend("u1");
    await api.linkClose();
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
      { cmd: "link_create", args: { userId: "u1" } },
      { cmd: "link_wait", args: {} },
      { cmd: "link_copy", args: {} },
      { cmd: "link_email", args: {} },
      { cmd: "link_save_png", args: {} },
      { cmd: "link_send", args: { userId: "u1" } },
      { cmd: "link_close", args: {} },
    ]);
  });

  it("passes the command's rejection (an ErrorReport) through", async () => {
    mockCommands({ link_copy: () => Promise.reject({ code: "input", message: "no link on screen: create one first" }) });
    await expect(api.linkCopy()).rejects.toEqual({ code: "input", message: "no link on screen: create one first" });
  });
});
