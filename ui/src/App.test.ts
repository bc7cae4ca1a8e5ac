import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import type { RegistrationView } from "./bindings/RegistrationView";
import type { ScreenState } from "./bindings/ScreenState";
import { desk } from "./lib/state.svelte";
import {
  commands,
  deferred,
  emptySettings,
  kioskOff,
  kioskOn,
  linkView,
  managerView,
  mockCommands,
  monitors,
  orgs,
  ownerView,
  report,
  rows,
  screenState,
  session,
  settings,
  settle,
  shownView,
  useClock,
  type Call,
  type Deferred,
} from "./test/fixtures";

describe("App", () => {
  it("first run opens the settings", async () => {
    const calls = mockCommands({ settings_get: () => emptySettings, kiosk_get: () => kioskOff });
    render(App);
    expect(await screen.findByTestId("settings")).toBeInTheDocument();
    expect(commands(calls)).toEqual(["settings_get", "kiosk_get"]);
    expect(screen.getByTestId("header")).toBeInTheDocument();
  });

  it("configured without a stored session shows sign-in", async () => {
    mockCommands({ settings_get: () => settings, kiosk_get: () => kioskOff, session_get: () => null });
    render(App);
    expect(await screen.findByTestId("sign-in-browser")).toBeInTheDocument();
    expect(screen.queryByTestId("sign-out")).toBeNull();
  });

  it("a session that cannot be restored shows the banner with its next step", async () => {
    mockCommands({
      settings_get: () => settings,
      kiosk_get: () => kioskOff,
      session_get: () => Promise.reject(report("token_rejected", "the server refused the stored token")),
    });
    render(App);
    expect(await screen.findByTestId("error-banner")).toHaveTextContent("the server refused the stored token");
    expect(screen.getByTestId("error-action")).toHaveTextContent("Sign in again");
    expect(screen.getByTestId("sign-in-browser")).toBeInTheDocument();
  });

  it("the whole flow: remembered org, search, Enter, link, registered, Next user", async () => {
    const wait = deferred<RegistrationView>();
    const calls = mockCommands({
      settings_get: () => settings,
      kiosk_get: () => kioskOff,
      session_get: () => session,
      org_current: () => ownerView,
      users_search: () => rows,
      link_create: () => linkView("2099-01-01T00:00:00Z"),
      link_wait: () => wait.promise,
      presenter_monitors: () => monitors,
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
    expect(commands(calls)).toEqual([
      "settings_get",
      "kiosk_get",
      "session_get",
      "org_current",
      "users_search",
      "link_create",
      "link_wait",
      "presenter_monitors",
    ]);
  });

  it("ORG_USER_MANAGER: after switching org, Send via ZITADEL is on and Create link is off with the reason", async () => {
    mockCommands({
      settings_get: () => settings,
      kiosk_get: () => kioskOff,
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
      kiosk_get: () => kioskOff,
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

describe("App in kiosk mode", () => {
  const LINK = linkView("2030-01-01T10:05:00Z");
  let calls: Call[];
  let nexts: Deferred<ScreenState>[];
  let wait: Deferred<RegistrationView>;

  const count = (cmd: string) => commands(calls).filter((c) => c === cmd).length;

  beforeEach(() => {
    useClock("2030-01-01T10:00:00Z");
    nexts = [];
    wait = deferred<RegistrationView>();
    calls = mockCommands({
      settings_get: () => settings,
      kiosk_get: () => kioskOn,
      session_get: () => session,
      org_current: () => ownerView,
      screen_get: () => screenState(1, { phase: "blank" }),
      screen_next: () => {
        const next = deferred<ScreenState>();
        nexts.push(next);
        return next.promise;
      },
      screen_activity: () => null,
      link_create: () => LINK,
      link_wait: () => wait.promise,
      link_close: () => null,
      presenter_monitors: () => [],
      kiosk_leave: () => ({ active: false, pinSet: true, retryAfterSecs: null }),
    });
  });

  async function start() {
    render(App);
    await settle();
    expect(screen.getByTestId("header-admin")).toBeInTheDocument();
  }

  async function showLink() {
    desk.selected = rows[0];
    await settle();
    await fireEvent.click(screen.getByTestId("create-link"));
    await settle();
  }

  it("locks the window: kiosk class, badge, no Settings, no context menu, no leaving keys", async () => {
    await start();
    expect(screen.getByTestId("app-root")).toHaveClass("kiosk");
    expect(screen.getByTestId("kiosk-badge")).toBeInTheDocument();
    expect(screen.queryByTestId("open-settings")).toBeNull();
    expect(await fireEvent.contextMenu(screen.getByTestId("header"))).toBe(false);
    expect(await fireEvent.contextMenu(window)).toBe(false);
    for (const key of ["Escape", "F11", "F12", "F5"]) expect(await fireEvent.keyDown(window, { key }), key).toBe(false);
    for (const key of ["w", "q", "r", "p"]) expect(await fireEvent.keyDown(window, { key, ctrlKey: true }), `Ctrl+${key}`).toBe(false);
    expect(await fireEvent.keyDown(window, { key: "F4", altKey: true })).toBe(false);
    expect(await fireEvent.keyDown(window, { key: "a" })).toBe(true);
    // Ctrl+K still finds the search.
    await fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    await settle();
    expect(screen.getByTestId("user-search")).toHaveFocus();
  });

  it("the link screen has no Copy, Email, Save PNG or Print", async () => {
    await start();
    await showLink();
    expect(screen.getByTestId("qr")).toBeInTheDocument();
    for (const id of ["copy-link", "email-link", "save-png", "print-link"]) expect(screen.queryByTestId(id), id).toBeNull();
    expect(screen.getByTestId("link-text")).toHaveClass("locked");
  });

  it("while the public screen shows the link, the whole window is the public screen with a discreet Cancel", async () => {
    await start();
    expect(count("screen_get")).toBe(1);
    expect(calls.filter((c) => c.cmd === "screen_next").map((c) => c.args.seen)).toEqual([1]);
    await showLink();

    nexts[0].resolve(screenState(2, shownView(LINK.expiresAt)));
    await settle();
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "showing");
    expect(screen.getByTestId("public-name")).toHaveTextContent("Alice Archer");
    expect(screen.queryByTestId("header")).toBeNull();
    expect(screen.queryByTestId("link-text")).toBeNull();
    // One QR on the window (the public one), the kiosk still marked, no admin controls.
    expect(document.querySelectorAll("svg")).toHaveLength(1);
    expect(screen.getByTestId("kiosk-badge")).toHaveTextContent("Kiosk");
    for (const id of ["copy-link", "email-link", "save-png", "print-link", "open-settings", "user-search"]) {
      expect(screen.queryByTestId(id), id).toBeNull();
    }
    expect(screen.queryByTestId("identity-login")).toBeNull();
    expect(document.body.textContent).not.toContain("alice@acme.example.com");
    expect(document.body.textContent).not.toContain(LINK.link);
    expect(await fireEvent.contextMenu(screen.getByTestId("public-qr"))).toBe(false);

    // Someone touches the screen: the idle clock restarts (throttled).
    await fireEvent.pointerDown(window);
    await fireEvent.pointerMove(window);
    await settle();
    expect(count("screen_activity")).toBe(1);

    await fireEvent.click(screen.getByTestId("kiosk-cancel"));
    await settle();
    expect(commands(calls)).toContain("link_close");
    expect(desk.link).toBeNull();

    nexts[1].resolve(screenState(3, { phase: "blank" }));
    await settle();
    expect(screen.queryByTestId("public-screen")).toBeNull();
    expect(screen.getByTestId("header")).toBeInTheDocument();
    expect(screen.getByTestId("selected-user")).toBeInTheDocument();
  });

  it("'Registered ✓' takes the window until the core blanks it; then the admin sees the result", async () => {
    await start();
    await showLink();
    nexts[0].resolve(screenState(2, shownView(LINK.expiresAt)));
    await settle();
    wait.resolve({ outcome: "registered", passkey: { id: "pk1", name: "Alice's iPhone", state: "ready" } });
    nexts[1].resolve(screenState(3, { phase: "registered", displayName: "Alice Archer", language: "en" }));
    await settle();
    expect(screen.getByTestId("public-registered")).toHaveTextContent("Registered ✓");
    expect(screen.queryByTestId("kiosk-cancel")).toBeNull();
    expect(screen.queryByTestId("public-qr")).toBeNull();

    nexts[2].resolve(screenState(4, { phase: "blank" }));
    await settle();
    expect(screen.getByTestId("registration-status")).toHaveTextContent("Registered: Alice's iPhone");
    expect(document.querySelector("svg")).toBeNull();
  });

  it("leaving kiosk mode stops following the public screen and unlocks the window", async () => {
    await start();
    await fireEvent.click(screen.getByTestId("kiosk-leave"));
    await settle();
    await fireEvent.input(screen.getByTestId("kiosk-pin"), { target: { value: "482916" } });
    await fireEvent.click(screen.getByTestId("kiosk-unlock"));
    await settle();
    expect(screen.getByTestId("app-root")).not.toHaveClass("kiosk");
    expect(screen.getByTestId("open-settings")).toBeInTheDocument();
    expect(await fireEvent.contextMenu(window)).toBe(true);
    expect(await fireEvent.keyDown(window, { key: "Escape" })).toBe(true);

    nexts[0].resolve(screenState(2, shownView(LINK.expiresAt)));
    await settle(30_000);
    expect(count("screen_next")).toBe(1);
    expect(screen.queryByTestId("public-screen")).toBeNull();
  });
});

describe("App outside kiosk mode", () => {
  it("does not follow the public screen and leaves the context menu and keys alone", async () => {
    useClock("2030-01-01T10:00:00Z");
    const calls = mockCommands({
      settings_get: () => settings,
      kiosk_get: () => kioskOff,
      session_get: () => session,
      org_current: () => ownerView,
    });
    render(App);
    await settle();
    expect(screen.getByTestId("app-root")).not.toHaveClass("kiosk");
    expect(screen.queryByTestId("kiosk-badge")).toBeNull();
    expect(await fireEvent.contextMenu(window)).toBe(true);
    expect(await fireEvent.keyDown(window, { key: "F11" })).toBe(true);
    await fireEvent.pointerDown(window);
    await settle();
    expect(commands(calls)).toEqual(["settings_get", "kiosk_get", "session_get", "org_current"]);
  });
});
