import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { SettingsView } from "../../bindings/SettingsView";
import {
  commands,
  emptySettings,
  kioskOpen,
  mockCommands,
  reject,
  session,
  settings,
  type Call, patch } from "../../test/fixtures";
import { desk } from "../state.svelte";
import SettingsScreen from "./Settings.svelte";

async function fill(testid: string, value: string) {
  await fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

describe("Settings", () => {
  let calls: Call[];

  beforeEach(() => {
    calls = mockCommands({
      settings_save: (args) => args.settings as SettingsView,
      session_restore: () => null,
      connection_test: () => ({ issuer: "https://id.example.com", deviceFlow: true, clientIdOk: true }),
    });
  });

  it("first run: every field is labelled; Save sends the settings (blanks as null) and goes to sign-in", async () => {
    desk.settings = emptySettings;
    desk.page = "settings";
    patch({});
    render(SettingsScreen);
    expect(screen.getByRole("heading", { level: 2 })).toHaveTextContent("Welcome");
    expect(screen.getByLabelText("Instance URL")).toBe(screen.getByTestId("settings-instance"));
    expect(screen.getByLabelText("Client id")).toBe(screen.getByTestId("settings-client-id"));
    expect(screen.getByLabelText(/Default organisation/)).toBe(screen.getByTestId("settings-default-org"));
    expect(screen.getByLabelText(/Login host/)).toBe(screen.getByTestId("settings-login-host"));
    expect(screen.getByLabelText(/CA certificate file/)).toBe(screen.getByTestId("settings-ca-file"));
    expect(screen.getByLabelText(/Clear the clipboard after/)).toBe(screen.getByTestId("settings-clipboard"));
    expect(screen.queryByTestId("settings-cancel")).toBeNull();
    expect(screen.getByTestId("settings-save")).toBeDisabled();

    await fill("settings-instance", " https://id.example.com ");
    await fill("settings-client-id", "desk-client");
    await fill("settings-ca-file", "/etc/ssl/corp-ca.pem");
    await fill("settings-clipboard", "45");
    await fireEvent.click(screen.getByTestId("settings-save"));

    await waitFor(() => expect(desk.view).toBe("signin"));
    expect(calls[0]).toEqual({
      cmd: "settings_save",
      args: {
        settings: {
          instance: "https://id.example.com",
          clientId: "desk-client",
          defaultOrg: null,
          loginHost: null,
          caFile: "/etc/ssl/corp-ca.pem",
          clipboardClearSecs: 45,
          idleTimeoutSecs: 120,
          kiosk: false,
          kioskRelockSecs: 60,
          kioskPinSet: false,
          language: "auto",
          uiLanguage: "en",
          systemLanguage: "en",
        },
      },
    });
    expect(commands(calls)).toEqual(["settings_save", "session_restore"]);
  });

  it("Test connection shows exactly what is wrong (the error's message)", async () => {
    mockCommands({
      connection_test: reject("tls", "TLS handshake with id.example.com failed: certificate signed by an unknown authority"),
    });
    desk.settings = settings;
    render(SettingsScreen);
    await fireEvent.click(screen.getByTestId("connection-test"));
    const result = await screen.findByTestId("connection-result");
    expect(result).toHaveAttribute("data-ok", "false");
    expect(result).toHaveAttribute("data-code", "tls");
    expect(result).toHaveTextContent("Connection failed.");
    expect(result).toHaveTextContent("TLS handshake with id.example.com failed: certificate signed by an unknown authority");
    expect(result.textContent).not.toContain("{");
    // A test result, not an app error: no banner.
    expect(desk.error).toBeNull();
  });

  it("Test connection sends the form as it is and shows what was found", async () => {
    desk.settings = settings;
    render(SettingsScreen);
    await fill("settings-login-host", "login.example.com");
    await fireEvent.click(screen.getByTestId("connection-test"));
    const result = await screen.findByTestId("connection-result");
    expect(result).toHaveAttribute("data-ok", "true");
    expect(result).toHaveTextContent("Found ZITADEL at https://id.example.com");
    expect(result).toHaveTextContent("The client id is known");
    expect(result).toHaveTextContent("“Sign in with your phone” is available");
    expect(calls).toContainEqual({
      cmd: "connection_test",
      args: { settings: { ...settings, loginHost: "login.example.com" } },
    });
  });

  it("a wrong client id is reported as such", async () => {
    mockCommands({ connection_test: () => ({ issuer: "https://id.example.com", deviceFlow: false, clientIdOk: false }) });
    desk.settings = settings;
    render(SettingsScreen);
    await fireEvent.click(screen.getByTestId("connection-test"));
    const result = await screen.findByTestId("connection-result");
    expect(result).toHaveAttribute("data-ok", "false");
    expect(result).toHaveTextContent("the client id is wrong");
    expect(result).toHaveTextContent("not enabled");
  });

  it("rejects a clipboard time that is not a whole number", async () => {
    desk.settings = settings;
    render(SettingsScreen);
    await fill("settings-clipboard", "ten");
    expect(screen.getByTestId("settings-save")).toBeDisabled();
    expect(screen.getByTestId("settings-clipboard")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("settings-clipboard")).toHaveAccessibleDescription(/whole number/);
  });

  it("a failed save shows the banner and stays on the screen", async () => {
    mockCommands({ settings_save: reject("config", "instance: not a URL: 'id example'") });
    desk.settings = settings;
    desk.page = "settings";
    patch({});
    render(SettingsScreen);
    await fill("settings-instance", "id example");
    await fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(desk.error?.report.code).toBe("config"));
    expect(desk.view).toBe("settings");
  });

  it("saving while signed in to the same instance goes back to work", async () => {
    mockCommands({ settings_save: (args) => args.settings as SettingsView, session_get: () => session });
    desk.settings = settings;
    patch({ session: session });
    desk.page = "settings";
    patch({});
    render(SettingsScreen);
    await fill("settings-clipboard", "0");
    await fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(desk.view).toBe("main"));
    expect(desk.settings?.clipboardClearSecs).toBe(0);
  });
});

describe("Settings: the enrollment desk", () => {
  let calls: Call[];

  beforeEach(() => {
    calls = mockCommands({
      settings_save: (args) => args.settings as SettingsView,
      session_restore: () => session,
      kiosk_pin_set: (args) => ({ ...settings, kioskPinSet: args.pin !== null }),
      kiosk_enter: () => kioskOpen,
    });
    desk.settings = settings;
    patch({ session: session });
    desk.page = "settings";
    patch({});
  });

  it("the idle timeout and 'Start in kiosk mode' are saved with the settings", async () => {
    render(SettingsScreen);
    expect(screen.getByRole("group", { name: "Enrollment desk" })).toBe(screen.getByTestId("settings-desk"));
    expect(screen.getByLabelText(/Wipe a link nobody touched after/)).toBe(screen.getByTestId("settings-idle"));
    expect(screen.getByTestId("settings-idle")).toHaveValue("120");
    expect(screen.getByLabelText("Start in kiosk mode")).not.toBeChecked();
    await fill("settings-idle", "300");
    await fireEvent.click(screen.getByTestId("settings-kiosk"));
    await fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(desk.view).toBe("main"));
    expect(calls[0]).toEqual({
      cmd: "settings_save",
      args: { settings: { ...settings, idleTimeoutSecs: 300, kiosk: true } },
    });
  });

  it("0 (never) is a valid idle timeout; anything but a whole number is not", async () => {
    render(SettingsScreen);
    await fill("settings-idle", "0");
    expect(screen.getByTestId("settings-save")).toBeEnabled();
    await fill("settings-idle", "2 min");
    expect(screen.getByTestId("settings-save")).toBeDisabled();
    expect(screen.getByTestId("settings-idle")).toHaveAttribute("aria-invalid", "true");
  });

  it("PIN: two different entries are refused here, without asking the core, and both fields are cleared", async () => {
    render(SettingsScreen);
    expect(screen.getByTestId("settings-pin")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("settings-pin-repeat")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("settings-pin-state")).toHaveTextContent("not set");
    expect(screen.queryByTestId("settings-pin-remove")).toBeNull();
    await fill("settings-pin", "482916");
    await fill("settings-pin-repeat", "482917");
    await fireEvent.click(screen.getByTestId("settings-pin-save"));
    expect(screen.getByTestId("settings-pin-status")).toHaveTextContent("The two PINs differ");
    expect(commands(calls)).not.toContain("kiosk_pin_set");
    expect(screen.getByTestId("settings-pin")).toHaveValue("");
    expect(screen.getByTestId("settings-pin-repeat")).toHaveValue("");
  });

  it("PIN: the same PIN twice is set with kiosk_pin_set; then it can be removed", async () => {
    render(SettingsScreen);
    await fill("settings-pin", "482916");
    await fill("settings-pin-repeat", "482916");
    await fireEvent.click(screen.getByTestId("settings-pin-save"));
    await waitFor(() => expect(screen.getByTestId("settings-pin-status")).toHaveTextContent("PIN set"));
    expect(calls).toEqual([{ cmd: "kiosk_pin_set", args: { pin: "482916" } }]);
    expect(screen.getByTestId("settings-pin")).toHaveValue("");
    expect(screen.getByTestId("settings-pin-repeat")).toHaveValue("");
    expect(desk.settings?.kioskPinSet).toBe(true);
    expect(screen.getByTestId("settings-pin-state")).toHaveTextContent("(set)");
    expect(screen.getByTestId("settings-pin-save")).toHaveTextContent("Change PIN");

    await fireEvent.click(screen.getByTestId("settings-pin-remove"));
    await waitFor(() => expect(screen.getByTestId("settings-pin-status")).toHaveTextContent("PIN removed"));
    expect(calls).toContainEqual({ cmd: "kiosk_pin_set", args: { pin: null } });
    expect(screen.queryByTestId("settings-pin-remove")).toBeNull();
  });

  it("PIN: what the core refuses (too short) is said next to the fields", async () => {
    mockCommands({ kiosk_pin_set: reject("invalid_input", "a kiosk PIN has 6 to 32 characters, without spaces at the ends") });
    render(SettingsScreen);
    await fill("settings-pin", "123");
    await fill("settings-pin-repeat", "123");
    await fireEvent.click(screen.getByTestId("settings-pin-save"));
    await waitFor(() => expect(screen.getByTestId("settings-pin-status")).toHaveTextContent("6 to 32 characters"));
    expect(desk.settings?.kioskPinSet).toBe(false);
  });

  it("setting the PIN keeps what was typed in the other fields", async () => {
    render(SettingsScreen);
    await fill("settings-login-host", "login.example.com");
    await fill("settings-pin", "482916");
    await fill("settings-pin-repeat", "482916");
    await fireEvent.keyDown(screen.getByTestId("settings-pin-repeat"), { key: "Enter" });
    await waitFor(() => expect(screen.getByTestId("settings-pin-status")).toHaveTextContent("PIN set"));
    expect(commands(calls)).toEqual(["kiosk_pin_set"]);
    expect(screen.getByTestId("settings-login-host")).toHaveValue("login.example.com");
  });

  it("'Enter kiosk mode now' asks the core; the locked desk it pushes hides everything", async () => {
    render(SettingsScreen);
    await fireEvent.click(screen.getByTestId("settings-kiosk-enter"));
    await waitFor(() => expect(commands(calls)).toEqual(["kiosk_enter"]));
    expect(desk.page).toBeNull();
    desk.apply({ kiosk: { ...kioskOpen, locked: true, relocksAt: null }, workspace: null });
    expect(desk.view).toBe("locked");
  });

  it("the relock time is a setting, whole seconds above zero", async () => {
    render(SettingsScreen);
    const relock = screen.getByTestId("settings-relock");
    expect(relock).toHaveValue("60");
    expect(screen.getByLabelText(/lock the operator's side again after/)).toBe(relock);
    await fill("settings-relock", "0");
    expect(screen.getByTestId("settings-save")).toBeDisabled();
    await fill("settings-relock", "90");
    await fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(commands(calls)).toContain("settings_save"));
    expect((calls.find((c) => c.cmd === "settings_save")?.args.settings as SettingsView).kioskRelockSecs).toBe(90);
  });

  it("first run offers no 'Enter kiosk mode now'", () => {
    desk.settings = emptySettings;
    render(SettingsScreen);
    expect(screen.queryByTestId("settings-kiosk-enter")).toBeNull();
  });
});
