// Test data shaped by the generated bindings, and a recording IPC mock.
import { mockIPC } from "@tauri-apps/api/mocks";
import { tick } from "svelte";
import { vi } from "vitest";
import type { DeviceView } from "../bindings/DeviceView";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { KioskView } from "../bindings/KioskView";
import type { LinkView } from "../bindings/LinkView";
import type { MonitorView } from "../bindings/MonitorView";
import type { Org } from "../bindings/Org";
import type { OrgView } from "../bindings/OrgView";
import type { ScreenState } from "../bindings/ScreenState";
import type { ScreenView } from "../bindings/ScreenView";
import type { SessionView } from "../bindings/SessionView";
import type { SettingsView } from "../bindings/SettingsView";
import type { User } from "../bindings/User";
import type { UserRow } from "../bindings/UserRow";

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
  capabilities: { orgId: "100", searchUsers: true, createLink: true, sendLink: true, listPasskeys: true },
  createLinkLacks: null,
  sendLinkLacks: null,
  authenticatorChoice: true,
};

export const managerView: OrgView = {
  org: orgs[1],
  capabilities: { orgId: "200", searchUsers: true, createLink: false, sendLink: true, listPasskeys: true },
  createLinkLacks: "user.credential.write",
  sendLinkLacks: null,
  authenticatorChoice: false,
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

export function screenState(version: number, view: ScreenView): ScreenState {
  return { version, view };
}

export const monitors: MonitorView[] = [
  { name: "DP-1", width: 2560, height: 1440, x: 0, y: 0, primary: true, chosen: false },
  { name: "HDMI-1", width: 1920, height: 1080, x: 2560, y: 0, primary: false, chosen: true },
];

export const kioskOff: KioskView = { active: false, pinSet: false, retryAfterSecs: null };
export const kioskOn: KioskView = { active: true, pinSet: true, retryAfterSecs: null };

export function report(code: string, message: string): ErrorReport {
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
    if (!handler) return Promise.reject(report("unmocked", `no mock for ${cmd}`));
    return handler(args);
  });
  return calls;
}

export const commands = (calls: Call[]) => calls.map((c) => c.cmd);
export const reject = (code: string, message: string) => () => Promise.reject(report(code, message));

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
