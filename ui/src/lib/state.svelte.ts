// The admin's window (Svelte 5 runes). The desk's state — session, organisation, person, the
// link and how it ended, the kiosk's lock — is the core's: it arrives over `desk_watch` and is
// only rendered here. What the window keeps is its own: which screen is open, the error banner
// and notices, what is busy, the organisation list, the language preview. Every command goes
// through ./api.ts; none of them changes the desk's state here, the core pushes the result.
import { tick } from "svelte";
import type { Authenticator } from "../bindings/Authenticator";
import type { CoverageView } from "../bindings/CoverageView";
import type { DeskView } from "../bindings/DeskView";
import type { ImportView } from "../bindings/ImportView";
import type { KioskView } from "../bindings/KioskView";
import type { Language } from "../bindings/Language";
import type { LanguageSetting } from "../bindings/LanguageSetting";
import type { LinkState } from "../bindings/LinkState";
import type { LinkView } from "../bindings/LinkView";
import type { MonitorView } from "../bindings/MonitorView";
import type { Org } from "../bindings/Org";
import type { OrgView } from "../bindings/OrgView";
import type { Passkey } from "../bindings/Passkey";
import type { QueueView } from "../bindings/QueueView";
import type { SavedPng } from "../bindings/SavedPng";
import type { SessionView } from "../bindings/SessionView";
import type { SettingsView } from "../bindings/SettingsView";
import type { User } from "../bindings/User";
import type { UserRow } from "../bindings/UserRow";
import type { Workspace } from "../bindings/Workspace";
import * as api from "./api";
import { toReport, type Report } from "./errors";
import { followLanguage, msg, t, type Message } from "./i18n";

export type View = "loading" | "settings" | "signin" | "main" | "audit" | "locked";

export interface ShownError {
  report: Report;
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
  identityCheck: "identity-check-0",
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

/** The screens the window opens by itself (the rest follows from the desk's state). */
type Page = "settings" | "audit" | null;

export class Desk {
  /** The core's view of the desk, as last pushed (null until the first one arrives). */
  desk = $state.raw<DeskView | null>(null);
  settings = $state.raw<SettingsView | null>(null);
  /** Settings or the audit log, opened by the admin (or settings for a first run). */
  page = $state<Page>(null);
  orgs = $state.raw<Org[]>([]);
  orgsLoading = $state(false);
  orgPickerOpen = $state(false);
  /** A sign-in finished before its session reached this window (see `afterSignIn`). */
  private awaitingSession = false;
  error = $state.raw<ShownError | null>(null);
  /** The last action's outcome, read out politely ("Copied — …", "Saved to …"). */
  notice = $state.raw<Message | null>(null);
  /** Where "Save PNG" put the last file. */
  /** The QR saved as a PNG for the live link: where, and until when it works. */
  saved = $state.raw<SavedPng | null>(null);
  busy = $state<"" | "create" | "send" | "org" | "remove" | "bulk" | "queue" | "import">("");
  /**
   * How the admin verified the person at the desk: the org's checklist items ticked for them
   * (kept per person; another person starts unticked). Sent with every link and send — the
   * core refuses them without a tick where the org has a checklist, and audits the ticks.
   */
  ticked = $state.raw<{ userId: string; items: string[] } | null>(null);
  /** *Email* found an address ZITADEL has not verified: the dialog asks the admin first. */
  confirmEmail = $state(false);
  /** Where the queue's results were saved last (the panel names the file). */
  exported = $state<string | null>(null);
  /** A roster read and matched, waiting for the admin to add the ready people (or not). */
  importView = $state.raw<ImportView | null>(null);
  /** The passkeys of the person on screen, as last read from the core (null: not yet). */
  passkeys = $state.raw<{ userId: string; list: Passkey[] } | null>(null);
  /** The passkey whose removal waits for the admin's yes (its confirmation is on screen). */
  removing = $state.raw<{ userId: string; passkey: Passkey } | null>(null);
  /** The id of the passkey removed last (*Not the person's device?* is not offered again). */
  removed = $state<string | null>(null);
  /** The kind of passkey "Create link" asks for, where the org's links allow a choice. */
  authenticator = $state<Authenticator>("any");
  /** The settings were read (or reading them failed): the first screen can show. */
  started = $state(false);

  /**
   * The language chosen on the settings screen before it is saved (it shows at once); null:
   * the saved one.
   */
  languagePreview = $state<Language | null>(null);

  // ---- the core's state, as pushed ------------------------------------------------------

  /** The workspace; null while a kiosk is locked (nothing of it reaches this window then). */
  get workspace(): Workspace | null {
    return this.desk?.workspace ?? null;
  }
  get session(): SessionView | null {
    return this.workspace?.session ?? null;
  }
  get orgView(): OrgView | null {
    return this.workspace?.org ?? null;
  }
  get selected(): UserRow | null {
    return this.workspace?.selected ?? null;
  }
  get link(): LinkState | null {
    return this.workspace?.link ?? null;
  }
  /** The coverage count of the current org, as the core runs it. */
  get coverage(): CoverageView | null {
    return this.workspace?.coverage ?? null;
  }
  /** The enrollment day's queue of the current org (null: none yet). */
  get queue(): QueueView | null {
    return this.workspace?.queue ?? null;
  }
  /** The identity checklist of the current org (empty: no check asked). */
  get identityChecks(): string[] {
    return this.orgView?.identityChecks ?? [];
  }
  /** The checklist items ticked for `userId` (none for anyone else). */
  verifiedFor(userId: string): string[] {
    return this.ticked?.userId === userId ? this.ticked.items : [];
  }
  /** Whether a link or a send for `userId` may go: no checklist, or something ticked. */
  checkedFor(userId: string): boolean {
    return this.identityChecks.length === 0 || this.verifiedFor(userId).length > 0;
  }
  /** Ticks (or unticks) a checklist item for the person at the desk. */
  tick(userId: string, item: string, on: boolean): void {
    const items = this.verifiedFor(userId).filter((i) => i !== item);
    this.ticked = { userId, items: on ? [...items, item] : items };
  }
  get presenting(): MonitorView | null {
    return this.workspace?.presenting ?? null;
  }
  get kiosk(): KioskView | null {
    return this.desk?.kiosk ?? null;
  }
  /** Kiosk mode is on (this window is then the operator's, shown only while unlocked). */
  get kioskActive(): boolean {
    return !!this.desk?.kiosk.active;
  }
  /** The live link on screen, if any (an ended one keeps nothing of the link). */
  get shownLink(): LinkView | null {
    return this.link?.phase === "live" ? this.link.link : null;
  }

  /** The screen to show: decided by the desk's state, then by what the admin opened. */
  get view(): View {
    if (!this.started || (isConfigured(this.settings) && this.desk === null)) return "loading";
    if (this.desk && this.desk.workspace === null) return "locked";
    if (this.page === "settings" || !isConfigured(this.settings)) return "settings";
    if (!this.session) return "signin";
    if (this.page === "audit" && !this.kioskActive) return "audit";
    return "main";
  }

  /** The language of this window: the core's `uiLanguage`, English until the settings are read. */
  get language(): Language {
    return this.languagePreview ?? this.settings?.uiLanguage ?? "en";
  }

  /** Shows the settings screen's choice at once: a fixed language, or the system's for "auto". */
  previewLanguage(choice: LanguageSetting): void {
    this.languagePreview = choice === "auto" ? (this.settings?.systemLanguage ?? "en") : choice;
  }

  /**
   * A new view from the core. The window reacts to what changed (focus, the banner for a link
   * whose watch failed, the org picker when no org is chosen); the state itself is the core's.
   */
  apply(next: DeskView): void {
    const before = this.desk;
    this.desk = next;
    const was = before?.workspace?.link ?? null;
    const now = next.workspace?.link ?? null;
    if (now?.phase === "failed" && was?.phase !== "failed") this.fail(now.error, "wait");
    if (now?.phase === "registered" && was?.phase === "live") void focusById(FOCUS.nextUser);
    if ((now?.phase === "expired" || now?.phase === "idle") && was?.phase === "live") {
      this.notice = null;
      this.saved = null;
      void focusIfFree(FOCUS.newLink);
    }
    if (now?.phase !== "live") this.saved = null;
    const workspace = next.workspace;
    if (workspace && workspace.session && !workspace.org && before?.workspace?.org) this.orgPickerOpen = true;
    if (workspace?.session && this.awaitingSession) void this.afterSignIn();
    // Another person (or none): their ticks do not carry over, nor does the email question.
    const person = workspace?.selected?.user.id ?? linkUser(now)?.id;
    if (this.ticked && person !== this.ticked.userId) this.ticked = null;
    if (!now || now.phase !== "live") this.confirmEmail = false;
    if (workspace?.org?.org.id !== before?.workspace?.org?.org.id) {
      this.importView = null;
      this.exported = null;
    }
    if (workspace && !workspace.session) {
      this.orgs = [];
      this.orgPickerOpen = false;
      this.busy = "";
      this.passkeys = null;
      this.removing = null;
    }
  }

  // ---- errors ---------------------------------------------------------------------------

  fail(e: unknown, source: string, retry: (() => void) | null = null): Report {
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

  /** Reads the settings, follows the desk, and restores a stored session. */
  async init(): Promise<void> {
    try {
      this.settings = await api.settingsGet();
      this.ok("settings");
    } catch (e) {
      this.fail(e, "settings", () => void this.init());
      this.page = "settings";
      this.started = true;
      return;
    }
    this.started = true;
    try {
      await api.deskWatch((view) => this.apply(view));
    } catch (e) {
      this.fail(e, "desk", () => void this.init());
      return;
    }
    if (isConfigured(this.settings)) await this.restoreSession();
  }

  async restoreSession(): Promise<void> {
    try {
      await api.sessionRestore();
      this.ok("session");
    } catch (e) {
      this.fail(e, "session", () => void this.restoreSession());
    }
    await this.afterSignIn();
  }

  /** The settings screen; not in kiosk mode (the core refuses to save there anyway). */
  openSettings(): void {
    if (this.kioskActive) return;
    this.page = "settings";
  }

  /** The audit log's screen; not in kiosk mode (the core refuses to read it there anyway). */
  openAudit(): void {
    if (this.kioskActive) return;
    this.page = "audit";
  }

  closeAudit(): void {
    this.page = null;
  }

  /** "Cancel" on the settings screen (only offered once the app is configured). */
  closeSettings(): void {
    this.languagePreview = null;
    this.page = null;
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
    this.page = null;
    if (!this.session) await this.restoreSession();
    return true;
  }

  /** Reads the session again (the header's expiry moves when the core renews it). */
  async refreshSession(): Promise<void> {
    if (!this.session) return;
    try {
      await api.sessionRestore();
      this.ok("session");
    } catch (e) {
      this.fail(e, "session", () => void this.refreshSession());
    }
  }

  /** After a sign-in: the core restored the remembered org, or the admin chooses one. The
   *  sign-in command can answer before the core's view with the session has come over the
   *  channel: then this runs again when it comes (`apply`). */
  async afterSignIn(): Promise<void> {
    if (!this.session) {
      this.awaitingSession = true;
      return;
    }
    this.awaitingSession = false;
    this.error = this.error?.source === "sign-in" ? null : this.error;
    if (this.orgView) return;
    try {
      const org = await api.orgCurrent();
      this.ok("org");
      this.orgPickerOpen = org === null;
    } catch (e) {
      this.orgPickerOpen = true;
      this.fail(e, "org", () => void this.afterSignIn());
    }
  }

  async signOut(): Promise<void> {
    try {
      await api.signOut();
      this.error = null;
    } catch (e) {
      this.fail(e, "sign-out");
    }
    this.notice = null;
  }

  /** "Sign in again" (the banner's next step for an ended or rejected session). */
  signInAgain(): void {
    this.error = null;
  }

  // ---- organisations --------------------------------------------------------------------

  /** The org list: the core's copy of this session, or read again from ZITADEL (`refresh`). */
  async loadOrgs(refresh = false): Promise<void> {
    this.orgsLoading = true;
    try {
      this.orgs = await api.orgsList(refresh);
      this.ok("orgs");
    } catch (e) {
      this.fail(e, "orgs", () => void this.loadOrgs(refresh));
    } finally {
      this.orgsLoading = false;
    }
  }

  async selectOrg(orgId: string): Promise<void> {
    this.busy = "org";
    try {
      await api.orgSelect(orgId);
      this.ok("org");
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

  // ---- people ---------------------------------------------------------------------------

  /** Chooses a person from the search (a link for someone else closes, in the core). */
  async pickUser(row: UserRow): Promise<void> {
    this.notice = null;
    try {
      await api.userSelect(row.user.id);
      this.ok("pick");
    } catch (e) {
      this.fail(e, "pick", () => void this.pickUser(row));
      return;
    }
    const createAllowed = !!this.orgView?.capabilities.createLink;
    void focusById(createAllowed ? FOCUS.createLink : FOCUS.sendLink);
  }

  /** "Back to search" and "Next person": the core closes the link and forgets the person. */
  async backToSearch(): Promise<void> {
    this.error = null;
    this.notice = null;
    try {
      await api.backToSearch();
    } catch (e) {
      this.fail(e, "back");
    }
    void focusById(FOCUS.search);
  }

  // ---- the org's coverage ----------------------------------------------------------------

  async startCoverage(): Promise<void> {
    try {
      await api.coverageStart();
      this.ok("coverage");
    } catch (e) {
      this.fail(e, "coverage", () => void this.startCoverage());
    }
  }

  async stopCoverage(): Promise<void> {
    try {
      await api.coverageStop();
    } catch (e) {
      this.fail(e, "coverage");
    }
  }

  /** After the admin's yes (which named the count): the core sends, paced, and reports. */
  async sendToWithout(verified: string[]): Promise<void> {
    if (this.busy === "bulk") return;
    this.busy = "bulk";
    try {
      await api.coverageSend(verified);
      this.ok("bulk");
    } catch (e) {
      this.fail(e, "bulk");
    } finally {
      this.busy = "";
    }
  }

  // ---- the person's passkeys ------------------------------------------------------------

  /** Reads the person's passkeys (the panel shows them; a failure shows in the banner). */
  async loadPasskeys(userId: string): Promise<void> {
    try {
      const list = await api.passkeysList(userId);
      this.passkeys = { userId, list };
      this.ok("passkeys");
    } catch (e) {
      this.passkeys = null;
      this.fail(e, "passkeys", () => void this.loadPasskeys(userId));
    }
  }

  /** Asks for the admin's yes before `passkey` of `userId` goes (null: the admin said no). */
  askRemove(userId: string, passkey: Passkey | null): void {
    this.removing = passkey ? { userId, passkey } : null;
  }

  /** The admin said yes: the core checks the permission, removes the passkey and audits it. */
  async removePasskey(): Promise<void> {
    const removing = this.removing;
    if (!removing || this.busy === "remove") return;
    this.busy = "remove";
    this.notice = null;
    try {
      const list = await api.passkeyRemove(removing.userId, removing.passkey.id);
      this.passkeys = { userId: removing.userId, list };
      this.removing = null;
      this.removed = removing.passkey.id;
      this.ok("remove");
      this.notice = msg("notice.removed", { passkey: removing.passkey.name || t("passkeys.unnamed") });
    } catch (e) {
      this.removing = null;
      this.fail(e, "remove");
    } finally {
      this.busy = "";
    }
  }

  // ---- the link -------------------------------------------------------------------------

  async createLink(): Promise<void> {
    const row = this.selected ?? endedUser(this.link);
    if (!row || this.busy === "create") return;
    performance.mark("link-requested");
    this.busy = "create";
    this.notice = null;
    try {
      await api.linkCreate(row.user.id, this.orgView?.authenticatorChoice ? this.authenticator : "any", this.verifiedFor(row.user.id));
      performance.mark("link-answered");
      this.ok("link");
    } catch (e) {
      this.fail(e, "link", () => void this.createLink());
    } finally {
      this.busy = "";
    }
  }

  /** Replaces a lost or old device: the core checks, makes the link and removes the old passkeys. */
  async replaceDevice(userId: string, passkeyIds: string[], stolen: boolean): Promise<void> {
    if (this.busy === "create" || passkeyIds.length === 0) return;
    this.busy = "create";
    this.notice = null;
    try {
      await api.linkReplace(
        userId,
        passkeyIds,
        stolen,
        this.orgView?.authenticatorChoice ? this.authenticator : "any",
        this.verifiedFor(userId),
      );
      this.ok("replace");
    } catch (e) {
      this.fail(e, "replace");
      void this.loadPasskeys(userId);
    } finally {
      this.busy = "";
    }
  }

  async closeLink(): Promise<void> {
    this.notice = null;
    this.saved = null;
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

  /** *Email*; `confirmed` after the admin's yes to an address ZITADEL has not verified. */
  async emailLink(confirmed = false): Promise<void> {
    this.confirmEmail = false;
    try {
      await api.linkEmail(confirmed);
      this.ok("email");
      this.notice = msg("notice.emailOpened");
    } catch (e) {
      const report = toReport(e);
      // Not an error: the core asks first (the dialog says why and offers "Email anyway").
      if (report.code === "email_unverified" && !confirmed) {
        this.confirmEmail = true;
        return;
      }
      this.fail(e, "email", () => void this.emailLink(confirmed));
    }
  }

  async savePng(): Promise<void> {
    try {
      const saved = await api.linkSavePng();
      this.ok("save");
      this.saved = saved;
      this.notice = msg("notice.saved", { path: saved.path });
    } catch (e) {
      this.fail(e, "save", () => void this.savePng());
    }
  }

  /** The core audits the printout (and refuses on a kiosk), then the print dialog opens. */
  async print(): Promise<void> {
    try {
      await api.linkPrint();
      this.ok("print");
      window.print();
    } catch (e) {
      this.fail(e, "print", () => void this.print());
    }
  }

  async sendLink(): Promise<void> {
    const row = this.selected;
    if (!row || this.busy === "send") return;
    this.busy = "send";
    this.notice = null;
    try {
      const user = await api.linkSend(row.user.id, this.verifiedFor(row.user.id));
      this.ok("send");
      this.notice = msg("notice.sent", { recipient: user.email ?? user.displayName });
    } catch (e) {
      this.fail(e, "send", () => void this.sendLink());
    } finally {
      this.busy = "";
    }
  }

  // ---- the enrollment day's queue ---------------------------------------------------------

  /** Reads a roster (a file's text or pasted lines) and shows what each line found. */
  async importRoster(text: string): Promise<boolean> {
    if (this.busy === "import") return false;
    this.busy = "import";
    this.importView = null;
    try {
      this.importView = await api.queueImport(text);
      this.ok("import");
      return true;
    } catch (e) {
      this.fail(e, "import", () => void this.importRoster(text));
      return false;
    } finally {
      this.busy = "";
    }
  }

  /** Adds the ready people of the import to the queue. */
  async acceptImport(): Promise<void> {
    await this.queueAction("import", async () => {
      await api.queueImportAccept();
      this.importView = null;
    });
  }

  cancelImport(): void {
    this.importView = null;
  }

  /** *Add to queue* from the person's panel. */
  async queueAdd(userId: string): Promise<void> {
    await this.queueAction("queue", async () => {
      await api.queueAdd(userId);
      this.notice = msg("notice.queued");
    });
  }

  /** *Next*: the next waiting person comes to the desk (their panel opens for the check). */
  async queueNext(): Promise<void> {
    const done = await this.queueAction("queue", async () => {
      await api.queueNext();
      this.notice = null;
    });
    if (done) {
      const checks = this.identityChecks.length > 0;
      void focusById(checks ? FOCUS.identityCheck : FOCUS.createLink);
    }
  }

  async queueSkip(userId: string): Promise<void> {
    await this.queueAction("queue", () => api.queueSkip(userId));
  }

  async queueNoShow(userId: string): Promise<void> {
    await this.queueAction("queue", () => api.queueNoShow(userId));
  }

  async queueBack(userId: string): Promise<void> {
    await this.queueAction("queue", () => api.queueBack(userId));
  }

  /** A new queue (the current one is kept aside in the data dir). */
  async queueNew(): Promise<void> {
    await this.queueAction("queue", () => api.queueNew());
  }

  /** The day's results as CSV in the Downloads folder. */
  async queueExport(): Promise<void> {
    await this.queueAction("queue", async () => {
      this.exported = await api.queueExportCsv();
    });
  }

  /** The remote wave, after the admin's yes (which named the count). */
  async queueSendWaiting(verified: string[]): Promise<void> {
    await this.queueAction("bulk", () => api.queueSendWaiting(verified));
  }

  private async queueAction(kind: "queue" | "import" | "bulk", run: () => Promise<unknown>): Promise<boolean> {
    if (this.busy === kind) return false;
    this.busy = kind;
    try {
      await run();
      this.ok("queue");
      return true;
    } catch (e) {
      this.fail(e, "queue");
      return false;
    } finally {
      this.busy = "";
    }
  }

  /** The org's identity checklist (the settings screen); true when saved. */
  async saveIdentityChecks(orgId: string, items: string[]): Promise<boolean> {
    try {
      await api.identityChecksSet(orgId, items);
      this.ok("checks");
      return true;
    } catch (e) {
      this.fail(e, "checks");
      return false;
    }
  }

  // ---- the presenter window -------------------------------------------------------------

  /** Opens (or moves) the presenter window; `monitor` null: the remembered or default one. */
  async openPresenter(monitor: string | null): Promise<void> {
    try {
      await api.presenterOpen(monitor);
      this.ok("present");
    } catch (e) {
      this.fail(e, "present", () => void this.openPresenter(monitor));
    }
  }

  async closePresenter(): Promise<void> {
    try {
      await api.presenterClose();
      this.ok("present");
    } catch (e) {
      this.fail(e, "present", () => void this.closePresenter());
    }
  }

  // ---- kiosk mode -----------------------------------------------------------------------

  /** "Enter kiosk mode now" (settings): the core locks the desk; this window goes away. */
  async enterKiosk(): Promise<boolean> {
    try {
      await api.kioskEnter();
      this.ok("kiosk");
    } catch (e) {
      this.fail(e, "kiosk", () => void this.enterKiosk());
      return false;
    }
    this.page = null;
    return true;
  }

  /** The operator is done for now: the kiosk's public window comes back. */
  async lockKiosk(): Promise<void> {
    try {
      await api.kioskLock();
    } catch (e) {
      this.fail(e, "kiosk");
    }
  }

  /** Leaves kiosk mode (only from the unlocked admin side; the core checks). */
  async leaveKiosk(): Promise<void> {
    try {
      await api.kioskLeave();
      this.ok("kiosk");
    } catch (e) {
      this.fail(e, "kiosk", () => void this.leaveKiosk());
    }
  }

  /** Everything back to the start (tests, and a fresh window). */
  reset(): void {
    this.desk = null;
    this.settings = null;
    this.page = null;
    this.orgs = [];
    this.orgsLoading = false;
    this.orgPickerOpen = false;
    this.error = null;
    this.notice = null;
    this.saved = null;
    this.busy = "";
    this.passkeys = null;
    this.removing = null;
    this.removed = null;
    this.ticked = null;
    this.confirmEmail = false;
    this.importView = null;
    this.exported = null;
    this.authenticator = "any";
    this.started = false;
    this.languagePreview = null;
  }
}

/** The person a link (live or ended) is for. */
function linkUser(state: LinkState | null): User | null {
  if (!state) return null;
  return state.phase === "live" ? state.link.user : state.user;
}

/** The person of an ended link ("New link" for the same person). */
function endedUser(state: LinkState | null): UserRow | null {
  if (!state || state.phase === "live") return null;
  return { user: state.user, passkeyCount: null };
}

export const desk = new Desk();

// Every text of the admin's window follows this window's language.
followLanguage(() => desk.language);
