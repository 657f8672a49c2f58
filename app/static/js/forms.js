// Small enhancements shared by every page; each works the same without scripts, only less well.
"use strict";

// A live region only speaks when its content changes: a status message that arrives with the
// page (such as "Saved." after a save) is put back a moment after load, so screen readers read it.
document.addEventListener("DOMContentLoaded", () => {
  for (const region of document.querySelectorAll("[data-announce]")) {
    const text = region.textContent;
    region.textContent = "";
    window.setTimeout(() => { region.textContent = text; }, 150);
  }
});

// Controls that only work with scripts (htmx buttons) are hidden in the markup and shown here,
// also when htmx swaps them in.
function showScriptedControls(root) {
  for (const control of root.querySelectorAll("[data-needs-js][hidden]")) control.hidden = false;
}
document.addEventListener("DOMContentLoaded", () => showScriptedControls(document));
document.addEventListener("htmx:load", (event) => showScriptedControls(event.target));

// Forms marked data-drop-empty leave empty fields out of htmx requests, so the URL htmx pushes
// is the canonical one (/?as_of=2025-01-31, not /?as_of=2025-01-31&since=).
document.addEventListener("htmx:configRequest", (event) => {
  const form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-drop-empty]");
  if (!form) return;
  const data = event.detail.formData;
  for (const name of new Set(data.keys())) {
    if (data.getAll(name).every((value) => value === "")) data.delete(name);
  }
});

// A date form whose request went through no longer shows the last refusal beside its fields
// (the refusal itself came back into the form; a success only swaps the content below it).
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-drop-empty]");
  if (!form || !event.detail.xhr || event.detail.xhr.status >= 400) return;
  for (const message of form.querySelectorAll(".field-error")) {
    const field = message.closest(".field");
    const input = field && field.querySelector("[aria-invalid]");
    if (input) {
      input.removeAttribute("aria-invalid");
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id !== message.id);
      if (described.length) input.setAttribute("aria-describedby", described.join(" "));
      else input.removeAttribute("aria-describedby");
    }
    if (field) field.classList.remove("field--error");
    message.remove();
  }
});
