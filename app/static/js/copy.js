// "Copy embed code" (macros/embed.html): the read-only box works without this file; with it, a
// button copies the box's text. No inline script (CSP): wired up here by data attributes.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const box = document.getElementById(button.dataset.copy);
    const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
    if (!box) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      let copied = false;
      try {
        await navigator.clipboard.writeText(box.value);
        copied = true;
      } catch {
        // No clipboard API (an insecure origin, a refused permission): select it for Ctrl+C.
        box.focus();
        box.select();
      }
      if (status) status.textContent = copied ? "Copied." : "Selected: press Ctrl+C (⌘C) to copy.";
    });
  }
});
