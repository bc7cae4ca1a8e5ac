import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";
import { desk } from "./lib/state.svelte";
import {
  Core,
  deskView,
  emptySettings,
  kioskOpen,
  linkView,
  live,
  managerView,
  monitors,
  orgs,
  ownerView,
  reject,
  rows,
  session,
  settings,
  settle,
  signedIn,
  useClock,
} from "./test/fixtures";

describe("App", () => {
  it("first run opens the settings", async () => {
    const core = new Core({ settings_get: () => emptySettings });
    render(App);
    expect(await screen.findByTestId("settings")).toBeInTheDocument();
    expect(core.commands()).toEqual(["settings_get"]);
    expect(screen.getByTestId("header")).toBeInTheDocument();
  });

  it("configured without a stored session shows sign-in", async () => {
    const core = new Core({ settings_get: () => settings, session_restore: () => null });
    render(App);
    expect(await screen.findByTestId("sign-in-browser")).toBeInTheDocument();
    expect(screen.queryByTestId("sign-out")).toBeNull();
    expect(core.commands()).toEqual(["settings_get", "session_restore"]);
  });

  it("a session that cannot be restored shows the banner with its next step", async () => {
    new Core({
      settings_get: () => settings,
      session_restore: reject("token_rejected", "the server refused the stored token"),
    });
    render(App);
    expect(await screen.findByTestId("error-banner")).toHaveTextContent("the server refused the stored token");
    expect(screen.getByTestId("error-action")).toHaveTextContent("Sign in again");
    expect(screen.getByTestId("sign-in-browser")).toBeInTheDocument();
  });

  it("a session the server ended mid-work: the core pushes it, the sign-in screen says so", async () => {
    const core = signedIn({});
    render(App);
    await screen.findByTestId("org-current");
    await core.push(deskView({ sessionLost: { code: "session_ended", message: "your session ended" } }));
    expect(await screen.findByTestId("session-lost")).toHaveTextContent("Your session ended");
    expect(screen.getByTestId("sign-in-browser")).toBeInTheDocument();
  });

  it("the whole flow renders what the core pushes: search, Enter, link, registered, Next person", async () => {
    const link = linkView("2099-01-01T00:00:00Z");
    const core: Core = signedIn({
      users_search: () => rows,
      user_select: () => {
        void core.update({ selected: rows[0] });
        return rows[0];
      },
      link_create: () => {
        void core.update({ link: live(link) });
        return link;
      },
      back_to_search: () => {
        void core.update({ selected: null, link: null });
        return null;
      },
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

    await core.update({
      link: { phase: "registered", user: rows[0].user, passkey: { id: "p1", name: "YubiKey 5", seenAt: "2099-01-01T00:00:00Z" } },
    });
    expect(await screen.findByText("Registered: YubiKey 5")).toBeInTheDocument();
    expect(screen.getByTestId("registered-passkey")).toHaveTextContent("YubiKey 5");
    expect(screen.queryByTestId("qr")).toBeNull();
    expect(screen.queryByTestId("link-text")).toBeNull();

    await fireEvent.click(screen.getByTestId("next-user"));
    await waitFor(() => expect(screen.getByTestId("user-search")).toHaveFocus());
    expect(screen.queryByTestId("selected-user")).toBeNull();
    expect(screen.getByTestId("hint")).toBeInTheDocument();
    expect(core.commands()).toEqual([
      "settings_get",
      "session_restore",
      "users_search",
      "user_select",
      "passkeys_list",
      "link_create",
      "presenter_monitors",
      "back_to_search",
    ]);
    expect(core.calls.find((c) => c.cmd === "user_select")?.args).toEqual({ userId: "u1" });
  });

  it("ORG_USER_MANAGER: after switching org, Send via ZITADEL is on and Create link is off with the reason", async () => {
    const core: Core = signedIn(
      {
        org_current: () => null,
        orgs_list: () => orgs,
        org_select: () => {
          void core.update({ org: managerView });
          return managerView;
        },
        users_search: () => rows,
        user_select: () => {
          void core.update({ selected: rows[0] });
          return rows[0];
        },
      },
      { org: null },
    );
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
    signedIn(
      { link_create: reject("permission_denied", "You lack 'user.credential.write' in ACME") },
      { selected: rows[0] },
    );
    render(App);
    await fireEvent.click(await screen.findByTestId("create-link"));
    const banner = await screen.findByTestId("error-banner");
    expect(banner).toHaveAttribute("data-code", "permission_denied");
    expect(banner).toHaveTextContent("You lack 'user.credential.write' in ACME");
    expect(screen.getByTestId("error-action")).toHaveTextContent("Send via ZITADEL instead");
  });

  it("a link whose watch failed: the core wiped it; the banner says what to do", async () => {
    const link = linkView("2099-01-01T00:00:00Z");
    const core = signedIn({ presenter_monitors: () => [] }, { selected: rows[0], link: live(link) });
    render(App);
    expect(await screen.findByTestId("qr")).toBeInTheDocument();
    await core.update({
      link: { phase: "failed", user: rows[0].user, error: { code: "unavailable", message: "the server is unavailable" } },
    });
    expect(await screen.findByTestId("error-banner")).toHaveTextContent("the server is unavailable");
    expect(screen.getByTestId("link-ended")).toHaveAttribute("data-reason", "failed");
    expect(screen.queryByTestId("qr")).toBeNull();
    expect(document.body.textContent).not.toContain(link.link);
  });
});

describe("App in kiosk mode (the operator's window, shown while unlocked)", () => {
  function kioskCore() {
    useClock("2030-01-01T10:00:00Z");
    return new Core(
      {
        settings_get: () => settings,
        session_restore: () => session,
        desk_activity: () => null,
        kiosk_lock: () => null,
        kiosk_leave: () => null,
        presenter_monitors: () => [],
      },
      deskView({ session, org: ownerView, selected: rows[0] }, kioskOpen),
    );
  }

  it("locks the window down: badge, Lock now, no Settings, audit or Sign out, no context menu, no leaving keys", async () => {
    const core = kioskCore();
    render(App);
    await settle();
    expect(screen.getByTestId("app-root")).toHaveClass("kiosk");
    expect(screen.getByTestId("kiosk-badge")).toBeInTheDocument();
    expect(screen.getByTestId("kiosk-relocks")).toBeInTheDocument();
    for (const id of ["open-settings", "open-audit", "sign-out"]) expect(screen.queryByTestId(id), id).toBeNull();
    expect(await fireEvent.contextMenu(screen.getByTestId("header"))).toBe(false);
    for (const key of ["Escape", "F11", "F12", "F5"]) expect(await fireEvent.keyDown(window, { key }), key).toBe(false);
    for (const key of ["w", "q", "r", "p"]) expect(await fireEvent.keyDown(window, { key, ctrlKey: true }), `Ctrl+${key}`).toBe(false);
    expect(await fireEvent.keyDown(window, { key: "F4", altKey: true })).toBe(false);
    expect(await fireEvent.keyDown(window, { key: "a" })).toBe(true);

    // The operator's touches keep it open (throttled: one call per 5 s).
    await fireEvent.pointerDown(window);
    await fireEvent.pointerMove(window);
    await settle();
    expect(core.commands().filter((c) => c === "desk_activity")).toHaveLength(1);

    await fireEvent.click(screen.getByTestId("kiosk-lock"));
    await settle();
    expect(core.commands()).toContain("kiosk_lock");
  });

  it("the link screen has no Copy, Email, Save PNG or Print", async () => {
    const core = kioskCore();
    render(App);
    await settle();
    await core.update({ link: live(linkView("2030-01-01T10:05:00Z")) });
    await settle();
    expect(screen.getByTestId("qr")).toBeInTheDocument();
    for (const id of ["copy-link", "email-link", "save-png", "print-link"]) expect(screen.queryByTestId(id), id).toBeNull();
    expect(screen.getByTestId("link-text")).toHaveClass("locked");
  });

  it("locked: nothing of the workspace is in the DOM, whatever was there before", async () => {
    const core = kioskCore();
    render(App);
    await settle();
    await core.update({ link: live(linkView("2030-01-01T10:05:00Z")) });
    await settle();
    expect(screen.getByTestId("user-search")).toBeInTheDocument();
    await core.push(deskView(null, { ...kioskOpen, locked: true, relocksAt: null }));
    await settle();
    expect(screen.getByTestId("locked")).toBeInTheDocument();
    for (const id of ["user-search", "org-current", "selected-user", "qr", "link-text", "header", "sign-out", "new-link"]) {
      expect(screen.queryByTestId(id), id).toBeNull();
    }
    for (const text of ["Alice", "alice@acme.example.com", "ABC123", "Hanna"]) expect(document.body.textContent).not.toContain(text);
    expect(desk.view).toBe("locked");
  });

  it("Leave kiosk mode asks the core (which decides whether it may)", async () => {
    const core = kioskCore();
    render(App);
    await settle();
    await fireEvent.click(screen.getByTestId("kiosk-leave"));
    await settle();
    expect(core.commands()).toContain("kiosk_leave");
    await core.push(deskView({ session, org: ownerView }));
    await settle();
    expect(screen.getByTestId("app-root")).not.toHaveClass("kiosk");
    expect(screen.getByTestId("open-settings")).toBeInTheDocument();
    expect(await fireEvent.contextMenu(window)).toBe(true);
    expect(await fireEvent.keyDown(window, { key: "Escape" })).toBe(true);
  });
});

describe("App outside kiosk mode", () => {
  it("leaves the context menu and keys alone and reports no activity", async () => {
    useClock("2030-01-01T10:00:00Z");
    const core = signedIn({});
    render(App);
    await settle();
    expect(screen.getByTestId("app-root")).not.toHaveClass("kiosk");
    expect(screen.queryByTestId("kiosk-badge")).toBeNull();
    expect(await fireEvent.contextMenu(window)).toBe(true);
    expect(await fireEvent.keyDown(window, { key: "F11" })).toBe(true);
    await fireEvent.pointerDown(window);
    await settle();
    expect(core.commands()).toEqual(["settings_get", "session_restore"]);
  });
});
