// A filter-as-you-type combobox for long <select data-combobox> lists (the ARIA 1.2 combobox
// pattern, list autocomplete with manual selection). Typing any words of an option narrows the
// list; Down/Up move through it, Enter picks, Escape closes (and then clears). The <select>
// stays in the form, hidden, and is what gets sent: without scripts it is the whole control.
"use strict";

(() => {
  const fold = (text) =>
    text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

  function enhance(select) {
    const id = select.id;
    const field = select.closest(".field") || select.parentElement;
    const label = document.querySelector(`label[for="${id}"]`);

    const input = document.createElement("input");
    input.type = "text";
    input.id = `${id}-combobox`;
    input.className = "combobox__input";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", `${id}-listbox`);
    // What the plain select cannot do, so the hint comes with the script.
    const hint = document.createElement("small");
    hint.className = "hint";
    hint.id = `${id}-combobox-hint`;
    hint.textContent = "Type any words of it to narrow the list; Down arrow to browse.";
    const described = [select.getAttribute("aria-describedby"), hint.id].filter(Boolean);
    input.setAttribute("aria-describedby", described.join(" "));
    if (select.hasAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");

    const list = document.createElement("ul");
    list.id = `${id}-listbox`;
    list.className = "combobox__list";
    list.setAttribute("role", "listbox");
    if (label) list.setAttribute("aria-label", label.textContent.replace("(required)", "").trim());
    list.hidden = true;

    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.id = `${id}-combobox-status`;

    const options = [];
    for (const option of select.options) {
      if (!option.value) continue;
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = `${id}-option-${option.value}`;
      item.dataset.value = option.value;
      item.setAttribute("aria-selected", "false");
      item.textContent = option.textContent;
      list.append(item);
      options.push({ item, value: option.value, text: option.textContent.trim(), folded: fold(option.textContent) });
    }

    const wrapper = document.createElement("div");
    wrapper.className = "combobox";
    wrapper.append(input, list, status);
    select.after(wrapper);
    wrapper.after(hint); // below the input, so the open list drops straight from it
    select.hidden = true;
    select.tabIndex = -1;
    if (label) label.htmlFor = input.id;

    let active = null;
    const chosen = () => options.find((o) => o.value === select.value) || null;
    const visible = () => options.filter((o) => !o.item.hidden);
    input.value = chosen() ? chosen().text : "";

    function setActive(option) {
      if (active) active.item.setAttribute("aria-selected", "false");
      active = option;
      if (option) {
        option.item.setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", option.item.id);
        option.item.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function filter(query) {
      const words = fold(query).split(/\s+/).filter(Boolean);
      let count = 0;
      for (const option of options) {
        const match = words.every((word) => option.folded.includes(word));
        option.item.hidden = !match;
        if (match) count += 1;
      }
      status.textContent = count === 0 ? "No demand matches." : `${count} ${count === 1 ? "match" : "matches"}.`;
      return count;
    }

    function open() {
      if (!list.hidden) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(null);
    }

    function choose(option) {
      select.value = option ? option.value : "";
      input.value = option ? option.text : "";
      select.dispatchEvent(new Event("change", { bubbles: true }));
      close();
    }

    function move(step) {
      const shown = visible();
      if (shown.length === 0) return;
      const at = shown.indexOf(active);
      const next = at < 0 ? (step > 0 ? 0 : shown.length - 1) : (at + step + shown.length) % shown.length;
      setActive(shown[next]);
    }

    function showAll() {
      // Opening on the chosen option's own text lists everything, not just that one.
      filter(chosen() && input.value === chosen().text ? "" : input.value);
    }

    input.addEventListener("input", () => {
      setActive(null);
      if (filter(input.value) > 0) open(); else close();
      if (!input.value) select.value = "";
    });

    input.addEventListener("keydown", (event) => {
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (list.hidden) { showAll(); open(); }
          if (!event.altKey) move(1);
          break;
        case "ArrowUp":
          event.preventDefault();
          if (event.altKey) { if (active) choose(active); else close(); break; }
          if (list.hidden) { showAll(); open(); }
          move(-1);
          break;
        case "Enter": {
          if (list.hidden) return; // submits the form, as Enter in a field does
          const shown = visible();
          const pick = active || (shown.length === 1 ? shown[0] : null);
          if (pick) { event.preventDefault(); choose(pick); }
          break;
        }
        case "Escape":
          if (!list.hidden) { event.preventDefault(); close(); }
          else if (input.value) { event.preventDefault(); choose(null); }
          break;
        default:
      }
    });

    input.addEventListener("blur", () => {
      close();
      const typed = fold(input.value.trim());
      if (!typed) { choose(null); return; }
      const exact = options.find((o) => o.folded.trim() === typed);
      if (exact) choose(exact);
      else input.value = chosen() ? chosen().text : "";
    });

    input.addEventListener("click", () => {
      if (list.hidden) { showAll(); open(); } else close();
    });

    // mousedown would blur the input before the click lands.
    list.addEventListener("mousedown", (event) => event.preventDefault());
    list.addEventListener("click", (event) => {
      const item = event.target.closest("[role=option]");
      const option = item && options.find((o) => o.item === item);
      if (option) choose(option);
    });

    if (field) field.classList.add("field--combobox");
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("select[data-combobox]").forEach(enhance);
  });
})();
