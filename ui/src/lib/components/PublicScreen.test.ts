import { render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { Language } from "../../bindings/Language";
import type { ScreenView } from "../../bindings/ScreenView";
import { QR_SVG, rows, settle, shownView, useClock } from "../../test/fixtures";
import { publicScreenMessages } from "../i18n/public-screen";
import PublicScreen from "./PublicScreen.svelte";

const NOW = "2030-01-01T10:00:00Z";
const EXPIRES = "2030-01-01T10:05:00Z";
const alice = rows[0].user;

beforeEach(() => {
  useClock(NOW);
});

function show(view: ScreenView) {
  return render(PublicScreen, { props: { view } });
}

/** Everything on the screen is one of these texts (and whitespace): nothing else leaks in. */
function expectOnly(allowed: string[]) {
  let rest = screen.getByTestId("public-screen").textContent ?? "";
  for (const text of [...allowed].sort((a, b) => b.length - a.length)) rest = rest.split(text).join(" ");
  expect(rest.trim()).toBe("");
}

/** Nothing about the person beyond the display name, never the link as text. */
function expectNoPrivateData() {
  const text = document.body.textContent ?? "";
  expect(text).not.toContain(alice.loginName);
  expect(text).not.toContain("@");
  expect(text).not.toContain("http");
  expect(text).not.toContain("code=");
  expect(document.body.innerHTML).not.toContain("https://");
  expect(document.querySelector("a")).toBeNull();
  expect(document.querySelector("input, textarea")).toBeNull();
}

describe.each<[Language, string, string]>([
  ["en", "Register your passkey", "Valid for"],
  ["de", "Registrieren Sie Ihren Passkey", "Gültig für"],
])("PublicScreen showing (%s)", (language, title, validFor) => {
  const t = publicScreenMessages[language];

  it("shows the org, the name, the QR, the instructions in the person's language and the countdown", () => {
    show(shownView(EXPIRES, { language }));
    const root = screen.getByTestId("public-screen");
    expect(root).toHaveAttribute("data-phase", "showing");
    expect(root).toHaveAttribute("lang", language);
    expect(screen.getByTestId("public-org")).toHaveTextContent("ACME");
    expect(screen.getByTestId("public-name")).toHaveTextContent("Alice Archer");
    const qr = screen.getByTestId("public-qr");
    expect(qr).toHaveClass("screen");
    expect(qr).toHaveAttribute("role", "img");
    expect(qr).toHaveAttribute("aria-label", t.qrLabel);
    expect(qr.querySelector("svg")?.getAttribute("viewBox")).toBe("0 0 29 29");
    const instructions = screen.getByTestId("public-instructions");
    expect(instructions).toHaveTextContent(title);
    for (const step of [t.step1, t.step2, t.step3]) expect(instructions).toHaveTextContent(step);
    expect(screen.getByTestId("public-countdown")).toHaveTextContent(`${validFor} 05:00`);
    expect(screen.queryByTestId("public-registered")).toBeNull();
    expectOnly(["ACME", "Alice Archer", t.title, t.step1, t.step2, t.step3, t.validFor, "05:00"]);
    expectNoPrivateData();
  });

  it("counts down each second without re-rendering the QR; at zero it only waits for the core's wipe", async () => {
    show(shownView(EXPIRES, { language }));
    const svg = screen.getByTestId("public-qr").querySelector("svg");
    await settle(1000);
    expect(screen.getByTestId("public-countdown")).toHaveTextContent(`${validFor} 04:59`);
    await settle(60_000);
    expect(screen.getByTestId("public-countdown")).toHaveTextContent("03:59");
    expect(screen.getByTestId("public-qr").querySelector("svg")).toBe(svg);
    await settle(300_000);
    // The expiry is the core's: it pushes the welcome at once (the next test's view).
    expect(screen.getByTestId("public-countdown")).toHaveTextContent(`${validFor} 00:00`);
    expect(t.expired.length).toBeGreaterThan(0);
  });
});

describe("PublicScreen", () => {
  it.each<[Language, string]>([
    ["en", "Registered ✓"],
    ["de", "Registriert ✓"],
  ])("registered (%s): big confirmation, the name and the passkey's name, no QR", (language, done) => {
    show({ phase: "registered", displayName: "Alice Archer", passkeyName: "Alice's iPhone", language });
    const root = screen.getByTestId("public-screen");
    expect(root).toHaveAttribute("data-phase", "registered");
    expect(root).toHaveAttribute("lang", language);
    expect(screen.getByTestId("public-registered")).toHaveTextContent(done);
    expect(screen.getByTestId("public-name")).toHaveTextContent("Alice Archer");
    expect(screen.queryByTestId("public-qr")).toBeNull();
    expect(screen.queryByTestId("public-countdown")).toBeNull();
    expect(document.querySelector("svg")).toBeNull();
    const passkey = publicScreenMessages[language].registeredPasskey.replace("{passkey}", "Alice's iPhone");
    expect(screen.getByTestId("public-passkey")).toHaveTextContent(passkey);
    expectOnly([done, "Alice Archer", passkey, publicScreenMessages[language].registeredDone]);
    expectNoPrivateData();
  });

  it("welcome: a neutral 'please wait' in English and German, the org, nobody's name", () => {
    show({ phase: "welcome", orgName: "ACME" });
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "welcome");
    const welcome = screen.getByTestId("public-welcome");
    expect(welcome).toHaveTextContent("ACME");
    expect(welcome).toHaveTextContent("Please wait — staff will start your registration.");
    expect(welcome.querySelector('[lang="de"]')).toHaveTextContent("Bitte warten Sie – gleich startet Ihre Registrierung.");
    expect(screen.queryByTestId("public-name")).toBeNull();
    expect(screen.queryByTestId("public-qr")).toBeNull();
    expectOnly(["ACME", publicScreenMessages.en.welcome, publicScreenMessages.de.welcome]);
  });

  it("welcome without an org chosen: the app's name", () => {
    show({ phase: "welcome", orgName: null });
    expect(screen.getByTestId("public-welcome")).toHaveTextContent("Passkey Desk");
  });

  it("paused: 'One moment, please…' in English and German, never an error", () => {
    show({ phase: "paused" });
    expect(screen.getByTestId("public-screen")).toHaveAttribute("data-phase", "paused");
    const paused = screen.getByTestId("public-paused");
    expect(paused).toHaveTextContent("One moment, please…");
    expect(paused).toHaveTextContent("Einen Moment bitte …");
    expect(screen.queryByTestId("public-qr")).toBeNull();
    expect(document.body.textContent).not.toMatch(/error|fehler/i);
    expectOnly([publicScreenMessages.en.oneMoment, publicScreenMessages.de.oneMoment]);
  });

  it("follows a new view: showing → registered → welcome, and the QR leaves the DOM", async () => {
    const { rerender } = show(shownView(EXPIRES));
    expect(screen.getByTestId("public-qr")).toBeInTheDocument();
    await rerender({ view: { phase: "registered", displayName: "Alice Archer", passkeyName: "iPhone", language: "en" } });
    expect(screen.queryByTestId("public-qr")).toBeNull();
    expect(document.body.innerHTML).not.toContain(QR_SVG.slice(0, 40));
    await rerender({ view: { phase: "welcome", orgName: null } });
    expect(screen.queryByTestId("public-name")).toBeNull();
  });

  it("renders names as text, never as markup", () => {
    show(shownView(EXPIRES, { displayName: '<img src=x onerror="alert(1)">Mallory', orgName: "<b>Org</b>" }));
    expect(screen.getByTestId("public-name").textContent).toBe('<img src=x onerror="alert(1)">Mallory');
    expect(document.querySelector("img")).toBeNull();
    expect(screen.getByTestId("public-org").querySelector("b")).toBeNull();
  });

  it("does not touch the document title", () => {
    document.title = "Passkey Desk — Presenter";
    show(shownView(EXPIRES));
    expect(document.title).toBe("Passkey Desk — Presenter");
  });
});
