// Runs in the chat page (Gradio's `head`).

// Inside the clinic's widget, Escape anywhere in the chat asks the page around it to close the panel:
// key presses do not cross from an iframe to its parent. The message carries nothing but its type.
if (window.parent !== window) {
  document.documentElement.classList.add("framed");
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") window.parent.postMessage({ type: "back-assistant:close" }, "*");
  });
}

// Gradio renders the example buttons inside role="list" without list items, which screen readers
// announce as an empty list (axe: aria-required-children, critical). A labelled group says what they are.
new MutationObserver(function () {
  document.querySelectorAll(".examples[role='list']").forEach(function (examples) {
    examples.setAttribute("role", "group");
    examples.setAttribute("aria-label", "Example questions");
  });
}).observe(document.documentElement, { childList: true, subtree: true });
