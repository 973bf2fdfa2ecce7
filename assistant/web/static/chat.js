// Runs in the chat page (Gradio's `head`): what a patient on a phone and a keyboard user need that
// Gradio's chat does not do. Everything here works on the page Gradio renders, so each step is
// idempotent and re-run whenever the page changes (Gradio re-renders parts of it at will).
(function () {
  "use strict";

  var SAVED = "back-assistant:questions";
  var USER = "[data-testid='user']";
  var BOT = "[data-testid='bot']";
  var TEXTBOX = "textarea[data-testid='textbox']";
  // A new answer is placed this far below the top of the view, so its first line is not flush to the edge.
  var ANSWER_MARGIN = 8;
  // Reading "further up" means above the previous question; this much above it still counts as following.
  var FOLLOW_SLACK = 24;
  // Announce the time left this many seconds before a hold ends (only when the hold is longer than this).
  var TIMER_WARNING = 10;
  // How long a reloaded tab waits for its conversation to come back before it starts afresh (ms).
  var RESTORE_PATIENCE = 15000;
  var framed = window.parent !== window;

  // `sent`: how many replies there were when the patient last asked (-1: not waiting for one);
  // `from`: the control they asked with (the question box, an example, a suggestion).
  var state = { replies: 0, sent: -1, from: null, touch: false, ready: false, restoring: false, saved: "" };

  // ---- Inside the clinic's widget ----------------------------------------------------------------
  // Escape anywhere in the chat asks the page around it to close the panel: key presses do not cross
  // from an iframe to its parent. Not while our own dialog is open (Escape closes that first).
  if (framed) {
    document.documentElement.classList.add("framed");
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !document.querySelector("dialog[open]")) {
        window.parent.postMessage({ type: "back-assistant:close" }, "*");
      }
    });
  }

  // ---- Small helpers --------------------------------------------------------------------------------
  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function words(text) { return (text || "").replace(/\s+/g, " ").trim(); }
  function clip(text, size) { return text.length > size ? text.slice(0, size - 1) + "…" : text; }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function textbox() { return $(TEXTBOX); }
  function log() { return $("#conversation [role='log']"); }

  // The block holding the question box, as a sibling of the conversation: where the pill and alerts go.
  function inputArea() {
    var area = $("#question");
    var conversation = $("#conversation");
    while (area && conversation && area.parentElement && !area.parentElement.contains(conversation)) {
      area = area.parentElement;
    }
    return area && area.parentElement ? area : null;
  }

  // One polite announcer for things that are not new text in the conversation (copied, new chat).
  function announce(message) {
    var region = $("#assistant-announcer");
    if (!region) {
      region = element("div", { id: "assistant-announcer", "class": "visually-hidden", role: "status" });
      document.body.appendChild(region);
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  function focusQuestion() {
    var box = textbox();
    if (box && !box.disabled) box.focus({ preventScroll: true });
  }

  // ---- Names and roles Gradio leaves out -----------------------------------------------------------
  function labelControls() {
    // Gradio renders the examples inside role="list" without list items, which screen readers
    // announce as an empty list (axe: aria-required-children, critical).
    $all(".examples[role='list']").forEach(function (examples) {
      examples.setAttribute("role", "group");
      examples.setAttribute("aria-label", "Example questions");
    });
    var send = $("#question button.submit-button, [data-testid='submit-button']");
    if (send && send.getAttribute("aria-label") !== "Send question") send.setAttribute("aria-label", "Send question");
    var box = textbox();
    if (box && !box.getAttribute("aria-label")) box.setAttribute("aria-label", "Your question");
    var conversation = log();
    if (conversation && $("#conversation-heading")) {
      conversation.removeAttribute("aria-label");
      conversation.setAttribute("aria-labelledby", "conversation-heading");
    }
    // The components that carry a reloaded tab's questions to the server are for this script only.
    $all("#saved-questions, #restore-conversation, #dislike-reason, #send-dislike-reason").forEach(function (hidden) {
      hidden.inert = true;
    });
  }

  // ---- Each message: a plain-text name, the question it holds, and its tools -------------------------
  // Gradio names each message "<role>'s message: <our raw Markdown and HTML>". A screen reader should
  // hear words instead: "You asked: …" and "Answer: <its heading or first line>".
  var GRADIO_LABEL = /^(user|bot|assistant)'s message: /;
  // The server sends a user's words with their punctuation backslash-escaped, so the page shows them as
  // typed (web/user_text.py); this is the exact inverse, giving back the question itself.
  var ESCAPED = /\\([!-\/:-@\[-`{-~])/g;

  function question(message) {
    var label = message.getAttribute("aria-label") || "";
    if (!GRADIO_LABEL.test(label)) return words(message.textContent);
    return label.replace(GRADIO_LABEL, "").replace(ESCAPED, "$1");
  }

  function nameMessage(message, isUser) {
    var label = message.getAttribute("aria-label") || "";
    if (message.dataset.named === label && label) return;
    if (isUser) {
      message.dataset.question = question(message);
      label = "You asked: " + clip(words(message.textContent), 120);
    } else {
      var reply = $(".reply", message);
      var first = reply && $("h1, h2, h3, h4, p", reply);
      label = "Answer: " + clip(words(first ? first.textContent : message.textContent), 120);
    }
    message.setAttribute("role", "article");
    message.setAttribute("aria-label", label);
    message.dataset.named = label;
  }

  function classValue(reply, prefix) {
    var found = Array.prototype.find.call(reply.classList, function (name) { return name.indexOf(prefix) === 0; });
    return found ? found.slice(prefix.length) : "";
  }

  function enhanceReply(message) {
    var reply = $(".reply", message);
    if (!reply) return;
    var aspect = classValue(reply, "aspect-");
    var hold = parseInt(classValue(reply, "hold-"), 10);
    if (hold > 0 && (aspect === "card" || aspect === "steps" || aspect === "dose") && !$(".hold-timer", reply)) {
      addTimer(reply, hold);
    }
    var row = message.closest(".message-row") || message.parentElement;
    var tools = row && $(".message-buttons-left .icon-button-wrapper, .message-buttons .icon-button-wrapper", row);
    if (tools && !$(".copy-answer", tools)) {
      var copy = element("button", { type: "button", "class": "reply-tool copy-answer" }, "Copy");
      copy.addEventListener("click", function () { copyReply(reply, copy); });
      var first = tools.firstChild;
      tools.insertBefore(copy, first);
      if (aspect === "card" || aspect === "steps") {
        // "Print" on screen (the toolbar must fit a 320 px phone); its name says what it prints.
        var print = element("button", { type: "button", "class": "reply-tool print-answer",
                                        "aria-label": "Print this exercise" }, "Print");
        print.addEventListener("click", function () { printReply(reply); });
        tools.insertBefore(print, first);
      }
    }
    if (tools) makeToolbar(tools);
  }

  // ---- Fewer tab stops: each answer's buttons are one toolbar, arrow keys move within it --------------
  function makeToolbar(tools) {
    if (tools.getAttribute("role") !== "toolbar") {
      tools.setAttribute("role", "toolbar");
      tools.setAttribute("aria-label", "Answer tools");
      tools.addEventListener("keydown", moveInToolbar);
      tools.addEventListener("focusin", function (event) { rove(tools, event.target); });
    }
    var buttons = $all("button", tools);
    if (!buttons.length) return;
    var current = buttons.filter(function (b) { return b.tabIndex === 0; });
    if (current.length !== 1) rove(tools, current[0] || buttons[0]);
  }

  function rove(tools, chosen) {
    if (!chosen || chosen.tagName !== "BUTTON") return;
    $all("button", tools).forEach(function (b) { b.tabIndex = b === chosen ? 0 : -1; });
  }

  function moveInToolbar(event) {
    var buttons = $all("button", event.currentTarget);
    var at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    var to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0,
               End: buttons.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    var next = buttons[(to + buttons.length) % buttons.length];
    rove(event.currentTarget, next);
    next.focus();
  }

  // ---- Copy: the reply's words as plain text, never our markup -----------------------------------------
  function plainText(node) {
    var out = [];
    Array.prototype.forEach.call(node.children, function (child) {
      if (child.classList.contains("reply-extra")) return;
      var tag = child.tagName;
      if (tag === "OL" || tag === "UL") {
        $all(":scope > li", child).forEach(function (item, i) {
          out.push((tag === "OL" ? (i + 1) + ". " : "- ") + inlineText(item));
        });
        out.push("");
      } else if (tag === "HR" || tag === "IMG" || (tag === "P" && child.querySelector("img") && !words(child.textContent))) {
        return;
      } else if (tag === "BLOCKQUOTE" || tag === "DIV") {
        out.push(plainText(child));
      } else {
        out.push(inlineText(child), "");
      }
    });
    return out.join("\n").replace(/\n{3,}/g, "\n\n").trim();
  }

  function inlineText(node) {
    var text = "";
    node.childNodes.forEach(function (child) {
      if (child.nodeType === 3) text += child.textContent;
      else if (child.nodeType === 1 && !child.classList.contains("reply-extra")) {
        var href = child.tagName === "A" ? child.getAttribute("href") || "" : "";
        text += inlineText(child) + (/^https?:/.test(href) ? " (" + href + ")" : "");
      }
    });
    return words(text);
  }

  function copyReply(reply, button) {
    var text = plainText(reply);
    var done = function () {
      button.textContent = "Copied";
      announce("Answer copied.");
      window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { copyBySelection(text) && done(); });
    } else if (copyBySelection(text)) {
      done();
    }
  }

  // Clipboard API needs https (or localhost); elsewhere the old selection copy still works.
  function copyBySelection(text) {
    var area = element("textarea", { "class": "visually-hidden", "aria-hidden": "true" });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    area.remove();
    return copied;
  }

  // ---- Print this exercise: one clean page with the card alone ---------------------------------------
  function printReply(reply) {
    var sheet = $("#print-sheet") || element("div", { id: "print-sheet" });
    sheet.textContent = "";
    var title = $("h1");
    if (title) sheet.appendChild(element("p", { "class": "print-clinic" }, words(title.textContent)));
    var card = reply.cloneNode(true);
    $all(".reply-extra", card).forEach(function (extra) { extra.remove(); });
    // On paper the card carries the full footer, even when the screen showed the one-line version.
    var footer = $("hr:last-of-type ~ p", card);
    var full = $("#full-footer");
    if (footer && full) footer.textContent = full.textContent;
    sheet.appendChild(card);
    document.body.appendChild(sheet);
    window.addEventListener("afterprint", function () { sheet.remove(); }, { once: true });
    window.print();
  }

  // ---- Hold timer ("Start 30 s"), announced for screen readers ----------------------------------------
  function addTimer(reply, seconds) {
    var box = element("div", { "class": "hold-timer reply-extra" });
    var start = element("button", { type: "button", "class": "timer-button" });
    var left = element("span", { "class": "timer-left", "aria-hidden": "true" });
    var status = element("span", { "class": "visually-hidden", role: "status" });
    var ticking = null;
    var idle = function () { start.textContent = "Start " + seconds + " s timer"; left.textContent = ""; };
    var stop = function () { window.clearInterval(ticking); ticking = null; box.classList.remove("running"); };
    start.addEventListener("click", function () {
      if (ticking) {
        stop();
        idle();
        status.textContent = "Timer stopped.";
        return;
      }
      var ends = Date.now() + seconds * 1000;
      var warned = seconds <= TIMER_WARNING;
      box.classList.add("running");
      start.textContent = "Stop timer";
      status.textContent = "Timer started: hold for " + seconds + " seconds.";
      var tick = function () {
        if (!box.isConnected) return stop();
        var remaining = Math.max(0, Math.ceil((ends - Date.now()) / 1000));
        left.textContent = remaining + " s";
        if (!warned && remaining <= TIMER_WARNING) {
          warned = true;
          status.textContent = remaining + " seconds left.";
        }
        if (remaining === 0) {
          stop();
          idle();
          left.textContent = "Done";
          status.textContent = "Time is up: " + seconds + " seconds. Slowly release.";
          if (navigator.vibrate) navigator.vibrate(200);
        }
      };
      tick();
      ticking = window.setInterval(tick, 250);
    });
    idle();
    box.append(start, left, status);
    // Under the steps (or the hold lines); an exercise the article gives in one line has it under that line.
    var lines = $all(":scope > ol, :scope > ul, :scope > p", reply).filter(function (node) {
      return node.tagName !== "P" || (words(node.textContent) && !$("img", node) && node !== reply.firstElementChild);
    });
    var after = lines.filter(function (node) { return node.tagName !== "P"; })[0] || lines[0];
    if (after) after.after(box);
    else reply.appendChild(box);
  }

  // ---- After a Dislike, "what was wrong?" (only where the clinic keeps such words: #ask-why-disliked) ------
  var REASON_CHARS = 200;

  function askWhyDisliked(button) {
    var message = button.closest(".message-row");
    var reply = message && $(BOT, message);
    if (!$("#ask-why-disliked") || !reply || $(".dislike-reason", message)) return;
    var index = $all(USER + ", " + BOT).indexOf(reply);
    var id = "dislike-reason-" + index;
    var box = element("div", { "class": "dislike-reason", role: "group", "aria-label": "Your comment on this answer" });
    var label = element("label", { id: id + "-label", "for": id }, "What was wrong with this answer? (optional)");
    var input = element("input", { id: id, type: "text", maxlength: String(REASON_CHARS), autocomplete: "off" });
    var send = element("button", { type: "button", "class": "reply-tool" }, "Send");
    var skip = element("button", { type: "button", "class": "reply-tool" }, "No thanks");
    var close = function (said) {
      box.replaceChildren(element("p", { role: "status" }, said ? "Thank you: your comment was sent." : ""));
      if (!said) { box.remove(); button.focus(); }
    };
    send.addEventListener("click", function () {
      var words = input.value.trim();
      if (!words) { input.focus(); return; }
      var saved = $("#dislike-reason input, #dislike-reason textarea");
      var run = $("#send-dislike-reason");
      if (!saved || !run) return close(false);
      saved.value = JSON.stringify({ index: index, reason: words });
      saved.dispatchEvent(new Event("input", { bubbles: true }));
      window.setTimeout(function () { run.click(); }, 0);
      close(true);
    });
    skip.addEventListener("click", function () { close(false); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); send.click(); }
      if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); close(false); }
    });
    box.append(label, input, send, skip);
    var tools = $(".message-buttons-left, .message-buttons", message);
    (tools || message).after(box);
    input.focus();
  }

  // ---- A new answer opens at its first line; a "New answer" pill when the reader is further up ---------
  function pill() {
    var button = $("#new-answer");
    if (!button) {
      var row = inputArea();
      if (!row) return null;
      button = element("button", { type: "button", id: "new-answer", hidden: "" }, "New answer ↓");
      button.addEventListener("click", function () {
        var replies = $all(BOT);
        if (replies.length) showAnswer(replies[replies.length - 1]);
        focusQuestion();
      });
      row.parentElement.insertBefore(button, row);
    }
    return button;
  }

  function rowOf(message) { return message.closest(".message-row") || message; }

  function showAnswer(message) {
    var scroller = log();
    if (!scroller) return;
    var offset = rowOf(message).getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    scroller.scrollTop += offset - ANSWER_MARGIN;
    // Outside the widget the page itself may scroll too (a short phone screen): bring the chat's top in.
    var view = scroller.getBoundingClientRect();
    if (view.top < 0 || view.top > window.innerHeight) scroller.scrollIntoView({ block: "start" });
    var button = $("#new-answer");
    if (button) button.hidden = true;
  }

  // Where the reader is when a reply arrives decides. The view starting above the previous question,
  // with the end of the previous answer still out of sight below, means they went back to re-read.
  function readingFurtherUp(replies) {
    var scroller = log();
    var questions = $all(USER);
    if (!scroller || replies.length < 2 || questions.length < 2) return false;
    var view = scroller.getBoundingClientRect();
    var previousQuestion = rowOf(questions[questions.length - 2]).getBoundingClientRect();
    var previousAnswer = rowOf(replies[replies.length - 2]).getBoundingClientRect();
    return previousQuestion.top - view.top > FOLLOW_SLACK && previousAnswer.bottom > view.bottom + FOLLOW_SLACK;
  }

  function onNewReplies(replies) {
    var newest = replies[replies.length - 1];
    if (state.restoring) {
      state.restoring = false;
      showAnswer(newest);
      return;
    }
    if (readingFurtherUp(replies)) {
      var button = pill();
      if (button) button.hidden = false;
    } else {
      showAnswer(newest);
    }
  }

  function hidePillWhenSeen() {
    var button = $("#new-answer");
    var scroller = log();
    var replies = $all(BOT);
    if (!button || button.hidden || !scroller || !replies.length) return;
    var newest = rowOf(replies[replies.length - 1]).getBoundingClientRect();
    var view = scroller.getBoundingClientRect();
    if (newest.top >= view.top - ANSWER_MARGIN && newest.top < view.bottom - 40) button.hidden = true;
  }

  // ---- Focus goes back to the question box after a send, an example or a suggestion -------------------
  // A tapped suggestion on a touch screen is the exception: focusing the box would open the on-screen
  // keyboard over the answer the patient asked for.
  function watchSends() {
    document.addEventListener("pointerdown", function (event) { state.touch = event.pointerType === "touch"; }, true);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && event.target.matches && event.target.matches(TEXTBOX) &&
          words(event.target.value)) {
        state.touch = false;
        state.sent = $all(BOT).length;
        state.from = event.target;
      }
    }, true);
    document.addEventListener("click", function (event) {
      var target = event.target.closest && event.target.closest(
        "button.example, button.option, [data-testid='submit-button'], #question button.submit-button");
      if (!target) return;
      if (event.detail === 0) state.touch = false;  // a keyboard's Enter or Space
      state.sent = $all(BOT).length;
      state.from = target;
    }, true);
  }

  // Once the reply is in and the box is usable again; not if the patient has moved on to another
  // control meanwhile (focus still where they asked from, or dropped to the page, counts as lost).
  function returnFocus() {
    var box = textbox();
    if (state.sent < 0 || $all(BOT).length <= state.sent || !box || box.disabled) return;
    var active = document.activeElement;
    var lost = !active || active === document.body || active === box || !active.isConnected ||
      active === state.from;
    state.sent = -1;
    state.from = null;
    if (lost && !state.touch) box.focus({ preventScroll: true });
  }

  // ---- The conversation survives a reload of this tab (sessionStorage; nothing kept on the server) -----
  function questions() {
    var asked = $all(USER).map(function (message) { return message.dataset.question || question(message); });
    return asked.slice(0, $all(BOT).length);
  }

  function save() {
    if (!state.ready || state.restoring) return;
    var value = JSON.stringify(questions());
    if (value === state.saved) return;
    state.saved = value;
    try {
      if (value === "[]") sessionStorage.removeItem(SAVED);
      else sessionStorage.setItem(SAVED, value);
    } catch (error) { /* storage can be off (private modes); the chat still works without it */ }
  }

  function restore() {
    var saved = null;
    try { saved = sessionStorage.getItem(SAVED); } catch (error) { saved = null; }
    var input = $("#saved-questions input");
    var run = $("#restore-conversation");
    state.ready = true;
    if (!saved || !input || !run || $all(USER).length) return;
    state.restoring = true;
    state.saved = saved;
    input.value = saved;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    window.setTimeout(function () { run.click(); }, 0);
    // If the server cannot answer them again, the chat goes on empty and saving resumes.
    window.setTimeout(function () { state.restoring = false; }, RESTORE_PATIENCE);
  }

  // ---- New chat, after a confirmation -----------------------------------------------------------------
  function confirmNewChat() {
    if (!$all(USER).length) {
      focusQuestion();
      return;
    }
    var dialog = $("#new-chat-dialog");
    if (!dialog) {
      dialog = element("dialog", { id: "new-chat-dialog", "aria-labelledby": "new-chat-title",
                                   "aria-describedby": "new-chat-text" });
      var yes = element("button", { type: "button", "class": "confirm" }, "Clear and start again");
      var no = element("button", { type: "button", "class": "cancel" }, "Keep this chat");
      var actions = element("div", { "class": "dialog-actions" });
      actions.append(yes, no);
      dialog.append(element("h2", { id: "new-chat-title" }, "Start a new chat?"),
                    element("p", { id: "new-chat-text" }, "The questions and answers on this screen will be cleared."),
                    actions);
      yes.addEventListener("click", function () { dialog.close("clear"); });
      no.addEventListener("click", function () { dialog.close("keep"); });
      dialog.addEventListener("close", function () {
        if (dialog.returnValue === "clear") {
          clearChat();
        } else {
          var button = $("#new-chat");
          if (button) button.focus();
        }
      });
      document.body.appendChild(dialog);
    }
    dialog.returnValue = "";
    dialog.showModal();
    $(".cancel", dialog).focus();
  }

  function clearChat() {
    var clear = $("#conversation button[aria-label='Clear']");
    if (clear) clear.click();
    state.saved = "";
    try { sessionStorage.removeItem(SAVED); } catch (error) { /* nothing saved */ }
    var button = $("#new-answer");
    if (button) button.hidden = true;
    announce("New chat started.");
    window.setTimeout(focusQuestion, 0);
  }

  // ---- Lost connection: the clinic's words instead of a red "Error" -------------------------------------
  function connectionLost() {
    var help = $("#connection-help");
    var row = inputArea();
    if (!help || !row || $("#connection-alert")) return;
    var alert = element("div", { id: "connection-alert", role: "alert" });
    Array.prototype.forEach.call(help.childNodes, function (node) { alert.appendChild(node.cloneNode(true)); });
    var retry = element("button", { type: "button" }, "Try again");
    var status = element("p", { "class": "retry-status" });
    retry.addEventListener("click", function () {
      fetch("healthz", { cache: "no-store" }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        window.location.reload();
      }).catch(function () {
        status.textContent = "Still no connection. Please try again in a moment.";
      });
    });
    alert.append(retry, status);
    row.parentElement.insertBefore(alert, row);
  }

  function watchErrors() {
    if ($("[data-testid='toast-body'].error, .toast-body.error")) connectionLost();
  }
  window.addEventListener("offline", connectionLost);

  // ---- One pass over the page after every change ----------------------------------------------------------
  function update() {
    labelControls();
    $all(USER).forEach(function (message) { nameMessage(message, true); });
    var replies = $all(BOT);
    replies.forEach(function (message) { nameMessage(message, false); enhanceReply(message); });
    if (replies.length > state.replies) onNewReplies(replies);
    if (replies.length !== state.replies) {
      state.replies = replies.length;
      save();
    }
    returnFocus();
    watchErrors();
  }

  var scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    window.requestAnimationFrame(function () { scheduled = false; update(); });
  }

  function start() {
    watchSends();
    document.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("#new-chat")) confirmNewChat();
    });
    // On the way down: Gradio redraws the button's icon when it handles the click, detaching the target.
    document.addEventListener("click", function (event) {
      var dislike = event.target.closest && event.target.closest("#conversation button[aria-label='Dislike']");
      if (dislike) window.setTimeout(function () { askWhyDisliked(dislike); }, 0);
    }, true);
    document.addEventListener("scroll", hidePillWhenSeen, true);
    new MutationObserver(schedule).observe(document.documentElement, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["disabled", "aria-label"] });
    // Restore once Gradio has drawn the empty chat and its hidden restore controls.
    var tries = 0;
    var waitForChat = window.setInterval(function () {
      tries += 1;
      if ($("#saved-questions input") && $("#restore-conversation") && textbox()) {
        window.clearInterval(waitForChat);
        restore();
      } else if (tries > 100) {
        window.clearInterval(waitForChat);
        state.ready = true;
      }
    }, 100);
    schedule();
  }

  start();
})();
