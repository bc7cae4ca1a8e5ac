import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { RegistrationView } from "../../bindings/RegistrationView";
import {
  commands,
  deferred,
  linkView,
  mockCommands,
  ownerView,
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
    expect(calls).toContainEqual({ cmd: "link_create", args: { userId: "u1" } });
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

  it("at zero blurs the QR, says it expired and drops the link text", async () => {
    await showLink();
    await settle(299_000);
    expect(screen.getByTestId("countdown")).toHaveTextContent("00:01");
    await settle(1000);
    expect(screen.queryByTestId("countdown")).toBeNull();
    expect(screen.getByTestId("expired")).toHaveTextContent("Expired — create a new one");
    expect(screen.getByTestId("qr")).toHaveClass("blurred");
    expect(screen.queryByTestId("link-text")).toBeNull();
    expect(screen.queryByTestId("copy-link")).toBeNull();
    expect(screen.getByTestId("new-link")).toBeEnabled();
  });

  it("shows the expired state when link_wait says so", async () => {
    await showLink();
    wait.resolve({ outcome: "expired" });
    await settle();
    expect(screen.getByTestId("expired")).toHaveTextContent("Expired — create a new one");
    expect(screen.getByTestId("registration-status")).toHaveTextContent("expired before a passkey was registered");
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
      sendLinkReason: "You lack 'user.write' in ACME",
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
});
