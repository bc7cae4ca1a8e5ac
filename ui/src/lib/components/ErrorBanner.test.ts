import type { ErrorCode } from "../../bindings/ErrorCode";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  commands,
  linkView,
  managerView,
  mockCommands,
  ownerView,
  report,
  rows,
  session,
  settings,
  type Call, patch } from "../../test/fixtures";
import { nextStep, toReport } from "../errors";
import { desk } from "../state.svelte";
import ErrorBanner from "./ErrorBanner.svelte";

let calls: Call[];

beforeEach(() => {
  calls = mockCommands({
    link_send: () => rows[0].user,
    link_create: () => linkView("2099-01-01T00:00:00Z"),
    back_to_search: () => null,
  });
  desk.settings = settings;
  patch({ session: session });
    patch({});
  patch({ org: ownerView });
  patch({ selected: rows[0] });
});

function show(code: ErrorCode | "unknown", message = `message for ${code}`, retry: (() => void) | null = null) {
  desk.error = { report: code === "unknown" ? { code, message } : report(code, message), retry, source: "test" };
  render(ErrorBanner);
}

const action = () => screen.queryByTestId("error-action");

describe("ErrorBanner", () => {
  it.each<ErrorCode>(["not_signed_in", "session_ended", "token_rejected"])("%s → Sign in again", async (code) => {
    show(code);
    expect(action()).toHaveTextContent("Sign in again");
    await fireEvent.click(action()!);
    expect(screen.queryByTestId("error-banner")).toBeNull();
    // The core already ended the session: its next view has none, and the window signs in.
    patch({ session: null, org: null, selected: null });
    expect(desk.view).toBe("signin");
  });

  it("permission_denied shows the message and, with send allowed, offers Send via ZITADEL", async () => {
    patch({ org: managerView });
    show("permission_denied", "You lack 'user.credential.write' in Globex");
    expect(screen.getByTestId("error-message")).toHaveTextContent("You lack 'user.credential.write' in Globex");
    expect(action()).toHaveTextContent("Send via ZITADEL instead");
    await fireEvent.click(action()!);
    await waitFor(() => expect(calls).toContainEqual({ cmd: "link_send", args: { userId: "u1", verified: [] } }));
  });

  it("permission_denied without send allowed: the message only", () => {
    patch({ org: { ...managerView, capabilities: { ...managerView.capabilities, sendLink: false } } });
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

  it.each<ErrorCode>(["user_not_found", "ambiguous_user", "not_human", "user_not_active"])("%s → message, back to search", async (code) => {
    show(code, "user 'bob' is locked");
    expect(screen.getByTestId("error-message")).toHaveTextContent("user 'bob' is locked");
    expect(action()).toHaveTextContent("Back to search");
    await fireEvent.click(action()!);
    await waitFor(() => expect(commands(calls)).toContain("back_to_search"));
  });

  it.each<ErrorCode>(["network", "timeout", "unavailable", "rate_limited", "tls", "bad_response"])("%s → Retry", async (code) => {
    const retry = vi.fn();
    show(code, "cannot reach id.example.com", retry);
    expect(action()).toHaveTextContent("Retry");
    await fireEvent.click(action()!);
    expect(retry).toHaveBeenCalledOnce();
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });

  it.each<ErrorCode>(["link_expired", "code_invalid", "no_link"])("%s → Create a new link", async (code) => {
    show(code);
    expect(action()).toHaveTextContent("Create a new link");
    await fireEvent.click(action()!);
    await waitFor(() => expect(commands(calls)).toContain("link_create"));
  });

  it.each<ErrorCode>(["sign_in_failed", "sign_in_denied", "sign_in_expired"])("%s → back to sign-in", async (code) => {
    patch({ session: null });
    show(code);
    expect(action()).toHaveTextContent("Back to sign-in");
    await fireEvent.click(action()!);
    expect(desk.view).toBe("signin");
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });

  it("config → Open settings", async () => {
    show("config", "no client id configured");
    expect(action()).toHaveTextContent("Open settings");
    await fireEvent.click(action()!);
    expect(desk.view).toBe("settings");
  });

  it.each<[ErrorCode, string]>([
    ["foreign_link", "the link points to evil.example.net, not id.example.com: refused"],
    ["keyring", "no Secret Service: install gnome-keyring or KeePassXC"],
    ["conflict", "already exists"],
    ["kiosk_locked", "the kiosk is locked: an operator unlocks it (PIN or phone) to search people"],
    ["invalid_input", "a kiosk PIN has 6 to 32 characters, without spaces at the ends"],
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
    expect(toReport("command users_search not allowed by ACL")).toEqual({ code: "unknown", message: "command users_search not allowed by ACL" });
    expect(toReport({ code: "made_up", message: "from a newer core" })).toEqual({ code: "unknown", message: "from a newer core" });
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
    expect(nextStep("no_org")).toBe("choose-org");
    expect(nextStep("unknown")).toBe("message");
  });
});
