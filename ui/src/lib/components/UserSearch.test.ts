import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import { commands, mockCommands, managerView, ownerView, rows, session, settle, useClock, type Call, patch } from "../../test/fixtures";
import { desk } from "../state.svelte";
import UserSearch from "./UserSearch.svelte";

let calls: Call[];

beforeEach(() => {
  useClock("2030-01-01T10:00:00Z");
  calls = mockCommands({
    users_search: () => rows,
    user_select: (args) => {
      // The core chooses the person and pushes the new view.
      const row = rows.find((r) => r.user.id === args.userId)!;
      patch({ selected: row });
      return row;
    },
  });
  patch({ session: session });
  patch({ org: ownerView });
});

async function type(input: HTMLElement, value: string) {
  await fireEvent.input(input, { target: { value } });
}

describe("UserSearch", () => {
  it("asks the passkey counts once, 500 ms after the results settled, and shows them", async () => {
    const fresh = rows.map((r) => ({ ...r, passkeyCount: null }));
    calls = mockCommands({
      users_search: () => fresh,
      passkey_counts: () => [
        { userId: "u1", count: 3 },
        { userId: "u2", count: 0 },
        { userId: "u3", count: null },
      ],
    });
    render(UserSearch);
    const input = screen.getByTestId("user-search");
    await type(input, "al");
    await settle(250);
    await settle(400);
    await type(input, "ali"); // typed on before the counts were due: no counts for "al"
    await settle(250);
    await settle(499);
    expect(commands(calls)).toEqual(["users_search", "users_search"]);
    expect(screen.getAllByTestId("passkey-count")[0]).toHaveTextContent("passkeys unknown");
    await settle(1);
    await settle();
    expect(commands(calls)).toEqual(["users_search", "users_search", "passkey_counts"]);
    const shown = screen.getAllByTestId("passkey-count").map((e) => e.textContent);
    expect(shown[0]).toContain("3 passkeys");
    expect(shown[1]).toContain("no passkey");
    expect(shown[2]).toContain("passkeys unknown");
  });

  it("keeps the results when the counts cannot be read, without an error", async () => {
    calls = mockCommands({
      users_search: () => rows,
      passkey_counts: () => Promise.reject({ code: "unavailable", message: "ZITADEL is not reachable" }),
    });
    render(UserSearch);
    await type(screen.getByTestId("user-search"), "ali");
    await settle(250);
    await settle(500);
    await settle();
    expect(commands(calls)).toEqual(["users_search", "passkey_counts"]);
    expect(screen.getAllByTestId("user-row")).toHaveLength(3);
    expect(desk.error).toBeNull();
  });

  it("debounces typing by 250 ms and searches once with the last text", async () => {
    render(UserSearch);
    const input = screen.getByTestId("user-search");
    await type(input, "a");
    await settle(100);
    await type(input, "al");
    await settle(100);
    await type(input, "ali");
    await settle(249);
    expect(commands(calls)).toEqual([]);
    await settle(1);
    expect(calls).toEqual([{ cmd: "users_search", args: { query: "ali" } }]);
  });

  it("shows name, login name, email, state and passkey count of each result", async () => {
    render(UserSearch);
    await type(screen.getByTestId("user-search"), "ali");
    await settle(250);
    const found = screen.getAllByTestId("user-row");
    expect(found).toHaveLength(3);
    expect(found[0]).toHaveTextContent("Alice Archer");
    expect(found[0]).toHaveTextContent("alice@acme.example.com");
    expect(found[0]).toHaveTextContent("active");
    expect(found[0]).toHaveTextContent("no passkey");
    expect(found[1]).toHaveTextContent("locked");
    expect(found[1]).toHaveTextContent("2 passkeys");
    expect(found[2]).toHaveTextContent("passkeys unknown");
    expect(screen.getByTestId("search-status")).toHaveTextContent("3 users found");
  });

  it("moves with ArrowDown/ArrowUp and picks with Enter", async () => {
    render(UserSearch);
    const input = screen.getByTestId("user-search");
    await type(input, "ali");
    await settle(250);
    const found = () => screen.getAllByTestId("user-row");
    expect(found()[0]).toHaveAttribute("aria-selected", "true");
    await fireEvent.keyDown(input, { key: "ArrowDown" });
    await fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(found()[2]).toHaveAttribute("aria-selected", "true");
    expect(input).toHaveAttribute("aria-activedescendant", "user-opt-2");
    await fireEvent.keyDown(input, { key: "ArrowDown" }); // stays on the last one
    expect(found()[2]).toHaveAttribute("aria-selected", "true");
    await fireEvent.keyDown(input, { key: "ArrowUp" });
    expect(found()[1]).toHaveAttribute("aria-selected", "true");
    expect(found()[0]).toHaveAttribute("aria-selected", "false");
    await fireEvent.keyDown(input, { key: "Enter" });
    await settle();
    expect(desk.selected?.user.id).toBe("u2");
    expect(found()[1]).toHaveClass("picked");
  });

  it("Enter before the debounce searches at once instead of picking a stale row", async () => {
    render(UserSearch);
    const input = screen.getByTestId("user-search");
    await type(input, "alice");
    await fireEvent.keyDown(input, { key: "Enter" });
    await settle();
    expect(calls).toEqual([{ cmd: "users_search", args: { query: "alice" } }]);
    expect(desk.selected).toBeNull();
  });

  it("a click picks a row", async () => {
    render(UserSearch);
    await type(screen.getByTestId("user-search"), "ali");
    await settle(250);
    await fireEvent.click(screen.getAllByTestId("user-row")[2]);
    await settle();
    expect(calls).toContainEqual({ cmd: "user_select", args: { userId: "u3" } });
    expect(desk.selected?.user.displayName).toBe("Alistair Crane");
  });

  it("says when nothing matches and does not search for blank text", async () => {
    mockCommands({ users_search: () => [] });
    render(UserSearch);
    const input = screen.getByTestId("user-search");
    await type(input, "   ");
    await settle(300);
    expect(screen.queryAllByTestId("user-row")).toHaveLength(0);
    await type(input, "zed");
    await settle(250);
    expect(screen.getByTestId("search-status")).toHaveTextContent("No user matches “zed”");
  });

  it("is disabled with the reason when the admin may not search", async () => {
    patch({ org: { ...managerView, capabilities: { ...managerView.capabilities, searchUsers: false } } });
    render(UserSearch);
    expect(screen.getByTestId("user-search")).toBeDisabled();
    expect(screen.getByTestId("search-reason")).toHaveTextContent("You may not search users in Globex");
  });

  it("a failed search shows the banner's error with Retry", async () => {
    mockCommands({ users_search: () => Promise.reject({ code: "network", message: "cannot reach id.example.com" }) });
    render(UserSearch);
    await type(screen.getByTestId("user-search"), "ali");
    await settle(250);
    expect(desk.error?.report).toEqual({ code: "network", message: "cannot reach id.example.com" });
    expect(desk.error?.retry).toBeTypeOf("function");
  });

  it("searches again in the new org after a switch", async () => {
    render(UserSearch);
    await type(screen.getByTestId("user-search"), "ali");
    await settle(250);
    expect(screen.getAllByTestId("user-row")).toHaveLength(3);
    patch({ org: managerView });
    await settle(0);
    expect(calls.filter((c) => c.cmd === "users_search")).toHaveLength(2);
  });
});
