// A local stand-in for Stripe.js, for the demo and browser tests: it talks only to the project's
// Stripe simulator (manage.py stripe_simulator). It has the few calls our payment page makes, with
// Stripe.js's names and result shapes, so the page runs unchanged against either:
//   const stripe = Stripe(publishableKey, {apiBase: "http://127.0.0.1:12111"});
//   const elements = stripe.elements({mode: "payment", amount, currency, captureMethod: "manual"});
//   elements.create("payment").mount("#payment-element");
//   await elements.submit();  // {} or {error}
//   await stripe.createConfirmationToken({elements});  // {confirmationToken} or {error}
(function () {
  "use strict";

  const TEST_CARDS = [
    { number: "4242424242424242", outcome: "succeeds" },
    { number: "4000002760003184", outcome: "asks for 3-D Secure" },
    { number: "4000000000000002", outcome: "is declined" },
    { number: "4000000000009995", outcome: "is declined: insufficient funds" },
  ];
  const NETWORK_ERROR = "We could not reach the payment service. You have not been charged.";
  // Stripe.js's wording for each problem it finds before anything leaves the browser.
  const CHECKS = {
    incomplete_number: ["number", "Your card number is incomplete."],
    invalid_number: ["number", "Your card number is invalid."],
    incomplete_expiry: ["expiry", "Your card's expiration date is incomplete."],
    invalid_expiry_month: ["expiry", "Your card's expiration month is invalid."],
    invalid_expiry_year_past: ["expiry", "Your card's expiration year is in the past."],
    invalid_expiry_month_past: ["expiry", "Your card's expiration date is in the past."],
    incomplete_cvc: ["cvc", "Your card's security code is incomplete."],
  };
  let mounted = 0; // numbers the ids of each mounted element's fields

  function digits(text) {
    return String(text || "").replace(/\D/g, "");
  }

  function passesLuhn(number) {
    let total = 0;
    [...number].reverse().forEach((digit, position) => {
      let value = Number(digit);
      if (position % 2) value = value > 4 ? value * 2 - 9 : value * 2;
      total += value;
    });
    return total % 10 === 0;
  }

  function groupsOfFour(number) {
    return number.replace(/(\d{4})(?=\d)/g, "$1 ");
  }

  function validationError(code, message) {
    return { type: "validation_error", code, message };
  }

  // Stripe's form encoding: {billing_details: {name: "A"}} → …[billing_details][name]=A
  function appendNested(form, prefix, value) {
    if (value === null || value === undefined) return;
    if (typeof value === "object") {
      Object.keys(value).forEach((key) => appendNested(form, `${prefix}[${key}]`, value[key]));
    } else {
      form.append(prefix, String(value));
    }
  }

  class PaymentElement {
    constructor(elements) {
      this._elements = elements;
      this._handlers = {};
      this._container = null;
      this._fields = null;
    }

    mount(target) {
      const container = typeof target === "string" ? document.querySelector(target) : target;
      if (!container) throw new Error(`stripe-standin: nothing to mount into (${target}).`);
      this._container = container;
      this._fields = this._render(container);
      this._emit("ready", { elementType: "payment" });
    }

    unmount() {
      if (this._container) this._container.textContent = "";
      this._container = null;
      this._fields = null;
    }

    destroy() {
      this.unmount();
      this._elements._element = null;
    }

    focus() {
      if (this._fields) this._fields.number.focus();
    }

    on(event, handler) {
      (this._handlers[event] = this._handlers[event] || []).push(handler);
      return this;
    }

    off(event, handler) {
      this._handlers[event] = (this._handlers[event] || []).filter((each) => each !== handler);
      return this;
    }

    _emit(event, payload) {
      (this._handlers[event] || []).forEach((handler) => handler(payload));
    }

    _render(container) {
      mounted += 1;
      const id = (name) => `sim-card-${name}-${mounted}`;
      const make = (tag, attributes, text) => {
        const node = document.createElement(tag);
        Object.keys(attributes || {}).forEach((name) => node.setAttribute(name, attributes[name]));
        if (text) node.textContent = text;
        return node;
      };
      const root = make("div", { class: "sim-card" });
      const field = (name, label, attributes) => {
        const wrapper = make("div", { class: `sim-card-field sim-card-field-${name}` });
        const input = make("input", {
          id: id(name),
          type: "text",
          inputmode: "numeric",
          spellcheck: "false",
          "aria-describedby": id("error"),
          ...attributes,
        });
        wrapper.appendChild(make("label", { for: id(name) }, label));
        wrapper.appendChild(input);
        root.appendChild(wrapper);
        return input;
      };

      const fields = {
        number: field("number", "Card number", {
          autocomplete: "cc-number",
          placeholder: "1234 1234 1234 1234",
          maxlength: "23",
        }),
        expiry: field("expiry", "Expiry date (MM / YY)", {
          autocomplete: "cc-exp",
          placeholder: "MM / YY",
          maxlength: "7",
        }),
        cvc: field("cvc", "Security code (CVC)", {
          autocomplete: "cc-csc",
          placeholder: "CVC",
          maxlength: "4",
        }),
      };
      fields.error = make("p", { id: id("error"), class: "sim-card-error", role: "alert" });
      root.appendChild(fields.error);
      root.appendChild(this._renderTestCards(make, fields));

      fields.number.addEventListener("input", () => {
        fields.number.value = groupsOfFour(digits(fields.number.value).slice(0, 19));
        this._changed();
      });
      fields.expiry.addEventListener("input", () => {
        const typed = digits(fields.expiry.value).slice(0, 4);
        fields.expiry.value = typed.length > 2 ? `${typed.slice(0, 2)} / ${typed.slice(2)}` : typed;
        this._changed();
      });
      fields.cvc.addEventListener("input", () => {
        fields.cvc.value = digits(fields.cvc.value).slice(0, 4);
        this._changed();
      });

      container.textContent = "";
      container.appendChild(root);
      return fields;
    }

    _renderTestCards(make, fields) {
      const section = make("div", { class: "sim-test-cards" });
      section.appendChild(
        make("p", {}, "Test cards (any future expiry date and any CVC):"),
      );
      const list = make("ul");
      TEST_CARDS.forEach((card) => {
        const item = make("li");
        const button = make("button", { type: "button" }, groupsOfFour(card.number));
        button.addEventListener("click", () => {
          const year = (new Date().getFullYear() + 3) % 100;
          fields.number.value = groupsOfFour(card.number);
          fields.expiry.value = `12 / ${String(year).padStart(2, "0")}`;
          fields.cvc.value = "123";
          this._changed();
        });
        item.appendChild(button);
        item.appendChild(document.createTextNode(` ${card.outcome}`));
        list.appendChild(item);
      });
      section.appendChild(list);
      return section;
    }

    _changed() {
      this._elements._submitted = false; // Stripe.js wants submit() again after an edit
      this._showError(null);
      const values = this._values();
      const empty = !values.number && !values.expiry && !values.cvc;
      this._emit("change", {
        elementType: "payment",
        empty,
        complete: !empty && this._validate() === null,
        collapsed: false,
        value: { type: "card" },
      });
    }

    _values() {
      const fields = this._fields;
      const expiry = digits(fields.expiry.value);
      return {
        number: digits(fields.number.value),
        expiry,
        expMonth: expiry.slice(0, 2),
        expYear: expiry.slice(2, 4),
        cvc: digits(fields.cvc.value),
      };
    }

    // The checks Stripe.js makes before anything leaves the browser: {field, error} or null.
    _validate() {
      const code = this._firstProblem();
      if (!code) return null;
      const [field, message] = CHECKS[code];
      return { field, error: validationError(code, message) };
    }

    _firstProblem() {
      const { number, expiry, expMonth, expYear, cvc } = this._values();
      const month = Number(expMonth);
      const year = 2000 + Number(expYear);
      const now = new Date();
      if (number.length < 13) return "incomplete_number";
      if (number.length > 19 || !passesLuhn(number)) return "invalid_number";
      if (expiry.length < 4) return "incomplete_expiry";
      if (month < 1 || month > 12) return "invalid_expiry_month";
      if (year < now.getFullYear()) return "invalid_expiry_year_past";
      if (year === now.getFullYear() && month < now.getMonth() + 1) {
        return "invalid_expiry_month_past";
      }
      if (cvc.length < (/^3[47]/.test(number) ? 4 : 3)) return "incomplete_cvc"; // Amex: 4
      return null;
    }

    _showError(problem) {
      const fields = this._fields;
      ["number", "expiry", "cvc"].forEach((name) => fields[name].removeAttribute("aria-invalid"));
      fields.error.textContent = problem ? problem.error.message : "";
      if (problem) fields[problem.field].setAttribute("aria-invalid", "true");
    }
  }

  class Elements {
    constructor(options) {
      this._options = { ...options };
      this._element = null;
      this._submitted = false;
    }

    create(type) {
      if (type !== "payment") {
        throw new Error(`stripe-standin has only the "payment" element, not "${type}".`);
      }
      this._element = new PaymentElement(this);
      return this._element;
    }

    getElement(type) {
      return type === "payment" ? this._element : null;
    }

    update(options) {
      Object.assign(this._options, options);
    }

    async submit() {
      const element = this._element;
      if (!element || !element._fields) {
        return { error: validationError("incomplete", "Mount the payment element first.") };
      }
      const problem = element._validate();
      element._showError(problem);
      if (problem) {
        element._fields[problem.field].focus();
        return { error: problem.error };
      }
      this._submitted = true;
      return {};
    }
  }

  class StripeStandIn {
    constructor(publishableKey, options) {
      if (!options || !options.apiBase) {
        throw new Error("stripe-standin needs {apiBase: <the Stripe simulator's URL>}.");
      }
      this._key = publishableKey;
      this._apiBase = options.apiBase.replace(/\/+$/, "");
    }

    elements(options) {
      return new Elements(options);
    }

    async createConfirmationToken({ elements, params = {} } = {}) {
      if (!elements || !elements._element || !elements._element._fields) {
        return {
          error: { type: "invalid_request_error", message: "Pass the mounted `elements`." },
        };
      }
      if (!elements._submitted) {
        return {
          error: {
            type: "invalid_request_error",
            message:
              "elements.submit() must be called before stripe.createConfirmationToken(). " +
              "Call elements.submit() as soon as your customer presses pay.",
          },
        };
      }
      const card = elements._element._values();
      const form = new URLSearchParams();
      form.append("payment_method_data[type]", "card");
      form.append("payment_method_data[card][number]", card.number);
      form.append("payment_method_data[card][exp_month]", card.expMonth);
      form.append("payment_method_data[card][exp_year]", card.expYear);
      form.append("payment_method_data[card][cvc]", card.cvc);
      const methodData = params.payment_method_data || {};
      const billing = methodData.billing_details || params.billing_details;
      appendNested(form, "payment_method_data[billing_details]", billing);
      appendNested(form, "return_url", params.return_url);
      appendNested(form, "shipping", params.shipping);

      let response;
      let body;
      try {
        response = await fetch(`${this._apiBase}/v1/confirmation_tokens`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${this._key}`,
            "Content-Type": "application/x-www-form-urlencoded",
          },
          body: form.toString(),
        });
        body = await response.json();
      } catch (networkError) {
        return { error: { type: "api_connection_error", message: NETWORK_ERROR } };
      }
      if (!response.ok) {
        return { error: body.error || { type: "api_error", message: NETWORK_ERROR } };
      }
      return { confirmationToken: body };
    }
  }

  window.Stripe = function Stripe(publishableKey, options) {
    return new StripeStandIn(publishableKey, options);
  };
})();
