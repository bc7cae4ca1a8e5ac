import { dateLocale, t } from "./i18n";

/** Milliseconds from `now` until the ISO instant `at` (negative once past; NaN if unreadable). */
export function msUntil(at: string, now: number): number {
  return Date.parse(at) - now;
}

/** "mm:ss" for a countdown (minutes may exceed 59); "00:00" once past or unreadable. */
export function formatCountdown(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 0;
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}`;
}

/** A time span in words, to the second: "4 minutes 5 seconds", "10 seconds" (in the UI's language). */
export function spokenDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 0;
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  const parts: string[] = [];
  if (minutes > 0) parts.push(t("time.minutes", { count: minutes }));
  if (seconds > 0 || minutes === 0) parts.push(t("time.seconds", { count: seconds }));
  return parts.join(" ");
}

/** A short spoken form for screen readers: "4 minutes 5 seconds left". */
export function spokenCountdown(ms: number): string {
  return t("time.left", { duration: spokenDuration(ms) });
}

/** A local clock time ("14:32") for an ISO instant; the raw text if it cannot be read. */
export function clockTime(at: string): string {
  const time = Date.parse(at);
  if (!Number.isFinite(time)) return at;
  return new Date(time).toLocaleTimeString(dateLocale(), { hour: "2-digit", minute: "2-digit" });
}

/** A local date and time for an ISO instant. */
export function dateTime(at: string): string {
  const time = Date.parse(at);
  if (!Number.isFinite(time)) return at;
  return new Date(time).toLocaleString(dateLocale(), { dateStyle: "medium", timeStyle: "short" });
}

/** A whole span of seconds in words: "2 minutes", "1 minute", "90 seconds". */
export function spokenSpan(secs: number): string {
  const s = Number.isFinite(secs) && secs > 0 ? Math.round(secs) : 0;
  if (s >= 60 && s % 60 === 0) return t("time.minutes", { count: s / 60 });
  return t("time.seconds", { count: s });
}
