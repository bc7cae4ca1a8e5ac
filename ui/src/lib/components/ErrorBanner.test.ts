import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  commands,
  deferred,
  linkView,
  managerView,
  mockCommands,
  ownerView,
  report,
  rows,
  session,
  settings,
  type Call,
} from "../../test/fixtures";
import { nextStep, toReport } from "../errors";
import { desk } from "../state.svelte";
import ErrorBanner from "./ErrorBanner.svelte";

let calls: Call[];

beforeEach(() => {
  calls = mockCommands({
    link_send: () => rows[0].user,
    link_create: () => linkView("2099-01-01T00:00:00Z"),
    link_wait: () => deferred().promise,
  });
  desk.settings = settings;
  desk.session = session;
  desk.view = "main";
  desk.orgView = ownerView;
  desk.selected = rows[0];
});

function show(code: string, message = `message for ${code}`, retry: (() => void) | null = null) {
  desk.error = { report: report(code, message), retry, source: "test" };
  render(ErrorBanner);
}

const action = () => screen.queryByTestId("error-action");

describe("ErrorBanner", () => {
  it.each(["not_signed_in", "session_ended", "token_rejected"])("%s → Sign in again", async (code) => {
    show(code);
    expect(action()).toHaveTextContent("Sign in again");
    await fireEvent.click(action()!);
    expect(desk.view).toBe("signin");
    expect(desk.session).toBeNull();
    expect(desk.selected).toBeNull();
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });

  it("permission_denied shows the message and, with send allowed, offers Send via ZITADEL", async () => {
    desk.orgView = managerView;
    show("permission_denied", "You lack 'user.credential.write' in Globex");
    expect(screen.getByTestId("error-message")).toHaveTextContent("You lack 'user.credential.write' in Globex");
    expect(action()).toHaveTextContent("Send via ZITADEL instead");
    await fireEvent.click(action()!);
    await waitFor(() => expect(calls).toContainEqual({ cmd: "link_send", args: { userId: "u1" } }));
  });

  it("permission_denied without send allowed: the message only", () => {
    desk.orgView = { ...managerView, capabilities: { ...managerView.capabilities, sendLink: false } };
    show("permission_denied", "You lack 'user.write' in Globex");
    expect(screen.getByTestId("error-message")).toHaveTextContent("You lack 'user.write' in Globex");
    expect(action()).toBeNull();
  });

  it("org_not_found → Choose another organisation (opens the picker)", async () => {
    show("org_not_found");
    expect(action()).toHaveTextContent("Choose another organisation");
    await fireEvent.click(action()!);
    expect(desk.orgPickerOpen).toBe(true);
  });

  it.each(["user_not_found", "ambiguous_user", "not_human", "user_not_active"])("%s → message, back to search", async (code) => {
    show(code, "user 'bob' is locked");
    expect(screen.getByTestId("error-message")).toHaveTextContent("user 'bob' is locked");
    expect(action()).toHaveTextContent("Back to search");
    await fireEvent.click(action()!);
    expect(desk.selected).toBeNull();
  });

  it.each(["network", "timeout", "unavailable", "rate_limited", "tls", "bad_response"])("%s → Retry", async (code) => {
    const retry = vi.fn();
    show(code, "cannot reach id.example.com", retry);
    expect(action()).toHaveTextContent("Retry");
    await fireEvent.click(action()!);
    expect(retry).toHaveBeenCalledOnce();
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });

  it.each(["link_expired", "code_invalid"])("%s → Create a new link", async (code) => {
    show(code);
    expect(action()).toHaveTextContent("Create a new link");
    await fireEvent.click(action()!);
    await waitFor(() => expect(commands(calls)).toContain("link_create"));
  });

  it.each(["sign_in_failed", "sign_in_denied", "sign_in_expired"])("%s → back to sign-in", async (code) => {
    show(code);
    expect(action()).toHaveTextContent("Back to sign-in");
    await fireEvent.click(action()!);
    expect(desk.view).toBe("signin");
  });

  it("config → Open settings", async () => {
    show("config", "no client id configured");
    expect(action()).toHaveTextContent("Open settings");
    await fireEvent.click(action()!);
    expect(desk.view).toBe("settings");
  });

  it.each([
    ["foreign_link", "the link points to evil.example.net, not id.example.com: refused"],
    ["keyring", "no Secret Service: install gnome-keyring or KeePassXC"],
    ["conflict", "already exists"],
    ["input", "no link on screen: create one first"],
  ])("%s → the message only", (code, message) => {
    show(code, message);
    expect(screen.getByTestId("error-banner")).toHaveAttribute("data-code", code);
    expect(screen.getByTestId("error-message")).toHaveTextContent(message);
    expect(action()).toBeNull();
  });

  it("is an alert, renders the message as text and can be dismissed", async () => {
    show("unknown", "<b>not bold</b>");
    expect(screen.getByRole("alert")).toBe(screen.getByTestId("error-banner"));
    expect(screen.getByTestId("error-message").querySelector("b")).toBeNull();
    expect(screen.getByTestId("error-message")).toHaveTextContent("<b>not bold</b>");
    await fireEvent.click(screen.getByTestId("error-dismiss"));
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });
});

describe("errors", () => {
  it("anything a command rejects with becomes a plain report, never JSON or a stack", () => {
    expect(toReport({ code: "tls", message: "bad cert" })).toEqual({ code: "tls", message: "bad cert" });
    expect(toReport("command link_wait not found")).toEqual({ code: "unknown", message: "command link_wait not found" });
    const err = toReport(new TypeError("x is undefined"));
    expect(err).toEqual({ code: "unknown", message: "x is undefined" });
    expect(toReport({ weird: true })).toEqual({ code: "unknown", message: "Something went wrong." });
    expect(toReport(undefined).message).toBe("Something went wrong.");
  });

  it("maps every code of the contract to its next step", () => {
    expect(nextStep("session_ended")).toBe("sign-in");
    expect(nextStep("sign_in_cancelled")).toBe("back-to-sign-in");
    expect(nextStep("server")).toBe("message");
    expect(nextStep("rate_limited")).toBe("retry");
  });
});
