"use strict";
// select2, behind the admin's autocomplete fields, types into a search box with no name for screen
// readers. Each box takes its field's label; boxes come and go (new inline rows), so watch for them.
{
    const fieldLabel = (searchBox) => {
        const select = searchBox.closest(".select2")?.previousElementSibling;
        const label = select?.id && document.querySelector(`label[for="${select.id}"]`);
        return label ? label.textContent.trim().replace(/:$/, "") : "Search";
    };

    const nameSearchBoxes = () => {
        for (const box of document.querySelectorAll(".select2-search__field:not([aria-label])")) {
            box.setAttribute("aria-label", fieldLabel(box));
        }
    };

    document.addEventListener("DOMContentLoaded", () => {
        nameSearchBoxes();
        new MutationObserver(nameSearchBoxes).observe(document.body, {childList: true, subtree: true});
    });
}
