import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import Kiosk from "./Kiosk.svelte";
import { Core, deferred, deviceView, reject, settle, shownView, unlockOptions, useClock, type Deferred } from "./test/fixtures";

const EXPIRES = "2030-01-01T10:05:00Z";
/** The kiosk window's capability: the public screen and the unlock, nothing else. */
const ALLOWED = [
  "screen_watch",
  "screen_activity",
  "kiosk_unlock_pin",
  "kiosk_unlock_device_start",
  "kiosk_unlock_device_finish",
  "kiosk_unlock_cancel",
];

let core: Core;
let finish: Deferred<null>;

beforeEach(() => {
  useClock("2030-01-01T10:00:00Z");
  finish = deferred<null>();
  core = new Core(
    {
      screen_activity: () => null,
      kiosk_unlock_pin: () => null,
      kiosk_unlock_device_start: () => deviceView("2030-01-01T10:05:00Z"),
      kiosk_unlock_device_finish: () => finish.promise,
      kiosk_unlock_cancel: () => null,
    },
    undefined,
    { screen: { phase: "welcome", orgName: "ACME" }, unlock: unlockOptions },
  );
});

async function openUnlock() {
  render(Kiosk);
  await settle();
  await fireEvent.click(screen.getByTestId("kiosk-staff"));
  await settle();
}

describe("Kiosk (the public window)", () => {
  it("shows the neutral welcome and a discreet Staff button; nothing of anyone", async () => {
    render(Kiosk);
    await settle();
    expect(screen.getByTestId("public-welcome")).toHaveTextContent("ACME");
    expect(screen.getByTestId("public-welcome")).toHaveTextContent("staff will start your registration");
    expect(screen.getByTestId("kiosk-staff")).toBeInTheDocument();
    for (const id of ["user-search", "org-current", "sign-out", "new-link", "open-settings", "open-audit"]) {
      expect(screen.queryByTestId(id), id).toBeNull();
    }
    await core.show(shownView(EXPIRES));
    expect(screen.getByTestId("public-qr")).toBeInTheDocument();
    expect(screen.getByTestId("kiosk-staff")).toBeInTheDocument();
    expect(core.calls.map((c) => c.cmd).every((c) => ALLOWED.includes(c))).toBe(true);
  });

  it("unlocks with the PIN: read from the field once, the field cleared", async () => {
    await openUnlock();
    const pin = screen.getByTestId("unlock-pin") as HTMLInputElement;
    await fireEvent.input(pin, { target: { value: "482916" } });
    await fireEvent.click(screen.getByTestId("unlock-submit"));
    await settle();
    expect(core.calls.find((c) => c.cmd === "kiosk_unlock_pin")?.args).toEqual({ pin: "482916" });
    expect(screen.queryByTestId("unlock-dialog")).toBeNull();
  });

  it("a wrong PIN says so; the wait the core pushes disables the button with a countdown", async () => {
    core = new Core(
      { kiosk_unlock_pin: reject("pin_refused", "wrong PIN (retry after 2 s)") },
      undefined,
      { screen: { phase: "welcome", orgName: null }, unlock: unlockOptions },
    );
    await openUnlock();
    const pin = screen.getByTestId("unlock-pin") as HTMLInputElement;
    await fireEvent.input(pin, { target: { value: "000000" } });
    await fireEvent.click(screen.getByTestId("unlock-submit"));
    await settle();
    expect(pin.value).toBe("");
    expect(screen.getByTestId("unlock-message")).toHaveTextContent("Wrong PIN.");
    await core.show({ phase: "welcome", orgName: null }, { ...unlockOptions, pinRetryAt: "2030-01-01T10:00:02Z" });
    await settle();
    expect(screen.getByTestId("unlock-submit")).toBeDisabled();
    expect(screen.getByTestId("unlock-message")).toHaveTextContent("Try again in 2 s.");
    await settle(2000);
    expect(screen.getByTestId("unlock-submit")).toBeEnabled();
  });

  it("unlocks with the operator's phone: the code and its QR here, the refusal's message if refused", async () => {
    await openUnlock();
    await fireEvent.click(screen.getByTestId("unlock-phone"));
    await settle();
    expect(screen.getByTestId("unlock-device-code")).toHaveTextContent("WXYZ-1234");
    expect(screen.getByTestId("unlock-device-qr").querySelector("svg")).not.toBeNull();
    finish.reject({ code: "unlock_refused", message: "zoe@acme may not unlock this kiosk: it may not create links in ACME" });
    await settle();
    expect(screen.getByTestId("unlock-message")).toHaveTextContent("may not create links in ACME");
    expect(screen.queryByTestId("unlock-device")).toBeNull();
  });

  it("Cancel gives up a waiting phone unlock", async () => {
    await openUnlock();
    await fireEvent.click(screen.getByTestId("unlock-phone"));
    await settle();
    await fireEvent.click(screen.getByTestId("unlock-cancel"));
    await settle();
    expect(core.calls.map((c) => c.cmd)).toContain("kiosk_unlock_cancel");
    expect(screen.queryByTestId("unlock-dialog")).toBeNull();
  });

  it("keys reach only the PIN field; no context menu, no leaving keys", async () => {
    await openUnlock();
    const pin = screen.getByTestId("unlock-pin");
    expect(await fireEvent.keyDown(pin, { key: "4" })).toBe(true);
    expect(await fireEvent.keyDown(window, { key: "a" })).toBe(false);
    expect(await fireEvent.keyDown(pin, { key: "F5" })).toBe(false);
    expect(await fireEvent.contextMenu(window)).toBe(false);
  });

  it("outside kiosk mode (no unlock pushed) there is no Staff button", async () => {
    await core.show({ phase: "welcome", orgName: null }, null);
    render(Kiosk);
    await settle();
    expect(screen.queryByTestId("kiosk-staff")).toBeNull();
  });
});
