/** "no passkey", "1 passkey", "3 passkeys"; "passkeys unknown" when the count could not be read. */
export function passkeyCount(count: number | null): string {
  if (count === null) return "passkeys unknown";
  if (count === 0) return "no passkey";
  return count === 1 ? "1 passkey" : `${count} passkeys`;
}

/** The shortcut hint for focusing the search: ⌘K on Apple systems, Ctrl+K elsewhere. */
export function searchShortcut(): string {
  const platform = typeof navigator === "undefined" ? "" : navigator.platform || navigator.userAgent;
  return /Mac|iPhone|iPad/i.test(platform) ? "⌘K" : "Ctrl+K";
}
