// The kiosk's public window (kiosk.html): the public screen full-screen, and the operator's
// unlock. It may call screen_watch, screen_activity and the kiosk_unlock_* commands only
// (src-tauri/capabilities/kiosk.json).
import { mount } from "svelte";
import "./app.css";
import Kiosk from "./Kiosk.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("#app is missing from kiosk.html");

export default mount(Kiosk, { target });
