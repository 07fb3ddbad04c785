"use strict";
// What Oscar's templates did with inline event handlers, which the Content-Security-Policy blocks:
//   <a data-action="back">        goes back a page (the "or cancel" links of forms)
//   <a data-action="close-window"> closes a dashboard pop-up
//   <button data-action="print">  prints the page (packing slips, pick lists)
//   <form data-confirm="Sure?">   asks before submitting
document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-action]");
    if (!link) return;
    if (link.dataset.action === "back") {
        event.preventDefault();
        window.history.back();
    } else if (link.dataset.action === "close-window") {
        event.preventDefault();
        window.close();
    } else if (link.dataset.action === "print") {
        event.preventDefault();
        window.print();
    }
});

// Asked while capturing, before Oscar's own submit handlers lock the form's buttons.
document.addEventListener("submit", (event) => {
    const question = event.target.dataset?.confirm;
    if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
    }
}, true);
