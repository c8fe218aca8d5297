"""The checks themselves: network I/O only, no database. Each returns what it measured as
samples named as the Prometheus blackbox exporter names them, so rules read the same
whether Yingji or a Prometheus measured it. A failure is a result (probe_success 0 and a
reason), never an exception out of the engine."""

from __future__ import annotations

import asyncio
import functools
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import urllib3
from prometheus_client.parser import text_string_to_metric_families

MAX_BODY = 5 * 1024 * 1024  # an exporter page larger than this is refused, not parsed
MAX_SERIES = 2000


@dataclass
class ProbeResult:
    ok: bool
    error: str = ""
    # (metric, labels, value)
    samples: list[tuple[str, dict[str, str], float]] = field(default_factory=list)


@functools.cache
def _pool() -> urllib3.PoolManager:
    """One pool per process, shared by the probe threads: a target checked every minute keeps
    its connection. Certificates are checked against the system's store."""
    return urllib3.PoolManager(num_pools=64, maxsize=8, retries=False, cert_reqs="CERT_REQUIRED")


def run(kind: str, target: str, config: dict[str, Any], timeout: float) -> ProbeResult:
    started = time.monotonic()
    try:
        result = PROBES[kind](target, config, timeout)
    except Exception as exc:  # a probe's failure is its result; the engine carries on
        result = ProbeResult(False, f"{type(exc).__name__}: {exc}"[:500])
    elapsed = time.monotonic() - started
    result.samples += [
        ("probe_success", {}, 1.0 if result.ok else 0.0),
        ("probe_duration_seconds", {}, round(elapsed, 4)),
    ]
    return result


def http_probe(target: str, config: dict[str, Any], timeout: float) -> ProbeResult:
    response = _pool().request(
        "GET",
        target,
        timeout=urllib3.Timeout(total=timeout),
        preload_content=False,
        redirect=True,
        headers={"User-Agent": "Yingji-monitoring"},
    )
    body = response.read(MAX_BODY, decode_content=True)
    response.release_conn()
    samples: list[tuple[str, dict[str, str], float]] = [
        ("probe_http_status_code", {}, float(response.status))
    ]
    if urlsplit(target).scheme == "https":
        samples.append(("probe_ssl_earliest_cert_expiry_days", {}, tls_days_left(target, timeout)))
    expected = config.get("expect_status", 200)
    if response.status != expected:
        return ProbeResult(False, f"HTTP {response.status}, expected {expected}", samples)
    wanted = config.get("body_contains", "")
    if wanted and wanted not in body.decode("utf-8", "replace"):
        return ProbeResult(False, f"the page does not contain {wanted!r}", samples)
    return ProbeResult(True, "", samples)


def tls_days_left(url: str, timeout: float) -> float:
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    context = ssl.create_default_context()
    with (
        socket.create_connection((host, port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        not_after = tls.getpeercert()["notAfter"]  # type: ignore[index]
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(str(not_after)), tz=UTC)
    return round((expires - datetime.now(UTC)).total_seconds() / 86400, 2)


def tcp_probe(target: str, config: dict[str, Any], timeout: float) -> ProbeResult:
    host, _sep, port = target.rpartition(":")
    with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
        pass
    return ProbeResult(True)


def prometheus_probe(target: str, config: dict[str, Any], timeout: float) -> ProbeResult:
    """Scrape an exporter's text exposition, keeping the configured metric names (all of
    them when none are named, up to MAX_SERIES)."""
    response = _pool().request(
        "GET", target, timeout=urllib3.Timeout(total=timeout), preload_content=False
    )
    body = response.read(MAX_BODY + 1, decode_content=True)
    response.release_conn()
    if response.status != 200:
        return ProbeResult(False, f"HTTP {response.status}")
    if len(body) > MAX_BODY:
        return ProbeResult(False, "the exporter's page is larger than 5 MB")
    keep = set(config.get("metrics") or [])
    samples = []
    for family in text_string_to_metric_families(body.decode("utf-8", "replace")):
        for sample in family.samples:
            if keep and sample.name not in keep and family.name not in keep:
                continue
            samples.append((sample.name, dict(sample.labels), float(sample.value)))
            if len(samples) >= MAX_SERIES:
                return ProbeResult(True, f"kept the first {MAX_SERIES} series", samples)
    return ProbeResult(True, "", samples)


PROBES = {"http": http_probe, "tcp": tcp_probe, "prometheus": prometheus_probe}


# SNMP (R-MON-1: network devices): SNMPv2-MIB sysUpTime and IF-MIB's interface table.
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
IF_COLUMNS = {
    "1.3.6.1.2.1.2.2.1.2": "name",  # ifDescr
    "1.3.6.1.2.1.2.2.1.8": "snmp_if_up",  # ifOperStatus: 1 up
    "1.3.6.1.2.1.31.1.1.1.6": "snmp_if_in_octets_total",  # ifHCInOctets (64-bit)
    "1.3.6.1.2.1.31.1.1.1.10": "snmp_if_out_octets_total",  # ifHCOutOctets
}
MAX_INTERFACES = 256


def snmp_probe(target: str, config: dict[str, Any], timeout: float) -> ProbeResult:
    """SNMP v2c or v3: uptime, and per interface its state and traffic counters (the recorder
    turns counters into rates). Each probe thread runs its own event loop."""
    return asyncio.run(_snmp(target, config, timeout))


async def _snmp(target: str, config: dict[str, Any], timeout: float) -> ProbeResult:
    from pysnmp.hlapi.v3arch.asyncio import (
        ContextData,
        ObjectIdentity,
        ObjectType,
        SnmpEngine,
        UdpTransportTarget,
        get_cmd,
        walk_cmd,
    )

    host, _sep, port = target.rpartition(":")
    engine = SnmpEngine()
    try:
        auth = _snmp_credentials(config)
        transport = await UdpTransportTarget.create(
            (host.strip("[]"), int(port)), timeout=timeout, retries=0
        )
        error, status, _index, binds = await get_cmd(
            engine, auth, transport, ContextData(), ObjectType(ObjectIdentity(SYS_UPTIME))
        )
        if error or status:
            return ProbeResult(False, f"SNMP: {error or status.prettyPrint()}")
        samples: list[tuple[str, dict[str, str], float]] = [
            ("snmp_uptime_seconds", {}, int(binds[0][1]) / 100)
        ]
        table: dict[str, dict[str, Any]] = {}
        for column, field_name in IF_COLUMNS.items():
            async for error, status, _index, row in walk_cmd(
                engine,
                auth,
                transport,
                ContextData(),
                ObjectType(ObjectIdentity(column)),
                lexicographicMode=False,
            ):
                if error or status:
                    break
                for oid, value in row:
                    index = str(oid).rsplit(".", 1)[-1]
                    if len(table) < MAX_INTERFACES or index in table:
                        table.setdefault(index, {})[field_name] = value
        samples += _interface_samples(table)
        return ProbeResult(True, "", samples)
    finally:
        engine.close_dispatcher()


def _snmp_credentials(config: dict[str, Any]) -> Any:
    """v2c (what most intranet switches still use) or v3 USM, with Net-SNMP's protocol
    names; "AES-256" is Net-SNMP's key extension (Blumenthal), "AES-256-C" Cisco's (Reeder)."""
    from pysnmp.hlapi.v3arch import asyncio as hlapi

    if config.get("version", "2c") != "3":
        return hlapi.CommunityData(config.get("community", "public"), mpModel=1)  # noqa: S508
    auth = {
        "MD5": hlapi.usmHMACMD5AuthProtocol,
        "SHA": hlapi.usmHMACSHAAuthProtocol,
        "SHA-256": hlapi.usmHMAC192SHA256AuthProtocol,
        "SHA-512": hlapi.usmHMAC384SHA512AuthProtocol,
    }[config["auth_protocol"]]
    priv = {
        "none": hlapi.usmNoPrivProtocol,
        "DES": hlapi.usmDESPrivProtocol,
        "AES": hlapi.usmAesCfb128Protocol,
        "AES-256": hlapi.usmAesBlumenthalCfb256Protocol,
        "AES-256-C": hlapi.usmAesCfb256Protocol,
    }[config["priv_protocol"]]
    return hlapi.UsmUserData(
        config["user"],
        authKey=config["auth_key"],
        privKey=config.get("priv_key"),
        authProtocol=auth,
        privProtocol=priv,
    )


def _interface_samples(table: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, str], float]]:
    samples = []
    for index, row in table.items():
        labels = {"interface": str(row.get("name", index))[:100]}
        if "snmp_if_up" in row:
            samples.append(("snmp_if_up", labels, 1.0 if int(row["snmp_if_up"]) == 1 else 0.0))
        for metric in ("snmp_if_in_octets_total", "snmp_if_out_octets_total"):
            if metric in row:
                samples.append((metric, labels, float(int(row[metric]))))
    return samples


PROBES["snmp"] = snmp_probe


def ping_probe(target: str, config: dict[str, Any], timeout: float) -> ProbeResult:
    """ICMP echo: round-trip time and loss. Unprivileged ICMP sockets where the OS allows
    them (sysctl net.ipv4.ping_group_range); raw sockets when Yingji runs as root."""
    from icmplib import ping
    from icmplib.exceptions import SocketPermissionError

    count = int(config.get("count", 3))
    try:
        host = ping(target, count=count, interval=0.2, timeout=timeout, privileged=False)
    except SocketPermissionError:
        try:
            host = ping(target, count=count, interval=0.2, timeout=timeout, privileged=True)
        except SocketPermissionError:
            return ProbeResult(
                False,
                "ping is not allowed: set net.ipv4.ping_group_range "
                "to include Yingji's group, or run it as root",
            )
    samples: list[tuple[str, dict[str, str], float]] = [
        ("probe_icmp_packet_loss_ratio", {}, float(host.packet_loss))
    ]
    if host.is_alive:
        samples.append(("probe_icmp_rtt_seconds", {}, host.avg_rtt / 1000))
        return ProbeResult(True, "", samples)
    return ProbeResult(False, f"no reply to {count} pings", samples)


PROBES["ping"] = ping_probe
