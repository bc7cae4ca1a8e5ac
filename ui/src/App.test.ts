import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";
import type { RegistrationView } from "./bindings/RegistrationView";
import { desk } from "./lib/state.svelte";
import {
  commands,
  deferred,
  emptySettings,
  linkView,
  managerView,
  mockCommands,
  orgs,
  ownerView,
  report,
  rows,
  session,
  settings,
} from "./test/fixtures";

describe("App", () => {
  it("first run opens the settings", async () => {
    const calls = mockCommands({ settings_get: () => emptySettings });
    render(App);
    expect(await screen.findByTestId("settings")).toBeInTheDocument();
    expect(commands(calls)).toEqual(["settings_get"]);
    expect(screen.getByTestId("header")).toBeInTheDocument();
  });

  it("configured without a stored session shows sign-in", async () => {
    mockCommands({ settings_get: () => settings, session_get: () => null });
    render(App);
    expect(await screen.findByTestId("sign-in-browser")).toBeInTheDocument();
    expect(screen.queryByTestId("sign-out")).toBeNull();
  });

  it("a session that cannot be restored shows the banner with its next step", async () => {
    mockCommands({ settings_get: () => settings, session_get: () => Promise.reject(report("token_rejected", "the server refused the stored token")) });
    render(App);
    expect(await screen.findByTestId("error-banner")).toHaveTextContent("the server refused the stored token");
    expect(screen.getByTestId("error-action")).toHaveTextContent("Sign in again");
    expect(screen.getByTestId("sign-in-browser")).toBeInTheDocument();
  });

  it("the whole flow: remembered org, search, Enter, link, registered, Next user", async () => {
    const wait = deferred<RegistrationView>();
    const calls = mockCommands({
      settings_get: () => settings,
      session_get: () => session,
      org_current: () => ownerView,
      users_search: () => rows,
      link_create: () => linkView("2099-01-01T00:00:00Z"),
      link_wait: () => wait.promise,
    });
    render(App);
    expect(await screen.findByTestId("org-current")).toHaveTextContent("ACME");
    expect(screen.getByTestId("header-admin")).toHaveTextContent("Hanna Helpdesk");

    // Ctrl+K focuses the search from anywhere.
    const search = screen.getByTestId("user-search");
    expect(search).not.toHaveFocus();
    await fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    await waitFor(() => expect(search).toHaveFocus());

    await fireEvent.input(search, { target: { value: "alice" } });
    await waitFor(() => expect(screen.getAllByTestId("user-row")).toHaveLength(3), { timeout: 1000 });
    await fireEvent.keyDown(search, { key: "Enter" });
    expect(await screen.findByTestId("selected-user")).toHaveTextContent("Alice Archer");
    await waitFor(() => expect(screen.getByTestId("create-link")).toHaveFocus());

    await fireEvent.click(screen.getByTestId("create-link"));
    expect(await screen.findByTestId("qr")).toBeInTheDocument();
    expect(screen.getByTestId("link-text")).toHaveTextContent("code=ABC123");
    expect(screen.getByTestId("link-identity")).toHaveTextContent("ACME");

    wait.resolve({ outcome: "registered", passkey: { id: "p1", name: "YubiKey 5", state: "ready" } });
    expect(await screen.findByText("Registered: YubiKey 5")).toBeInTheDocument();
    expect(screen.queryByTestId("qr")).toBeNull();
    expect(screen.queryByTestId("link-text")).toBeNull();

    await fireEvent.click(screen.getByTestId("next-user"));
    await waitFor(() => expect(screen.getByTestId("user-search")).toHaveFocus());
    expect(screen.queryByTestId("selected-user")).toBeNull();
    expect(screen.getByTestId("hint")).toBeInTheDocument();
    expect(commands(calls)).toEqual(["settings_get", "session_get", "org_current", "users_search", "link_create", "link_wait"]);
  });

  it("ORG_USER_MANAGER: after switching org, Send via ZITADEL is on and Create link is off with the reason", async () => {
    mockCommands({
      settings_get: () => settings,
      session_get: () => session,
      org_current: () => null,
      orgs_list: () => orgs,
      org_select: () => managerView,
      users_search: () => rows,
      link_send: () => rows[0].user,
    });
    render(App);
    const filter = await screen.findByTestId("org-filter");
    await waitFor(() => expect(screen.getAllByTestId("org-option")).toHaveLength(3));
    await fireEvent.input(filter, { target: { value: "Glob" } });
    await fireEvent.click(screen.getByTestId("org-option"));
    expect(await screen.findByTestId("org-current")).toHaveTextContent("Globex");

    await fireEvent.input(screen.getByTestId("user-search"), { target: { value: "alice" } });
    await waitFor(() => expect(screen.getAllByTestId("user-row")).toHaveLength(3), { timeout: 1000 });
    await fireEvent.click(screen.getAllByTestId("user-row")[0]);
    expect(await screen.findByTestId("create-link")).toBeDisabled();
    expect(screen.getByTestId("create-link-reason")).toHaveTextContent("You lack 'user.credential.write' in Globex");
    expect(screen.getByTestId("send-link")).toBeEnabled();
    await waitFor(() => expect(screen.getByTestId("send-link")).toHaveFocus());
  });

  it("a permission error on create points at Send via ZITADEL in the banner", async () => {
    mockCommands({
      settings_get: () => settings,
      session_get: () => session,
      org_current: () => ownerView,
      link_create: () => Promise.reject(report("permission_denied", "You lack 'user.credential.write' in ACME")),
    });
    render(App);
    await screen.findByTestId("org-current");
    desk.selected = rows[0];
    await fireEvent.click(await screen.findByTestId("create-link"));
    const banner = await screen.findByTestId("error-banner");
    expect(banner).toHaveAttribute("data-code", "permission_denied");
    expect(banner).toHaveTextContent("You lack 'user.credential.write' in ACME");
    expect(screen.getByTestId("error-action")).toHaveTextContent("Send via ZITADEL instead");
  });
});
