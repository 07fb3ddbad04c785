/* Post editor in the admin: search products and insert [[product:UPC]] at the cursor in the body,
   and show a live preview of the sanitised body beside it. Endpoints come from data attributes. */
"use strict";
(function () {
  function debounce(fn, ms) {
    let timer;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  function insertAtCursor(textarea, text) {
    const start = textarea.selectionStart ?? textarea.value.length;
    const end = textarea.selectionEnd ?? start;
    const before = textarea.value.slice(0, start);
    const after = textarea.value.slice(end);
    // An embed must be a line of its own, or Markdown keeps it as text.
    const line = (before && !before.endsWith("\n") ? "\n" : "") + text + "\n";
    textarea.value = before + line + after;
    textarea.selectionStart = textarea.selectionEnd = before.length + line.length;
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setUpProductSearch(input, body) {
    const results = document.createElement("ul");
    results.className = "blog-product-results";
    results.setAttribute("role", "listbox");
    results.setAttribute("aria-label", "Products matching the search");
    input.after(results);

    const search = debounce(async function () {
      const q = input.value.trim();
      results.replaceChildren();
      if (q.length < 2) return;
      const url = new URL(input.dataset.searchUrl, window.location.href);
      url.searchParams.set("q", q);
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return;
      for (const product of await response.json()) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = `${product.title} (${product.upc})`;
        button.addEventListener("click", function () {
          insertAtCursor(body, `[[product:${product.upc}]]`);
          input.value = "";
          results.replaceChildren();
        });
        item.append(button);
        results.append(item);
      }
    }, 250);
    input.addEventListener("input", search);
    // Enter in this box would submit the whole post form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        const first = results.querySelector("button");
        if (first) first.click();
      }
    });
  }

  function setUpPreview(body) {
    const token = body.form.querySelector("[name=csrfmiddlewaretoken]");
    const wrapper = document.createElement("div");
    wrapper.className = "blog-editor";
    body.before(wrapper);
    const preview = document.createElement("div");
    preview.className = "blog-preview";
    preview.setAttribute("aria-live", "polite");
    wrapper.append(body, preview);

    const refresh = debounce(async function () {
      const data = new FormData();
      data.append("body", body.value);
      const response = await fetch(body.dataset.previewUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      });
      // The server returns sanitised HTML (blog.markup), the same the post will store.
      if (response.ok) preview.innerHTML = (await response.json()).html;
    }, 400);
    body.addEventListener("input", refresh);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    const body = document.querySelector("textarea[data-preview-url]");
    const input = document.querySelector("input[data-search-url]");
    if (body && input) setUpProductSearch(input, body);
    if (body) setUpPreview(body);
  });
})();
