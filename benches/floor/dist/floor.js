// The frame after the first one painted: tell the app.
requestAnimationFrame(() =>
  requestAnimationFrame(() => window.__TAURI__.core.invoke("ready")),
);
