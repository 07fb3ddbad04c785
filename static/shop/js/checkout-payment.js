// The payment step: mount Stripe's Payment Element (or the simulator's stand-in), turn the card
// into a ConfirmationToken and post only its id. The server computes the amount from the basket.
(function () {
  "use strict";
  var form = document.getElementById("place_order_form");
  if (!form || typeof window.Stripe !== "function") return;

  var data = form.dataset;
  var options = data.apiBase ? { apiBase: data.apiBase } : undefined;
  var stripe = window.Stripe(data.publishableKey, options);
  var elements = stripe.elements({
    mode: "payment",
    amount: parseInt(data.amount, 10),
    currency: data.currency,
    captureMethod: "manual",
    paymentMethodTypes: ["card"],
  });
  elements.create("payment").mount("#payment-element");

  var button = document.getElementById("place-order");
  var errors = document.getElementById("payment-errors");
  var label = button.textContent;
  var busy = false;

  function fail(message) {
    errors.textContent = message;
    button.disabled = false;
    button.textContent = label;
    busy = false;
  }

  form.addEventListener("submit", function (event) {
    if (form.elements.confirmation_token.value) return; // token made: let the post go
    event.preventDefault();
    if (busy) return; // one payment per click, however many clicks
    busy = true;
    errors.textContent = "";
    button.disabled = true;
    button.textContent = button.dataset.busyText;
    elements
      .submit()
      .then(function (result) {
        if (result.error) throw result.error;
        return stripe.createConfirmationToken({ elements: elements });
      })
      .then(function (result) {
        if (result.error) throw result.error;
        form.elements.confirmation_token.value = result.confirmationToken.id;
        form.submit();
      })
      .catch(function (error) {
        fail((error && error.message) || "Something went wrong. You have not been charged.");
      });
  });
})();
