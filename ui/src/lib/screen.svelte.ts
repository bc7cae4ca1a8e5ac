// A public window (the presenter, the kiosk) follows the core's public screen: `screen_watch`
// pushes it now and on every change. Only the public-screen commands are used here, so the
// public windows can import this without reaching any other command.
import type { PublicView } from "../bindings/PublicView";
import type { ScreenView } from "../bindings/ScreenView";
import type { UnlockOptions } from "../bindings/UnlockOptions";
import * as api from "./api";

/** How long to wait after a failed subscription before trying again. */
export const RETRY_MS = 1000;
/** `screen_activity` at most this often. */
export const ACTIVITY_EVERY_MS = 5000;

const WELCOME: ScreenView = { phase: "welcome", orgName: null };
const PAUSED: ScreenView = { phase: "paused" };

/** Follows the core's public screen until stopped. */
export class ScreenFeed {
  /** The last view pushed (null before the first one). */
  state = $state.raw<PublicView | null>(null);
  /** Following failed: show the neutral "one moment" until it works again. */
  failed = $state(false);
  private run = 0;

  /** What to show: the core's screen; the welcome before the first one; paused while failing. */
  get view(): ScreenView {
    if (this.failed) return PAUSED;
    return this.state?.screen ?? WELCOME;
  }

  /** The operator's ways to unlock (the kiosk's window only). */
  get unlock(): UnlockOptions | null {
    return this.state?.unlock ?? null;
  }

  /** Starts following; returns the function that stops it (for `$effect` / `onMount`). */
  start(): () => void {
    const run = ++this.run;
    void this.follow(run);
    return () => {
      if (this.run !== run) return;
      this.run++;
      this.state = null;
      this.failed = false;
    };
  }

  private async follow(run: number): Promise<void> {
    while (this.run === run) {
      try {
        await api.screenWatch((view) => {
          if (this.run !== run) return;
          this.state = view;
          this.failed = false;
        });
        return;
      } catch {
        if (this.run !== run) return;
        this.failed = true;
        await new Promise<void>((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }
}

/**
 * "Someone touched the screen": a function to call on every pointer or key event; it sends
 * `send` at most once per `everyMs` and never fails.
 */
export function activityReporter(everyMs = ACTIVITY_EVERY_MS, send: () => Promise<unknown> = api.screenActivity): () => void {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    send().catch(() => {
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
