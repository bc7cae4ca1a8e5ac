import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { SettingsView } from "../../bindings/SettingsView";
import { commands, emptySettings, mockCommands, reject, session, settings, type Call } from "../../test/fixtures";
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
      session_get: () => null,
      connection_test: () => ({ issuer: "https://id.example.com", deviceFlow: true, clientIdOk: true }),
    });
  });

  it("first run: every field is labelled; Save sends the settings (blanks as null) and goes to sign-in", async () => {
    desk.settings = emptySettings;
    desk.view = "settings";
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
        },
      },
    });
    expect(commands(calls)).toEqual(["settings_save", "session_get"]);
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
    desk.view = "settings";
    render(SettingsScreen);
    await fill("settings-instance", "id example");
    await fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(desk.error?.report.code).toBe("config"));
    expect(desk.view).toBe("settings");
  });

  it("saving while signed in to the same instance goes back to work", async () => {
    mockCommands({ settings_save: (args) => args.settings as SettingsView, session_get: () => session });
    desk.settings = settings;
    desk.session = session;
    desk.view = "settings";
    render(SettingsScreen);
    await fill("settings-clipboard", "0");
    await fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(desk.view).toBe("main"));
    expect(desk.settings?.clipboardClearSecs).toBe(0);
  });
});
