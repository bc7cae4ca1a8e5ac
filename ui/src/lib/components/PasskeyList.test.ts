import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { Passkey } from "../../bindings/Passkey";
import { Core, given, report, linkView, live, managerView, ownerView, rows, session, settle, useClock } from "../../test/fixtures";
import { desk } from "../state.svelte";
import LinkPanel from "./LinkPanel.svelte";
import SelectedUser from "./SelectedUser.svelte";

const NOW = "2030-01-01T10:00:00Z";
const PHONE: Passkey = { id: "pk1", name: "Old iPhone", state: "ready" };
const LAPTOP: Passkey = { id: "pk2", name: "Work laptop", state: "ready" };

/** The core's passkeys per person; `passkey_remove` takes one away, as ZITADEL would. */
function core(passkeys: Passkey[], remove?: (args: Record<string, unknown>) => unknown): Core {
  let left = [...passkeys];
  return new Core({
    passkeys_list: () => left,
    passkey_remove:
      remove ??
      ((args) => {
        left = left.filter((p) => p.id !== args.passkeyId);
        return left;
      }),
  });
}

beforeEach(() => useClock(NOW));

describe("the person's passkeys", () => {
  it("lists them and removes one only after a confirmation that names the passkey and the person", async () => {
    const c = core([PHONE, LAPTOP]);
    given({ session, org: ownerView, selected: rows[0] });
    render(SelectedUser);
    await settle();
    expect(screen.getAllByTestId("passkey-name").map((e) => e.textContent)).toEqual(["Old iPhone", "Work laptop"]);
    expect(screen.getByTestId("selected-passkeys")).toHaveTextContent("2 passkeys");

    // As in a browser, the clicked button has the focus; the question takes it to Cancel.
    screen.getAllByTestId("remove-passkey")[0].focus();
    await fireEvent.click(screen.getAllByTestId("remove-passkey")[0]);
    await settle();
    expect(c.calls.some((call) => call.cmd === "passkey_remove")).toBe(false);
    expect(screen.getByTestId("confirm-removal-text")).toHaveTextContent("Remove the passkey “Old iPhone” of Alice Archer?");
    expect(screen.getByTestId("cancel-remove")).toHaveFocus();

    await fireEvent.click(screen.getByTestId("confirm-remove"));
    await settle();
    expect(c.calls.filter((call) => call.cmd === "passkey_remove")).toEqual([
      { cmd: "passkey_remove", args: { userId: "u1", passkeyId: "pk1" } },
    ]);
    expect(screen.getAllByTestId("passkey-name").map((e) => e.textContent)).toEqual(["Work laptop"]);
    expect(screen.getByTestId("selected-passkeys")).toHaveTextContent("1 passkey");
    expect(screen.getByTestId("notice")).toHaveTextContent("The passkey “Old iPhone” was removed.");
    expect(screen.queryByTestId("confirm-removal")).toBeNull();
  });

  it("removes nothing when the admin cancels", async () => {
    const c = core([PHONE]);
    given({ session, org: ownerView, selected: rows[0] });
    render(SelectedUser);
    await settle();
    await fireEvent.click(screen.getByTestId("remove-passkey"));
    await fireEvent.click(screen.getByTestId("cancel-remove"));
    await settle();
    expect(screen.queryByTestId("confirm-removal")).toBeNull();
    expect(c.calls.some((call) => call.cmd === "passkey_remove")).toBe(false);
    expect(screen.getAllByTestId("passkey-name")).toHaveLength(1);
  });

  it("disables Remove with the missing permission as the reason", async () => {
    core([PHONE]);
    const auditor = {
      ...managerView,
      capabilities: { ...managerView.capabilities, sendLink: false, removePasskeys: false },
      sendLinkLacks: "user.write",
      removePasskeysLacks: "user.write",
    };
    given({ session, org: auditor, selected: rows[0] });
    render(SelectedUser);
    await settle();
    expect(screen.getByTestId("remove-passkey")).toBeDisabled();
    expect(screen.getByTestId("remove-passkey-reason")).toHaveTextContent("You lack 'user.write' in Globex");
  });

  it("lets a user manager remove although they may not create links, and says why not", async () => {
    core([PHONE]);
    given({ session, org: managerView, selected: rows[0] });
    render(SelectedUser);
    await settle();
    expect(screen.getByTestId("create-link")).toBeDisabled();
    expect(screen.getByTestId("remove-passkey")).toBeEnabled();
  });

  it("shows the core's refusal and keeps the list when a removal fails", async () => {
    core([PHONE], () => Promise.reject(report("passkey_not_found", "Alice Archer has no passkey 'pk1' (removed already?): reload the passkey list")));
    given({ session, org: ownerView, selected: rows[0] });
    render(SelectedUser);
    await settle();
    await fireEvent.click(screen.getByTestId("remove-passkey"));
    await fireEvent.click(screen.getByTestId("confirm-remove"));
    await settle();
    expect(desk.error?.report.code).toBe("passkey_not_found");
    expect(screen.getAllByTestId("passkey-name")).toHaveLength(1);
    expect(desk.busy).toBe("");
  });
});

describe("Not the person's device?", () => {
  it("removes the passkey that just appeared, after a confirmation", async () => {
    const c = core([{ id: "pk9", name: "Someone's Pixel", state: "ready" }]);
    // The person's list as read before the link: without the new passkey.
    desk.passkeys = { userId: "u1", list: [] };
    given({
      session,
      org: ownerView,
      selected: rows[0],
      link: { phase: "registered", user: rows[0].user, passkey: { id: "pk9", name: "Someone's Pixel", seenAt: NOW } },
    });
    render(LinkPanel);
    await settle();
    await fireEvent.click(screen.getByTestId("not-mine"));
    await settle();
    expect(screen.getByTestId("confirm-removal-text")).toHaveTextContent("Remove the passkey “Someone's Pixel” of Alice Archer?");
    await fireEvent.click(screen.getByTestId("confirm-remove"));
    await settle();
    expect(c.calls.filter((call) => call.cmd === "passkey_remove")).toEqual([
      { cmd: "passkey_remove", args: { userId: "u1", passkeyId: "pk9" } },
    ]);
    expect(screen.queryByTestId("not-mine")).toBeNull();
    expect(screen.getByTestId("notice")).toHaveTextContent("The passkey “Someone's Pixel” was removed.");
  });

  it("is not offered on a live link, and disabled without the permission", async () => {
    core([]);
    given({ session, org: ownerView, selected: rows[0], link: live(linkView("2030-01-01T10:05:00Z")) });
    const view = render(LinkPanel);
    await settle();
    expect(screen.queryByTestId("not-mine")).toBeNull();
    view.unmount();
    given({
      session,
      org: { ...ownerView, capabilities: { ...ownerView.capabilities, removePasskeys: false }, removePasskeysLacks: "user.write" },
      selected: rows[0],
      link: { phase: "registered", user: rows[0].user, passkey: { id: "pk9", name: "Pixel", seenAt: NOW } },
    });
    render(LinkPanel);
    await settle();
    expect(screen.getByTestId("not-mine")).toBeDisabled();
    expect(screen.getByTestId("not-mine-reason")).toHaveTextContent("You lack 'user.write' in ACME");
  });
});

describe("Replacing a lost device", () => {
  it("makes the link with the ticked passkeys to retire, and asks first when the device was stolen", async () => {
    const linkReplace: unknown[] = [];
    new Core({
      passkeys_list: () => [PHONE, LAPTOP],
      link_replace: (args) => {
        linkReplace.push(args);
        return linkView("2030-01-01T10:05:00Z", { retiring: ["Old iPhone"] });
      },
    });
    given({ session, org: ownerView, selected: rows[0] });
    render(SelectedUser);
    await settle();
    expect(screen.getByTestId("replace-device")).toBeDisabled();
    await fireEvent.click(screen.getAllByTestId("retire-passkey")[0]);
    expect(screen.getByTestId("replace-device")).toHaveTextContent("New link, replacing 1");
    await fireEvent.click(screen.getByTestId("replace-device"));
    await settle();
    expect(linkReplace).toEqual([{ userId: "u1", passkeyIds: ["pk1"], stolen: false, authenticator: "any", verified: [] }]);

    await fireEvent.click(screen.getByTestId("replace-stolen"));
    await fireEvent.click(screen.getByTestId("replace-device"));
    await settle();
    expect(linkReplace).toHaveLength(1);
    expect(screen.getByTestId("replace-confirm")).toHaveTextContent("Remove 1 passkeys of Alice Archer now");
    await fireEvent.click(screen.getByTestId("replace-confirm-yes"));
    await settle();
    expect(linkReplace[1]).toEqual({ userId: "u1", passkeyIds: ["pk1"], stolen: true, authenticator: "any", verified: [] });
  });

  it("is disabled with the reason for an admin who may remove but not create links", async () => {
    core([PHONE]);
    given({ session, org: managerView, selected: rows[0] });
    render(SelectedUser);
    await settle();
    expect(screen.getByTestId("replace-device")).toBeDisabled();
    expect(screen.getByTestId("retire-passkey")).toBeDisabled();
    expect(screen.getByTestId("replace-reason")).toHaveTextContent("user.credential.write");
  });

  it("says on the link what goes once it is registered, and afterwards what went", async () => {
    core([]);
    given({ session, org: ownerView, selected: rows[0], link: live(linkView("2030-01-01T10:05:00Z", { retiring: ["Old iPhone"] })) });
    const view = render(LinkPanel);
    await settle();
    expect(screen.getByTestId("retiring")).toHaveTextContent("the old device's passkeys are removed: Old iPhone");
    view.unmount();
    given({
      session,
      org: ownerView,
      selected: rows[0],
      link: {
        phase: "registered",
        user: rows[0].user,
        passkey: { id: "pk9", name: "New phone", seenAt: NOW },
        retired: [
          { id: "pk1", name: "Old iPhone", removed: true, error: null },
          { id: "pk2", name: "Work laptop", removed: false, error: { code: "server", message: "ZITADEL answered HTTP 500" } },
        ],
      },
    });
    render(LinkPanel);
    await settle();
    expect(screen.getByTestId("retired")).toHaveTextContent("The old passkey “Old iPhone” was removed.");
    expect(screen.getByTestId("retired")).toHaveTextContent("“Work laptop” could not be removed: ZITADEL answered HTTP 500");
  });
});

