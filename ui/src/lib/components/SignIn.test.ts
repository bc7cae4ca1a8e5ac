import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { SessionView } from "../../bindings/SessionView";
import {
  commands,
  deferred,
  deviceView,
  kioskOpen,
  mockCommands,
  ownerView,
  report,
  session,
  settings,
  settle,
  useClock,
  type Call, patch } from "../../test/fixtures";
import { desk } from "../state.svelte";
import SignIn from "./SignIn.svelte";

beforeEach(() => {
  desk.settings = settings;
    patch({});
});

describe("SignIn with the browser", () => {
  it("waits for the browser, then signs in and loads the remembered org", async () => {
    const browser = deferred<SessionView>();
    const calls = mockCommands({
      sign_in_browser: () => browser.promise,
      org_current: () => {
        patch({ org: ownerView });
        return ownerView;
      },
    });
    render(SignIn);
    expect(screen.getByTestId("sign-in-instance")).toHaveTextContent("https://id.example.com");
    await fireEvent.click(screen.getByTestId("sign-in-browser"));
    expect(await screen.findByTestId("sign-in-waiting")).toHaveTextContent("Finish signing in in your browser");
    // The core signs in and pushes the session before the command answers.
    patch({ session });
    browser.resolve(session);
    await waitFor(() => expect(desk.view).toBe("main"));
    expect(desk.session).toEqual(session);
    expect(desk.orgView).toEqual(ownerView);
    expect(commands(calls)).toEqual(["sign_in_browser", "org_current"]);
  });

  it("opens the org picker when the session comes over the channel after the command answered", async () => {
    const browser = deferred<SessionView>();
    useClock("2030-01-01T10:00:00Z");
    const calls = mockCommands({ sign_in_browser: () => browser.promise, org_current: () => null });
    render(SignIn);
    await fireEvent.click(screen.getByTestId("sign-in-browser"));
    // The command answers first; the core's view with the session comes a moment later.
    browser.resolve(session);
    await settle();
    expect(commands(calls)).toEqual(["sign_in_browser"]);
    expect(desk.orgPickerOpen).toBe(false);
    patch({ session });
    await settle();
    expect(commands(calls)).toEqual(["sign_in_browser", "org_current"]);
    expect(desk.orgPickerOpen).toBe(true);
  });

  it("Cancel calls sign_in_cancel and returns to the choice without an error", async () => {
    const browser = deferred<SessionView>();
    const calls = mockCommands({
      sign_in_browser: () => browser.promise,
      sign_in_cancel: () => {
        browser.reject(report("sign_in_cancelled", "sign-in cancelled"));
        return null;
      },
    });
    render(SignIn);
    await fireEvent.click(screen.getByTestId("sign-in-browser"));
    await fireEvent.click(await screen.findByTestId("sign-in-cancel"));
    expect(await screen.findByTestId("sign-in-browser")).toBeEnabled();
    expect(commands(calls)).toEqual(["sign_in_browser", "sign_in_cancel"]);
    expect(desk.error).toBeNull();
    expect(desk.view).toBe("signin");
  });

  it("a denied sign-in reports the error for the banner", async () => {
    mockCommands({ sign_in_browser: () => Promise.reject(report("sign_in_denied", "the admin denied the sign-in")) });
    render(SignIn);
    await fireEvent.click(screen.getByTestId("sign-in-browser"));
    await waitFor(() => expect(desk.error?.report.code).toBe("sign_in_denied"));
    expect(await screen.findByTestId("sign-in-browser")).toBeInTheDocument();
  });
});

describe("Sign in with your phone", () => {
  let calls: Call[];
  let finish: ReturnType<typeof deferred<SessionView>>;

  beforeEach(() => {
    useClock("2030-01-01T10:00:00Z");
    finish = deferred<SessionView>();
    calls = mockCommands({
      sign_in_device_start: () => deviceView("2030-01-01T10:05:00Z"),
      sign_in_device_finish: () => finish.promise,
      sign_in_cancel: () => {
        finish.reject(report("sign_in_cancelled", "sign-in cancelled"));
        return null;
      },
      org_current: () => null,
    });
  });

  it("shows the code big, the QR and the countdown, then finishes", async () => {
    render(SignIn);
    await fireEvent.click(screen.getByTestId("sign-in-device"));
    await settle();
    expect(screen.getByTestId("device-code")).toHaveTextContent("WXYZ-1234");
    expect(screen.getByTestId("device-qr").querySelector("svg")).not.toBeNull();
    expect(screen.getByTestId("device-uri")).toHaveTextContent("https://id.example.com/device");
    expect(screen.getByTestId("device-countdown")).toHaveTextContent("05:00");
    await settle(61_000);
    expect(screen.getByTestId("device-countdown")).toHaveTextContent("03:59");
    expect(commands(calls)).toEqual(["sign_in_device_start", "sign_in_device_finish"]);

    patch({ session });
    finish.resolve(session);
    await settle();
    expect(desk.view).toBe("main");
    expect(desk.session?.name).toBe("Hanna Helpdesk");
    expect(desk.orgPickerOpen).toBe(true); // no remembered org: choose one
  });

  it("says when the code expired", async () => {
    render(SignIn);
    await fireEvent.click(screen.getByTestId("sign-in-device"));
    await settle();
    await settle(300_000);
    expect(screen.queryByTestId("device-countdown")).toBeNull();
    expect(screen.getByTestId("device-expired")).toHaveTextContent("The code expired");
    expect(screen.getByTestId("device-qr")).toHaveClass("blurred");
  });

  it("Cancel ends the phone sign-in", async () => {
    render(SignIn);
    await fireEvent.click(screen.getByTestId("sign-in-device"));
    await settle();
    await fireEvent.click(screen.getByTestId("sign-in-cancel"));
    await settle();
    expect(commands(calls)).toContain("sign_in_cancel");
    expect(screen.queryByTestId("device-code")).toBeNull();
    expect(screen.getByTestId("sign-in-device")).toBeInTheDocument();
    expect(desk.error).toBeNull();
  });
});

describe("Sign in in kiosk mode", () => {
  it("offers only the phone (no browser on a kiosk) and shows its QR as large as a link's", async () => {
    useClock("2030-01-01T10:00:00Z");
    mockCommands({
      sign_in_device_start: () => deviceView("2030-01-01T10:05:00Z"),
      sign_in_device_finish: () => deferred<SessionView>().promise,
    });
    patch({}, kioskOpen);
    render(SignIn);
    const buttons = screen.getAllByRole("button");
    expect(buttons[0]).toBe(screen.getByTestId("sign-in-device"));
    expect(buttons[0]).toHaveClass("primary");
    expect(screen.queryByTestId("sign-in-browser")).toBeNull();
    await fireEvent.click(screen.getByTestId("sign-in-device"));
    await settle();
    expect(screen.getByTestId("device-qr")).toHaveClass("link");
    expect(screen.getByTestId("device-qr")).not.toHaveClass("device");
    expect(screen.getByTestId("device-code")).toHaveTextContent("WXYZ-1234");
  });

  it("outside kiosk mode the browser comes first and the phone's QR is the smaller one", async () => {
    useClock("2030-01-01T10:00:00Z");
    mockCommands({
      sign_in_device_start: () => deviceView("2030-01-01T10:05:00Z"),
      sign_in_device_finish: () => deferred<SessionView>().promise,
    });
    render(SignIn);
    expect(screen.getAllByRole("button")[0]).toBe(screen.getByTestId("sign-in-browser"));
    await fireEvent.click(screen.getByTestId("sign-in-device"));
    await settle();
    expect(screen.getByTestId("device-qr")).toHaveClass("device");
  });
});
