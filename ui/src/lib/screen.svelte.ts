// The public screen as a window follows it (the presenter window, the kiosk): `screen_get`,
// then `screen_next(version)` in a loop. Only the three public-screen commands are used here,
// so the presenter window can import this without reaching any other command.
import type { ScreenState } from "../bindings/ScreenState";
import type { ScreenView } from "../bindings/ScreenView";
import * as api from "./api";

/** How long to wait after a failed call before trying again. */
export const RETRY_MS = 1000;
/** `screen_activity` at most this often. */
export const ACTIVITY_EVERY_MS = 5000;

const BLANK: ScreenView = { phase: "blank" };
const PAUSED: ScreenView = { phase: "paused" };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Follows the core's public screen until stopped. */
export class ScreenFeed {
  /** The last state read (null before the first answer). */
  state = $state.raw<ScreenState | null>(null);
  /** The last call failed: show the neutral "one moment" until the next answer. */
  failed = $state(false);
  private run = 0;

  /** What to show: the core's view; blank before the first answer; paused while failing. */
  get view(): ScreenView {
    if (this.failed) return PAUSED;
    return this.state?.view ?? BLANK;
  }

  /** Starts the loop; returns the function that stops it (for `$effect` / `onMount`). */
  start(): () => void {
    const run = ++this.run;
    void this.loop(run);
    return () => {
      if (this.run !== run) return;
      this.run++;
      this.state = null;
      this.failed = false;
    };
  }

  private async loop(run: number): Promise<void> {
    let seen: number | null = null;
    while (this.run === run) {
      const asked = Date.now();
      try {
        const next: ScreenState = seen === null ? await api.screenGet() : await api.screenNext(seen);
        if (this.run !== run) return;
        const unchanged = next.version === seen;
        if (!unchanged || this.failed || this.state === null) this.state = next;
        this.failed = false;
        seen = next.version;
        // The core answers an unchanged screen only after its long wait; an instant one would
        // spin: slow down.
        if (unchanged && Date.now() - asked < RETRY_MS) await sleep(RETRY_MS);
      } catch {
        if (this.run !== run) return;
        this.failed = true;
        seen = null;
        await sleep(RETRY_MS);
      }
    }
  }
}

/**
 * "Someone touched the public screen": a function to call on every pointer or key event; it
 * sends `screen_activity` at most once per `everyMs` and never fails.
 */
export function activityReporter(everyMs = ACTIVITY_EVERY_MS): () => void {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    api.screenActivity().catch(() => {
      // Best effort: a lost ping only shortens the idle time.
    });
  };
}

/**
 * Keys that would leave, reload, close, print or inspect a locked-down window: Escape, F5,
 * F11, F12, Ctrl+W/Q/R/P/N/T/U, Ctrl+Shift+I/J/C, Alt+F4, Alt+Left/Right (history).
 */
export function isLockedKey(event: KeyboardEvent): boolean {
  const key = event.key;
  if (key === "Escape" || key === "F5" || key === "F11" || key === "F12") return true;
  if (event.altKey && (key === "F4" || key === "ArrowLeft" || key === "ArrowRight" || key === "Home")) return true;
  if (event.ctrlKey || event.metaKey) {
    const k = key.toLowerCase();
    if (["w", "q", "r", "p", "n", "t", "u", "s", "o", "+", "-", "=", "0"].includes(k)) return true;
    if (event.shiftKey && ["i", "j", "c"].includes(k)) return true;
  }
  return false;
}
