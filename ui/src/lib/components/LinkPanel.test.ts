import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { LinkState } from "../../bindings/LinkState";
import type { LinkView } from "../../bindings/LinkView";
import type { Workspace } from "../../bindings/Workspace";
import {
  Core,
  deskView,
  given,
  kioskOpen,
  linkView,
  live,
  monitors,
  ownerView,
  reject,
  rows,
  session,
  settings,
  settle,
  useClock,
} from "../../test/fixtures";
import { desk } from "../state.svelte";
import LinkPanel from "./LinkPanel.svelte";

const NOW = "2030-01-01T10:00:00Z";
const EXPIRES = "2030-01-01T10:05:00Z";
const LINK = linkView(EXPIRES);

let core: Core;

const base: Partial<Workspace> = { session, org: ownerView, selected: rows[0] };

/** The core pushes this link state. */
async function push(link: LinkState | null, over: Partial<Workspace> = {}) {
  desk.apply(deskView({ ...base, link, ...over }, desk.kiosk ?? undefined));
  await settle();
}

async function showLink(link: LinkView = LINK) {
  given({ ...base, link: live(link) });
  render(LinkPanel);
  await settle();
}

beforeEach(() => {
  useClock(NOW);
  core = new Core({
    link_create: () => LINK,
    link_copy: () => null,
    link_email: () => null,
    link_save_png: () => ({
      path: "/home/agent/Downloads/passkey-link-alice-20300101-1005.png",
      validUntil: EXPIRES,
      expiryEstimated: false,
    }),
    link_print: () => null,
    link_send: (args) => ({ ...rows[0].user, id: args.userId as string }),
    link_close: () => null,
    back_to_search: () => null,
    presenter_monitors: () => [monitors[1]],
    presenter_open: (args) => ({ ...(monitors.find((m) => m.name === args.monitor) ?? monitors[1]), chosen: true }),
    presenter_close: () => null,
  });
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

describe("LinkPanel", () => {
  it("inlines the QR, shows the link as text and the person's identity, and says it waits", async () => {
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
  });

  it("counts down in mm:ss without re-rendering the QR, and only counts: at zero it waits for the core", async () => {
    await showLink();
    const svg = screen.getByTestId("qr").querySelector("svg");
    expect(screen.getByTestId("countdown")).toHaveTextContent("05:00");
    await settle(1000);
    expect(screen.getByTestId("countdown")).toHaveTextContent("04:59");
    await settle(60_000);
    expect(screen.getByTestId("countdown")).toHaveTextContent("03:59");
    expect(screen.getByTestId("qr").querySelector("svg")).toBe(svg);
    await settle(300_000);
    expect(screen.getByTestId("countdown")).toHaveTextContent("00:00");
    expect(core.commands()).toEqual(["presenter_monitors"]);
  });

  it("says when the expiry is ZITADEL's default rather than the instance's answer (v2 codes)", async () => {
    await showLink();
    expect(screen.queryByTestId("expiry-estimated")).toBeNull();
    await push(live(linkView(EXPIRES, { expiryEstimated: true })));
    expect(screen.getByTestId("expiry-estimated")).toHaveTextContent("about: ZITADEL's default code lifetime");
    expect(screen.getByTestId("countdown")).toHaveTextContent("05:00");
  });

  it("expired (the core's clock): nothing of the link left; who it was for stays, and what to do next", async () => {
    await showLink();
    await push({ phase: "expired", user: LINK.user });
    const ended = screen.getByTestId("link-ended");
    expect(ended).toHaveAttribute("data-reason", "expired");
    expect(ended).toHaveTextContent("The link expired — create a new one");
    expectLinkGone();
    expect(screen.getByTestId("identity-name")).toHaveTextContent("Alice Archer");
    expect(screen.getByTestId("new-link")).toBeEnabled();
    expect(screen.getByTestId("close-link")).toBeEnabled();
  });

  it("idle: wiped after the idle timeout, said in minutes, nothing of the link left", async () => {
    await showLink();
    await push({ phase: "idle", user: LINK.user });
    const ended = screen.getByTestId("link-ended");
    expect(ended).toHaveAttribute("data-reason", "idle");
    expect(ended).toHaveTextContent("Wiped after 2 minutes without activity — create a new one");
    expectLinkGone();
  });

  it("idle: a timeout that is not whole minutes is said in seconds", async () => {
    await showLink();
    desk.settings = { ...settings, idleTimeoutSecs: 45 };
    await push({ phase: "idle", user: LINK.user });
    expect(screen.getByTestId("link-ended")).toHaveTextContent("Wiped after 45 seconds without activity");
  });

  it("after it ended, New link asks the core for a fresh one for the same person", async () => {
    await showLink();
    await push({ phase: "idle", user: LINK.user });
    await fireEvent.click(screen.getByTestId("new-link"));
    await settle();
    expect(core.calls).toContainEqual({ cmd: "link_create", args: { userId: "u1", authenticator: "any", verified: [] } });
    const fresh = linkView("2030-01-01T10:10:00Z", { link: "https://id.example.com/ui/login/passkey/register?userID=u1&code=NEW999" });
    await push(live(fresh));
    expect(screen.getByTestId("link-text")).toHaveTextContent("code=NEW999");
  });

  it("copy calls link_copy and says when the clipboard clears", async () => {
    await showLink();
    await fireEvent.click(screen.getByTestId("copy-link"));
    await settle();
    expect(core.commands()).toContain("link_copy");
    expect(screen.getByTestId("notice")).toHaveTextContent("Copied — clipboard clears in 30 s");
  });

  it("email, save PNG and send call their commands; the saved path is shown", async () => {
    await showLink();
    await fireEvent.click(screen.getByTestId("email-link"));
    await settle();
    expect(core.commands()).toContain("link_email");
    expect(screen.getByTestId("notice")).toHaveTextContent("Opened your mail client with the link.");
    await fireEvent.click(screen.getByTestId("save-png"));
    await settle();
    expect(core.commands()).toContain("link_save_png");
    expect(screen.getByTestId("saved-path")).toHaveTextContent("/home/agent/Downloads/passkey-link-alice-20300101-1005.png");
    // A file outlives the screen: the window says until when the link in it works.
    expect(screen.getByTestId("saved-valid-until")).toHaveTextContent(/works until \d{1,2}:05/);
    await fireEvent.click(screen.getByTestId("send-link"));
    await settle();
    expect(core.calls).toContainEqual({ cmd: "link_send", args: { userId: "u1", verified: [] } });
    expect(screen.getByTestId("notice")).toHaveTextContent("ZITADEL is emailing the registration link to alice@acme.example.com.");
  });

  it("print asks the core first (it audits the printout), then opens the print dialog", async () => {
    const print = vi.spyOn(window, "print").mockImplementation(() => {});
    await showLink();
    await fireEvent.click(screen.getByTestId("print-link"));
    await settle();
    expect(core.commands()).toContain("link_print");
    expect(print).toHaveBeenCalledOnce();
  });

  it("print refused by the core (a kiosk) opens no print dialog", async () => {
    const print = vi.spyOn(window, "print").mockImplementation(() => {});
    core = new Core({ link_print: reject("kiosk_mode", "cannot print the QR code in kiosk mode") });
    await showLink();
    await fireEvent.click(screen.getByTestId("print-link"));
    await settle();
    expect(print).not.toHaveBeenCalled();
  });

  it("close asks the core; the QR and the link go with the core's next view", async () => {
    await showLink();
    await fireEvent.click(screen.getByTestId("close-link"));
    await settle();
    expect(core.commands()).toEqual(["presenter_monitors", "link_close"]);
    await push(null);
    expectLinkGone();
  });

  it("New link on a live link: the old one stays until the core shows the new one", async () => {
    await showLink();
    await fireEvent.click(screen.getByTestId("new-link"));
    await settle();
    expect(screen.getByTestId("link-text")).toHaveTextContent("code=ABC123");
    const second = linkView("2030-01-01T10:10:00Z", { link: "https://id.example.com/ui/login/passkey/register?userID=u1&code=SECOND" });
    await push(live(second));
    expect(screen.getByTestId("link-text")).toHaveTextContent("code=SECOND");
  });

  it("New link that fails says why in the banner", async () => {
    core = new Core({ link_create: reject("unavailable", "ZITADEL is unavailable"), presenter_monitors: () => [] });
    await showLink();
    await fireEvent.click(screen.getByTestId("new-link"));
    await settle();
    expect(desk.error?.report.code).toBe("unavailable");
    expect(desk.error?.retry).not.toBeNull();
  });

  it("registration: 'Registered: …', which passkey and when; the QR and the link are gone", async () => {
    await showLink();
    await push({ phase: "registered", user: LINK.user, passkey: { id: "pk1", name: "Alice's iPhone", seenAt: "2030-01-01T10:01:00Z" } });
    expect(screen.getByTestId("registration-status")).toHaveTextContent("Registered: Alice's iPhone");
    expect(screen.getByTestId("registered-passkey")).toHaveTextContent(/“Alice's iPhone” appeared at \d{1,2}[:.]\d{2}/);
    expectLinkGone();
    await fireEvent.click(screen.getByTestId("next-user"));
    await settle();
    expect(core.commands()).toContain("back_to_search");
  });

  it("when watching failed (the session ended) the core wiped it; the panel says why", async () => {
    await showLink();
    await push({ phase: "failed", user: LINK.user, error: { code: "session_ended", message: "the session ended: sign in again" } });
    expect(screen.getByTestId("link-ended")).toHaveTextContent("the session ended: sign in again");
    expectLinkGone();
    expect(desk.error?.report.code).toBe("session_ended");
    expect(desk.error?.retry).toBeNull();
  });

  it("marks qr-painted for the end-to-end timing", async () => {
    performance.clearMarks();
    await showLink();
    await settle(50);
    expect(performance.getEntriesByName("qr-painted").length).toBeGreaterThan(0);
  });

  it("disables Send via ZITADEL with the reason when not allowed", async () => {
    given({
      ...base,
      org: { ...ownerView, capabilities: { ...ownerView.capabilities, sendLink: false }, sendLinkLacks: "user.write" },
      link: live(LINK),
    });
    render(LinkPanel);
    await settle();
    expect(screen.getByTestId("send-link")).toBeDisabled();
    expect(screen.getByTestId("send-link-reason")).toHaveTextContent("user.write");
  });

  it("renders names and links as text, never as markup", async () => {
    const evil = linkView(EXPIRES, {
      user: { ...rows[0].user, displayName: "<img src=x onerror=alert(1)>" },
      link: "https://id.example.com/?q=<b>bold</b>",
    });
    await showLink(evil);
    expect(document.querySelector("img")).toBeNull();
    expect(document.querySelector("b")).toBeNull();
    expect(screen.getByTestId("link-text")).toHaveTextContent("<b>bold</b>");
  });

  it("kiosk mode: no Copy, Email, Save PNG or Print, and the link text cannot be selected", async () => {
    given({ ...base, link: live(LINK) }, kioskOpen);
    render(LinkPanel);
    await settle();
    for (const id of ["copy-link", "email-link", "save-png", "print-link"]) expect(screen.queryByTestId(id), id).toBeNull();
    expect(screen.getByTestId("link-text")).toHaveClass("locked");
    expect(screen.getByTestId("send-link")).toBeInTheDocument();
    expect(screen.getByTestId("close-link")).toBeInTheDocument();
  });

  it("outside kiosk mode the link text can be selected", async () => {
    await showLink();
    expect(screen.getByTestId("link-text")).not.toHaveClass("locked");
  });

  it("with several monitors: a choice (the chosen one first), Present opens the presenter on the selected one", async () => {
    core = new Core({
      presenter_monitors: () => monitors,
      presenter_open: (args) => ({ ...(monitors.find((m) => m.name === args.monitor) ?? monitors[1]), chosen: true }),
      presenter_close: () => null,
    });
    await showLink();
    const select = screen.getByTestId("present-monitor") as HTMLSelectElement;
    expect(select.value).toBe("HDMI-1");
    await fireEvent.change(select, { target: { value: "DP-1" } });
    await fireEvent.click(screen.getByTestId("present-link"));
    await settle();
    expect(core.calls).toContainEqual({ cmd: "presenter_open", args: { monitor: "DP-1" } });
    await push(live(LINK), { presenting: { ...monitors[0], chosen: true } });
    expect(screen.getByTestId("presenting")).toHaveTextContent("DP-1");
    await fireEvent.click(screen.getByTestId("stop-presenting"));
    await settle();
    expect(core.commands()).toContain("presenter_close");
  });

  it("with one monitor: no choice, Present lets the core pick (null)", async () => {
    await showLink();
    expect(screen.queryByTestId("present-monitor")).toBeNull();
    await fireEvent.click(screen.getByTestId("present-link"));
    await settle();
    expect(core.calls).toContainEqual({ cmd: "presenter_open", args: { monitor: null } });
  });

  it("without any monitor there is no Present", async () => {
    core = new Core({ presenter_monitors: () => [] });
    await showLink();
    expect(screen.queryByTestId("present-link")).toBeNull();
  });

  it("a failing Present goes to the banner", async () => {
    core = new Core({
      presenter_monitors: () => [monitors[1]],
      presenter_open: reject("desktop", "cannot open the presenter window: no monitor was found"),
    });
    await showLink();
    await fireEvent.click(screen.getByTestId("present-link"));
    await settle();
    expect(desk.error?.report).toEqual({ code: "desktop", message: "cannot open the presenter window: no monitor was found" });
  });

  it("'Presenting on …' and Stop stay after the link ended", async () => {
    given({ ...base, link: live(LINK), presenting: { ...monitors[1], chosen: true } });
    render(LinkPanel);
    await settle();
    await push(
      { phase: "registered", user: LINK.user, passkey: { id: "pk1", name: "Alice's iPhone", seenAt: NOW } },
      { presenting: { ...monitors[1], chosen: true } },
    );
    expect(screen.getByTestId("presenting")).toHaveTextContent("HDMI-1");
    expect(screen.getByTestId("stop-presenting")).toBeInTheDocument();
  });
});
