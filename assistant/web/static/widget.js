/* The clinic's embed: a floating button that opens the chat in a panel (an iframe to this server).
 * <script src="https://assistant.example/widget.js" data-title="..." data-color="..." async></script>
 * Loads nothing but the chat page from the same server; styles live in a shadow root so the
 * clinic's CSS and ours cannot collide. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__backAssistantWidget) return;
  window.__backAssistantWidget = true;

  var appUrl = new URL("/", script.src);
  var title = script.getAttribute("data-title") || "Back exercise help";
  var buttonText = script.getAttribute("data-button") || "Ask about back exercises";
  var color = script.getAttribute("data-color") || "#1f5fa8";
  if (!CSS.supports("color", color)) color = "#1f5fa8";

  // White or near-black text, whichever reads better on the clinic's colour (WCAG relative luminance).
  function textOn(background) {
    var probe = document.createElement("span");
    probe.style.color = background;
    document.body.appendChild(probe);
    var rgb = getComputedStyle(probe).color.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
    probe.remove();
    var lum = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.05) ? "#ffffff" : "#111111";
  }

  var css = [
    ":host { all: initial; }",
    "* { box-sizing: border-box; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }",
    ".launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0;",
    "  border-radius: 999px; padding: 14px 20px; min-height: 48px; font-size: 16px; font-weight: 600;",
    "  background: var(--accent); color: var(--on-accent); box-shadow: 0 4px 14px rgba(0,0,0,.25); cursor: pointer; }",
    ".launcher:focus-visible, .close:focus-visible { outline: 3px solid #111; outline-offset: 3px;",
    "  box-shadow: 0 0 0 6px #fff; }",
    ".panel { position: fixed; right: 20px; bottom: 84px; z-index: 2147483000; width: 420px;",
    "  height: min(680px, calc(100vh - 110px)); display: none; flex-direction: column; background: #fff;",
    "  border-radius: 12px; overflow: hidden; box-shadow: 0 10px 40px rgba(0,0,0,.3); }",
    ".panel.open { display: flex; }",
    ".bar { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 6px 6px 6px 16px;",
    "  background: var(--accent); color: var(--on-accent); }",
    ".bar h2 { margin: 0; font-size: 16px; font-weight: 600; }",
    ".close { width: 44px; height: 44px; border: 0; border-radius: 8px; background: transparent;",
    "  color: inherit; font-size: 26px; line-height: 1; cursor: pointer; }",
    "iframe { flex: 1; width: 100%; border: 0; }",
    "@media (max-width: 480px) {",
    "  .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }",
    "  .panel.open + .launcher { display: none; }",
    "}"
  ].join("\n");

  var host = document.createElement("div");
  host.setAttribute("data-back-assistant", "");
  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = css;

  var panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "back-assistant-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "back-assistant-title");

  var bar = document.createElement("div");
  bar.className = "bar";
  var heading = document.createElement("h2");
  heading.id = "back-assistant-title";
  heading.textContent = title;
  var close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.setAttribute("aria-label", "Close " + title);
  close.textContent = "\u00d7";
  bar.append(heading, close);
  panel.append(bar);

  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.textContent = buttonText;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", panel.id);

  var frame = null;

  function open() {
    if (!frame) {
      // Created on first open, so a clinic's page loads nothing from us until someone asks.
      frame = document.createElement("iframe");
      frame.title = title + " chat";
      frame.src = appUrl.href;
      panel.append(frame);
    }
    panel.classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    close.focus();
  }

  function shut() {
    if (!panel.classList.contains("open")) return;
    panel.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    panel.classList.contains("open") ? shut() : open();
  });
  close.addEventListener("click", shut);
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape") shut();
  });
  // Escape pressed inside the chat arrives as a message from the iframe (keys do not cross frames).
  window.addEventListener("message", function (event) {
    if (frame && event.source === frame.contentWindow && event.origin === appUrl.origin &&
        event.data && event.data.type === "back-assistant:close") shut();
  });

  function mount() {
    host.style.setProperty("--accent", color);
    host.style.setProperty("--on-accent", textOn(color));
    root.append(style, panel, launcher);
    document.body.appendChild(host);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
