"""The Stripe.js stand-in, run by Node against the simulator on loopback (skipped without Node).

A small fake DOM stands in for the browser: enough to mount the element, type into its fields and
click a test card. The browser tests cover how it looks; these cover what it sends and answers.
"""

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import stripe

from shop.devtools.stripe_simulator import (
    PUBLISHABLE_KEY,
    SECRET_KEY,
    InProcessHTTPClient,
    Simulator,
    serve,
)

STANDIN = Path(__file__).resolve().parents[2] / "static" / "payments" / "stripe-standin.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")

# A fake DOM, the stand-in loaded into it, then the scenario passed in; prints JSON results.
HARNESS = r"""
class FakeNode {
  constructor(tag) {
    this.tagName = tag.toUpperCase(); this.children = []; this.attributes = {};
    this.listeners = {}; this.text = ""; this.value = "";
  }
  setAttribute(name, value) { this.attributes[name] = String(value); }
  getAttribute(name) { return name in this.attributes ? this.attributes[name] : null; }
  removeAttribute(name) { delete this.attributes[name]; }
  appendChild(child) { this.children.push(child); return child; }
  addEventListener(type, listener) { (this.listeners[type] ||= []).push(listener); }
  fire(type) { (this.listeners[type] || []).forEach((listener) => listener({ target: this })); }
  focus() { document.activeElement = this; }
  set textContent(text) { this.children = []; this.text = String(text); }
  get textContent() { return this.text + this.children.map((c) => c.textContent).join(""); }
  *walk() { yield this; for (const child of this.children) yield* child.walk(); }
  find(test) { for (const node of this.walk()) if (test(node)) return node; return null; }
}
const container = new FakeNode("div");
globalThis.window = globalThis;
globalThis.document = {
  activeElement: null,
  createElement: (tag) => new FakeNode(tag),
  createTextNode: (text) => { const node = new FakeNode("#text"); node.text = text; return node; },
  querySelector: (selector) => (selector === "#payment-element" ? container : null),
};
const [standin, apiBase, key] = process.argv.slice(1);
require("vm").runInThisContext(require("fs").readFileSync(standin, "utf8"));
const byAutocomplete = (value) => container.find((n) => n.getAttribute("autocomplete") === value);
const type = (input, text) => { input.value = text; input.fire("input"); };

(async () => {
  const results = {};
  const stripe = window.Stripe(key, { apiBase });
  const elements = stripe.elements({ mode: "payment", amount: 1250, currency: "usd",
                                     captureMethod: "manual" });
  const element = elements.create("payment");
  const changes = [];
  element.on("change", (event) => changes.push(event));
  element.mount("#payment-element");
  SCENARIO
  console.log(JSON.stringify(results));
})();
"""

RENDER_AND_VALIDATE = """
  const number = byAutocomplete("cc-number");
  const expiry = byAutocomplete("cc-exp");
  const cvc = byAutocomplete("cc-csc");
  const labelFor = (input) => container.find(
    (n) => n.tagName === "LABEL" && n.getAttribute("for") === input.getAttribute("id")).textContent;
  results.fields = [number, expiry, cvc].map((input) => ({
    label: labelFor(input), inputmode: input.getAttribute("inputmode") }));
  results.alert = container.find((n) => n.getAttribute("role") === "alert") !== null;
  results.testCards = container.find((n) => n.getAttribute("class") === "sim-test-cards")
    .textContent;
  results.beforeSubmit = await stripe.createConfirmationToken({ elements });
  type(number, "4242424242424241"); type(expiry, "1240"); type(cvc, "123");
  results.typed = [number.value, expiry.value];
  results.badNumber = await elements.submit();
  results.ariaInvalid = number.getAttribute("aria-invalid");
  type(number, "4242424242424242"); type(expiry, "0120");
  results.pastExpiry = await elements.submit();
  type(expiry, "1240"); type(cvc, "1");
  results.shortCvc = await elements.submit();
  type(cvc, "123");
  results.lastChange = changes[changes.length - 1];
"""

PAY_WITH_TEST_CARD = """
  const card = container.find((n) => n.tagName === "BUTTON" && n.textContent === "NUMBER");
  card.fire("click");
  results.submit = await elements.submit();
  results.token = await stripe.createConfirmationToken({
    elements, params: { payment_method_data: { billing_details: { name: "Ada Lovelace" } } } });
"""


def run_standin(scenario: str, api_base: str, key: str = PUBLISHABLE_KEY) -> dict:
    script = HARNESS.replace("SCENARIO", scenario)
    finished = subprocess.run(
        [NODE, "-e", script, str(STANDIN), api_base, key],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


@pytest.fixture
def sim():
    simulator = Simulator()
    yield simulator
    simulator.close()


@pytest.fixture
def server(sim):
    running = serve(sim, port=0)
    yield running
    running.shutdown()


def test_card_fields_are_labelled_and_checked_before_anything_is_sent(sim, server):
    results = run_standin(RENDER_AND_VALIDATE, server.url)

    assert results["fields"] == [
        {"label": "Card number", "inputmode": "numeric"},
        {"label": "Expiry date (MM / YY)", "inputmode": "numeric"},
        {"label": "Security code (CVC)", "inputmode": "numeric"},
    ]
    assert results["alert"] is True
    assert "4242 4242 4242 4242" in results["testCards"]
    assert "4000 0027 6000 3184" in results["testCards"]
    assert results["beforeSubmit"]["error"]["message"].startswith("elements.submit() must be")
    assert results["typed"] == ["4242 4242 4242 4241", "12 / 40"]
    assert results["badNumber"]["error"] == {
        "type": "validation_error",
        "code": "invalid_number",
        "message": "Your card number is invalid.",
    }
    assert results["ariaInvalid"] == "true"
    assert results["pastExpiry"]["error"]["code"] == "invalid_expiry_year_past"
    assert results["shortCvc"]["error"]["code"] == "incomplete_cvc"
    assert results["lastChange"]["complete"] is True
    assert sim.requests == []  # nothing left the "browser"


def test_a_test_card_becomes_a_confirmation_token_the_server_can_confirm(sim, server):
    results = run_standin(PAY_WITH_TEST_CARD.replace("NUMBER", "4000 0027 6000 3184"), server.url)

    assert results["submit"] == {}
    made = results["token"]["confirmationToken"]
    assert made["id"].startswith("ctoken_")
    assert made["payment_method_preview"]["card"]["last4"] == "3184"
    assert made["payment_method_preview"]["billing_details"]["name"] == "Ada Lovelace"
    client = stripe.StripeClient(
        SECRET_KEY,
        base_addresses={"api": "http://simulator.invalid"},
        http_client=InProcessHTTPClient(sim),
    )
    intent = client.v1.payment_intents.create(
        {
            "amount": 1250,
            "currency": "usd",
            "capture_method": "manual",
            "confirm": True,
            "confirmation_token": made["id"],
            "return_url": "http://127.0.0.1:8000/checkout/return/",
        }
    )
    assert intent.status == "requires_action"


def test_an_unreachable_simulator_says_the_shopper_was_not_charged():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    results = run_standin(
        PAY_WITH_TEST_CARD.replace("NUMBER", "4242 4242 4242 4242"),
        f"http://127.0.0.1:{closed_port}",
    )

    assert results["token"] == {
        "error": {
            "type": "api_connection_error",
            "message": "We could not reach the payment service. You have not been charged.",
        }
    }
