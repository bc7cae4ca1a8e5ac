import { fileURLToPath } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

// Tauri serves the built files from its own protocol under a strict CSP (`default-src 'self'`):
// everything is bundled, no CDN, no inline scripts; Svelte's CSS goes to a file.
// Three pages: index.html (the admin's window), presenter.html (the presenter window) and
// kiosk.html (the kiosk's public window).
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2021",
    modulePreload: { polyfill: false },
    sourcemap: false,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL("./index.html", import.meta.url)),
        presenter: fileURLToPath(new URL("./presenter.html", import.meta.url)),
        kiosk: fileURLToPath(new URL("./kiosk.html", import.meta.url)),
      },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.ts"],
    restoreMocks: true,
  },
});
