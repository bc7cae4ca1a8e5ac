import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { CoverageView } from "../../bindings/CoverageView";
import { Core, given, kioskOpen, managerView, ownerView, patch, rows, session, settle, useClock } from "../../test/fixtures";
import { desk } from "../state.svelte";
import Coverage from "./Coverage.svelte";

const counting: CoverageView = {
  orgId: "100",
  phase: "counting",
  progress: { total: 40, seen: 10, withPasskey: 6, withoutPasskey: 2, unreadable: 0, notActive: 2 },
  without: [rows[0].user, rows[2].user],
  withoutTotal: 2,
  error: null,
  sending: null,
  sent: null,
};

const done: CoverageView = {
  ...counting,
  phase: "done",
  progress: { total: 40, seen: 40, withPasskey: 27, withoutPasskey: 9, unreadable: 1, notActive: 3 },
  withoutTotal: 209,
};

let core: Core;

beforeEach(() => {
  useClock("2030-01-01T10:00:00Z");
  core = new Core({ coverage_start: () => counting, coverage_stop: () => null, coverage_send: () => done });
});

describe("Coverage", () => {
  it("starts the count in the core and shows its progress as pushed", async () => {
    given({ session, org: ownerView });
    render(Coverage);
    await fireEvent.click(screen.getByTestId("coverage-start"));
    await settle();
    expect(core.calls.map((c) => c.cmd)).toContain("coverage_start");
    patch({ coverage: counting });
    await settle();
    const bar = screen.getByTestId("coverage-progress") as HTMLProgressElement;
    expect(bar.value).toBe(10);
    expect(bar.max).toBe(40);
    expect(screen.getByTestId("coverage-summary")).toHaveTextContent("6 of 8 active people have a passkey (75 %).");
    await fireEvent.click(screen.getByTestId("coverage-stop"));
    await settle();
    expect(core.calls.map((c) => c.cmd)).toContain("coverage_stop");
  });

  it("lists who has none and sends to all of them only after a yes that names the count", async () => {
    given({ session, org: ownerView, coverage: done });
    render(Coverage);
    await settle();
    expect(screen.getByTestId("coverage-summary")).toHaveTextContent("27 of 37 active people have a passkey (75 %). 1 could not be read.");
    expect(screen.getByTestId("coverage-without")).toHaveTextContent("Alice Archer");
    expect(document.body).toHaveTextContent("and 207 more");
    await fireEvent.click(screen.getByTestId("coverage-send"));
    expect(core.calls.map((c) => c.cmd)).not.toContain("coverage_send");
    expect(screen.getByTestId("coverage-confirm")).toHaveTextContent("209 people of ACME");
    await fireEvent.click(screen.getByTestId("coverage-send-no"));
    expect(screen.queryByTestId("coverage-confirm")).toBeNull();
    await fireEvent.click(screen.getByTestId("coverage-send"));
    await fireEvent.click(screen.getByTestId("coverage-send-yes"));
    await settle();
    expect(core.calls.filter((c) => c.cmd === "coverage_send")).toHaveLength(1);
  });

  it("shows how the send went: the sent count and each failure", async () => {
    given({
      session,
      org: ownerView,
      coverage: {
        ...done,
        sent: { sent: 208, failed: [{ user: rows[2].user, error: { code: "server", message: "ZITADEL answered HTTP 500" } }] },
      },
    });
    render(Coverage);
    await settle();
    expect(screen.getByTestId("coverage-sent")).toHaveTextContent("to 208 people");
    expect(screen.getByTestId("coverage-failed")).toHaveTextContent("alistair@acme.example.com: ZITADEL answered HTTP 500");
  });

  it("disables the send with the reason when the admin may not send", async () => {
    const viewer = {
      ...managerView,
      org: ownerView.org,
      capabilities: { ...ownerView.capabilities, sendLink: false },
      sendLinkLacks: "user.write",
    };
    given({ session, org: viewer, coverage: done });
    render(Coverage);
    await settle();
    expect(screen.getByTestId("coverage-send")).toBeDisabled();
    expect(screen.getByTestId("coverage-send-reason")).toHaveTextContent("user.write");
  });

  it("shows nothing of another org's count, nor anything on a kiosk", async () => {
    given({ session, org: managerView, coverage: done });
    const view = render(Coverage);
    await settle();
    expect(screen.getByTestId("coverage-start")).toBeInTheDocument();
    expect(screen.queryByTestId("coverage-without")).toBeNull();
    view.unmount();
    given({ session, org: ownerView, coverage: done }, kioskOpen);
    render(Coverage);
    await settle();
    expect(screen.queryByTestId("coverage")).toBeNull();
    expect(desk.kioskActive).toBe(true);
  });
});
