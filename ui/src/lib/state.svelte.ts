// The app's state and the flow between screens (Svelte 5 runes). Components read `desk` and
// call its methods; every command goes through ./api.ts.
import { tick } from "svelte";
import type { Authenticator } from "../bindings/Authenticator";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { KioskView } from "../bindings/KioskView";
import type { Language } from "../bindings/Language";
import type { LanguageSetting } from "../bindings/LanguageSetting";
import type { LinkView } from "../bindings/LinkView";
import type { MonitorView } from "../bindings/MonitorView";
import type { Org } from "../bindings/Org";
import type { OrgView } from "../bindings/OrgView";
import type { SessionView } from "../bindings/SessionView";
import type { SettingsView } from "../bindings/SettingsView";
import type { User } from "../bindings/User";
import type { UserRow } from "../bindings/UserRow";
import * as api from "./api";
import { toReport } from "./errors";
import { followLanguage, msg, type Message } from "./i18n";

export type View = "loading" | "settings" | "signin" | "main" | "audit";

/**
 * The link screen: a live link, or how it ended — expired, wiped after the idle timeout, or
 * registered. Once it ended only the user is kept: nothing of the link (QR, text) stays.
 */
export type LinkState =
  | { phase: "live"; link: LinkView }
  | { phase: "expired"; user: User }
  | { phase: "idle"; user: User }
  | { phase: "registered"; user: User; passkeyName: string };

export interface ShownError {
  report: ErrorReport;
  /** Runs the failed action again (the banner's "Retry"); null when there is nothing to retry. */
  retry: (() => void) | null;
  /** What failed ("search", "link", …): a later success of the same clears the banner. */
  source: string;
}

/** Ids of elements other parts of the app move the focus to. */
export const FOCUS = {
  search: "user-search",
  orgFilter: "org-filter",
  createLink: "create-link",
  nextUser: "next-user",
  newLink: "new-link",
  sendLink: "send-link",
  instance: "settings-instance",
} as const;

export async function focusById(id: string): Promise<void> {
  await tick();
  const el = document.getElementById(id);
  if (el instanceof HTMLElement) el.focus();
}

/** Like focusById, but only when the focus is nowhere else in particular (not typing elsewhere). */
export async function focusIfFree(id: string): Promise<void> {
  const before = document.activeElement;
  const free = !before || before === document.body || !!before.closest?.('[data-testid="link-panel"]');
  if (free) await focusById(id);
}

export function isConfigured(s: SettingsView | null): boolean {
  return !!s && !!s.instance?.trim() && !!s.clientId?.trim();
}

export class Desk {
  view = $state<View>("loading");
  settings = $state.raw<SettingsView | null>(null);
  session = $state.raw<SessionView | null>(null);
  orgs = $state.raw<Org[]>([]);
  orgsLoading = $state(false);
  orgView = $state.raw<OrgView | null>(null);
  orgPickerOpen = $state(false);
  selected = $state.raw<UserRow | null>(null);
  link = $state.raw<LinkState | null>(null);
  error = $state.raw<ShownError | null>(null);
  /** The last action's outcome, read out politely ("Copied — …", "Saved to …"). */
  notice = $state.raw<Message | null>(null);
  /** Where "Save PNG" put the last file. */
  savedPath = $state("");
  busy = $state<"" | "create" | "send" | "org">("");
  /** The kind of passkey "Create link" asks for, where the org's links allow a choice. */
  authenticator = $state<Authenticator>("any");
  /** Kiosk mode (null: not read yet, or reading it failed). */
  kiosk = $state.raw<KioskView | null>(null);
  /** The presenter window's monitor while it is open (as far as this window knows). */
  presenting = $state.raw<MonitorView | null>(null);

  /**
   * The language chosen on the settings screen before it is saved (it shows at once); null:
   * the saved one.
   */
  languagePreview = $state<Language | null>(null);

  /** The language of this window: the core's `uiLanguage`, English until the settings are read. */
  get language(): Language {
    return this.languagePreview ?? this.settings?.uiLanguage ?? "en";
  }

  /** Shows the settings screen's choice at once: a fixed language, or the system's for "auto". */
  previewLanguage(choice: LanguageSetting): void {
    this.languagePreview = choice === "auto" ? (this.settings?.systemLanguage ?? "en") : choice;
  }

  /** Kiosk mode is on: the window is locked down. */
  get kioskActive(): boolean {
    return !!this.kiosk?.active;
  }

  // ---- errors ---------------------------------------------------------------------------

  fail(e: unknown, source: string, retry: (() => void) | null = null): ErrorReport {
    const report = toReport(e);
    // The admin cancelled: nothing to report.
    if (report.code !== "sign_in_cancelled") this.error = { report, retry, source };
    return report;
  }

  /** A success of `source` makes its earlier error banner stale. */
  ok(source: string): void {
    if (this.error?.source === source) this.error = null;
  }

  dismissError(): void {
    this.error = null;
  }

  // ---- start, settings, session ---------------------------------------------------------

  async init(): Promise<void> {
    this.view = "loading";
    try {
      this.settings = await api.settingsGet();
      this.ok("settings");
    } catch (e) {
      this.fail(e, "settings", () => void this.init());
      this.view = "settings";
      return;
    }
    await this.loadKiosk();
    if (!isConfigured(this.settings)) {
      this.view = "settings";
      return;
    }
    await this.restoreSession();
  }

  async restoreSession(): Promise<void> {
    try {
      const session = await api.sessionGet();
      this.ok("session");
      if (session) await this.signedIn(session);
      else this.signedOutLocally();
    } catch (e) {
      this.signedOutLocally();
      this.fail(e, "session", () => void this.restoreSession());
    }
  }

  /** The settings screen; not in kiosk mode (the core refuses to save there anyway). */
  openSettings(): void {
    if (this.kioskActive) return;
    this.view = "settings";
  }

  /** The audit log's screen; not in kiosk mode (the core refuses to read it there anyway). */
  openAudit(): void {
    if (this.kioskActive) return;
    this.view = "audit";
  }

  closeAudit(): void {
    this.view = this.session ? "main" : "signin";
  }

  /** "Cancel" on the settings screen (only offered once the app is configured). */
  closeSettings(): void {
    this.languagePreview = null;
    this.view = this.session ? "main" : "signin";
  }

  /** Saves the settings; true when saved. Another instance may have ended the session. */
  async saveSettings(settings: SettingsView): Promise<boolean> {
    try {
      this.settings = await api.settingsSave(settings);
      this.languagePreview = null;
      this.ok("settings");
    } catch (e) {
      this.fail(e, "settings", () => void this.saveSettings(settings));
      return false;
    }
    const before = this.session;
    try {
      const session = await api.sessionGet();
      this.ok("session");
      if (session && before && session.instance === before.instance && session.subject === before.subject) {
        this.session = session;
        this.view = "main";
      } else if (session) {
        await this.signedIn(session);
      } else {
        this.signedOutLocally();
      }
    } catch (e) {
      this.signedOutLocally();
      this.fail(e, "session", () => void this.restoreSession());
    }
    return true;
  }

  /**
   * Reads the session again (the header's expiry moves when the app renews it); back to
   * sign-in when it has ended.
   */
  async refreshSession(): Promise<void> {
    if (!this.session) return;
    try {
      const session = await api.sessionGet();
      this.ok("session");
      if (session) this.session = session;
      else this.signedOutLocally();
    } catch (e) {
      this.fail(e, "session", () => void this.refreshSession());
    }
  }

  async signedIn(session: SessionView): Promise<void> {
    this.resetWork();
    this.session = session;
    this.view = "main";
    this.error = null;
    await this.loadCurrentOrg();
  }

  /** Back to the sign-in screen, forgetting everything of the session on screen. */
  signedOutLocally(): void {
    this.resetWork();
    this.session = null;
    this.orgs = [];
    this.orgView = null;
    this.view = "signin";
  }

  async signOut(): Promise<void> {
    try {
      await api.signOut();
    } catch (e) {
      // The session on screen is gone either way; say what went wrong with the server.
      this.signedOutLocally();
      this.fail(e, "sign-out");
      return;
    }
    this.signedOutLocally();
    this.error = null;
  }

  /** "Sign in again" (the banner's next step for an ended or rejected session). */
  signInAgain(): void {
    this.error = null;
    this.signedOutLocally();
  }

  /**
   * After a sign-in that happened outside the sign-in screen (leaving kiosk mode by signing
   * in again): the same admin keeps their work; another one starts fresh.
   */
  async adoptSession(): Promise<void> {
    const before = this.session;
    try {
      const session = await api.sessionGet();
      this.ok("session");
      if (session && before && session.instance === before.instance && session.subject === before.subject) {
        this.session = session;
      } else if (session) {
        await this.signedIn(session);
      } else {
        this.signedOutLocally();
      }
    } catch (e) {
      this.fail(e, "session", () => void this.restoreSession());
    }
  }

  private resetWork(): void {
    this.selected = null;
    this.link = null;
    this.notice = null;
    this.savedPath = "";
    this.busy = "";
  }

  // ---- organisations --------------------------------------------------------------------

  async loadCurrentOrg(): Promise<void> {
    try {
      this.orgView = await api.orgCurrent();
      this.ok("org");
      this.orgPickerOpen = this.orgView === null;
    } catch (e) {
      this.orgPickerOpen = true;
      this.fail(e, "org", () => void this.loadCurrentOrg());
    }
  }

  async loadOrgs(): Promise<void> {
    this.orgsLoading = true;
    try {
      this.orgs = await api.orgsList();
      this.ok("orgs");
    } catch (e) {
      this.fail(e, "orgs", () => void this.loadOrgs());
    } finally {
      this.orgsLoading = false;
    }
  }

  async selectOrg(orgId: string): Promise<void> {
    this.busy = "org";
    try {
      if (this.link) await this.closeLink();
      const view = await api.orgSelect(orgId);
      this.ok("org");
      this.orgView = view;
      this.selected = null;
      this.notice = null;
      this.orgPickerOpen = false;
    } catch (e) {
      this.fail(e, "org", () => void this.selectOrg(orgId));
    } finally {
      this.busy = "";
    }
  }

  /** "Choose another organisation". */
  chooseOrg(): void {
    this.error = null;
    this.orgPickerOpen = true;
    void focusById(FOCUS.orgFilter);
  }

  // ---- users ----------------------------------------------------------------------------

  async pickUser(row: UserRow): Promise<void> {
    // A link belongs to one user: picking someone else wipes it, as creating a new one would.
    if (this.link && linkUserId(this.link) !== row.user.id) await this.closeLink();
    this.selected = row;
    this.notice = null;
    const createAllowed = !!this.orgView?.capabilities.createLink;
    void focusById(createAllowed ? FOCUS.createLink : FOCUS.sendLink);
  }

  /** "Back to search" and "Next user". */
  backToSearch(): void {
    this.error = null;
    this.link = null;
    this.selected = null;
    this.notice = null;
    void focusById(FOCUS.search);
  }

  // ---- the link -------------------------------------------------------------------------

  /** The live link on screen, if any (an ended one keeps nothing of the link). */
  get shownLink(): LinkView | null {
    return this.link?.phase === "live" ? this.link.link : null;
  }

  async createLink(): Promise<void> {
    const row = this.selected;
    if (!row || this.busy === "create") return;
    performance.mark("link-requested");
    // "New link": the core closes the link on screen first; its panel stays until the new
    // link replaces it (no empty frame between), or goes if none comes.
    const previous = this.shownLink;
    this.busy = "create";
    this.notice = null;
    try {
      const link = await api.linkCreate(row.user.id, this.orgView?.authenticatorChoice ? this.authenticator : "any");
      performance.mark("link-answered");
      this.ok("link");
      this.link = { phase: "live", link };
      this.watch(link);
    } catch (e) {
      if (previous && this.shownLink === previous) this.link = null;
      this.fail(e, "link", () => void this.createLink());
    } finally {
      this.busy = "";
    }
  }

  /** Live confirmation: `link_wait` until registered, expired, wiped after the idle timeout, or closed. */
  watch(link: LinkView): void {
    api.linkWait().then(
      (outcome) => {
        if (this.shownLink !== link) return; // replaced or closed meanwhile
        this.ok("wait");
        switch (outcome.outcome) {
          case "registered":
            this.link = { phase: "registered", user: link.user, passkeyName: outcome.passkey.name };
            this.notice = null;
            void focusById(FOCUS.nextUser);
            break;
          case "expired":
          case "idle":
            this.link = { phase: outcome.outcome, user: link.user };
            this.notice = null;
            this.savedPath = "";
            void focusIfFree(FOCUS.newLink);
            break;
          case "closed":
            // Closed for a new link: createLink replaces it (or clears it if that fails).
            if (this.busy !== "create") this.link = null;
            break;
        }
      },
      (e) => {
        if (this.shownLink !== link) return;
        // The core wiped the link when watching it failed (e.g. the session ended): it leaves
        // this screen too; the banner says what to do next.
        this.link = null;
        this.notice = null;
        this.savedPath = "";
        this.fail(e, "wait");
      },
    );
  }

  /** The countdown reached zero: the link leaves the screen (the core wipes it too). */
  expire(link: LinkView): void {
    if (this.shownLink !== link) return;
    this.link = { phase: "expired", user: link.user };
    this.notice = null;
    this.savedPath = "";
    void focusIfFree(FOCUS.newLink);
  }

  async closeLink(): Promise<void> {
    this.link = null; // off the screen at once
    this.notice = null;
    this.savedPath = "";
    try {
      await api.linkClose();
    } catch (e) {
      this.fail(e, "close");
    }
  }

  async copyLink(): Promise<void> {
    try {
      await api.linkCopy();
      this.ok("copy");
      const secs = this.settings?.clipboardClearSecs ?? 0;
      this.notice = secs > 0 ? msg("notice.copiedClears", { secs }) : msg("notice.copied");
    } catch (e) {
      this.fail(e, "copy", () => void this.copyLink());
    }
  }

  async emailLink(): Promise<void> {
    try {
      await api.linkEmail();
      this.ok("email");
      this.notice = msg("notice.emailOpened");
    } catch (e) {
      this.fail(e, "email", () => void this.emailLink());
    }
  }

  async savePng(): Promise<void> {
    try {
      const path = await api.linkSavePng();
      this.ok("save");
      this.savedPath = path;
      this.notice = msg("notice.saved", { path });
    } catch (e) {
      this.fail(e, "save", () => void this.savePng());
    }
  }

  async sendLink(): Promise<void> {
    const row = this.selected;
    if (!row || this.busy === "send") return;
    this.busy = "send";
    this.notice = null;
    try {
      const user = await api.linkSend(row.user.id);
      this.ok("send");
      this.notice = msg("notice.sent", { recipient: user.email ?? user.displayName });
    } catch (e) {
      this.fail(e, "send", () => void this.sendLink());
    } finally {
      this.busy = "";
    }
  }

  // ---- the presenter window -------------------------------------------------------------

  /** Opens (or moves) the presenter window; `monitor` null: the remembered or default one. */
  async openPresenter(monitor: string | null): Promise<void> {
    try {
      this.presenting = await api.presenterOpen(monitor);
      this.ok("present");
    } catch (e) {
      this.fail(e, "present", () => void this.openPresenter(monitor));
    }
  }

  async closePresenter(): Promise<void> {
    this.presenting = null;
    try {
      await api.presenterClose();
      this.ok("present");
    } catch (e) {
      this.fail(e, "present", () => void this.closePresenter());
    }
  }

  // ---- kiosk mode -----------------------------------------------------------------------

  async loadKiosk(): Promise<void> {
    try {
      this.kiosk = await api.kioskGet();
      this.ok("kiosk");
    } catch (e) {
      this.fail(e, "kiosk", () => void this.loadKiosk());
    }
  }

  /** "Enter kiosk mode now" (settings): locks the window, back to work. */
  async enterKiosk(): Promise<boolean> {
    try {
      this.kiosk = await api.kioskEnter();
      this.ok("kiosk");
    } catch (e) {
      this.fail(e, "kiosk", () => void this.enterKiosk());
      return false;
    }
    this.view = this.session ? "main" : "signin";
    return true;
  }

  /** Everything back to the start (tests, and a fresh window). */
  reset(): void {
    this.view = "loading";
    this.settings = null;
    this.session = null;
    this.orgs = [];
    this.orgsLoading = false;
    this.orgView = null;
    this.orgPickerOpen = false;
    this.error = null;
    this.kiosk = null;
    this.presenting = null;
    this.languagePreview = null;
    this.resetWork();
  }
}

/** Whose link (live or ended) is on screen; null after a registration (a new link always starts fresh). */
function linkUserId(state: LinkState): string | null {
  switch (state.phase) {
    case "live":
      return state.link.user.id;
    case "expired":
    case "idle":
      return state.user.id;
    case "registered":
      return null;
  }
}

export const desk = new Desk();

// Every text of the admin's window follows this window's language.
followLanguage(() => desk.language);
