"""The development mail server (shop/devtools/smtp_sink.py) that `manage.py soak` and
`make cluster-check` count e-mails with: it keeps what Django's SMTP backend sends, and while
holding it stalls a sender mid-message without ever accepting it."""

from smtplib import SMTPServerDisconnected

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from shop.devtools.smtp_sink import SMTPSink


def order_mail(to="mika@example.com") -> EmailMessage:
    return EmailMessage(
        "Your order is confirmed",
        "Thank you.\n.\nA line with a dot.",  # a lone dot would end DATA unless escaped
        "shop@example.com",
        [to],
        headers={"Message-ID": f"<order-1.{to}>"},  # as the shop's mail: the same on a retry
    )


def test_the_sink_keeps_what_django_sends_over_smtp():
    with SMTPSink() as sink:
        sent = EmailBackend(host="127.0.0.1", port=sink.port, timeout=5).send_messages(
            [order_mail()]
        )

    (kept,) = sink.messages
    assert sent == 1
    assert kept["Subject"] == "Your order is confirmed"
    assert kept["To"] == "mika@example.com"
    assert kept.get_content().splitlines() == ["Thank you.", ".", "A line with a dot."]
    assert sink.url == f"smtp://127.0.0.1:{sink.port}"


def test_a_held_message_is_never_accepted_and_the_sender_is_left_waiting():
    with SMTPSink() as sink:
        sink.holding.set()
        message = order_mail(to="held@example.com")
        stuck = EmailBackend(host="127.0.0.1", port=sink.port, timeout=1)
        with pytest.raises(SMTPServerDisconnected):
            stuck.send_messages([message])
        sink.holding.clear()
        EmailBackend(host="127.0.0.1", port=sink.port, timeout=5).send_messages([message])

    (held,) = sink.held
    assert held["Message-ID"] == "<order-1.held@example.com>"
    assert sink.copies("<order-1.held@example.com>") == 1
    assert [str(m["To"]) for m in sink.delivered_to("held@example.com")] == ["held@example.com"]
    assert sink.delivered_to("someone-else@example.com") == []
