import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { LinkView } from "../../bindings/LinkView";
import type { RegistrationView } from "../../bindings/RegistrationView";
import {
  commands,
  deferred,
  kioskOn,
  linkView,
  mockCommands,
  monitors,
  ownerView,
  report,
  rows,
  settings,
  settle,
  useClock,
  type Call,
  type Deferred,
} from "../../test/fixtures";
import { desk } from "../state.svelte";
import LinkPanel from "./LinkPanel.svelte";

const NOW = "2030-01-01T10:00:00Z";
const EXPIRES = "2030-01-01T10:05:00Z";
const LINK = linkView(EXPIRES);

let wait: Deferred<RegistrationView>;
let calls: Call[];

async function showLink() {
  render(LinkPanel);
  await desk.createLink();
  await settle();
}

beforeEach(() => {
  useClock(NOW);
  wait = deferred<RegistrationView>();
  calls = mockCommands({
    link_create: () => LINK,
    link_wait: () => wait.promise,
    link_copy: () => null,
    link_email: () => null,
    link_save_png: () => "/home/agent/Downloads/passkey-link-alice-20300101-1005.png",
    link_send: (args) => ({ ...rows[0].user, id: args.userId as string }),
    link_close: () => null,
    presenter_monitors: () => [monitors[1]],
    presenter_open: (args) => ({ ...(monitors.find((m) => m.name === args.monitor) ?? monitors[1]), chosen: true }),
    presenter_close: () => null,
  });
  desk.settings = settings;
  desk.orgView = ownerView;
  desk.selected = rows[0];
});

describe("LinkPanel", () => {
  it("inlines the QR, shows the link as text and the user's identity, and starts waiting", async () => {
    await showLink();
    const qr = screen.getByTestId("qr");
    const svg = qr.querySelector("svg");
    expect(svg).not.toBeNull();
    expect(svg?.getAttribute("viewBox")).toBe("0 0 29 29");
    expect(qr).toHaveAttribute("role", "img");
    expect(screen.getByTestId("link-text")).toHaveTextContent(LINK.link);
    expect(screen.getByTestId("identity-name")).toHaveTextContent("Alice Archer");
    expect(screen.getByTestId("identity-login")).toHaveTextContent("alice@acme.example.com");
    expect(screen.getByTestId("identity-email")).toHaveTextContent("alice@acme.example.com");
    expect(screen.getByTestId("identity-org")).toHaveTextContent("ACME");
    expect(screen.getByTestId("registration-status")).toHaveTextContent("Waiting for Alice Archer to register a passkey");
    expect(calls).toContainEqual({ cmd: "link_create", args: { userId: "u1", authenticator: "any" } });
    expect(commands(calls)).toContain("link_wait");
  });

  it("counts down in mm:ss without re-rendering the QR", async () => {
    await showLink();
    const svg = screen.getByTestId("qr").querySelector("svg");
    expect(screen.getByTestId("countdown")).toHaveTextContent("05:00");
    await settle(1000);
    expect(screen.getByTestId("countdown")).toHaveTextContent("04:59");
    await settle(60_000);
    expect(screen.getByTestId("countdown")).toHaveTextContent("03:59");
    expect(screen.getByTestId("qr").querySelector("svg")).toBe(svg);
  });

  /** Nothing of the link stays in the DOM: no QR, no link text, no countdown, no actions on it. */
  function expectLinkGone() {
    expect(screen.queryByTestId("qr")).toBeNull();
    expect(document.body.querySelector("svg")).toBeNull();
    expect(screen.queryByTestId("link-text")).toBeNull();
    expect(screen.queryByTestId("countdown")).toBeNull();
    expect(screen.queryByTestId("copy-link")).toBeNull();
    expect(screen.queryByTestId("save-png")).toBeNull();
    expect(screen.queryByTestId("print-link")).toBeNull();
    expect(document.body.textContent).not.toContain(LINK.link);
    expect(document.body.innerHTML).not.toContain("code=ABC123");
  }

  it("at zero removes the QR and the link and says it expired", async () => {
    await showLink();
    await settle(299_000);
    expect(screen.getByTestId("countdown")).toHaveTextContent("00:01");
    await settle(1000);
    const ended = screen.getByTestId("link-ended");
    expect(ended).toHaveAttribute("data-reason", "expired");
    expect(ended).toHaveTextContent("The link expired — create a new one");
    expectLinkGone();
    expect(desk.link).toEqual({ phase: "expired", user: LINK.user });
    // Who it was for stays, to confirm with the caller; and what to do next.
    expect(screen.getByTestId("identity-name")).toHaveTextContent("Alice Archer");
    expect(screen.getByTestId("new-link")).toBeEnabled();
    expect(screen.getByTestId("close-link")).toBeEnabled();
  });

  it("shows the expired state without the QR or the link when link_wait says so", async () => {
    await showLink();
    wait.resolve({ outcome: "expired" });
    await settle();
    expect(screen.getByTestId("link-ended")).toHaveAttribute("data-reason", "expired");
    expect(screen.getByTestId("link-ended")).toHaveTextContent("The link expired");
    expectLinkGone();
  });

  it("idle: wiped after the idle timeout, said in minutes, nothing of the link left", async () => {
    await showLink();
    await fireEvent.click(screen.getByTestId("save-png"));
    await settle();
    expect(screen.getByTestId("saved-path")).toBeInTheDocument();
    wait.resolve({ outcome: "idle" });
    await settle();
    const ended = screen.getByTestId("link-ended");
    expect(ended).toHaveAttribute("data-reason", "idle");
    expect(ended).toHaveTextContent("Wiped after 2 minutes without activity");
    expectLinkGone();
    expect(screen.queryByTestId("saved-path")).toBeNull();
    expect(desk.link).toEqual({ phase: "idle", user: LINK.user });
  });

  it("idle: a timeout that is not whole minutes is said in seconds", async () => {
    desk.settings = { ...settings, idleTimeoutSecs: 45 };
    await showLink();
    wait.resolve({ outcome: "idle" });
    await settle();
    expect(screen.getByTestId("link-ended")).toHaveTextContent("Wiped after 45 seconds without activity");
  });

  it("after it ended, New link makes a fresh one for the same user", async () => {
    await showLink();
    wait.resolve({ outcome: "idle" });
    await settle();
    const fresh = linkView("2030-01-01T10:10:00Z", { link: "https://id.example.com/ui/login/passkey/register?userID=u1&code=FRESH1" });
    mockCommands({ link_create: () => fresh, link_wait: () => deferred<RegistrationView>().promise, link_close: () => null });
    await fireEvent.click(screen.getByTestId("new-link"));
    await settle();
    expect(screen.queryByTestId("link-ended")).toBeNull();
    expect(screen.getByTestId("link-text")).toHaveTextContent("code=FRESH1");
  });

  it("copy calls link_copy and says when the clipboard clears", async () => {
    await showLink();
    await fireEvent.click(screen.getByTestId("copy-link"));
    await settle();
    expect(commands(calls)).toContain("link_copy");
    expect(screen.getByTestId("notice")).toHaveTextContent("Copied — clipboard clears in 30 s");
  });

  it("email, save PNG and send call their commands; the saved path is shown", async () => {
    await showLink();
    await fireEvent.click(screen.getByTestId("email-link"));
    await settle();
    expect(commands(calls)).toContain("link_email");
    expect(screen.getByTestId("notice")).toHaveTextContent("mail client");

    await fireEvent.click(screen.getByTestId("save-png"));
    await settle();
    expect(commands(calls)).toContain("link_save_png");
    expect(screen.getByTestId("saved-path")).toHaveTextContent("/home/agent/Downloads/passkey-link-alice-20300101-1005.png");

    await fireEvent.click(screen.getByTestId("send-link"));
    await settle();
    expect(calls).toContainEqual({ cmd: "link_send", args: { userId: "u1" } });
    expect(screen.getByTestId("notice")).toHaveTextContent("ZITADEL is emailing the registration link to alice@acme.example.com");
  });

  it("print calls window.print", async () => {
    const print = vi.spyOn(window, "print").mockImplementation(() => {});
    await showLink();
    await fireEvent.click(screen.getByTestId("print-link"));
    expect(print).toHaveBeenCalledOnce();
  });

  it("close calls link_close and wipes the QR and the link from the DOM", async () => {
    await showLink();
    await fireEvent.click(screen.getByTestId("close-link"));
    await settle();
    expect(commands(calls)).toContain("link_close");
    expect(screen.queryByTestId("qr")).toBeNull();
    expect(screen.queryByTestId("link-text")).toBeNull();
    expect(document.body.textContent).not.toContain(LINK.link);
    expect(document.body.querySelector("svg")).toBeNull();
    expect(desk.link).toBeNull();
  });

  it("New link asks for another one and shows it", async () => {
    await showLink();
    const second = linkView("2030-01-01T10:10:00Z", { link: "https://id.example.com/ui/login/passkey/register?userID=u1&code=NEW999" });
    calls.length = 0;
    mockCommands({ link_create: () => second, link_wait: () => deferred<RegistrationView>().promise, link_close: () => null });
    await fireEvent.click(screen.getByTestId("new-link"));
    await settle();
    expect(screen.getByTestId("link-text")).toHaveTextContent("code=NEW999");
    expect(screen.getByTestId("countdown")).toHaveTextContent("10:00");
    // The first link's wait ends "closed" on the Rust side; that must not touch the new link.
    wait.resolve({ outcome: "closed" });
    await settle();
    expect(screen.getByTestId("link-text")).toHaveTextContent("code=NEW999");
  });

  it("New link: the old link's 'closed' before the new link arrives leaves no empty panel between", async () => {
    await showLink();
    const answer = deferred<LinkView>();
    const second = linkView("2030-01-01T10:10:00Z", { link: "https://id.example.com/ui/login/passkey/register?userID=u1&code=NEW999" });
    mockCommands({ link_create: () => answer.promise, link_wait: () => deferred<RegistrationView>().promise });
    await fireEvent.click(screen.getByTestId("new-link"));
    // The core closed the first link before it asked for the second one.
    wait.resolve({ outcome: "closed" });
    await settle();
    expect(screen.getByTestId("link-panel")).toBeInTheDocument();
    expect(screen.getByTestId("new-link")).toBeDisabled();
    answer.resolve(second);
    await settle();
    expect(screen.getByTestId("link-text")).toHaveTextContent("code=NEW999");
    expect(document.body.textContent).not.toContain(LINK.link);
  });

  it("New link that fails takes the closed link off the screen and says why", async () => {
    await showLink();
    mockCommands({ link_create: () => Promise.reject(report("unavailable", "ZITADEL is unavailable")) });
    await fireEvent.click(screen.getByTestId("new-link"));
    wait.resolve({ outcome: "closed" });
    await settle();
    expect(desk.link).toBeNull();
    expect(document.body.textContent).not.toContain(LINK.link);
    expect(desk.error?.report.code).toBe("unavailable");
  });

  it("registration flips to 'Registered: …' and removes the QR and the link", async () => {
    await showLink();
    wait.resolve({ outcome: "registered", passkey: { id: "pk1", name: "Alice's iPhone", state: "ready" } });
    await settle();
    expect(screen.getByTestId("registration-status")).toHaveTextContent("Registered: Alice's iPhone");
    expect(screen.queryByTestId("qr")).toBeNull();
    expect(screen.queryByTestId("link-text")).toBeNull();
    expect(screen.queryByTestId("countdown")).toBeNull();
    expect(document.body.textContent).not.toContain(LINK.link);
    expect(document.body.querySelector("svg")).toBeNull();
    expect(screen.getByTestId("next-user")).toHaveFocus();
    // The identity stays, to confirm with the caller.
    expect(screen.getByTestId("identity-name")).toHaveTextContent("Alice Archer");
  });

  it("when watching fails (the session ended) the link leaves the screen and the error is reported", async () => {
    await showLink();
    wait.reject({ code: "session_ended", message: "the session ended: sign in again" });
    await settle();
    expect(screen.queryByTestId("link-panel")).toBeNull();
    expect(document.body.textContent).not.toContain(LINK.link);
    expect(desk.link).toBeNull();
    expect(desk.error?.report.code).toBe("session_ended");
    expect(desk.error?.retry).toBeNull();
  });

  it("marks link-requested and qr-painted", async () => {
    performance.clearMarks();
    await showLink();
    expect(performance.getEntriesByName("link-requested", "mark")).toHaveLength(1);
    await settle(20); // the animation frame after the QR went in
    expect(performance.getEntriesByName("qr-painted", "mark")).toHaveLength(1);
  });

  it("disables Send via ZITADEL with the reason when not allowed", async () => {
    desk.orgView = {
      ...ownerView,
      capabilities: { ...ownerView.capabilities, sendLink: false },
      sendLinkLacks: "user.write",
    };
    await showLink();
    expect(screen.getByTestId("send-link")).toBeDisabled();
    expect(screen.getByTestId("send-link-reason")).toHaveTextContent("You lack 'user.write' in ACME");
  });

  it("renders names and links as text, never as markup", async () => {
    const evil = linkView(EXPIRES, {
      user: { ...rows[0].user, displayName: '<img src=x onerror="alert(1)">Mallory' },
      link: "https://id.example.com/?q=<b>bold</b>",
    });
    mockCommands({ link_create: () => evil, link_wait: () => wait.promise });
    await showLink();
    expect(screen.getByTestId("identity-name").textContent).toContain('<img src=x onerror="alert(1)">Mallory');
    expect(document.querySelector("img")).toBeNull();
    expect(screen.getByTestId("link-text").querySelector("b")).toBeNull();
  });

  it("kiosk mode: no Copy, Email, Save PNG or Print, and the link text cannot be selected", async () => {
    desk.kiosk = kioskOn;
    await showLink();
    expect(screen.getByTestId("qr")).toBeInTheDocument();
    expect(screen.queryByTestId("copy-link")).toBeNull();
    expect(screen.queryByTestId("email-link")).toBeNull();
    expect(screen.queryByTestId("save-png")).toBeNull();
    expect(screen.queryByTestId("print-link")).toBeNull();
    expect(screen.getByTestId("link-text")).toHaveClass("locked");
    expect(screen.getByTestId("new-link")).toBeInTheDocument();
    expect(screen.getByTestId("close-link")).toBeInTheDocument();
  });

  it("outside kiosk mode the link text can be selected", async () => {
    await showLink();
    expect(screen.getByTestId("link-text")).not.toHaveClass("locked");
  });
});

describe("Present", () => {
  it("with several monitors: a choice (the chosen one first), Present opens the presenter on the selected one", async () => {
    const presentCalls = mockCommands({
      link_create: () => LINK,
      link_wait: () => wait.promise,
      presenter_monitors: () => monitors,
      presenter_open: (args) => ({ ...monitors.find((m) => m.name === args.monitor)!, chosen: true }),
      presenter_close: () => null,
    });
    await showLink();
    const select = screen.getByTestId("present-monitor") as HTMLSelectElement;
    expect(select.value).toBe("HDMI-1");
    expect([...select.options].map((o) => o.value)).toEqual(["DP-1", "HDMI-1"]);
    expect(screen.getByLabelText("Monitor for the presenter window")).toBe(select);

    await fireEvent.change(select, { target: { value: "DP-1" } });
    await fireEvent.click(screen.getByTestId("present-link"));
    await settle();
    expect(presentCalls).toContainEqual({ cmd: "presenter_open", args: { monitor: "DP-1" } });
    expect(screen.getByTestId("presenting")).toHaveTextContent("Presenting on DP-1");

    await fireEvent.click(screen.getByTestId("stop-presenting"));
    await settle();
    expect(presentCalls).toContainEqual({ cmd: "presenter_close", args: {} });
    expect(screen.queryByTestId("presenting")).toBeNull();
    expect(screen.queryByTestId("stop-presenting")).toBeNull();
    expect(desk.presenting).toBeNull();
  });

  it("with one monitor: no choice, Present lets the core pick (null)", async () => {
    await showLink();
    expect(screen.queryByTestId("present-monitor")).toBeNull();
    await fireEvent.click(screen.getByTestId("present-link"));
    await settle();
    expect(calls).toContainEqual({ cmd: "presenter_open", args: { monitor: null } });
    expect(screen.getByTestId("presenting")).toHaveTextContent("Presenting on HDMI-1");
  });

  it("without any monitor there is no Present", async () => {
    mockCommands({ link_create: () => LINK, link_wait: () => wait.promise, presenter_monitors: () => [] });
    await showLink();
    expect(screen.queryByTestId("present-link")).toBeNull();
  });

  it("a failing Present goes to the banner", async () => {
    mockCommands({
      link_create: () => LINK,
      link_wait: () => wait.promise,
      presenter_monitors: () => [monitors[0]],
      presenter_open: () => Promise.reject({ code: "input", message: "no monitor found for the presenter window" }),
    });
    await showLink();
    await fireEvent.click(screen.getByTestId("present-link"));
    await settle();
    expect(desk.error?.report).toEqual({ code: "input", message: "no monitor found for the presenter window" });
    expect(screen.queryByTestId("presenting")).toBeNull();
  });

  it("'Presenting on …' and Stop stay after the link ended", async () => {
    await showLink();
    await fireEvent.click(screen.getByTestId("present-link"));
    await settle();
    wait.resolve({ outcome: "registered", passkey: { id: "pk1", name: "Alice's iPhone", state: "ready" } });
    await settle();
    expect(screen.getByTestId("presenting")).toHaveTextContent("Presenting on HDMI-1");
    expect(screen.queryByTestId("present-link")).toBeNull();
    expect(screen.getByTestId("stop-presenting")).toBeInTheDocument();
  });
});
