"use strict";
// The header's search box as an ARIA 1.2 combobox: as the shopper types, suggestions (an HTML
// fragment from the form's data-suggest-url: shop.search.views.suggestions) fill the listbox under
// it. Arrow keys move through the options (aria-activedescendant), Enter opens the one chosen,
// Escape closes the list. Requests wait for a pause in typing, and a newer one cancels the older.
// Without this script the form is the plain search it always was.
(function () {
    const DELAY_MS = 150;
    const MIN_LENGTH = 2;
    const form = document.querySelector("form.site-search[data-suggest-url]");
    if (!form) return;
    const input = form.querySelector("input[name=q]");
    const listbox = form.querySelector("[role=listbox]");
    if (!input || !listbox || !window.fetch || !window.AbortController) return;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("autocomplete", "off");

    let timer = null;
    let pending = null;
    let shownFor = null;
    let active = -1;

    function options() {
        return Array.from(listbox.querySelectorAll("[role=option]"));
    }

    function open() {
        if (!options().length) return close();
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
    }

    function close() {
        listbox.hidden = true;
        input.setAttribute("aria-expanded", "false");
        choose(-1);
    }

    function choose(index) {
        const all = options();
        all.forEach((option, n) => option.setAttribute("aria-selected", n === index ? "true" : "false"));
        active = index;
        if (index >= 0 && all[index]) {
            input.setAttribute("aria-activedescendant", all[index].id);
            all[index].scrollIntoView({ block: "nearest" });
        } else {
            input.removeAttribute("aria-activedescendant");
        }
    }

    function fetchSuggestions(text) {
        if (pending) pending.abort();
        const controller = new AbortController();
        pending = controller;
        const url = form.dataset.suggestUrl + "?q=" + encodeURIComponent(text);
        fetch(url, { signal: controller.signal, headers: { Accept: "text/html" } })
            .then((response) => (response.ok ? response.text() : ""))
            .then((html) => {
                if (controller.signal.aborted || input.value.trim() !== text) return;
                listbox.innerHTML = html;  // the shop's own template, escaped there
                shownFor = text;
                choose(-1);
                if (document.activeElement === input) open();
            })
            .catch((error) => {
                if (error.name !== "AbortError") close();
            })
            .finally(() => {
                if (pending === controller) pending = null;
            });
    }

    input.addEventListener("input", () => {
        clearTimeout(timer);
        const text = input.value.trim();
        if (text.length < MIN_LENGTH) {
            if (pending) pending.abort();
            listbox.innerHTML = "";
            shownFor = null;
            close();
            return;
        }
        timer = setTimeout(() => fetchSuggestions(text), DELAY_MS);
    });

    input.addEventListener("keydown", (event) => {
        const all = options();
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            if (!all.length) return;
            event.preventDefault();
            if (listbox.hidden) {
                open();
                choose(event.key === "ArrowDown" ? 0 : all.length - 1);
                return;
            }
            const next = active + (event.key === "ArrowDown" ? 1 : -1);
            choose(next < 0 ? all.length - 1 : next >= all.length ? 0 : next);
        } else if (event.key === "Enter") {
            if (!listbox.hidden && active >= 0 && all[active]) {
                event.preventDefault();
                window.location.assign(all[active].href);
            }
        } else if (event.key === "Escape") {
            if (!listbox.hidden) {
                event.preventDefault();
                close();
            }
        }
    });

    input.addEventListener("focus", () => {
        if (shownFor !== null && shownFor === input.value.trim()) open();
    });

    // A click on an option follows its link; leaving the form closes the list.
    form.addEventListener("focusout", (event) => {
        if (!form.contains(event.relatedTarget)) close();
    });
    listbox.addEventListener("mousedown", (event) => event.preventDefault());  // keep the focus
})();
