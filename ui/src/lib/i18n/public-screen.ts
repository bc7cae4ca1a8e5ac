// The texts of the public screen (presenter window, kiosk), for the person in front of it.
// One object per language with the same keys: `de` is typed by `en`'s keys, so a missing
// (or an extra) key is a type error; a test checks the same at run time.
import type { Language } from "../../bindings/Language";

const en = {
  title: "Register your passkey",
  step1: "Open the camera on your phone and point it at the code.",
  step2: "Tap the link and follow the steps — Face ID, fingerprint or Windows Hello.",
  step3: "Keep this screen in view until it says Registered ✓.",
  validFor: "Valid for",
  expired: "This code has expired.",
  qrLabel: "QR code to register your passkey",
  registered: "Registered ✓",
  registeredDone: "Your passkey is ready. You can now sign in with it.",
  welcome: "Your registration code will appear here.",
  oneMoment: "One moment, please…",
};

export type PublicScreenMessages = { readonly [K in keyof typeof en]: string };

const de: PublicScreenMessages = {
  title: "Registrieren Sie Ihren Passkey",
  step1: "Öffnen Sie die Kamera Ihres Smartphones und richten Sie sie auf den Code.",
  step2: "Tippen Sie auf den Link und folgen Sie den Schritten – Face ID, Fingerabdruck oder Windows Hello.",
  step3: "Behalten Sie diesen Bildschirm im Blick, bis „Registriert ✓“ erscheint.",
  validFor: "Gültig für",
  expired: "Dieser Code ist abgelaufen.",
  qrLabel: "QR-Code zur Registrierung Ihres Passkeys",
  registered: "Registriert ✓",
  registeredDone: "Ihr Passkey ist eingerichtet. Sie können sich jetzt damit anmelden.",
  welcome: "Ihr Registrierungscode erscheint hier.",
  oneMoment: "Einen Moment bitte …",
};

/** Every language the app has texts in (a missing language is a type error too). */
export const publicScreenMessages: Readonly<Record<Language, PublicScreenMessages>> = { en, de };

/** The languages in the order the neutral screens (blank, paused) show them. */
export const LANGUAGES: readonly Language[] = ["en", "de"];

export function publicScreenText(language: Language): PublicScreenMessages {
  return publicScreenMessages[language] ?? en;
}
