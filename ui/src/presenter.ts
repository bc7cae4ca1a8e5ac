// The presenter window (presenter.html): the public screen, full-screen on its monitor. It may
// call screen_get, screen_next and screen_activity only (src-tauri/capabilities/presenter.json).
import { mount } from "svelte";
import "./app.css";
import Presenter from "./Presenter.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("#app is missing from presenter.html");

export default mount(Presenter, { target });
