import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { uiReady } from "./lib/api";
import { desk } from "./lib/state.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("#app is missing from index.html");

export default mount(App, { target });

// Tell the app when the first real screen (not "loading") is on the display: checked each
// frame, reported from the frame after the one that rendered it.
function reportFirstScreen(): void {
  if (desk.view === "loading") {
    requestAnimationFrame(reportFirstScreen);
    return;
  }
  requestAnimationFrame(() => void uiReady().catch(() => undefined));
}
requestAnimationFrame(reportFirstScreen);
