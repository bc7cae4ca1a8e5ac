// Test data shaped by the generated bindings, and a recording IPC mock.
import { mockIPC } from "@tauri-apps/api/mocks";
import { tick } from "svelte";
import { vi } from "vitest";
import { desk } from "../lib/state.svelte";
import type { DeskView } from "../bindings/DeskView";
import type { DeviceView } from "../bindings/DeviceView";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { KioskView } from "../bindings/KioskView";
import type { LinkState } from "../bindings/LinkState";
import type { LinkView } from "../bindings/LinkView";
import type { MonitorView } from "../bindings/MonitorView";
import type { Org } from "../bindings/Org";
import type { OrgView } from "../bindings/OrgView";
import type { PublicView } from "../bindings/PublicView";
import type { ScreenView } from "../bindings/ScreenView";
import type { SessionView } from "../bindings/SessionView";
import type { SettingsView } from "../bindings/SettingsView";
import type { User } from "../bindings/User";
import type { UnlockOptions } from "../bindings/UnlockOptions";
import type { UserRow } from "../bindings/UserRow";
import type { Workspace } from "../bindings/Workspace";

export const QR_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 29 29" shape-rendering="crispEdges">' +
  '<path fill="#ffffff" d="M0 0h29v29H0z"/><path fill="#000000" d="M4 4h7v7H4z"/></svg>';

export const settings: SettingsView = {
  instance: "https://id.example.com",
  clientId: "desk-client",
  defaultOrg: null,
  loginHost: null,
  caFile: null,
  clipboardClearSecs: 30,
  idleTimeoutSecs: 120,
  kiosk: false,
  kioskRelockSecs: 60,
  kioskPinSet: false,
  language: "auto",
  uiLanguage: "en",
  systemLanguage: "en",
};

export const emptySettings: SettingsView = {
  instance: null,
  clientId: null,
  defaultOrg: null,
  loginHost: null,
  caFile: null,
  clipboardClearSecs: 30,
  idleTimeoutSecs: 120,
  kiosk: false,
  kioskRelockSecs: 60,
  kioskPinSet: false,
  language: "auto",
  uiLanguage: "en",
  systemLanguage: "en",
};

export const session: SessionView = {
  instance: "https://id.example.com",
  method: "browser",
  subject: "300",
  loginName: "helpdesk@acme.example.com",
  name: "Hanna Helpdesk",
  accessExpiresAt: "2030-01-01T12:00:00Z",
  renewable: true,
};

export const orgs: Org[] = [
  { id: "100", name: "ACME", primaryDomain: "acme.example.com", roles: ["ORG_OWNER"] },
  { id: "200", name: "Globex", primaryDomain: "globex.example.com", roles: ["ORG_USER_MANAGER"] },
  { id: "300", name: "Initech", primaryDomain: null, roles: ["IAM_OWNER"] },
];

export const ownerView: OrgView = {
  org: orgs[0],
  capabilities: { orgId: "100", searchUsers: true, createLink: true, sendLink: true, listPasskeys: true, removePasskeys: true },
  createLinkLacks: null,
  sendLinkLacks: null,
  removePasskeysLacks: null,
  authenticatorChoice: true,
  identityChecks: [],
};

export const managerView: OrgView = {
  org: orgs[1],
  capabilities: { orgId: "200", searchUsers: true, createLink: false, sendLink: true, listPasskeys: true, removePasskeys: true },
  createLinkLacks: "user.credential.write",
  sendLinkLacks: null,
  removePasskeysLacks: null,
  authenticatorChoice: false,
  identityChecks: [],
};

export function user(id: string, displayName: string, extra: Partial<User> = {}): User {
  const userName = displayName.split(" ")[0].toLowerCase();
  return {
    id,
    orgId: "100",
    kind: "human",
    state: "active",
    userName,
    loginName: `${userName}@acme.example.com`,
    displayName,
    email: `${userName}@acme.example.com`,
    emailVerified: true,
    preferredLanguage: "en",
    ...extra,
  };
}

export const rows: UserRow[] = [
  { user: user("u1", "Alice Archer"), passkeyCount: 0 },
  { user: user("u2", "Alina Brook", { state: "locked", email: null }), passkeyCount: 2 },
  { user: user("u3", "Alistair Crane"), passkeyCount: null },
];

export function linkView(expiresAt: string, over: Partial<LinkView> = {}): LinkView {
  return {
    user: rows[0].user,
    orgId: "100",
    link: "https://id.example.com/ui/login/passkey/register?userID=u1&code=ABC123",
    qrSvg: QR_SVG,
    expiresAt,
    expiryEstimated: false,
    ...over,
  };
}

export function deviceView(expiresAt: string): DeviceView {
  return {
    userCode: "WXYZ-1234",
    verificationUri: "https://id.example.com/device",
    verificationUriComplete: "https://id.example.com/device?user_code=WXYZ-1234",
    qrSvg: QR_SVG,
    expiresAt,
  };
}

export function shownView(expiresAt: string, over: Partial<Extract<ScreenView, { phase: "showing" }>> = {}): ScreenView {
  return {
    phase: "showing",
    orgName: "ACME",
    displayName: "Alice Archer",
    qrSvg: QR_SVG,
    expiresAt,
    language: "en",
    ...over,
  };
}

export const welcome: ScreenView = { phase: "welcome", orgName: null };

export const monitors: MonitorView[] = [
  { name: "DP-1", width: 2560, height: 1440, x: 0, y: 0, primary: true, chosen: false },
  { name: "HDMI-1", width: 1920, height: 1080, x: 2560, y: 0, primary: false, chosen: true },
];

export const unlockOptions: UnlockOptions = { pinSet: true, pinRetryAt: null, phone: true };
export const kioskOff: KioskView = { active: false, locked: false, unlock: { ...unlockOptions, pinSet: false }, relocksAt: null };
/** Kiosk mode, unlocked by an operator (the admin's window is shown only then). */
export const kioskOpen: KioskView = { active: true, locked: false, unlock: unlockOptions, relocksAt: "2099-01-01T00:01:00Z" };

/** A workspace: nothing chosen unless said. */
export function workspace(over: Partial<Workspace> = {}): Workspace {
  return { session: null, sessionLost: null, org: null, selected: null, link: null, presenting: null, coverage: null, queue: null, ...over };
}

/** What the core pushes to the admin's window: a workspace (null: a locked kiosk). */
export function deskView(ws: Partial<Workspace> | null = {}, kiosk: KioskView = kioskOff): DeskView {
  return { kiosk, workspace: ws === null ? null : workspace(ws) };
}

/** The live link of `link`. */
export function live(link: LinkView): LinkState {
  return { phase: "live", link };
}

export function report(code: ErrorCode, message: string): ErrorReport {
  return { code, message };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export type Handler = (args: Record<string, unknown>) => unknown;
export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

/** Something the core sends on a channel (`desk_watch`, `screen_watch`). */
interface Listener<T> {
  onmessage: (message: T) => void;
}

/**
 * Mocks the Tauri IPC with one handler per command and records every call. An unexpected
 * command rejects (and is recorded), so a test sees it.
 */
export function mockCommands(handlers: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const handler = handlers[cmd];
    if (!handler) return Promise.reject({ code: "unmocked", message: `no mock for ${cmd}` });
    return handler(args);
  });
  return calls;
}

/**
 * A stand-in for the core: the commands' answers, and the desk's state as the core pushes
 * it. `desk_watch` (and `screen_watch`) get the current view at once, like the core sends it;
 * `push` sends the next one. The test decides every state: this keeps no rule of the core.
 */
export class Core {
  calls: Call[];
  view: DeskView;
  public: PublicView;
  private desk: Listener<DeskView>[] = [];
  private screens: Listener<PublicView>[] = [];

  constructor(handlers: Record<string, Handler>, view: DeskView = deskView(), publicView: PublicView = { screen: welcome, unlock: null }) {
    this.view = view;
    this.public = publicView;
    this.calls = mockCommands({
      desk_watch: (args) => {
        const channel = args.onChange as Listener<DeskView>;
        this.desk.push(channel);
        channel.onmessage(this.view);
        return null;
      },
      screen_watch: (args) => {
        const channel = args.onChange as Listener<PublicView>;
        this.screens.push(channel);
        channel.onmessage(this.public);
        return null;
      },
      // The selected person's panel reads their passkeys: none, unless a test says otherwise.
      passkeys_list: () => [],
      ...handlers,
    });
  }

  /** The core pushes `view` to the admin's window. */
  async push(view: DeskView): Promise<void> {
    this.view = view;
    for (const channel of this.desk) channel.onmessage(view);
    await tick();
  }

  /** The core pushes a change of the workspace. */
  async update(over: Partial<Workspace>): Promise<void> {
    await this.push({ ...this.view, workspace: workspace({ ...(this.view.workspace ?? {}), ...over }) });
  }

  /** The core pushes a public screen. */
  async show(screen: ScreenView, unlock: UnlockOptions | null = this.public.unlock): Promise<void> {
    this.public = { screen, unlock };
    for (const channel of this.screens) channel.onmessage(this.public);
    await tick();
  }

  /** The commands called, in order (without the watches). */
  commands(): string[] {
    return this.calls.map((c) => c.cmd).filter((c) => c !== "desk_watch" && c !== "screen_watch");
  }
}

/** A core with a signed-in admin in ACME. */
export function signedIn(handlers: Record<string, Handler>, over: Partial<Workspace> = {}): Core {
  return new Core({ settings_get: () => settings, session_restore: () => session, ...handlers }, deskView({ session, org: ownerView, ...over }));
}

export const commands = (calls: Call[]) => calls.map((c) => c.cmd);
export const reject = (code: ErrorCode | "unmocked", message: string) => () => Promise.reject({ code, message });

/** Fake timers and clock, starting at `at` (not `performance`: its marks stay real). */
export function useClock(at: string): void {
  vi.useFakeTimers({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "requestAnimationFrame", "cancelAnimationFrame"],
  });
  vi.setSystemTime(new Date(at));
}

/** Lets pending IPC promises settle and Svelte update the DOM, under fake timers. */
export async function settle(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await tick();
  await vi.advanceTimersByTimeAsync(0);
  await tick();
}

/**
 * Puts the window in a state as if the core had pushed it (for a component rendered alone):
 * the settings read, and this workspace (null: a locked kiosk).
 */
export function given(over: Partial<Workspace> | null, kiosk: KioskView = kioskOff, page: "settings" | "audit" | null = null): void {
  desk.settings = settings;
  desk.started = true;
  desk.page = page;
  desk.apply(deskView(over, kiosk));
}

/** Changes the pushed workspace as the core would (a component test's "given"). */
export function patch(over: Partial<Workspace>, kiosk?: KioskView): void {
  desk.settings ??= settings;
  desk.started = true;
  const current = desk.desk;
  desk.apply(deskView({ ...(current?.workspace ?? {}), ...over }, kiosk ?? current?.kiosk ?? kioskOff));
}
