"use strict";
// The basket's quantity steppers (templates/oscar/basket/partials/basket_content.html): − and +
// change the line's quantity and submit the basket form, as its "Update" button does for a typed
// number. Without JavaScript the steppers stay hidden and the number box and "Update" do it all.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("basket_formset");
    if (!form) {
        return;
    }
    var update = form.querySelector(".basket-form__default");

    function submit() {
        if (form.dataset.submitting) {
            return;
        }
        form.dataset.submitting = "1";
        form.requestSubmit(update);
    }

    form.addEventListener("click", function (event) {
        var button = event.target.closest("[data-step]");
        if (!button) {
            return;
        }
        var input = document.getElementById(button.getAttribute("data-for"));
        var next = (parseInt(input.value, 10) || 0) + parseInt(button.getAttribute("data-step"), 10);
        var max = input.max ? parseInt(input.max, 10) : Infinity;
        if (next < 1 || next > max) {
            return;
        }
        input.value = next;
        submit();
    });
});
