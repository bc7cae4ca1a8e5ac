// The admin window's message files (./en.ts, ./de.ts): complete, non-empty, the same
// parameters in every language, German that is German — checked at run time here, besides
// the type check (a missing or extra key in de.ts does not compile).
import { describe, expect, it, vi } from "vitest";
import type { Language } from "../../bindings/Language";
import { settings } from "../../test/fixtures";
import { desk } from "../state.svelte";
import { clockTime } from "../time";
import { de } from "./de";
import { en } from "./en";
import { dateLocale, language, messages, msg, say, t, tIn, type MessageKey, type Messages, type Plural } from "./index";

type Catalogue = Readonly<Record<string, string | Plural>>;

/** The `{name}`s of a text, sorted. */
function holes(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

/** The forms of a value: one text, or a plural's forms by name. */
function forms(value: string | Plural): Record<string, string> {
  return typeof value === "string" ? { text: value } : { ...value };
}

/**
 * What is wrong with one language's messages, measured against English: missing, extra or
 * empty keys, other plural forms, other parameters. Empty when all is well.
 */
function problems(reference: Catalogue, other: Catalogue): string[] {
  const found: string[] = [];
  for (const key of Object.keys(reference)) {
    if (!Object.hasOwn(other, key)) {
      found.push(`${key}: missing`);
      continue;
    }
    const want = forms(reference[key]);
    const have = forms(other[key]);
    if (Object.keys(have).sort().join() !== Object.keys(want).sort().join()) {
      found.push(`${key}: forms ${Object.keys(have).sort().join()} instead of ${Object.keys(want).sort().join()}`);
      continue;
    }
    for (const [form, text] of Object.entries(have)) {
      if (typeof text !== "string" || text.trim() === "") found.push(`${key}.${form}: empty`);
      else if (holes(text).join() !== holes(want[form]).join()) {
        found.push(`${key}.${form}: parameters {${holes(text).join("}, {")}} instead of {${holes(want[form]).join("}, {")}}`);
      }
    }
  }
  for (const key of Object.keys(other)) if (!Object.hasOwn(reference, key)) found.push(`${key}: not in English`);
  return found;
}

const LANGUAGES = Object.keys(messages) as Language[];

/** Keys whose German is the English on purpose: names, loanwords, technical terms. */
const SAME_IN_GERMAN: readonly MessageKey[] = [
  "common.kiosk",
  "header.admin",
  "language.en",
  "language.de",
  "link.monitor",
  "org.title",
  "passkeys.title",
  "queue.found.blocked",
  "settings.pin",
  "user.name",
  "user.org",
  "user.state.initial",
];

describe("message files", () => {
  it("there are English and German", () => {
    expect(LANGUAGES.sort()).toEqual(["de", "en"]);
    expect(Object.keys(en).length).toBeGreaterThan(150);
  });

  it("every language has every key of English, no other, and none is empty", () => {
    for (const language of LANGUAGES) {
      expect(problems(en, messages[language]), language).toEqual([]);
      expect(Object.keys(messages[language]).sort(), language).toEqual(Object.keys(en).sort());
    }
    // English itself: no empty text, a plural has `one` and `other`.
    for (const [key, value] of Object.entries(en)) {
      for (const [form, text] of Object.entries(forms(value))) expect(text.trim(), `${key}.${form}`).not.toBe("");
      if (typeof value !== "string") expect(Object.keys(value), key).toEqual(expect.arrayContaining(["one", "other"]));
    }
  });

  it("the check finds a missing, an empty, an extra key, other plural forms and other parameters", () => {
    const broken: Record<string, string | Plural> = { ...de };
    delete broken["header.signOut"];
    broken["header.admin"] = "  ";
    broken["header.extra"] = "Noch etwas";
    broken["org.count"] = "{count} Organisationen";
    broken["header.until"] = "bis {zeit}";
    broken["time.minutes"] = { one: "{count} Minute", other: "" };
    expect(problems(en, broken).sort()).toEqual(
      [
        "header.signOut: missing",
        "header.admin.text: empty",
        "header.extra: not in English",
        "org.count: forms text instead of one,other",
        "header.until.text: parameters {zeit} instead of {time}",
        "time.minutes.other: empty",
      ].sort(),
    );
  });

  it("German is German: only names and loanwords read as in English; always Sie, never du", () => {
    const same = (Object.keys(en) as MessageKey[]).filter((key) => JSON.stringify(de[key]) === JSON.stringify(en[key]));
    expect(same.sort()).toEqual([...SAME_IN_GERMAN].sort());
    for (const [key, value] of Object.entries(de)) {
      for (const text of Object.values(forms(value))) {
        expect(text, key).not.toMatch(/\b(du|dein|deine|deinen|dich|dir|euch|euer)\b/i);
        // German quotation marks („…“) and dashes (–), not English ones (“…”, —).
        expect(text, key).not.toMatch(/(^|\s)[“"]|”|—/u);
      }
    }
    expect(de["link.linkLabel"]).toBe("Registrierungslink");
    expect(de["user.passkeys"].other).toContain("Passkeys");
  });

  it("a missing, an extra or a misshapen German key is a type error", () => {
    // @ts-expect-error -- every key but one is missing: `npm run check` fails if this compiles.
    const incomplete: Messages = { "header.signOut": "Abmelden" };
    // @ts-expect-error -- a key English does not have.
    const extra: Messages = { ...de, "header.extra": "Noch etwas" };
    // @ts-expect-error -- a plural where English has a text.
    const misshapen: Messages = { ...de, "header.admin": { one: "Admin", other: "Admins" } };
    expect([incomplete, extra, misshapen].length).toBe(3);
  });

  it("parameters are checked by type, and filled in as text", () => {
    // @ts-expect-error -- "link.title" needs its {name}.
    expect(() => t("link.title")).not.toThrow();
    // @ts-expect-error -- "header.signOut" has no parameters.
    t("header.signOut", { name: "x" });
    // @ts-expect-error -- no such key (at run time it shows as itself).
    expect(t("header.nothing")).toBe("header.nothing");
    expect(t("link.title", { name: "<b>Zoë</b> {name}" })).toBe("Registration link for <b>Zoë</b> {name}");
    expect(tIn("de", "link.title", { name: "Zoë Müller" })).toBe("Registrierungslink für Zoë Müller");
  });

  it("plurals take the form of the number, 'zero' where there is one", () => {
    expect([0, 1, 2, 20].map((count) => t("user.passkeys", { count }))).toEqual(["no passkey", "1 passkey", "2 passkeys", "20 passkeys"]);
    expect([0, 1, 2].map((count) => tIn("de", "user.passkeys", { count }))).toEqual(["kein Passkey", "1 Passkey", "2 Passkeys"]);
    expect([0, 1, 5].map((count) => tIn("de", "time.minutes", { count }))).toEqual(["0 Minuten", "1 Minute", "5 Minuten"]);
    expect([0, 1, 3].map((count) => t("org.count", { count }))).toEqual(["0 organisations", "1 organisation", "3 organisations"]);
  });

  it("a kept message is put into words when shown; a text from the core stays as it came", () => {
    const copied = msg("notice.copiedClears", { secs: 30 });
    expect(say(copied)).toBe("Copied — clipboard clears in 30 s");
    expect(say("wrong PIN (retry after 4 s)")).toBe("wrong PIN (retry after 4 s)");
    expect(say(null)).toBe("");
  });

  it("follows the window's language, English by default", () => {
    expect(language()).toBe("en");
    desk.settings = { ...settings, uiLanguage: "de" };
    expect(language()).toBe("de");
    expect(t("header.signOut")).toBe("Abmelden");
    desk.languagePreview = "en";
    expect(t("header.signOut")).toBe("Sign out");
  });

  it("dates and times: the system's regional variant of the window's language, else a neutral one", () => {
    const languages = vi.spyOn(navigator, "languages", "get").mockReturnValue(["de-CH", "en-US"]);
    expect(dateLocale()).toBe("en-US");
    desk.languagePreview = "de";
    expect(dateLocale()).toBe("de-CH");
    languages.mockReturnValue(["de-CH"]);
    desk.languagePreview = "en";
    expect(dateLocale()).toBe("en-GB");
    expect(clockTime("2030-01-01T13:05:00Z")).toMatch(/^\d{2}:05$/);
    languages.mockReturnValue(["en-US"]);
    desk.languagePreview = "de";
    expect(dateLocale()).toBe("de");
  });
});
