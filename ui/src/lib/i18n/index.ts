// The admin's window in the admin's language: `t(key, params)` looks a text up in the message
// file of the current language (./en.ts, ./de.ts) and fills in its parameters.
//
// The language is decided by the core (`SettingsView.uiLanguage`: the `language` setting, or
// the system's); the app's state tells this module where to read it (`followLanguage`), so
// every `t(…)` in a component or a `$derived` follows a switch at once. Until then — and in
// the tests — it is English. Texts the core sends (ErrorReport.message) are shown as they
// come; the UI's own words are here, including the reasons around a permission the core names.
import type { Language } from "../../bindings/Language";
import { de } from "./de";
import { en } from "./en";

/** A text with a form per number: `one`, `other`, and `zero` where "none" reads better. */
export interface Plural {
  readonly zero?: string;
  readonly one: string;
  readonly other: string;
}

type English = typeof en;
export type MessageKey = keyof English;

/**
 * What every language's message file must hold: exactly English's keys, a text where English
 * has a text, a plural with the same forms where English has a plural.
 */
export type Messages = {
  readonly [K in MessageKey]: English[K] extends string ? string : { readonly [F in keyof English[K]]: string };
};

/** Every language's messages (a missing language is a type error). */
export const messages: Readonly<Record<Language, Messages>> = { en, de };

// ---- parameters -----------------------------------------------------------------------------

/** The `{name}`s in a text. */
type Holes<S> = S extends `${string}{${infer P}}${infer Rest}` ? P | Holes<Rest> : never;
/** The parameters of a message: its holes, and `count` for a plural. */
type ParamName<V> = V extends string ? Holes<V> : "count" | Holes<V[keyof V]>;
export type Params<K extends MessageKey> = {
  readonly [P in ParamName<English[K]>]: P extends "count" ? number : string | number;
};
/** `t(key)` for a message without parameters, `t(key, { … })` for one with. */
export type ParamArgs<K extends MessageKey> = [ParamName<English[K]>] extends [never] ? [] : [params: Params<K>];

/** The keys of the messages without parameters (what a table of keys can hold). */
export type PlainKey = { [K in MessageKey]: ParamArgs<K> extends [] ? K : never }[MessageKey];

type AnyParams = Readonly<Record<string, string | number>>;

// ---- the current language -------------------------------------------------------------------

let current: () => Language = () => "en";

/** Where the current language comes from (the app's state); read on every lookup. */
export function followLanguage(source: () => Language): void {
  current = source;
}

/** The language the admin's window shows now. */
export function language(): Language {
  const l = current();
  return l in messages ? l : "en";
}

const pluralRules = new Map<Language, Intl.PluralRules>();
function pluralForm(lang: Language, count: number): "one" | "other" {
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  return rules.select(count) === "one" ? "one" : "other";
}

function fill(text: string, params: AnyParams | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (hole, name: string) => (name in params ? String(params[name]) : hole));
}

function lookup(lang: Language, key: MessageKey, params: AnyParams | undefined): string {
  const value: string | Plural | undefined = messages[lang][key] ?? en[key];
  // Cannot happen in typed code; a key is better on screen than an exception.
  if (value === undefined) return String(key);
  if (typeof value === "string") return fill(value, params);
  const count = Number(params?.count ?? 0);
  const text = count === 0 && value.zero !== undefined ? value.zero : value[pluralForm(lang, count)];
  return fill(text, params);
}

/** The text of `key` in the current language, its parameters filled in. */
export function t<K extends MessageKey>(key: K, ...args: ParamArgs<K>): string {
  return lookup(language(), key, args[0] as AnyParams | undefined);
}

/** The text of `key` in a given language (tests, and what must not follow the setting). */
export function tIn<K extends MessageKey>(lang: Language, key: K, ...args: ParamArgs<K>): string {
  return lookup(lang, key, args[0] as AnyParams | undefined);
}

// ---- messages kept for later ----------------------------------------------------------------

/**
 * A message kept in state (e.g. the notice after an action) and put into words when shown,
 * so a switch of language reaches it too.
 */
export interface Message {
  readonly key: MessageKey;
  readonly params?: AnyParams;
}

export function msg<K extends MessageKey>(key: K, ...args: ParamArgs<K>): Message {
  return { key, params: args[0] as AnyParams | undefined };
}

/** A kept message in the current language (or a text as it came, e.g. the core's); "" for none. */
export function say(message: Message | string | null | undefined): string {
  if (message === null || message === undefined) return "";
  if (typeof message === "string") return message;
  return lookup(language(), message.key, message.params);
}

// ---- dates and times ----------------------------------------------------------------------

/** Dates and times in a language the system has no regional variant of. */
const DATE_FALLBACK: Readonly<Record<Language, string>> = {
  // An English window on a German or Swiss desk: 24-hour clock, day before month.
  en: "en-GB",
  de: "de",
};

/**
 * The locale for dates and times: the system's own regional variant when it speaks the
 * window's language (de-CH, en-US keep their formats), else a neutral one of that language.
 */
export function dateLocale(): string {
  const lang = language();
  const system = typeof navigator === "undefined" ? [] : (navigator.languages ?? [navigator.language]);
  return system.find((tag) => typeof tag === "string" && tag.toLowerCase().split(/[-_]/)[0] === lang) ?? DATE_FALLBACK[lang];
}
