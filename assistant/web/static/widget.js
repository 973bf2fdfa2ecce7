/* The clinic's embed: a floating button that opens the chat in a panel (an iframe to this server).
 * <script src="https://assistant.example/widget.js" data-title="..." data-color="..." async></script>
 * A clinic may also serve its own copy of this file (saved from the assistant's /widget.js) with
 * data-app="https://assistant.example/": then the button appears even when the assistant is down, and
 * says what to do. Loads nothing but the chat page from the assistant; styles live in a shadow root so
 * the clinic's CSS and ours cannot collide. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__backAssistantWidget) return;
  window.__backAssistantWidget = true;

  // The server writes the clinic's phone number, booking link and wording here when it serves this file.
  var CONFIG = /*@config*/null;
  var config = CONFIG || { problems: {}, contact: [], emergency: "" };
  var appUrl = new URL("/", script.getAttribute("data-app") || script.src);
  var title = script.getAttribute("data-title") || "Back exercise help";
  var buttonText = script.getAttribute("data-button") || "Ask about back exercises";
  var color = script.getAttribute("data-color") || "#1f5fa8";
  if (!CSS.supports("color", color)) color = "#1f5fa8";
  // Below this width the panel covers the screen and becomes a modal dialog.
  var small = window.matchMedia("(max-width: 480px)");
  // How long opening waits for the assistant to answer before it says it is not working (ms).
  var PROBE_TIMEOUT = 8000;

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
    "button:focus-visible, a:focus-visible { outline: 3px solid #111; outline-offset: 3px; box-shadow: 0 0 0 6px #fff; }",
    ".panel { position: fixed; inset: auto 20px 84px auto; z-index: 2147483000; width: 420px; max-width: none;",
    "  height: min(680px, calc(100vh - 110px)); max-height: none; margin: 0; padding: 0; border: 0;",
    "  flex-direction: column; background: #fff; color: #222; border-radius: 12px; overflow: hidden;",
    "  overscroll-behavior: contain; box-shadow: 0 10px 40px rgba(0,0,0,.3); }",
    ".panel[open] { display: flex; }",
    ".panel:modal { inset: 0; width: 100%; height: 100%; border-radius: 0; }",
    ".panel::backdrop { background: rgba(0,0,0,.4); }",
    ".bar { flex: none; display: flex; align-items: center; justify-content: space-between; gap: 8px;",
    "  padding: 6px 6px 6px 16px; background: var(--accent); color: var(--on-accent); touch-action: none; }",
    ".bar h2 { margin: 0; font-size: 16px; font-weight: 600; }",
    ".close { width: 44px; height: 44px; border: 0; border-radius: 8px; background: transparent;",
    "  color: inherit; font-size: 26px; line-height: 1; cursor: pointer; }",
    "iframe { flex: 1; width: 100%; border: 0; }",
    "iframe[hidden], .message[hidden] { display: none; }",
    ".message { flex: 1; overflow: auto; padding: 20px; font-size: 16px; line-height: 1.5; }",
    ".message p { margin: 0 0 12px; }",
    ".message a { color: #0b4a8b; font-weight: 600; }",
    ".message button { min-height: 44px; padding: 8px 16px; border-radius: 8px; border: 1px solid #555;",
    "  background: #fff; color: #222; font-size: 16px; font-weight: 600; cursor: pointer; }"
  ].join("\n");

  var host = document.createElement("div");
  host.setAttribute("data-back-assistant", "");
  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = css;

  var panel = document.createElement("dialog");
  panel.className = "panel";
  panel.id = "back-assistant-panel";
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

  // What the panel says instead of the chat: connecting, or why the chat cannot open and who to call.
  var message = document.createElement("div");
  message.className = "message";
  message.id = "back-assistant-message";
  panel.append(bar, message);

  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.textContent = buttonText;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", panel.id);

  var frame = null;
  var reopening = false;
  var pageOverflow = "";

  function paragraph(text) {
    var p = document.createElement("p");
    p.textContent = text;
    return p;
  }

  // The contact sentence from the server: plain text and links (tel: or http(s) only).
  function contactLine() {
    var p = document.createElement("p");
    (config.contact || []).forEach(function (piece) {
      if (piece.href && /^(https?:|tel:)/.test(piece.href)) {
        var a = document.createElement("a");
        a.href = piece.href;
        a.textContent = piece.text;
        if (/^https?:/.test(piece.href)) { a.target = "_blank"; a.rel = "noopener"; }
        p.appendChild(a);
      } else {
        p.appendChild(document.createTextNode(piece.text));
      }
    });
    return p;
  }

  function say(kind) {
    message.textContent = "";
    message.hidden = false;
    if (frame) frame.hidden = true;
    if (kind === "connecting") {
      message.setAttribute("role", "status");
      message.appendChild(paragraph("Connecting to the assistant\u2026"));
      return;
    }
    message.setAttribute("role", "alert");
    var problems = config.problems || {};
    message.appendChild(paragraph(problems[kind] || "The exercise assistant is not available right now."));
    message.appendChild(contactLine());
    if (config.emergency) message.appendChild(paragraph(config.emergency));
    var retry = document.createElement("button");
    retry.type = "button";
    retry.textContent = "Try again";
    retry.addEventListener("click", check);
    message.appendChild(retry);
    if (kind === "blocked") {
      console.warn("Back exercise assistant: " + location.origin + " is not in the assistant's allowed_origins " +
                   "setting, so it will not show its chat here.");
    }
  }

  function showChat() {
    if (!frame) {
      // Created on the first successful open, so a clinic's page loads nothing from us until someone asks.
      frame = document.createElement("iframe");
      frame.title = title + " chat";
      frame.src = appUrl.href;
      panel.append(frame);
    }
    frame.hidden = false;
    message.hidden = true;
    message.textContent = "";
  }

  function within(promise) {
    return Promise.race([promise, new Promise(function (resolve, reject) {
      setTimeout(function () { reject(new Error("timeout")); }, PROBE_TIMEOUT);
    })]);
  }

  // Up and allowed: /healthz is readable from this page (the assistant allows the same origins to call
  // it as to frame it). Unreadable but reachable: this origin is not allowed. Unreachable: down.
  function probe() {
    var url = new URL("healthz", appUrl).href;
    return within(fetch(url, { mode: "cors", cache: "no-store", credentials: "omit" })).then(function (r) {
      return r.ok ? "ok" : "down";
    }).catch(function () {
      return within(fetch(url, { mode: "no-cors", cache: "no-store", credentials: "omit" })).then(
        function () { return "blocked"; }, function () { return "down"; });
    });
  }

  function check() {
    if (!frame || frame.hidden) say("connecting");
    probe().then(function (result) {
      if (!panel.open) return;
      if (result === "ok") showChat(); else say(result);
    });
  }

  // A phone gets a modal dialog: the page behind is inert (no focus leaks) and does not scroll.
  function open() {
    if (panel.open) return;
    if (small.matches) {
      pageOverflow = document.documentElement.style.overflow;
      document.documentElement.style.overflow = "hidden";
      panel.setAttribute("aria-modal", "true");
      panel.showModal();
    } else {
      panel.removeAttribute("aria-modal");
      panel.show();
    }
    launcher.setAttribute("aria-expanded", "true");
    close.focus();
    if (!reopening) check();
  }

  function shut() {
    if (panel.open) panel.close();
  }

  panel.addEventListener("close", function () {
    if (panel.hasAttribute("aria-modal")) document.documentElement.style.overflow = pageOverflow;
    launcher.setAttribute("aria-expanded", "false");
    if (!reopening) launcher.focus();
  });

  launcher.addEventListener("click", function () {
    panel.open ? shut() : open();
  });
  close.addEventListener("click", shut);
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape") shut();
  });
  // Turning a phone sideways (or resizing) switches between the floating panel and the modal dialog.
  small.addEventListener("change", function () {
    if (!panel.open) return;
    reopening = true;
    panel.close();
    open();
    reopening = false;
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
