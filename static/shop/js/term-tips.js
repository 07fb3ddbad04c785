"use strict";
// Escape hides an open glossary tooltip (WCAG 1.4.13: dismissible without moving the pointer or
// the focus). The tooltips themselves are CSS (static/shop/css/shop.css, "Glossary term links"):
// this only marks the open terms dismissed, and the mark goes once the pointer or the focus
// comes to the term again from outside it.
(() => {
    const DISMISSED = "term--dismissed";
    const rearm = (event) => {
        const term = event.target.closest?.(".term");
        if (term && !term.contains(event.relatedTarget)) term.classList.remove(DISMISSED);
    };
    document.addEventListener("pointerover", rearm);
    document.addEventListener("focusin", rearm);
    document.addEventListener("keydown", (event) => {
        if (event.key !== "Escape") return;
        for (const term of document.querySelectorAll(".term:hover, .term:focus-within")) {
            term.classList.add(DISMISSED);
        }
    });
})();
