"""The SSRF guard: endpoints never lead into this machine or our network, unless allowed."""

import ipaddress
import re
import socket
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from webhooks import guard
from webhooks.models import Delivery, Endpoint
from webhooks.services import delivery_attempt, delivery_create, endpoint_create

from .conftest import ALL_EVENTS, fake_dns, point_at

REFUSED = [
    ("http://localhost/hook", "a loopback address"),
    ("http://127.0.0.1/hook", "a loopback address"),
    ("http://127.1.2.3:8080/hook", "a loopback address"),
    ("http://10.0.0.5/hook", "a private address"),
    ("http://172.16.3.4/hook", "a private address"),
    ("http://192.168.1.20/hook", "a private address"),
    ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
    ("http://169.254.10.10/hook", "a link-local address"),
    ("http://[::1]/hook", "a loopback address"),
    ("http://[::ffff:127.0.0.1]/hook", "a loopback address (inside an IPv6 address)"),
    ("http://[::ffff:10.1.2.3]/hook", "a private address (inside an IPv6 address)"),
    ("http://[::ffff:169.254.169.254]/hook", "a cloud metadata address (inside an IPv6 address)"),
    ("http://[fd00:ec2::254]/hook", "a cloud metadata address"),
    ("http://[fe80::1]/hook", "a link-local address"),
    ("http://[fc00::7]/hook", "a private address"),
    ("http://[2002:7f00:1::]/hook", "a loopback address (inside an IPv6 address)"),  # 6to4
    ("http://[64:ff9b::a00:1]/hook", "a private address (inside an IPv6 address)"),  # NAT64
    ("http://0.0.0.0/hook", "an unspecified address"),
    ("http://[::]/hook", "an unspecified address"),
    ("http://224.0.0.1/hook", "a multicast address"),
    ("http://240.0.0.1/hook", "a reserved address"),
    ("http://100.64.0.1/hook", "a non-public address"),  # carrier-grade NAT
    ("http://100.100.100.200/hook", "a cloud metadata address"),  # Alibaba
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_internal_addresses_are_refused(url, reason):
    with pytest.raises(guard.Refused, match=re.escape(f"is {reason}")):
        guard.check(url)


def test_localhost_is_refused_for_each_address_it_resolves_to():
    with pytest.raises(
        guard.Refused, match=r"localhost resolves to .*, which is a loopback address"
    ):
        guard.check("http://localhost:8000/")


def test_integer_spellings_of_loopback_are_refused():
    # getaddrinfo reads 2130706433 and 0x7f.1 as 127.0.0.1: the resolved address is what counts.
    for url in ("http://2130706433/", "http://0x7f.1/", "http://017700000001/"):
        with pytest.raises(guard.Refused, match="loopback"):
            guard.check(url)


def test_a_host_name_resolving_to_a_private_address_is_refused():
    with (
        fake_dns({"hooks.example.com": ["192.168.4.4"]}),
        pytest.raises(guard.Refused, match=re.escape("hooks.example.com resolves to 192.168.4.4")),
    ):
        guard.check("https://hooks.example.com/in")


def test_one_private_address_among_public_ones_is_enough_to_refuse():
    with (
        fake_dns({"hooks.example.com": ["93.184.216.34", "10.9.9.9"]}),
        pytest.raises(guard.Refused, match=re.escape("10.9.9.9, which is a private")),
    ):
        guard.check("https://hooks.example.com/in")


def test_a_host_name_resolving_to_an_ipv4_mapped_loopback_is_refused():
    with (
        fake_dns({"sneaky.example.com": ["::ffff:127.0.0.1"]}),
        pytest.raises(guard.Refused, match="loopback"),
    ):
        guard.check("https://sneaky.example.com/")


def test_a_public_host_passes_with_the_addresses_to_connect_to():
    with fake_dns({"hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"]}):
        target = guard.check("https://hooks.example.com:8443/in?source=newsite")
    assert target.addresses == ("93.184.216.34", "2606:2800:220:1::1")
    assert (target.scheme, target.host, target.port) == ("https", "hooks.example.com", 8443)
    assert target.path == "/in?source=newsite"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://93.184.216.34/", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("gopher://93.184.216.34/", "http:// or https://"),
        ("http://user:pw@93.184.216.34/", "no user name or password"),
        ("http://93.184.216.34:99999/", "not a usable URL"),
    ],
)
def test_other_schemes_credentials_and_bad_ports_are_refused(url, message):
    with pytest.raises(guard.Refused, match=message):
        guard.check(url)


def test_an_unresolvable_host_is_refused():
    with (
        mock.patch("socket.getaddrinfo", side_effect=socket.gaierror(-2, "Name not known")),
        pytest.raises(guard.Refused, match="cannot be resolved"),
    ):
        guard.check("https://nowhere.invalid/")


def test_allowed_hosts_are_let_through_as_written_in_the_url(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "[::1]", "Receiver.Internal"]
    assert guard.check("http://127.0.0.1:9000/").addresses == ("127.0.0.1",)
    assert guard.check("http://[::1]:9000/").addresses == ("::1",)
    with fake_dns({"receiver.internal": ["10.0.0.8"]}):
        assert guard.check("http://receiver.internal/").addresses == ("10.0.0.8",)
    # Only the names listed: another spelling of the same address is still refused.
    with pytest.raises(guard.Refused):
        guard.check("http://localhost:9000/")
    with pytest.raises(guard.Refused):
        guard.check("http://10.0.0.8/")


def test_every_metadata_address_is_refused_even_without_its_category():
    for address in guard.METADATA:
        assert guard.forbidden(address) == "a cloud metadata address"
    assert guard.forbidden(ipaddress.ip_address("93.184.216.34")) is None


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "reason"), REFUSED[:9])
def test_an_endpoint_with_an_internal_url_cannot_be_saved(url, reason):
    with pytest.raises(ValidationError) as refused:
        endpoint_create(name="Inside job", url=url, events=ALL_EVENTS)
    assert reason in refused.value.message_dict["url"][0]
    assert not Endpoint.objects.exists()


@pytest.mark.django_db
def test_the_address_is_checked_again_when_delivering(receiver):
    """DNS answered a public address when the endpoint was saved, and 10.0.0.1 later: the
    delivery is refused at that point, and not retried."""
    with fake_dns({"hooks.example.com": ["93.184.216.34"]}):
        endpoint = endpoint_create(
            name="Rebinder", url="http://hooks.example.com/in", events=ALL_EVENTS
        )
    delivery = delivery_create(endpoint=endpoint, event="test", data={})
    with (
        fake_dns({"hooks.example.com": ["10.0.0.1"]}),
        mock.patch("socket.create_connection") as connect,
    ):
        delivery_attempt(delivery=delivery)
    connect.assert_not_called()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "resolves to 10.0.0.1, which is a private address" in delivery.error
    assert delivery.next_attempt_at is None


@pytest.mark.django_db
def test_the_request_goes_to_the_address_checked_not_a_second_dns_answer(receiver, settings):
    """A rebinding DNS server answers 127.0.0.1 first and something else next: the only
    lookup is the checked one, the connection goes to it, and Host names the URL's host."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["receiver.test"]
    port = receiver.url.split(":")[2].split("/")[0]
    answers = iter([["127.0.0.1"], ["192.0.2.1"], ["192.0.2.1"]])
    real = socket.getaddrinfo
    lookups = []

    def rebinding(host, *args, **kwargs):
        if host != "receiver.test":
            return real(host, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, args[0])) for a in next(answers)]

    with mock.patch("socket.getaddrinfo", side_effect=rebinding):
        endpoint = Endpoint.objects.create(
            name="Pinned", url=f"http://receiver.test:{port}/in", events=ALL_EVENTS
        )
        receiver.secrets = [endpoint.secret]
        delivery = delivery_attempt(
            delivery=delivery_create(endpoint=endpoint, event="test", data={})
        )
    assert delivery.status == Delivery.Status.DELIVERED, delivery.error
    assert lookups == ["receiver.test"]
    assert receiver.requests[0].headers["Host"] == f"receiver.test:{port}"


@pytest.mark.django_db
def test_redirects_are_not_followed(receiver, second_receiver):
    """The receiver answers 302 to somewhere else: nothing goes there, and no retry."""
    endpoint = point_at(receiver)
    receiver.script = [302]
    delivery = delivery_attempt(delivery=delivery_create(endpoint=endpoint, event="test", data={}))
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.status_code == 302
    assert "not followed" in delivery.error
    assert len(receiver.requests) == 1
    assert second_receiver.requests == []


def test_https_connects_to_the_checked_address_and_verifies_the_host_name():
    """TLS: the socket goes to the address checked, while the certificate is checked for the
    URL's host name (SNI), never for the address."""
    import ssl

    from webhooks import client

    with fake_dns({"hooks.example.com": ["93.184.216.34"]}):
        target = guard.check("https://hooks.example.com/in")
    context = mock.Mock()
    context.wrap_socket.side_effect = ssl.SSLError("stop here")
    with (
        mock.patch("socket.create_connection") as connect,
        mock.patch("ssl.create_default_context", return_value=context),
        pytest.raises(ssl.SSLError),
    ):
        client.post(target, b"{}", {}, timeout=1)
    assert connect.call_args.args[0] == ("93.184.216.34", 443)
    assert context.wrap_socket.call_args.kwargs == {"server_hostname": "hooks.example.com"}
