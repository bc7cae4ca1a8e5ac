import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../bindings/AuditEntry";
import { kioskOpen, mockCommands, reject, session, settings, patch } from "../../test/fixtures";
import { desk } from "../state.svelte";
import AuditLog from "./AuditLog.svelte";
import Header from "./Header.svelte";

function entry(over: Partial<AuditEntry>): AuditEntry {
  return {
    time: "2030-01-02T10:00:00Z",
    instance: "https://id.example.com",
    admin: "helpdesk@acme.example.com",
    org_id: "100",
    org_name: "ACME AG",
    user_id: "u1",
    login_name: "alice@acme.example.com",
    action: "created",
    expires_at: "2030-01-02T11:00:00Z",
    outcome: "ok",
    ...over,
  };
}

const entries: AuditEntry[] = [
  entry({ action: "registered", time: "2030-01-02T10:05:00Z" }),
  entry({ action: "wiped_idle", login_name: "bob@acme.example.com", user_id: "u2" }),
  entry({ action: "sent", expires_at: null, outcome: "permission_denied" }),
];

describe("AuditLog", () => {
  it("lists the entries newest first as the core sends them, with actions and outcomes in words", async () => {
    const calls = mockCommands({ audit_list: () => entries });
    patch({ session: session });
    desk.page = "audit";
    patch({});
    render(AuditLog);
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(3));
    expect(calls).toEqual([{ cmd: "audit_list", args: { filter: { user: null, since: null, until: null } } }]);
    expect(screen.getAllByTestId("audit-action").map((c) => c.textContent)).toEqual(["Registered", "Wiped (idle)", "Sent by ZITADEL"]);
    expect(screen.getAllByTestId("audit-outcome").map((c) => c.textContent)).toEqual(["ok", "ok", "permission_denied"]);
    expect(screen.getByTestId("audit-count")).toHaveTextContent("3 entries");
    expect(screen.getByTestId("audit-table")).toHaveTextContent("bob@acme.example.com");
  });

  it("shows how the person was verified where the org asked for a check", async () => {
    mockCommands({ audit_list: () => [entry({ verified: ["Photo ID seen", "Manager approved"] }), entry({ action: "copied" })] });
    patch({ session: session });
    desk.page = "audit";
    patch({});
    render(AuditLog);
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(2));
    expect(screen.getAllByTestId("audit-verified").map((c) => c.textContent)).toEqual(["verified: Photo ID seen, Manager approved"]);
  });

  it("filters by user and date range, and exports the same filter as CSV", async () => {
    const calls = mockCommands({
      audit_list: (args) => ((args.filter as { user: string | null }).user ? [entries[1]] : entries),
      audit_export_csv: () => "/home/hanna/Downloads/passkey-desk-audit-20300102-100000.csv",
    });
    patch({ session: session });
    desk.page = "audit";
    patch({});
    render(AuditLog);
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(3));
    await fireEvent.input(screen.getByTestId("audit-user"), { target: { value: " bob " } });
    await fireEvent.input(screen.getByTestId("audit-since"), { target: { value: "2030-01-01" } });
    await fireEvent.input(screen.getByTestId("audit-until"), { target: { value: "2030-01-31" } });
    await fireEvent.click(screen.getByTestId("audit-apply"));
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(1));
    expect(screen.getByTestId("audit-count")).toHaveTextContent("1 entry");
    const filter = { user: "bob", since: "2030-01-01", until: "2030-01-31" };
    expect(calls[1]).toEqual({ cmd: "audit_list", args: { filter } });

    await fireEvent.click(screen.getByTestId("audit-export"));
    await waitFor(() => expect(screen.getByTestId("audit-exported")).toHaveTextContent("Saved to /home/hanna/Downloads/passkey-desk-audit-20300102-100000.csv"));
    expect(calls[2]).toEqual({ cmd: "audit_export_csv", args: { filter } });
  });

  it("an empty log says so; a refusal shows in the error banner", async () => {
    mockCommands({ audit_list: () => [] });
    patch({ session: session });
    desk.page = "audit";
    patch({});
    render(AuditLog);
    await waitFor(() => expect(screen.getByTestId("audit-empty")).toHaveTextContent("No entries."));

    mockCommands({ audit_list: reject("kiosk_mode", "not in kiosk mode: leave kiosk mode (unlock first) to read the audit log") });
    await fireEvent.click(screen.getByTestId("audit-apply"));
    await waitFor(() => expect(desk.error?.report.code).toBe("kiosk_mode"));
    expect(desk.error?.source).toBe("audit");
  });

  it("speaks German", async () => {
    mockCommands({ audit_list: () => entries, audit_export_csv: () => "/tmp/x.csv" });
    desk.settings = { ...settings, uiLanguage: "de" };
    patch({ session: session });
    desk.page = "audit";
    patch({});
    render(AuditLog);
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(3));
    expect(screen.getByRole("heading", { level: 2 })).toHaveTextContent("Protokoll");
    expect(screen.getAllByTestId("audit-action").map((c) => c.textContent)).toEqual(["Registriert", "Gelöscht (inaktiv)", "Von ZITADEL gesendet"]);
    expect(screen.getAllByTestId("audit-outcome")[0]).toHaveTextContent("erfolgreich");
    expect(screen.getByTestId("audit-count")).toHaveTextContent("3 Einträge");
    expect(screen.getByTestId("audit-export")).toHaveTextContent("Als CSV exportieren");
    expect(screen.getByLabelText("Benutzer")).toBe(screen.getByTestId("audit-user"));
    expect(screen.getByLabelText("Von")).toBe(screen.getByTestId("audit-since"));
    expect(screen.getByLabelText("Bis")).toBe(screen.getByTestId("audit-until"));
    await fireEvent.click(screen.getByTestId("audit-export"));
    await waitFor(() => expect(screen.getByTestId("audit-exported")).toHaveTextContent("Gespeichert unter /tmp/x.csv"));
  });

  it("the header opens it once signed in, Back returns to the work, and the kiosk has no way in", async () => {
    mockCommands({});
    patch({ session: session });
    patch({});
    const header = render(Header);
    await fireEvent.click(screen.getByTestId("open-audit"));
    expect(desk.view).toBe("audit");
    expect(screen.queryByTestId("open-audit")).toBeNull();
    desk.closeAudit();
    expect(desk.view).toBe("main");
    header.unmount();

    patch({}, kioskOpen);
    render(Header);
    expect(screen.queryByTestId("open-audit")).toBeNull();
    desk.openAudit();
    expect(desk.view).toBe("main");
  });
});
