import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import { linkView, managerView, mockCommands, orgs, ownerView, rows, session, type Call, patch } from "../../test/fixtures";
import { desk } from "../state.svelte";
import OrgPicker from "./OrgPicker.svelte";
import SelectedUser from "./SelectedUser.svelte";

let calls: Call[];

beforeEach(() => {
  calls = mockCommands({
    orgs_list: () => orgs,
    org_select: (args) => {
      // The core chooses it and pushes the new view.
      const chosen = args.orgId === "200" ? managerView : ownerView;
      patch({ org: chosen });
      return chosen;
    },
    link_send: () => rows[0].user,
  });
  patch({ session: session });
  desk.orgPickerOpen = true; // as after sign-in without a remembered org
});

const names = () => screen.getAllByTestId("org-option").map((b) => b.querySelector(".name")?.textContent);

describe("OrgPicker", () => {
  it("lists the orgs and filters by name or domain", async () => {
    render(OrgPicker);
    await waitFor(() => expect(screen.getAllByTestId("org-option")).toHaveLength(3));
    const filter = screen.getByTestId("org-filter");
    expect(filter).toHaveAccessibleName("Find an organisation");
    await fireEvent.input(filter, { target: { value: "glo" } });
    expect(names()).toEqual(["Globex"]);
    await fireEvent.input(filter, { target: { value: "example.com" } });
    expect(names()).toEqual(["ACME", "Globex"]);
    await fireEvent.input(filter, { target: { value: "nothing-like-this" } });
    expect(screen.queryAllByTestId("org-option")).toHaveLength(0);
    expect(screen.getByTestId("org-none")).toHaveTextContent("No organisation matches");
  });

  it("opening takes the core's list of this session; Refresh asks it to read the orgs again", async () => {
    render(OrgPicker);
    await waitFor(() => expect(screen.getAllByTestId("org-option")).toHaveLength(3));
    expect(calls.filter((c) => c.cmd === "orgs_list")).toEqual([{ cmd: "orgs_list", args: { refresh: false } }]);
    await fireEvent.click(screen.getByTestId("org-refresh"));
    await waitFor(() => expect(calls.filter((c) => c.cmd === "orgs_list")).toHaveLength(2));
    expect(calls.at(-1)).toEqual({ cmd: "orgs_list", args: { refresh: true } });
  });

  it("selecting calls org_select, shows the org and its permissions, and closes the list", async () => {
    render(OrgPicker);
    await waitFor(() => expect(screen.getAllByTestId("org-option")).toHaveLength(3));
    await fireEvent.click(screen.getAllByTestId("org-option")[0]);
    await waitFor(() => expect(screen.getByTestId("org-current")).toHaveTextContent("ACME"));
    expect(calls).toContainEqual({ cmd: "org_select", args: { orgId: "100" } });
    expect(screen.queryByTestId("org-filter")).toBeNull();
    expect(screen.getByTestId("cap-create")).toHaveTextContent("✓ Show QR / create link");
    expect(screen.getByTestId("cap-send")).toHaveTextContent("✓ Send via ZITADEL");
  });

  it("Enter in the filter picks the first match; Change reopens the list", async () => {
    render(OrgPicker);
    await waitFor(() => expect(screen.getAllByTestId("org-option")).toHaveLength(3));
    const filter = screen.getByTestId("org-filter");
    await fireEvent.input(filter, { target: { value: "globex" } });
    await fireEvent.keyDown(filter, { key: "Enter" });
    await waitFor(() => expect(screen.getByTestId("org-current")).toHaveTextContent("Globex"));
    expect(calls).toContainEqual({ cmd: "org_select", args: { orgId: "200" } });
    await fireEvent.click(screen.getByTestId("org-change"));
    await waitFor(() => expect(screen.getAllByTestId("org-option")).toHaveLength(3));
    expect(screen.getAllByTestId("org-option")[1]).toHaveAttribute("aria-current", "true");
    expect(screen.getByTestId("org-filter")).toHaveFocus();
  });

  it("explains what an ORG_USER_MANAGER cannot do", async () => {
    patch({ org: managerView });
    render(OrgPicker);
    expect(screen.getByTestId("cap-create")).toHaveTextContent(
      "Show QR / create link: You lack 'user.credential.write' in Globex; 'Send via ZITADEL' still works",
    );
    expect(screen.getByTestId("cap-send")).toHaveTextContent("✓ Send via ZITADEL");
  });
});

describe("SelectedUser and permissions", () => {
  it("ORG_USER_MANAGER: Send via ZITADEL enabled, Show QR / Create link disabled with the reason", async () => {
    patch({ org: managerView });
    patch({ selected: rows[0] });
    render(SelectedUser);
    const create = screen.getByTestId("create-link");
    expect(create).toBeDisabled();
    expect(screen.getByTestId("create-link-reason")).toHaveTextContent(
      "You lack 'user.credential.write' in Globex; 'Send via ZITADEL' still works",
    );
    expect(create).toHaveAccessibleDescription(/You lack 'user.credential.write' in Globex/);
    const send = screen.getByTestId("send-link");
    expect(send).toBeEnabled();
    await fireEvent.click(send);
    await waitFor(() => expect(screen.getByTestId("notice")).toHaveTextContent("ZITADEL is emailing the registration link"));
    expect(calls).toContainEqual({ cmd: "link_send", args: { userId: "u1", verified: [] } });
    expect(calls.map((c) => c.cmd)).not.toContain("link_create");
  });

  it("an org owner may create the link; the identity to confirm is shown", () => {
    patch({ org: ownerView });
    patch({ selected: rows[1] });
    render(SelectedUser);
    expect(screen.getByTestId("create-link")).toBeEnabled();
    expect(screen.queryByTestId("create-link-reason")).toBeNull();
    expect(screen.getByTestId("identity-name")).toHaveTextContent("Alina Brook");
    expect(screen.getByTestId("identity-login")).toHaveTextContent("alina@acme.example.com");
    expect(screen.getByTestId("identity-email")).toHaveTextContent("none");
    expect(screen.getByTestId("identity-org")).toHaveTextContent("ACME");
    expect(screen.getByTestId("identity-state")).toHaveTextContent("locked");
    expect(screen.getByTestId("selected-passkeys")).toHaveTextContent("2 passkeys");
  });

  it("offers the kind of passkey where the org's links allow it, and asks for the chosen one", async () => {
    calls = mockCommands({ link_create: () => linkView("2099-01-01T00:00:00Z") });
    patch({ org: ownerView });
    patch({ selected: rows[1] });
    desk.authenticator = "any";
    render(SelectedUser);
    const kind = screen.getByTestId("authenticator");
    expect(kind).toHaveAccessibleName("Kind of passkey");
    expect([...kind.querySelectorAll("option")].map((o) => o.textContent)).toEqual([
      "Any (the person's device decides)",
      "This device only (Face ID, Touch ID, Windows Hello)",
      "Security key only",
    ]);
    await fireEvent.change(kind, { target: { value: "platform" } });
    await fireEvent.click(screen.getByTestId("create-link"));
    await waitFor(() => expect(calls.map((c) => c.cmd)).toContain("link_create"));
    expect(calls.find((c) => c.cmd === "link_create")?.args).toEqual({ userId: rows[1].user.id, authenticator: "platform", verified: [] });
  });

  it("no choice where the login UI cannot take it: the link is for any kind", async () => {
    calls = mockCommands({ link_create: () => linkView("2099-01-01T00:00:00Z") });
    patch({ org: { ...ownerView, authenticatorChoice: false } });
    patch({ selected: rows[1] });
    desk.authenticator = "cross-platform"; // chosen earlier, in another org
    render(SelectedUser);
    expect(screen.queryByTestId("authenticator")).toBeNull();
    await fireEvent.click(screen.getByTestId("create-link"));
    await waitFor(() => expect(calls.map((c) => c.cmd)).toContain("link_create"));
    expect(calls.find((c) => c.cmd === "link_create")?.args).toEqual({ userId: rows[1].user.id, authenticator: "any", verified: [] });
  });

  it("neither permission: both disabled, each with its reason", () => {
    patch({
      org: {
        ...managerView,
        capabilities: { ...managerView.capabilities, sendLink: false },
        sendLinkLacks: "user.write",
      },
    });
    patch({ selected: rows[0] });
    render(SelectedUser);
    expect(screen.getByTestId("create-link")).toBeDisabled();
    expect(screen.getByTestId("send-link")).toBeDisabled();
    expect(screen.getByTestId("send-link-reason")).toHaveTextContent("You lack 'user.write' in Globex");
  });
});
