"""Sending one webhook over HTTP, without server-side request forgery.

On every attempt the host is resolved (``socket.getaddrinfo``) and every address it resolves
to is checked: loopback, private, link-local, shared and other non-global addresses are
refused unless ``allow_private_addresses``; cloud metadata and other link-local addresses,
multicast and unspecified addresses always. The request then goes to the vetted address itself, with the URL's host
in the Host header and, over HTTPS, in SNI and certificate verification (httpx's
``sni_hostname``), so a DNS answer that changes between the check and the connection
(DNS rebinding) cannot send it elsewhere. Redirects are not followed, proxies from the
environment are not used, and the receiver's answer is read only up to a few kilobytes.

An attempt ends within its deadline, connect_timeout + read_timeout in all: each network
operation's timeout is cut to what is left of it (``_DeadlineBackend``). Timeouts alone
bound each read, and a receiver that sends one byte of its headers per read timeout would
hold a sending thread, and its worker's lease, for as long as it likes.
"""
from __future__ import annotations

import contextvars
import ipaddress
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urlsplit

import httpcore
import httpx

log = logging.getLogger(__name__)

USER_AGENT = "moderation-webhooks/1 (Standard Webhooks)"
# Cloud instance metadata services: never a webhook receiver, even where private addresses are allowed.
METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"),
                      ipaddress.ip_address("100.100.100.200")}
# Never a receiver either: link-local addresses carry credential endpoints (ECS 169.254.170.2,
# EKS Pod Identity 169.254.170.23, Tencent 169.254.0.23), and AWS puts its IPv6 ones in
# fd00:ec2::/32, which is otherwise an ordinary private (ULA) range.
CLOUD_SERVICE_NETWORKS = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"),
                          ipaddress.ip_network("fd00:ec2::/32"))
MAX_ANSWER_BYTES = 16384
# IPv6 prefixes that carry an IPv4 address a gateway or relay forwards to: NAT64 (RFC 6052
# and the local-use prefix of RFC 8215) and IPv4-compatible addresses (last 32 bits); 6to4
# (2002::/16, bits 16-48) through ``sixtofour``.
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"),
                  ipaddress.ip_network("::/96"))

Resolver = Callable[[str, int], list[str]]


class RefusedAddress(Exception):
    """The URL's host resolves to an address that deliveries may not reach."""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None
    latency_ms: int | None
    error: str | None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), through the system's resolver."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4, IPv4-compatible)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in prefix for prefix in NAT64_PREFIXES) and int(ip) & 0xFFFFFFFF > 1:  # not :: or ::1
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(address: str, allow_private: bool) -> str | None:
    """Why deliveries may not go to ``address``, or None when they may.

    An IPv6 address that embeds an IPv4 one (::ffff:127.0.0.1, 64:ff9b::7f00:1 through a
    NAT64 gateway, 2002:7f00:1:: through 6to4) is judged as that IPv4 address.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        ip = _embedded_ipv4(ip) or ip
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if any(ip in network for network in CLOUD_SERVICE_NETWORKS):
        return "a link-local or cloud service address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if allow_private:
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "not a public address"
    return None


def vet(host: str, port: int, allow_private: bool, resolver: Resolver) -> str:
    """Resolve ``host`` and return the address to connect to; RefusedAddress if any is forbidden.

    Every address is checked, not only the first: a name that mixes a public and a private
    address is refused, since the connection could end up on either.
    """
    try:
        addresses = resolver(host, port)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedAddress(f"cannot resolve the host: {exc.__class__.__name__}") from None
    if not addresses:
        raise RefusedAddress("the host resolves to no address")
    for address in addresses:
        problem = address_problem(address, allow_private)
        if problem is not None:
            raise RefusedAddress(f"refused: the host resolves to {address}, {problem}")
    return addresses[0]


def literal_address_problem(url: str, allow_private: bool) -> str | None:
    """For URLs whose host is an IP address: why it is refused (checked when an endpoint is saved)."""
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return address_problem(host, allow_private)


# When the current attempt must be over (time.monotonic()); None outside an attempt. Set per
# attempt, in the thread that sends it: httpcore's sync connections do their I/O there.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("webhook_attempt_deadline", default=None)


def _within(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout``, cut to what is left of the attempt's deadline; ``expired`` once it has passed."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the attempt's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every operation ends by the deadline of the attempt using it.

    Python's socket and TLS calls take their timeout as a bound on the whole call (sendall,
    a TLS handshake or record), so cutting each one to what is left bounds the attempt.
    """

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _within(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _within(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname,
                                                      _within(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[tuple] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(super().connect_tcp(host, port, _within(timeout, httpcore.ConnectTimeout),
                                                   local_address, socket_options))


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport, over connections that keep the attempt's deadline.

    httpx takes no network backend, so its connection pool is made again with one, as httpx
    makes it (for a client without proxies or environment settings).
    """

    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(trust_env=False, limits=limits)
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError("this httpx keeps its connection pool elsewhere: attempts would have no deadline")
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend())


class Sender:
    """POSTs signed bodies; one httpx client per host name, so a kept-alive TLS connection
    made for one name is never reused for another name on the same address."""

    def __init__(self, connect_timeout: float, read_timeout: float, allow_private: bool,
                 resolver: Resolver | None = None) -> None:
        self.timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout,
                                     pool=connect_timeout)
        # One attempt, from resolving the host to the end of the answer.
        self.deadline = connect_timeout + read_timeout
        self.allow_private = allow_private
        self.resolver = resolver or system_resolver
        # httpx logs every request's URL at INFO; a receiver's URL may carry a token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self._clients: dict[str, httpx.Client] = {}
        self._lock = threading.Lock()

    def _client(self, host: str) -> httpx.Client:
        with self._lock:
            client = self._clients.get(host)
            if client is None:
                if len(self._clients) >= 256:  # many endpoints: start over rather than grow
                    self._close_all()
                client = httpx.Client(timeout=self.timeout, follow_redirects=False, trust_env=False,
                                      transport=_DeadlineTransport(httpx.Limits(max_connections=32,
                                                                                max_keepalive_connections=8)))
                self._clients[host] = client
            return client

    def post(self, url: str, headers: dict[str, str], body: bytes) -> Outcome:
        """One attempt, over by ``deadline``. Never raises for the receiver's or the network's failures."""
        started, ends = time.perf_counter(), time.monotonic() + self.deadline
        deadline = _deadline.set(ends)
        try:
            parsed = httpx.URL(url)
            # The ASCII (IDNA) form: what DNS, the Host header and SNI carry.
            host, port = parsed.raw_host.decode("ascii"), parsed.port or (443 if parsed.scheme == "https" else 80)
            address = vet(host, port, self.allow_private, self.resolver)
            target = parsed.copy_with(host=address)
            netloc = host if ":" not in host else f"[{host}]"
            if parsed.port is not None:
                netloc = f"{netloc}:{parsed.port}"
            request_headers = {**headers, "Host": netloc, "Content-Type": "application/json",
                               "User-Agent": USER_AGENT}
            extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
            client = self._client(host)
            request = client.build_request("POST", target, headers=request_headers, content=body,
                                           extensions=extensions)
            response = client.send(request, stream=True)
            try:
                # The status is the answer. The rest is read so that the connection can be
                # reused, but only a little of it, and only until the deadline: then the
                # connection is dropped.
                read = 0
                for chunk in response.iter_raw():
                    read += len(chunk)
                    if read > MAX_ANSWER_BYTES:
                        break
            except httpx.TimeoutException:
                pass
            finally:
                response.close()
        except RefusedAddress as exc:
            return Outcome(False, None, None, str(exc)[:300])
        except httpx.TimeoutException as exc:
            if time.monotonic() >= ends - 0.01:  # cut short by the deadline, not one read's timeout
                return Outcome(False, None, _ms(started), f"timeout (attempt over {self.deadline:g} s)")
            return Outcome(False, None, _ms(started), f"timeout ({_kind(exc)})")
        except httpx.HTTPError as exc:
            return Outcome(False, None, _ms(started), _network_error(exc))
        except (httpx.InvalidURL, ValueError, OSError) as exc:
            return Outcome(False, None, _ms(started), f"{type(exc).__name__}")
        finally:
            _deadline.reset(deadline)
        status = response.status_code
        ok = 200 <= status < 300
        return Outcome(ok, status, _ms(started), None if ok else f"HTTP {status}")

    def close(self) -> None:
        with self._lock:
            self._close_all()

    def _close_all(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()


def _ms(started: float) -> int:
    return int(round((time.perf_counter() - started) * 1000))


def _kind(exc: Exception) -> str:
    return {httpx.ConnectTimeout: "connect", httpx.ReadTimeout: "read", httpx.WriteTimeout: "write",
            httpx.PoolTimeout: "pool"}.get(type(exc), "timeout")


def _network_error(exc: httpx.HTTPError) -> str:
    """A short reason without the URL (it may carry a token) or anything the receiver sent."""
    cause = exc.__cause__ or exc.__context__
    while cause is not None and cause.__cause__ is not None:
        cause = cause.__cause__
    if isinstance(cause, ConnectionRefusedError) or "refused" in str(exc).lower():
        return "connection refused"
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect" + (": TLS" if "ssl" in str(exc).lower() or "certificate" in str(exc).lower() else "")
    return type(exc).__name__
