import { describe, expect, it } from "vitest";
import { LANGUAGES, publicScreenMessages, publicScreenText, type PublicScreenMessages } from "./public-screen";

describe("public screen texts", () => {
  it("every language has exactly the same keys as English", () => {
    const keys = Object.keys(publicScreenMessages.en).sort();
    expect(keys.length).toBeGreaterThan(5);
    for (const language of LANGUAGES) {
      expect(Object.keys(publicScreenMessages[language]).sort(), language).toEqual(keys);
    }
    expect(Object.keys(publicScreenMessages).sort()).toEqual([...LANGUAGES].sort());
  });

  it("no text is empty, and German is not English", () => {
    for (const language of LANGUAGES) {
      for (const [key, text] of Object.entries(publicScreenMessages[language])) {
        expect(text.trim(), `${language}.${key}`).not.toBe("");
      }
    }
    const keys = Object.keys(publicScreenMessages.en) as (keyof PublicScreenMessages)[];
    for (const key of keys) expect(publicScreenMessages.de[key], key).not.toBe(publicScreenMessages.en[key]);
  });

  it("says it the agreed way", () => {
    expect(publicScreenText("en")).toMatchObject({
      title: "Register your passkey",
      step1: "Open the camera on your phone and point it at the code.",
      step2: "Tap the link and follow the steps — Face ID, fingerprint or Windows Hello.",
      step3: "Keep this screen in view until it says Registered ✓.",
      validFor: "Valid for",
      registered: "Registered ✓",
      welcome: "Please wait — staff will start your registration.",
      oneMoment: "One moment, please…",
    });
    expect(publicScreenText("de")).toMatchObject({
      registered: "Registriert ✓",
      welcome: "Bitte warten Sie – gleich startet Ihre Registrierung.",
      oneMoment: "Einen Moment bitte …",
    });
    // Sie-form, never du.
    for (const text of Object.values(publicScreenMessages.de)) expect(text).not.toMatch(/\b(du|dein|deine|dich|dir)\b/i);
  });

  it("a missing German key is a type error", () => {
    // @ts-expect-error -- "validFor" (and the rest) missing: `npm run check` fails if this compiles.
    const incomplete: PublicScreenMessages = { title: "Registrieren Sie Ihren Passkey" };
    expect(Object.keys(incomplete)).toHaveLength(1);
  });
});
