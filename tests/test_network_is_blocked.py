"""Tests never reach the internet: outbound sockets are blocked except loopback."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_connecting_to_a_public_address_is_blocked():
    with (
        pytest.raises(SocketConnectBlockedError),
        socket.create_connection(("203.0.113.10", 443), timeout=1),
    ):
        pass


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    with server, socket.create_connection(server.getsockname(), timeout=1):
        pass
