import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { ScreenState } from "./bindings/ScreenState";
import Presenter from "./Presenter.svelte";
import {
  commands,
  deferred,
  mockCommands,
  report,
  screenState,
  settle,
  shownView,
  useClock,
  type Call,
  type Deferred,
} from "./test/fixtures";

const EXPIRES = "2030-01-01T10:05:00Z";

let calls: Call[];
let first: Deferred<ScreenState>;
let nexts: Deferred<ScreenState>[];

/** The presenter window's capability allows these three commands, nothing else. */
const ALLOWED = ["screen_get", "screen_next", "screen_activity"];

beforeEach(() => {
  useClock("2030-01-01T10:00:00Z");
  first = deferred<ScreenState>();
  nexts = [];
  calls = mockCommands({
    screen_get: () => first.promise,
    screen_next: () => {
      const next = deferred<ScreenState>();
      nexts.push(next);
      return next.promise;
    },
    screen_activity: () => null,
  });
});

function nextArgs(): unknown[] {
  return calls.filter((c) => c.cmd === "screen_next").map((c) => c.args.seen);
}

describe("Presenter", () => {
  it("reads the screen, then waits for the next version, and shows each one", async () => {
    render(Presenter);
    await settle();
    expect(commands(calls)).toEqual(["screen_get"]);
    first.resolve(screenState(4, { phase: "blank" }));
    await settle();
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "blank");
    expect(nextArgs()).toEqual([4]);

    nexts[0].resolve(screenState(5, shownView(EXPIRES, { language: "de" })));
    await settle();
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "showing");
    expect(screen.getByTestId("public-name")).toHaveTextContent("Alice Archer");
    expect(screen.getByTestId("public-instructions")).toHaveTextContent("Registrieren Sie Ihren Passkey");
    expect(screen.getByTestId("public-qr").querySelector("svg")).not.toBeNull();
    expect(nextArgs()).toEqual([4, 5]);
    expect(document.title).not.toContain("Alice");

    // The long poll's timeout: the same version again changes nothing on screen.
    const svg = screen.getByTestId("public-qr").querySelector("svg");
    nexts[1].resolve(screenState(5, shownView(EXPIRES, { language: "de" })));
    await settle(1000);
    expect(screen.getByTestId("public-qr").querySelector("svg")).toBe(svg);
    expect(nextArgs()).toEqual([4, 5, 5]);

    nexts[2].resolve(screenState(6, { phase: "registered", displayName: "Alice Archer", language: "de" }));
    await settle();
    expect(screen.getByTestId("public-registered")).toHaveTextContent("Registriert ✓");
    expect(screen.queryByTestId("public-qr")).toBeNull();

    nexts[3].resolve(screenState(7, { phase: "blank" }));
    await settle();
    expect(screen.getByTestId("public-blank")).toBeInTheDocument();
    expect(screen.queryByTestId("public-name")).toBeNull();
    expect(nextArgs()).toEqual([4, 5, 5, 6, 7]);
    expect(commands(calls).every((c) => ALLOWED.includes(c))).toBe(true);
  });

  it("paused: 'One moment, please…'", async () => {
    render(Presenter);
    first.resolve(screenState(2, { phase: "paused" }));
    await settle();
    expect(screen.getByTestId("public-paused")).toHaveTextContent("One moment, please…");
  });

  it("a failing call shows the neutral 'one moment' (no error, no QR) and retries after 1 s", async () => {
    render(Presenter);
    first.resolve(screenState(1, shownView(EXPIRES)));
    await settle();
    expect(screen.getByTestId("public-qr")).toBeInTheDocument();

    nexts[0].reject(report("unknown", "the IPC went away"));
    await settle();
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "paused");
    expect(screen.queryByTestId("public-qr")).toBeNull();
    expect(document.body.textContent).not.toContain("IPC");
    expect(commands(calls)).toEqual(["screen_get", "screen_next"]);

    mockCommands({ screen_get: () => screenState(3, { phase: "blank" }), screen_next: () => deferred<ScreenState>().promise });
    await settle(999);
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "paused");
    await settle(1);
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "blank");
  });

  it("reports touches and keys as activity, at most once per 5 s", async () => {
    render(Presenter);
    first.resolve(screenState(1, shownView(EXPIRES)));
    await settle();
    const activity = () => commands(calls).filter((c) => c === "screen_activity").length;

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
    expect(commands(calls).every((c) => ALLOWED.includes(c))).toBe(true);
  });

  it("blocks the context menu, selecting, dragging, copying and keys like Escape and F11", async () => {
    render(Presenter);
    first.resolve(screenState(1, shownView(EXPIRES)));
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

describe("presenter.html", () => {
  const html = readFileSync(resolve(__dirname, "../presenter.html"), "utf8");

  it("is its own page with a neutral title and no inline script or style", () => {
    expect(html).toContain("<title>Passkey Desk — Presenter</title>");
    expect(html).toContain('<script type="module" src="/src/presenter.ts"></script>');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
  });
});
