import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { KioskView } from "../../bindings/KioskView";
import type { SessionView } from "../../bindings/SessionView";
import {
  commands,
  deferred,
  kioskOn,
  mockCommands,
  ownerView,
  report,
  rows,
  session,
  settings,
  settle,
  useClock,
  type Call,
} from "../../test/fixtures";
import { desk } from "../state.svelte";
import Header from "./Header.svelte";

const PIN = "482916";

beforeEach(() => {
  useClock("2030-01-01T10:00:00Z");
  desk.settings = settings;
  desk.session = session;
  desk.view = "main";
  desk.kiosk = kioskOn;
});

async function openDialog() {
  render(Header);
  await fireEvent.click(screen.getByTestId("kiosk-leave"));
  await settle();
  return screen.getByTestId("kiosk-dialog");
}

async function typePin(pin: string) {
  await fireEvent.input(screen.getByTestId("kiosk-pin"), { target: { value: pin } });
}

const pinInput = () => screen.getByTestId("kiosk-pin") as HTMLInputElement;
const message = () => screen.getByTestId("kiosk-pin-message");

describe("Header in kiosk mode", () => {
  it("shows the Kiosk badge and Leave kiosk, and no Settings", () => {
    mockCommands({});
    render(Header);
    expect(screen.getByTestId("kiosk-badge")).toHaveTextContent("Kiosk");
    expect(screen.getByTestId("kiosk-leave")).toHaveTextContent("Leave kiosk");
    expect(screen.queryByTestId("open-settings")).toBeNull();
    desk.openSettings();
    expect(desk.view).toBe("main");
  });

  it("outside kiosk mode: no badge, no Leave kiosk, Settings", () => {
    desk.kiosk = { ...kioskOn, active: false };
    render(Header);
    expect(screen.queryByTestId("kiosk-badge")).toBeNull();
    expect(screen.queryByTestId("kiosk-leave")).toBeNull();
    expect(screen.getByTestId("open-settings")).toBeInTheDocument();
  });
});

describe("Leave kiosk", () => {
  let calls: Call[];
  let state: KioskView;

  beforeEach(() => {
    state = { ...kioskOn };
    let failures = 0;
    calls = mockCommands({
      kiosk_get: () => state,
      kiosk_leave: (args) => {
        if (args.pin === PIN && !state.retryAfterSecs) {
          state = { ...state, active: false };
          return state;
        }
        failures++;
        // The third wrong PIN starts the waits.
        if (failures >= 3) state = { ...state, retryAfterSecs: 2 };
        return Promise.reject(report("pin_refused", state.retryAfterSecs ? "wrong PIN (retry after 2 s)" : "wrong PIN"));
      },
    });
  });

  it("opens a dialog with a masked, numeric PIN field that is not remembered", async () => {
    const dialog = await openDialog();
    expect(dialog).toHaveAttribute("role", "dialog");
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(pinInput()).toHaveAttribute("type", "password");
    expect(pinInput()).toHaveAttribute("inputmode", "numeric");
    expect(pinInput()).toHaveAttribute("autocomplete", "off");
    expect(screen.getByLabelText("Admin PIN")).toBe(pinInput());
    expect(pinInput()).toHaveFocus();
    expect(commands(calls)).toEqual(["kiosk_get"]);
  });

  it("the right PIN leaves kiosk mode and closes the dialog", async () => {
    await openDialog();
    await typePin(PIN);
    await fireEvent.click(screen.getByTestId("kiosk-unlock"));
    await settle();
    expect(calls).toContainEqual({ cmd: "kiosk_leave", args: { pin: PIN } });
    expect(screen.queryByTestId("kiosk-dialog")).toBeNull();
    expect(desk.kiosk?.active).toBe(false);
    expect(screen.queryByTestId("kiosk-badge")).toBeNull();
    expect(screen.getByTestId("open-settings")).toBeInTheDocument();
  });

  it("a wrong PIN says so and clears the field; after refusals the wait counts down with Unlock disabled", async () => {
    await openDialog();
    await typePin("000000");
    await fireEvent.click(screen.getByTestId("kiosk-unlock"));
    await settle();
    expect(message()).toHaveTextContent("Wrong PIN");
    expect(message()).not.toHaveTextContent("Try again");
    expect(pinInput().value).toBe("");
    expect(screen.getByTestId("kiosk-unlock")).toBeEnabled();
    expect(desk.kiosk?.active).toBe(true);

    await typePin("111111");
    await fireEvent.submit(pinInput().form!);
    await settle();
    await typePin("222222");
    await fireEvent.submit(pinInput().form!);
    await settle();
    expect(commands(calls).filter((c) => c === "kiosk_leave")).toHaveLength(3);
    // After the refusal the dialog reads the wait from kiosk_get (whole seconds, rounded up
    // by the core).
    expect(commands(calls).at(-1)).toBe("kiosk_get");
    expect(message()).toHaveTextContent("Wrong PIN. Try again in 2 s.");
    expect(screen.getByTestId("kiosk-unlock")).toBeDisabled();
    expect(pinInput().value).toBe("");

    // Submitting during the wait does not even call the core.
    await typePin(PIN);
    await fireEvent.submit(pinInput().form!);
    await settle();
    expect(commands(calls).filter((c) => c === "kiosk_leave")).toHaveLength(3);

    await settle(1000);
    expect(message()).toHaveTextContent("Try again in 1 s.");
    expect(screen.getByTestId("kiosk-unlock")).toBeDisabled();
    await settle(1000);
    expect(message()).not.toHaveTextContent("Try again");
    expect(screen.getByTestId("kiosk-unlock")).toBeEnabled();

    state = { ...state, retryAfterSecs: null };
    await typePin(PIN);
    await fireEvent.click(screen.getByTestId("kiosk-unlock"));
    await settle();
    expect(screen.queryByTestId("kiosk-dialog")).toBeNull();
    expect(desk.kiosk?.active).toBe(false);
  });

  it("a new try clears the last 'Wrong PIN' until its own answer comes", async () => {
    const answer = deferred<KioskView>();
    await openDialog();
    await typePin("000000");
    await fireEvent.click(screen.getByTestId("kiosk-unlock"));
    await settle();
    expect(message()).toHaveTextContent("Wrong PIN");
    mockCommands({ kiosk_get: () => state, kiosk_leave: () => answer.promise });
    await typePin("111111");
    await fireEvent.click(screen.getByTestId("kiosk-unlock"));
    await settle();
    expect(message()).not.toHaveTextContent("Wrong PIN");
    expect(screen.getByTestId("kiosk-unlock")).toBeDisabled();
    answer.reject(report("pin_refused", "wrong PIN"));
    await settle();
    expect(message()).toHaveTextContent("Wrong PIN");
  });

  it("the PIN is never kept: not in the field after a try, not in the dialog's text", async () => {
    await openDialog();
    await typePin("000000");
    await fireEvent.click(screen.getByTestId("kiosk-unlock"));
    await settle();
    expect(pinInput().value).toBe("");
    expect(document.body.innerHTML).not.toContain("000000");
  });

  it("an empty PIN is not sent", async () => {
    await openDialog();
    await fireEvent.click(screen.getByTestId("kiosk-unlock"));
    await settle();
    expect(commands(calls)).not.toContain("kiosk_leave");
    expect(message()).toHaveTextContent("Enter the PIN");
  });

  it("Cancel (and Escape) close the dialog and stay in kiosk mode", async () => {
    await openDialog();
    await typePin("123");
    await fireEvent.click(screen.getByTestId("kiosk-dialog-cancel"));
    await settle();
    expect(screen.queryByTestId("kiosk-dialog")).toBeNull();
    expect(desk.kiosk?.active).toBe(true);
    expect(commands(calls)).not.toContain("kiosk_leave");

    await fireEvent.click(screen.getByTestId("kiosk-leave"));
    await settle();
    await fireEvent.keyDown(screen.getByTestId("kiosk-dialog"), { key: "Escape" });
    await settle();
    expect(screen.queryByTestId("kiosk-dialog")).toBeNull();
  });

  it("a wait still running when the dialog opens is shown at once", async () => {
    state = { ...state, retryAfterSecs: 5 };
    await openDialog();
    expect(message()).toHaveTextContent("Try again in 5 s.");
    expect(screen.getByTestId("kiosk-unlock")).toBeDisabled();
  });
});

describe("Leave kiosk by signing in again", () => {
  it("without a PIN only signing in is offered; success leaves kiosk mode and keeps the same admin's work", async () => {
    const signIn = deferred<KioskView>();
    const calls = mockCommands({
      kiosk_get: () => ({ ...kioskOn, pinSet: false }),
      kiosk_leave_by_sign_in: () => signIn.promise,
      session_get: () => session,
    });
    desk.kiosk = { ...kioskOn, pinSet: false };
    desk.orgView = ownerView;
    desk.selected = rows[0];
    await openDialog();
    expect(screen.queryByTestId("kiosk-pin")).toBeNull();
    expect(screen.queryByTestId("kiosk-unlock")).toBeNull();
    expect(screen.getByTestId("kiosk-no-pin")).toHaveTextContent("sign in again");
    await fireEvent.click(screen.getByTestId("kiosk-sign-in"));
    await settle();
    expect(screen.getByTestId("kiosk-sign-in-waiting")).toHaveTextContent("Finish signing in in your browser");
    signIn.resolve({ active: false, pinSet: false, retryAfterSecs: null });
    await settle();
    expect(screen.queryByTestId("kiosk-dialog")).toBeNull();
    expect(desk.kiosk?.active).toBe(false);
    expect(commands(calls)).toEqual(["kiosk_get", "kiosk_leave_by_sign_in", "session_get"]);
    expect(desk.selected).toEqual(rows[0]);
    expect(desk.view).toBe("main");
  });

  it("another admin signing in starts fresh", async () => {
    const other: SessionView = { ...session, subject: "301", name: "Olga Other" };
    mockCommands({
      kiosk_get: () => kioskOn,
      kiosk_leave_by_sign_in: () => ({ active: false, pinSet: true, retryAfterSecs: null }),
      session_get: () => other,
      org_current: () => null,
    });
    desk.selected = rows[0];
    await openDialog();
    await fireEvent.click(screen.getByTestId("kiosk-sign-in"));
    await settle();
    expect(desk.session).toEqual(other);
    expect(desk.selected).toBeNull();
  });

  it("a cancelled sign-in keeps the dialog, without an error; a failed one says why", async () => {
    const signIn = deferred<KioskView>();
    const calls = mockCommands({
      kiosk_get: () => kioskOn,
      kiosk_leave_by_sign_in: () => signIn.promise,
      sign_in_cancel: () => {
        signIn.reject(report("sign_in_cancelled", "sign-in cancelled"));
        return null;
      },
    });
    await openDialog();
    await fireEvent.click(screen.getByTestId("kiosk-sign-in"));
    await settle();
    await fireEvent.click(screen.getByTestId("kiosk-dialog-cancel"));
    await settle();
    expect(commands(calls)).toContain("sign_in_cancel");
    expect(desk.kiosk?.active).toBe(true);
    expect(desk.error).toBeNull();

    mockCommands({ kiosk_get: () => kioskOn, kiosk_leave_by_sign_in: () => Promise.reject(report("sign_in_denied", "the admin denied the sign-in")) });
    await fireEvent.click(screen.getByTestId("kiosk-leave"));
    await settle();
    await fireEvent.click(screen.getByTestId("kiosk-sign-in"));
    await settle();
    expect(message()).toHaveTextContent("the admin denied the sign-in");
    expect(desk.kiosk?.active).toBe(true);
  });
});
