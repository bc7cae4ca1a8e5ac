import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import Presenter from "./Presenter.svelte";
import { Core, mockCommands, settle, shownView, useClock, welcome } from "./test/fixtures";

const EXPIRES = "2030-01-01T10:05:00Z";

/** The presenter window's capability allows these two commands, nothing else. */
const ALLOWED = ["screen_watch", "screen_activity"];

let core: Core;

beforeEach(() => {
  useClock("2030-01-01T10:00:00Z");
  core = new Core({ screen_activity: () => null });
});

describe("Presenter", () => {
  it("follows the public screen as the core pushes it", async () => {
    render(Presenter);
    await settle();
    expect(core.calls.map((c) => c.cmd)).toEqual(["screen_watch"]);
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "welcome");

    await core.show(shownView(EXPIRES, { language: "de" }));
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "showing");
    expect(screen.getByTestId("public-name")).toHaveTextContent("Alice Archer");
    expect(screen.getByTestId("public-instructions")).toHaveTextContent("Registrieren Sie Ihren Passkey");
    expect(screen.getByTestId("public-qr").querySelector("svg")).not.toBeNull();
    expect(document.title).not.toContain("Alice");

    await core.show({ phase: "registered", displayName: "Alice Archer", passkeyName: "Alice's iPhone", language: "de" });
    expect(screen.getByTestId("public-registered")).toHaveTextContent("Registriert ✓");
    expect(screen.getByTestId("public-passkey")).toHaveTextContent("Alice's iPhone");
    expect(screen.queryByTestId("public-qr")).toBeNull();

    await core.show({ phase: "welcome", orgName: "ACME" });
    expect(screen.getByTestId("public-welcome")).toHaveTextContent("ACME");
    expect(screen.queryByTestId("public-name")).toBeNull();
    // No Staff button: the presenter never offers the unlock.
    expect(screen.queryByTestId("kiosk-staff")).toBeNull();
    expect(core.calls.map((c) => c.cmd).every((c) => ALLOWED.includes(c))).toBe(true);
  });

  it("paused: 'One moment, please…'", async () => {
    render(Presenter);
    await core.show({ phase: "paused" });
    await settle();
    expect(screen.getByTestId("public-paused")).toHaveTextContent("One moment, please…");
  });

  it("a failing subscription shows the neutral 'one moment' (no error, no QR) and tries again after 1 s", async () => {
    mockCommands({ screen_watch: () => Promise.reject({ code: "unknown", message: "the IPC went away" }) });
    render(Presenter);
    await settle();
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "paused");
    expect(document.body.textContent).not.toContain("IPC");

    core = new Core({}, undefined, { screen: welcome, unlock: null });
    await settle(999);
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "paused");
    await settle(1);
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "welcome");
  });

  it("reports touches and keys as activity, at most once per 5 s", async () => {
    render(Presenter);
    await core.show(shownView(EXPIRES));
    await settle();
    const activity = () => core.calls.filter((c) => c.cmd === "screen_activity").length;

    await fireEvent.pointerDown(window);
    await fireEvent.pointerMove(window);
    await fireEvent.touchStart(window);
    await fireEvent.keyDown(window, { key: "a" });
    await settle();
    expect(activity()).toBe(1);
    await settle(4_000);
    await fireEvent.pointerMove(window);
    expect(activity()).toBe(1);
    await settle(1_000);
    await fireEvent.pointerMove(window);
    await settle();
    expect(activity()).toBe(2);
  });

  it("blocks the context menu, selecting, dragging, copying and keys like Escape and F11", async () => {
    render(Presenter);
    await core.show(shownView(EXPIRES));
    await settle();
    const qr = screen.getByTestId("public-qr");
    expect(await fireEvent.contextMenu(qr)).toBe(false);
    expect(await fireEvent.contextMenu(window)).toBe(false);
    expect(await fireEvent(document, new Event("selectstart", { bubbles: true, cancelable: true }))).toBe(false);
    expect(await fireEvent.dragStart(qr)).toBe(false);
    expect(await fireEvent.copy(document.body)).toBe(false);
    for (const key of ["Escape", "F11", "F5", "F12"]) expect(await fireEvent.keyDown(window, { key }), key).toBe(false);
    expect(await fireEvent.keyDown(window, { key: "w", ctrlKey: true })).toBe(false);
    expect(await fireEvent.keyDown(window, { key: "r", ctrlKey: true })).toBe(false);
  });
});

describe("presenter.html and kiosk.html", () => {
  for (const [page, title, script] of [
    ["presenter.html", "Passkey Desk — Presenter", "/src/presenter.ts"],
    ["kiosk.html", "Passkey Desk — Kiosk", "/src/kiosk.ts"],
  ]) {
    it(`${page} is its own page with a neutral title and no inline script or style`, () => {
      const html = readFileSync(resolve(__dirname, `../${page}`), "utf8");
      expect(html).toContain(`<title>${title}</title>`);
      expect(html).toContain(`<script type="module" src="${script}"></script>`);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|style=/);
    });
  }
});
