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
  registeredPasskey: "Registered passkey: {passkey}",
  welcome: "Please wait — staff will start your registration.",
  oneMoment: "One moment, please…",
  staff: "Staff",
  unlockTitle: "Staff: unlock",
  pinLabel: "Staff PIN",
  unlock: "Unlock",
  checking: "Checking…",
  enterPin: "Enter the PIN.",
  wrongPin: "Wrong PIN.",
  tryAgainIn: "Try again in {secs} s.",
  phone: "Unlock with your phone",
  phoneSteps: "On your phone, open {uri} and enter the code:",
  phoneWaiting: "Waiting for your phone…",
  cancel: "Cancel",
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
  registeredPasskey: "Registrierter Passkey: {passkey}",
  welcome: "Bitte warten Sie – gleich startet Ihre Registrierung.",
  oneMoment: "Einen Moment bitte …",
  staff: "Personal",
  unlockTitle: "Personal: entsperren",
  pinLabel: "Personal-PIN",
  unlock: "Entsperren",
  checking: "Wird geprüft …",
  enterPin: "Geben Sie die PIN ein.",
  wrongPin: "Falsche PIN.",
  tryAgainIn: "Erneut versuchen in {secs} s.",
  phone: "Mit dem Smartphone entsperren",
  phoneSteps: "Öffnen Sie auf Ihrem Smartphone {uri} und geben Sie den Code ein:",
  phoneWaiting: "Warte auf Ihr Smartphone …",
  cancel: "Abbrechen",
};

/** Every language the app has texts in (a missing language is a type error too). */
export const publicScreenMessages: Readonly<Record<Language, PublicScreenMessages>> = { en, de };

/** The languages in the order the neutral screens (blank, paused) show them. */
export const LANGUAGES: readonly Language[] = ["en", "de"];

export function publicScreenText(language: Language): PublicScreenMessages {
  return publicScreenMessages[language] ?? en;
}

/** A text with its `{name}`s filled in. */
export function fill(text: string, params: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{(\w+)\}/g, (hole, name: string) => (name in params ? String(params[name]) : hole));
}
