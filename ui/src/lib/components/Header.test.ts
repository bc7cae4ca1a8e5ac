import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { commands, mockCommands, ownerView, rows, session, settle, useClock } from "../../test/fixtures";
import { desk } from "../state.svelte";
import Header from "./Header.svelte";

describe("Header", () => {
  it("shows the admin, the instance and the session expiry", () => {
    desk.session = session;
    desk.view = "main";
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
    desk.session = { ...session, name: null, loginName: null, accessExpiresAt: null, renewable: false };
    desk.view = "main";
    render(Header);
    expect(screen.getByTestId("header-admin")).toHaveTextContent("300");
    expect(screen.getByTestId("header-expiry")).toHaveTextContent("no expiry given");
  });

  it("Sign out calls sign_out and returns to the sign-in screen, forgetting the work", async () => {
    const calls = mockCommands({ sign_out: () => null });
    desk.session = session;
    desk.orgView = ownerView;
    desk.selected = rows[0];
    desk.view = "main";
    render(Header);
    await fireEvent.click(screen.getByTestId("sign-out"));
    await waitFor(() => expect(desk.view).toBe("signin"));
    expect(commands(calls)).toEqual(["sign_out"]);
    expect(desk.session).toBeNull();
    expect(desk.selected).toBeNull();
    expect(desk.orgView).toBeNull();
    expect(screen.queryByTestId("header-admin")).toBeNull();
  });

  it("before sign-in there is no session and no Sign out", () => {
    desk.view = "signin";
    render(Header);
    expect(screen.queryByTestId("sign-out")).toBeNull();
    expect(screen.getByTestId("open-settings")).toBeInTheDocument();
  });
});

describe("Header expiry", () => {
  it("reads the session again when the shown expiry passes", async () => {
    useClock("2030-01-01T11:59:00Z");
    const renewed = { ...session, accessExpiresAt: "2030-01-01T13:00:00Z" };
    const calls = mockCommands({ session_get: () => renewed });
    desk.session = session; // expires 12:00:00Z
    desk.view = "main";
    render(Header);
    await settle(60_000);
    expect(commands(calls)).toEqual([]);
    await settle(1_000);
    expect(commands(calls)).toEqual(["session_get"]);
    expect(screen.getByTestId("header-expiry").querySelector("time")).toHaveAttribute("datetime", "2030-01-01T13:00:00Z");
  });

  it("goes back to sign-in when the session has ended", async () => {
    useClock("2030-01-01T12:00:30Z");
    mockCommands({ session_get: () => null });
    desk.session = session;
    desk.view = "main";
    render(Header);
    await settle(1_000);
    expect(desk.view).toBe("signin");
    expect(desk.session).toBeNull();
  });
});
