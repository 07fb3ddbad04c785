"use strict";
// Oscar's dashboard leaves some controls without a name for screen readers: the tick box on each
// row of its tables (and the "select all" box its own script adds later), the quantity box on each
// order line, and its order chart, a <dl> of bars with no terms. Named from the row they sit in.
{
    const rowName = (input) => input.closest("tr")?.querySelector("a")?.textContent.trim() ?? "";

    const nameControls = () => {
        for (const box of document.querySelectorAll('td input[name^="selected_"]:not([aria-label])')) {
            const row = rowName(box);
            box.setAttribute("aria-label", box.name.startsWith("selected_line_qty_")
                ? `Quantity of line ${row} to act on`
                : `Select ${row}`.trim());
        }
        for (const box of document.querySelectorAll('input[name="select_all"]:not([aria-label])')) {
            box.setAttribute("aria-label", "Select all rows on this page");
        }
        for (const chart of document.querySelectorAll("dl.bar-chart:not([role])")) {
            chart.setAttribute("role", "list");
            chart.querySelectorAll("dd").forEach((bar) => bar.setAttribute("role", "listitem"));
        }
    };

    document.addEventListener("DOMContentLoaded", () => {
        nameControls();
        new MutationObserver(nameControls).observe(document.body, {childList: true, subtree: true});
    });
}

// Oscar's image widget previews the picked file in an <img>: once it loads, the "Upload Image"
// button goes; if the browser cannot show it, the button comes back and the shopkeeper is told.
// (Oscar wrote these as inline onload/onerror handlers, which the Content-Security-Policy blocks.)
// Image load and error events do not bubble: they are caught on the way down.
{
    const uploadButton = (img) => document.getElementById(img.dataset.uploadButton);

    document.addEventListener("load", (event) => {
        if (event.target.dataset?.uploadButton) uploadButton(event.target)?.setAttribute("hidden", "");
    }, true);
    document.addEventListener("error", (event) => {
        const img = event.target;
        if (!img.dataset?.uploadButton || !img.getAttribute("src")) return;
        uploadButton(img)?.removeAttribute("hidden");
        window.alert(img.dataset.unrecognised);
    }, true);
}
