// The enrollment day in the window: the identity checklist gating the link and the send, the
// question before mailing an unverified address, the roster import's report, the queue and
// its actions, the remote wave, and the checklist editor. The core is mocked: these tests
// check what the window shows and which commands it calls with what, not the core's rules.
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { ImportView } from "../../bindings/ImportView";
import type { QueuePerson } from "../../bindings/QueuePerson";
import type { QueueView } from "../../bindings/QueueView";
import { kioskOpen, linkView, live, mockCommands, ownerView, patch, reject, rows, session, type Call } from "../../test/fixtures";
import { desk } from "../state.svelte";
import IdentityChecksEditor from "./IdentityChecksEditor.svelte";
import LinkPanel from "./LinkPanel.svelte";
import QueuePanel from "./QueuePanel.svelte";
import SelectedUser from "./SelectedUser.svelte";

const CHECKS = ["Photo ID seen", "Manager approved"];
const checkedOrg = { ...ownerView, identityChecks: CHECKS };

function person(id: string, name: string, state: QueuePerson["state"], over: Partial<QueuePerson> = {}): QueuePerson {
  const login = `${name.split(" ")[0].toLowerCase()}@acme.example.com`;
  return {
    userId: id,
    loginName: login,
    displayName: name,
    email: login,
    emailVerified: true,
    state,
    verified: [],
    passkey: null,
    links: 0,
    addedAt: "2026-12-06T08:00:00Z",
    calledAt: null,
    checkedAt: null,
    linkAt: null,
    endedAt: null,
    ...over,
  };
}

function queueView(people: QueuePerson[], current: string | null = null): QueueView {
  const count = (s: QueuePerson["state"]) => people.filter((p) => p.state === s).length;
  return {
    orgId: "100",
    people,
    current,
    summary: {
      total: people.length,
      waiting: count("waiting"),
      atDesk: count("checked") + count("link_shown"),
      registered: count("registered"),
      expired: count("expired"),
      skipped: count("skipped"),
      noShow: count("no_show"),
      sent: count("sent"),
    },
    summaryText: "",
    sending: null,
    sent: null,
  };
}

let calls: Call[];

beforeEach(() => {
  calls = mockCommands({ passkeys_list: () => [], link_create: () => linkView("2099-01-01T00:00:00Z"), link_send: () => rows[0].user });
  patch({ session });
});

describe("the identity check before a link", () => {
  it("keeps Create link and Send disabled until something is ticked, then sends the ticks", async () => {
    patch({ org: checkedOrg, selected: rows[0] });
    render(SelectedUser);
    const create = screen.getByTestId("create-link");
    expect(create).toBeDisabled();
    expect(screen.getByTestId("send-link")).toBeDisabled();
    expect(screen.getByTestId("identity-check-reason")).toHaveTextContent("Tick how you verified Alice Archer first");
    expect(create).toHaveAccessibleDescription(/ACME asks for an identity check/);
    const boxes = screen.getAllByTestId("identity-check");
    expect(boxes).toHaveLength(2);
    await fireEvent.click(boxes[0]);
    expect(create).toBeEnabled();
    expect(screen.queryByTestId("identity-check-reason")).toBeNull();
    await fireEvent.click(create);
    await waitFor(() => expect(calls.map((c) => c.cmd)).toContain("link_create"));
    expect(calls.find((c) => c.cmd === "link_create")?.args).toEqual({ userId: "u1", authenticator: "any", verified: ["Photo ID seen"] });
    await fireEvent.click(screen.getByTestId("send-link"));
    await waitFor(() => expect(calls.map((c) => c.cmd)).toContain("link_send"));
    expect(calls.find((c) => c.cmd === "link_send")?.args).toEqual({ userId: "u1", verified: ["Photo ID seen"] });
  });

  it("forgets the ticks when another person comes to the desk", async () => {
    patch({ org: checkedOrg, selected: rows[0] });
    desk.tick("u1", "Manager approved", true);
    expect(desk.checkedFor("u1")).toBe(true);
    patch({ selected: rows[2] });
    render(SelectedUser);
    expect(screen.getByTestId("create-link")).toBeDisabled();
    expect(desk.verifiedFor("u3")).toEqual([]);
    expect(screen.getAllByTestId("identity-check").every((b) => !(b as HTMLInputElement).checked)).toBe(true);
  });

  it("shows no checklist where the org has none", () => {
    patch({ org: ownerView, selected: rows[0] });
    render(SelectedUser);
    expect(screen.queryByTestId("identity-checks")).toBeNull();
    expect(screen.getByTestId("create-link")).toBeEnabled();
  });
});

describe("Email to an address ZITADEL has not verified", () => {
  it("asks first, says why, and mails only after the admin's yes", async () => {
    let asked = 0;
    calls = mockCommands({
      presenter_monitors: () => [],
      link_email: (args) => {
        asked += 1;
        return args.confirmed ? null : Promise.reject({ code: "email_unverified", message: "not verified" });
      },
    });
    const link = linkView("2099-01-01T00:00:00Z", { user: { ...rows[0].user, emailVerified: false } });
    patch({ org: ownerView, selected: rows[0], link: live(link) });
    render(LinkPanel);
    await fireEvent.click(screen.getByTestId("email-link"));
    const dialog = await screen.findByTestId("email-confirm");
    expect(dialog).toHaveTextContent("ZITADEL has not verified alice@acme.example.com");
    expect(desk.error).toBeNull();
    await fireEvent.click(screen.getByTestId("email-anyway"));
    await waitFor(() => expect(asked).toBe(2));
    expect(calls.filter((c) => c.cmd === "link_email").map((c) => c.args)).toEqual([{ confirmed: false }, { confirmed: true }]);
    await waitFor(() => expect(screen.queryByTestId("email-confirm")).toBeNull());
  });
});

describe("the queue", () => {
  const report: ImportView = {
    matches: [
      { line: 2, ident: "alice@acme.example.com", found: { kind: "ready", user: rows[0].user } },
      { line: 3, ident: "alina", found: { kind: "blocked", user: rows[1].user, reason: { code: "user_not_active", message: "Alina Brook is locked in ZITADEL" } } },
      { line: 4, ident: "al", found: { kind: "ambiguous", candidates: ["u1", "u2", "u3"] } },
      { line: 5, ident: "nobody@acme.example.com", found: { kind: "unknown" } },
    ],
    counts: { ready: 1, blocked: 1, repeated: 0, ambiguous: 1, unknown: 1, failed: 0 },
    repeated: [],
    column: "email",
    queuedAlready: 0,
  };

  it("imports pasted lines, shows what each found, and adds the ready ones", async () => {
    calls = mockCommands({
      queue_import: () => report,
      queue_import_accept: () => {
        const view = queueView([person("u1", "Alice Archer", "waiting")]);
        patch({ queue: view });
        return view;
      },
    });
    patch({ org: ownerView, queue: null });
    render(QueuePanel);
    await fireEvent.input(screen.getByTestId("roster-text"), { target: { value: "email\nalice@acme.example.com\nalina\nal\nnobody@acme.example.com\n" } });
    await fireEvent.click(screen.getByTestId("roster-read"));
    const shown = await screen.findByTestId("roster-report");
    expect(calls.find((c) => c.cmd === "queue_import")?.args).toEqual({ roster: "email\nalice@acme.example.com\nalina\nal\nnobody@acme.example.com\n" });
    expect(shown).toHaveTextContent("Read the column “email”.");
    expect(screen.getByTestId("roster-ready")).toHaveTextContent("1 person can be added.");
    const problems = screen.getAllByTestId("roster-problem");
    expect(problems.map((p) => p.dataset.kind)).toEqual(["blocked", "ambiguous", "unknown"]);
    expect(problems[0]).toHaveTextContent("Line 3: alina — Alina Brook: Alina Brook is locked in ZITADEL");
    expect(problems[1]).toHaveTextContent("matches 3 people");
    expect(problems[2]).toHaveTextContent("matches nobody in this organisation");
    await fireEvent.click(screen.getByTestId("roster-accept"));
    await waitFor(() => expect(screen.getAllByTestId("queue-person")).toHaveLength(1));
    expect(screen.queryByTestId("roster-report")).toBeNull();
    expect(screen.getByTestId("queue-summary")).toHaveTextContent("0 of 1 registered, 1 waiting");
  });

  it("shows each person's state and the day at a glance; Next, Skip, No-show and Back call the core", async () => {
    calls = mockCommands({ queue_next: () => rows[0], queue_skip: () => null, queue_no_show: () => null, queue_back: () => null, passkeys_list: () => [] });
    const people = [
      person("u1", "Alice Archer", "registered", { passkey: "iPhone", endedAt: "2026-12-06T09:00:00Z" }),
      person("u2", "Alina Brook", "skipped"),
      person("u3", "Alistair Crane", "expired"),
      person("u4", "Bob Dunn", "waiting"),
    ];
    patch({ org: ownerView, queue: queueView(people, "u3") });
    render(QueuePanel);
    expect(screen.getByTestId("queue-summary")).toHaveTextContent("1 of 4 registered, 1 waiting, 1 expired, 1 skipped");
    const rowsShown = screen.getAllByTestId("queue-person");
    expect(rowsShown.map((r) => r.dataset.state)).toEqual(["registered", "skipped", "expired", "waiting"]);
    expect(rowsShown[0]).toHaveTextContent("registered: iPhone");
    expect(rowsShown[2]).toHaveTextContent("at the desk");
    // A registered person is done: nothing to do with them.
    expect(rowsShown[0].querySelectorAll("button")).toHaveLength(0);
    await fireEvent.click(screen.getByTestId("queue-next"));
    await waitFor(() => expect(calls.map((c) => c.cmd)).toContain("queue_next"));
    const [skip] = rowsShown[3].querySelectorAll<HTMLButtonElement>('[data-testid="queue-skip"]');
    await fireEvent.click(skip);
    await waitFor(() => expect(calls).toContainEqual({ cmd: "queue_skip", args: { userId: "u4" } }));
    const [noShow] = rowsShown[2].querySelectorAll<HTMLButtonElement>('[data-testid="queue-no-show"]');
    await fireEvent.click(noShow);
    await waitFor(() => expect(calls).toContainEqual({ cmd: "queue_no_show", args: { userId: "u3" } }));
    const [bringBack] = rowsShown[1].querySelectorAll<HTMLButtonElement>('[data-testid="queue-back"]');
    expect(bringBack).toHaveTextContent("Bring back");
    await fireEvent.click(bringBack);
    await waitFor(() => expect(calls).toContainEqual({ cmd: "queue_back", args: { userId: "u2" } }));
  });

  it("sends the remote wave only after a yes that names the count and, where asked, the check", async () => {
    calls = mockCommands({ queue_send_waiting: () => ({ sent: 2, failed: [] }) });
    const people = [person("u1", "Alice Archer", "waiting"), person("u3", "Alistair Crane", "waiting"), person("u4", "Bob Dunn", "waiting")];
    patch({ org: checkedOrg, queue: queueView(people, "u1") });
    render(QueuePanel);
    // The one at the desk is not mailed.
    await fireEvent.click(screen.getByTestId("queue-wave"));
    expect(screen.getByTestId("queue-wave-confirm")).toHaveTextContent("to the 2 people waiting in ACME?");
    const yes = screen.getByTestId("queue-wave-yes");
    expect(yes).toBeDisabled();
    await fireEvent.click(screen.getAllByTestId("wave-check")[1]);
    expect(yes).toBeEnabled();
    await fireEvent.click(yes);
    await waitFor(() => expect(calls).toContainEqual({ cmd: "queue_send_waiting", args: { verified: ["Manager approved"] } }));
  });

  it("exports the results and names the file; a failed export shows in the banner", async () => {
    calls = mockCommands({ queue_export_csv: () => "/home/desk/Downloads/passkey-desk-queue-20261206-170000.csv" });
    patch({ org: ownerView, queue: queueView([person("u1", "Alice Archer", "registered")]) });
    render(QueuePanel);
    await fireEvent.click(screen.getByTestId("queue-export"));
    expect(await screen.findByTestId("queue-exported")).toHaveTextContent("Saved to /home/desk/Downloads/passkey-desk-queue-20261206-170000.csv");
    mockCommands({ queue_export_csv: reject("desktop", "there is no Downloads folder") });
    await fireEvent.click(screen.getByTestId("queue-export"));
    await waitFor(() => expect(desk.error?.report.message).toBe("there is no Downloads folder"));
  });

  it("works for the operator of an unlocked kiosk, without the export", () => {
    patch({ org: ownerView, queue: queueView([person("u1", "Alice Archer", "waiting")]) }, kioskOpen);
    render(QueuePanel);
    expect(screen.getByTestId("queue-next")).toBeEnabled();
    expect(screen.queryByTestId("queue-export")).toBeNull();
  });
});

describe("the checklist editor", () => {
  it("saves one item per line for the current org", async () => {
    calls = mockCommands({ identity_checks_set: (args) => args.items });
    patch({ org: ownerView });
    render(IdentityChecksEditor);
    await fireEvent.input(screen.getByTestId("identity-checks-items"), { target: { value: " Photo ID seen \n\nManager approved\n" } });
    await fireEvent.click(screen.getByTestId("identity-checks-save"));
    await waitFor(() => expect(calls).toContainEqual({ cmd: "identity_checks_set", args: { orgId: "100", items: ["Photo ID seen", "Manager approved"] } }));
    await waitFor(() => expect(screen.getByTestId("identity-checks-status")).toHaveTextContent("Saved: ACME asks for one of 2 checks."));
  });
});
