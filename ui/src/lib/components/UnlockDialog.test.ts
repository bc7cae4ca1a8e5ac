import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { Core, settle, unlockOptions, useClock } from "../../test/fixtures";
import { publicScreenMessages } from "../i18n/public-screen";
import UnlockDialog from "./UnlockDialog.svelte";

function open(options = unlockOptions, language: "en" | "de" = "en") {
  const onclose = vi.fn();
  render(UnlockDialog, { props: { options, t: publicScreenMessages[language], onclose } });
  return onclose;
}

describe("UnlockDialog", () => {
  beforeEach(() => useClock("2030-01-01T10:00:00Z"));

  it("asks for the PIN first, offers the phone, and an empty PIN sends nothing", async () => {
    const core = new Core({});
    open();
    await settle();
    expect(screen.getByTestId("unlock-pin")).toHaveFocus();
    expect(screen.getByTestId("unlock-phone")).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("unlock-submit"));
    await settle();
    expect(screen.getByTestId("unlock-message")).toHaveTextContent("Enter the PIN.");
    expect(core.commands()).toEqual([]);
  });

  it("without a PIN only the phone; without a client id only the PIN", async () => {
    new Core({});
    open({ pinSet: false, pinRetryAt: null, phone: true });
    expect(screen.queryByTestId("unlock-pin")).toBeNull();
    expect(screen.getByTestId("unlock-phone")).toHaveClass("primary");
  });

  it("Escape closes it; Tab stays inside", async () => {
    new Core({});
    const onclose = open();
    await settle();
    const dialog = screen.getByTestId("unlock-dialog");
    const cancel = screen.getByTestId("unlock-cancel");
    cancel.focus();
    await fireEvent.keyDown(dialog, { key: "Tab" });
    expect(screen.getByTestId("unlock-pin")).toHaveFocus();
    await fireEvent.keyDown(dialog, { key: "Escape" });
    await settle();
    expect(onclose).toHaveBeenCalledOnce();
  });

  it("speaks the kiosk's language", () => {
    new Core({});
    open(unlockOptions, "de");
    expect(screen.getByTestId("unlock-dialog")).toHaveTextContent("Personal: entsperren");
    expect(screen.getByTestId("unlock-phone")).toHaveTextContent("Mit dem Smartphone entsperren");
  });
});
