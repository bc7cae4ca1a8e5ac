// Hostile names from the server (a user's display name, login name and email, an org's name,
// the admin's own name, an error message) are rendered as text, never as markup: whatever
// they hold, the DOM gets no element, attribute or handler from them, and the text shows
// them literally. (The terminal side is tests/tests/hostile.rs.)
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import type { OrgView } from "../../bindings/OrgView";
import type { User } from "../../bindings/User";
import type { UserRow } from "../../bindings/UserRow";
import { linkView, mockCommands, orgs, ownerView, report, session, settings, settle, shownView, useClock, patch, live } from "../../test/fixtures";
import { desk } from "../state.svelte";
import ErrorBanner from "./ErrorBanner.svelte";
import Header from "./Header.svelte";
import LinkPanel from "./LinkPanel.svelte";
import OrgPicker from "./OrgPicker.svelte";
import PublicScreen from "./PublicScreen.svelte";
import SelectedUser from "./SelectedUser.svelte";
import UserSearch from "./UserSearch.svelte";

const NOW = "2030-01-01T10:00:00Z";
const EXPIRES = "2030-01-01T10:05:00Z";

const HOSTILE: [string, string][] = [
  ["an img tag with a handler", "<img src=x onerror=alert(1)>"],
  ["a script tag", "<script>alert(1)</script>"],
  ["an attribute break-out", '"><svg onload=alert(1)><a href="javascript:alert(1)">x</a>'],
  ["an entity", "&lt;b&gt;bold&lt;/b&gt; &amp; co"],
  ["a template expression", "{alert(1)} {{constructor.constructor('alert(1)')()}}"],
  ["a bidi override", "Mallory \u202Egnp.exe"],
  ["ANSI escapes", "\u001b[31mRED\u001b[0m"],
  ["zero-width characters", "ad\u200Bmin\uFEFF"],
  ["10 000 characters", "X".repeat(10_000)],
];

function hostileUser(name: string): User {
  return {
    id: "u-hostile",
    orgId: "100",
    kind: "human",
    state: "active",
    userName: name,
    loginName: name,
    displayName: name,
    email: name,
    emailVerified: true,
    preferredLanguage: "en",
  };
}

function hostileOrg(name: string): OrgView {
  return { ...ownerView, org: { ...ownerView.org, name } };
}

/** Nothing from the value became markup: no such element, no handler, no link. */
function expectNoMarkup() {
  expect(document.querySelector("img, script, iframe, object, embed, a, b")).toBeNull();
  expect(document.querySelector("[onerror], [onload], [href^='javascript']")).toBeNull();
  // The only SVG is a QR code's, never one made from a name.
  for (const svg of document.querySelectorAll("svg")) expect(svg.closest("[data-testid*='qr']")).not.toBeNull();
}

/** The value is on the page as the literal text it is. */
function expectLiteral(value: string, root: Element = document.body) {
  expect(root.textContent ?? "").toContain(value);
}

beforeEach(() => {
  useClock(NOW);
  desk.settings = settings;
  patch({ session: session });
});

describe.each(HOSTILE)("a hostile name: %s", (_what, value) => {
  it("UserSearch lists it as text", async () => {
    const row: UserRow = { user: hostileUser(value), passkeyCount: 0 };
    mockCommands({ users_search: () => [row] });
    patch({ org: ownerView });
    render(UserSearch);
    await fireEvent.input(screen.getByTestId("user-search"), { target: { value: "x" } });
    await settle(250);
    const found = screen.getAllByTestId("user-row");
    expect(found).toHaveLength(1);
    expect(found[0].querySelector(".name")?.textContent).toBe(value);
    expect(found[0].querySelector(".login")?.textContent).toBe(value);
    expect(found[0].querySelector(".email")?.textContent).toBe(value);
    expectNoMarkup();
  });

  it("SelectedUser shows the user and the org as text", () => {
    mockCommands({});
    patch({ org: hostileOrg(value) });
    patch({ selected: { user: hostileUser(value), passkeyCount: 1 } });
    render(SelectedUser);
    expect(screen.getByTestId("identity-name").textContent).toBe(value);
    expect(screen.getByTestId("identity-login").textContent).toBe(value);
    expect(screen.getByTestId("identity-org").textContent).toBe(value);
    expectLiteral(value, screen.getByTestId("identity-email"));
    expectNoMarkup();
  });

  it("LinkPanel shows the link's user and org as text", async () => {
    const user = hostileUser(value);
    mockCommands({ presenter_monitors: () => [] });
    patch({ org: hostileOrg(value), selected: { user, passkeyCount: 0 }, link: live(linkView(EXPIRES, { user })) });
    render(LinkPanel);
    await settle();
    const identity = screen.getByTestId("link-identity");
    expect(identity.querySelector("[data-testid='identity-name']")?.textContent).toBe(value);
    expect(identity.querySelector("[data-testid='identity-org']")?.textContent).toBe(value);
    expectLiteral(value, screen.getByTestId("registration-status"));
    expect(screen.getByTestId("qr").getAttribute("aria-label") ?? "").toContain(value);
    expectNoMarkup();
  });

  it("PublicScreen shows the person and the org as text", () => {
    render(PublicScreen, { props: { view: shownView(EXPIRES, { displayName: value, orgName: value }) } });
    expect(screen.getByTestId("public-name").textContent).toBe(value);
    expect(screen.getByTestId("public-org").textContent).toBe(value);
    expectNoMarkup();
  });

  it("OrgPicker lists the org as text", async () => {
    mockCommands({ orgs_list: () => [{ ...orgs[0], name: value, primaryDomain: value }] });
    desk.orgPickerOpen = true;
    render(OrgPicker);
    await waitFor(() => expect(screen.getAllByTestId("org-option")).toHaveLength(1));
    expect(screen.getByTestId("org-option").querySelector(".name")?.textContent).toBe(value);
    expectNoMarkup();
  });

  it("Header shows the admin as text", () => {
    mockCommands({});
    patch({});
    patch({ session: { ...session, name: value, loginName: value } });
    render(Header);
    expectLiteral(value, screen.getByTestId("header-admin"));
    expectNoMarkup();
  });

  it("ErrorBanner shows a message quoting it as text", () => {
    mockCommands({});
    patch({});
    desk.error = { report: report("user_not_active", `${value} is locked`), retry: null, source: "test" };
    render(ErrorBanner);
    expectLiteral(`${value} is locked`, screen.getByTestId("error-banner"));
    expectNoMarkup();
  });
});
