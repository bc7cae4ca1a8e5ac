import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { Core, deskView, given, kioskOpen, ownerView, rows, session, settle, useClock } from "../../test/fixtures";
import { desk } from "../state.svelte";
import Header from "./Header.svelte";

describe("Header", () => {
  it("shows the admin, the instance and the session expiry", () => {
    given({ session });
    render(Header);
    expect(screen.getByTestId("header")).toBeInTheDocument();
    expect(screen.getByTestId("header-admin")).toHaveTextContent("Hanna Helpdesk (helpdesk@acme.example.com)");
    expect(screen.getByTestId("header-instance")).toHaveTextContent("https://id.example.com");
    const expiry = screen.getByTestId("header-expiry");
    expect(expiry.querySelector("time")).toHaveAttribute("datetime", "2030-01-01T12:00:00Z");
    expect(expiry).toHaveTextContent(/until \d{1,2}[:.]\d{2}/);
    expect(expiry).toHaveTextContent("renews automatically");
  });

  it("falls back to the login name, then the subject", () => {
    given({ session: { ...session, name: null, loginName: null, accessExpiresAt: null, renewable: false } });
    render(Header);
    expect(screen.getByTestId("header-admin")).toHaveTextContent("300");
    expect(screen.getByTestId("header-expiry")).toHaveTextContent("no expiry given");
  });

  it("Sign out asks the core; the sign-in screen follows the core's next view", async () => {
    useClock("2030-01-01T10:00:00Z");
    const core = new Core({ sign_out: () => null });
    given({ session, org: ownerView, selected: rows[0] });
    render(Header);
    await fireEvent.click(screen.getByTestId("sign-out"));
    await settle();
    expect(core.commands()).toEqual(["sign_out"]);
    desk.apply(deskView({}));
    await waitFor(() => expect(desk.view).toBe("signin"));
    expect(screen.queryByTestId("header-admin")).toBeNull();
  });

  it("before sign-in there is no session and no Sign out", () => {
    given({});
    render(Header);
    expect(screen.queryByTestId("sign-out")).toBeNull();
    expect(screen.getByTestId("open-settings")).toBeInTheDocument();
  });

  it("on an unlocked kiosk: Lock now, Leave kiosk mode and when it relocks; no Sign out or Settings", () => {
    given({ session }, kioskOpen);
    render(Header);
    expect(screen.getByTestId("kiosk-badge")).toBeInTheDocument();
    expect(screen.getByTestId("kiosk-lock")).toBeInTheDocument();
    expect(screen.getByTestId("kiosk-leave")).toBeInTheDocument();
    expect(screen.getByTestId("kiosk-relocks")).toHaveTextContent(/Locks itself at \d{1,2}[:.]\d{2}/);
    for (const id of ["sign-out", "open-settings", "open-audit"]) expect(screen.queryByTestId(id), id).toBeNull();
  });
});

describe("Header expiry", () => {
  it("asks the core for the session again when the shown expiry passes", async () => {
    useClock("2030-01-01T11:59:00Z");
    const core = new Core({ session_restore: () => session });
    given({ session }); // expires 12:00:00Z
    render(Header);
    await settle(60_000);
    expect(core.commands()).toEqual([]);
    await settle(1_000);
    expect(core.commands()).toEqual(["session_restore"]);
    desk.apply(deskView({ session: { ...session, accessExpiresAt: "2030-01-01T13:00:00Z" } }));
    await settle();
    expect(screen.getByTestId("header-expiry").querySelector("time")).toHaveAttribute("datetime", "2030-01-01T13:00:00Z");
  });
});
