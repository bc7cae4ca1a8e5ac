import "@testing-library/jest-dom/vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, vi } from "vitest";
import { desk } from "../lib/state.svelte";

beforeEach(() => {
  desk.reset();
});

afterEach(() => {
  clearMocks();
  vi.useRealTimers();
});
