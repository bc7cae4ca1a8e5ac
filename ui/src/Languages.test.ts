// The admin's window in German: the main screens render German and no English of a translated
// text is left; the language selector in the settings switches at once (before Save), Save keeps
// it, Cancel goes back; the page's `lang` follows. The core's own messages stay as they come.
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import type { Language } from "./bindings/Language";
import type { SettingsView } from "./bindings/SettingsView";
import { de } from "./lib/i18n/de";
import { en } from "./lib/i18n/en";
import type { MessageKey, Plural } from "./lib/i18n/index";
import { desk } from "./lib/state.svelte";
import {
  Core,
  emptySettings,
  linkView,
  live,
  managerView,
  monitors,
  report,
  rows,
  settings,
  signedIn,
  type Call,
} from "./test/fixtures";

const german: SettingsView = { ...settings, language: "de", uiLanguage: "de" };

function texts(value: string | Plural): string[] {
  return typeof value === "string" ? [value] : Object.values(value);
}

const GERMAN_TEXTS = Object.values(de).flatMap(texts);

/**
 * The English of every translated text, cut at its parameters: pieces long enough to mean
 * something, and not also part of a German text (e.g. "Login" in "Login-Name").
 */
const ENGLISH_PIECES = [
  ...new Set(
    (Object.keys(en) as MessageKey[])
      .filter((key) => JSON.stringify(en[key]) !== JSON.stringify(de[key]))
      .flatMap((key) => texts(en[key]))
      .flatMap((text) => text.split(/\{\w+\}/))
      .map((piece) => piece.trim())
      .filter((piece) => piece.length >= 4 && !GERMAN_TEXTS.some((g) => g.includes(piece))),
  ),
];

/** Everything a person can see or hear of the page: its text and its labels. */
function everything(): string {
  const attributes = [...document.body.querySelectorAll("*")].flatMap((el) =>
    ["aria-label", "placeholder", "title", "alt"].map((name) => el.getAttribute(name) ?? ""),
  );
  return [document.body.textContent ?? "", ...attributes].join("\n");
}

/** Small English words no German text of the app has (a text left inline, not in en.ts). */
const ENGLISH_WORDS = /\b(the|your|you|with|and|not|to|of|no|is|are|for|this|here|now|again)\b/gi;

function expectNoEnglish(where: string) {
  const page = everything();
  const left = ENGLISH_PIECES.filter((piece) => page.includes(piece));
  expect(left, `English left on the ${where}`).toEqual([]);
  expect(page.match(ENGLISH_WORDS) ?? [], `English words on the ${where}`).toEqual([]);
}

function expectGerman(...wanted: string[]) {
  const page = everything();
  for (const text of wanted) expect(page, text).toContain(text);
}

afterEach(() => {
  document.documentElement.lang = "en";
});

describe("the admin's window in German", () => {
  it("the English pieces to look for are many, and distinct from the German", () => {
    expect(ENGLISH_PIECES.length).toBeGreaterThan(150);
    expect(ENGLISH_PIECES).toContain("Sign out");
    expect(ENGLISH_PIECES).not.toContain("Login");
  });

  it("first run: the settings screen", async () => {
    new Core({ settings_get: () => ({ ...emptySettings, uiLanguage: "de", systemLanguage: "de" }) });
    render(App);
    expect(await screen.findByTestId("settings")).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 2 })).toHaveTextContent("Willkommen");
    expect(screen.getByLabelText("Instanz-URL")).toBe(screen.getByTestId("settings-instance"));
    expect(screen.getByLabelText("Client-ID")).toBe(screen.getByTestId("settings-client-id"));
    expect(screen.getByLabelText("Sprache")).toBe(screen.getByTestId("settings-language"));
    expectGerman("Verbindung testen", "Speichern", "Zwischenablage leeren nach", "Registrierungsschalter", "Kiosk-PIN");
    expect(document.documentElement.lang).toBe("de");
    expectNoEnglish("first-run settings");
  });

  it("sign-in, with a session that could not be restored: the banner's words are German, the core's message is not translated", async () => {
    new Core({
      settings_get: () => german,
      session_restore: () => Promise.reject(report("token_rejected", "the server refused the stored token")),
    });
    render(App);
    const banner = await screen.findByTestId("error-banner");
    expect(banner).toHaveTextContent("Ihre Sitzung ist beendet");
    expect(banner).toHaveTextContent("the server refused the stored token");
    expect(screen.getByTestId("error-action")).toHaveTextContent("Erneut anmelden");
    expect(screen.getByTestId("sign-in-browser")).toHaveTextContent("Mit dem Browser anmelden");
    expect(screen.getByTestId("sign-in-device")).toHaveTextContent("Mit dem Smartphone anmelden");
    // The core's message is English by design; everything around it is German.
    banner.querySelector('[data-testid="error-message"]')?.remove();
    expectNoEnglish("sign-in screen");
  });

  it("the work: organisation, search, the selected user, the link, the registration", async () => {
    const core: Core = signedIn(
      {
        settings_get: () => german,
        users_search: () => rows,
        user_select: (args) => {
          const row = rows.find((r) => r.user.id === args.userId) ?? rows[0];
          void core.update({ selected: row });
          return row;
        },
        link_create: () => {
          void core.update({ link: live(linkView("2099-01-01T00:00:00Z")) });
          return linkView("2099-01-01T00:00:00Z");
        },
        link_copy: () => null,
        presenter_monitors: () => monitors,
      },
    );
    render(App);
    expect(await screen.findByTestId("org-current")).toHaveTextContent("ACME");
    expectGerman("Abmelden", "Einstellungen", "Instanz", "Sitzung", "(wird automatisch verlängert)", "Benutzer suchen", "Strg+K");
    expect(screen.getByTestId("cap-create")).toHaveTextContent("✓ QR-Code anzeigen / Link erstellen");
    expect(screen.getByTestId("hint")).toHaveTextContent("Suchen Sie die anrufende Person (Strg+K)");
    expectNoEnglish("start of the work");

    await fireEvent.input(screen.getByTestId("user-search"), { target: { value: "ali" } });
    await waitFor(() => expect(screen.getAllByTestId("user-row")).toHaveLength(3), { timeout: 1000 });
    expect(screen.getByTestId("search-status")).toHaveTextContent("3 Benutzer gefunden.");
    expect(screen.getAllByTestId("passkey-count").map((el) => el.textContent)).toEqual(["kein Passkey", "2 Passkeys", "Passkeys unbekannt"]);
    expect(screen.getAllByTestId("user-row")[1]).toHaveTextContent("gesperrt");
    expectNoEnglish("search results");

    await fireEvent.click(screen.getAllByTestId("user-row")[1]);
    expect(await screen.findByTestId("selected-user")).toHaveTextContent("Alina Brook");
    expect(screen.getByTestId("identity-state")).toHaveTextContent("gesperrt");
    expect(screen.getByTestId("selected-identity")).toHaveTextContent("keine");
    expect(screen.getByTestId("create-link")).toHaveTextContent("QR-Code anzeigen / Link erstellen");
    expectNoEnglish("selected user");

    await fireEvent.click(screen.getAllByTestId("user-row")[0]);
    await fireEvent.click(await screen.findByTestId("create-link"));
    expect(await screen.findByTestId("qr")).toHaveAttribute("aria-label", "QR-Code des Registrierungslinks für Alice Archer");
    expectGerman("Läuft ab in", "Registrierungslink", "Link kopieren", "Über ZITADEL senden", "PNG speichern", "Drucken", "Präsentieren", "Hauptbildschirm");
    expect(screen.getByTestId("registration-status")).toHaveTextContent("Warten, bis Alice Archer einen Passkey registriert …");
    await fireEvent.click(screen.getByTestId("copy-link"));
    await waitFor(() => expect(screen.getByTestId("notice")).toHaveTextContent("Kopiert – die Zwischenablage wird in 30 s geleert"));
    expectNoEnglish("link");

    await core.update({
      link: { phase: "registered", user: rows[0].user, passkey: { id: "p1", name: "YubiKey 5", seenAt: "2099-01-01T00:00:00Z" } },
    });
    expect(await screen.findByText("Registriert: YubiKey 5")).toBeInTheDocument();
    expect(screen.getByTestId("next-user")).toHaveTextContent("Nächster Benutzer");
    expectNoEnglish("registration");
  });

  it("not allowed: the reason is German around the permission the core names", async () => {
    signedIn({ settings_get: () => german }, { org: managerView });
    render(App);
    expect(await screen.findByTestId("cap-create")).toHaveTextContent(
      "✗ QR-Code anzeigen / Link erstellen: Ihnen fehlt die Berechtigung 'user.credential.write' in Globex; „Über ZITADEL senden“ geht weiterhin",
    );
    expect(screen.getByTestId("cap-send")).toHaveTextContent("✓ Über ZITADEL senden");
  });
});

describe("the language selector", () => {
  let calls: Call[];
  let saved: SettingsView | null;

  function start(system: Language = "de") {
    saved = null;
    calls = signedIn({
      settings_get: () => ({ ...settings, systemLanguage: system, uiLanguage: "en", language: "en" }),
      settings_save: (args) => {
        const sent = args.settings as SettingsView;
        // The core resolves the choice.
        saved = { ...sent, uiLanguage: sent.language === "auto" ? system : sent.language };
        return saved;
      },
    }).calls;
    render(App);
  }

  async function openSettings() {
    await fireEvent.click(await screen.findByTestId("open-settings"));
    return screen.getByTestId<HTMLSelectElement>("settings-language");
  }

  it("offers Auto (system), English and Deutsch, with the saved choice selected", async () => {
    start();
    const select = await openSettings();
    expect([...select.options].map((o) => [o.value, o.text])).toEqual([
      ["auto", "Auto (system)"],
      ["en", "English"],
      ["de", "Deutsch"],
    ]);
    expect(select).toHaveValue("en");
  });

  it("switches at once, before Save; Save keeps it; the page's lang follows", async () => {
    start();
    const select = await openSettings();
    expect(screen.getByTestId("sign-out")).toHaveTextContent("Sign out");
    expect(document.documentElement.lang).toBe("en");

    await fireEvent.change(select, { target: { value: "de" } });
    expect(screen.getByTestId("sign-out")).toHaveTextContent("Abmelden");
    expect(screen.getByLabelText("Sprache")).toBe(select);
    expect(screen.getByTestId("settings-save")).toHaveTextContent("Speichern");
    expect(document.documentElement.lang).toBe("de");
    expectNoEnglish("settings after choosing Deutsch");

    await fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(desk.view).toBe("main"));
    expect(calls.find((c) => c.cmd === "settings_save")?.args.settings).toMatchObject({ language: "de" });
    expect(saved?.uiLanguage).toBe("de");
    expect(await screen.findByTestId("org-current")).toBeInTheDocument();
    expect(screen.getByTestId("open-settings")).toHaveTextContent("Einstellungen");
    expect(document.documentElement.lang).toBe("de");
    expectNoEnglish("work after saving Deutsch");

    // And back to English, the same way.
    await fireEvent.change(await openSettings(), { target: { value: "en" } });
    expect(screen.getByTestId("sign-out")).toHaveTextContent("Sign out");
    await fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(desk.view).toBe("main"));
    expect(screen.getByTestId("open-settings")).toHaveTextContent("Settings");
    expect(document.documentElement.lang).toBe("en");
  });

  it("'Auto (system)' shows the system's language; Cancel goes back to the saved one", async () => {
    start("de");
    const select = await openSettings();
    await fireEvent.change(select, { target: { value: "auto" } });
    expect(screen.getByTestId("sign-out")).toHaveTextContent("Abmelden");
    await fireEvent.click(screen.getByTestId("settings-cancel"));
    await waitFor(() => expect(desk.view).toBe("main"));
    expect(screen.getByTestId("sign-out")).toHaveTextContent("Sign out");
    expect(document.documentElement.lang).toBe("en");
    expect(calls.some((c) => c.cmd === "settings_save")).toBe(false);
  });
});
