#!/usr/bin/env python3
"""The test bed's network: one TUN device per host and a switch that carries IPv4 packets between them, adding what
`tc netem` would (delay, random loss, a rate cap) on each host's outgoing link, and dropping everything from and to
a host that is cut off. It exists because some kernels are built without sch_netem (CONFIG_NET_SCH_NETEM); a TUN
device and this process work on any Linux with /dev/net/tun.

Started with the host list as JSON in argv[1]: [{"name": "n1", "tun": "tgh-n1", "address": "10.77.0.11"}, ...].
It creates the (non-persistent) TUN devices, prints "ready", then takes one JSON command per line on stdin:
  {"host": "n1", "delayMs": 25, "lossPercent": 1, "rateKbit": 0}   link of n1 (what n1 sends)
  {"host": "n1", "cut": true}                                      pull n1's cable (false plugs it back)
and answers each with "ok" (or "error: ...") on stdout. The devices vanish when the process exits.
"""
import fcntl
import heapq
import json
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    hosts = json.loads(sys.argv[1])
    by_fd = {}
    by_address = {}
    links = {}
    for h in hosts:
        fd = open_tun(h["tun"])
        by_fd[fd] = h["name"]
        by_address[bytes(int(x) for x in h["address"].split("."))] = (h["name"], fd)
        links[h["name"]] = {"delay": 0.0, "loss": 0.0, "rate": 0.0, "cut": False, "free_at": 0.0}
    stdin = sys.stdin.fileno()
    os.set_blocking(stdin, False)
    print("ready", flush=True)
    queue = []  # (due, seq, fd, packet)
    seq = 0
    pending = b""
    while True:
        now = time.monotonic()
        timeout = max(0.0, queue[0][0] - now) if queue else 1.0
        readable, _, _ = select.select(list(by_fd) + [stdin], [], [], timeout)
        for fd in readable:
            if fd == stdin:
                chunk = os.read(stdin, 65536)
                if not chunk:
                    return  # the test process is gone: so is the network
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if not line.strip():
                        continue
                    try:
                        cmd = json.loads(line)
                        link = links[cmd["host"]]
                        if "cut" in cmd:
                            link["cut"] = bool(cmd["cut"])
                        if "delayMs" in cmd:
                            link["delay"] = float(cmd["delayMs"]) / 1000
                            link["loss"] = float(cmd.get("lossPercent") or 0) / 100
                            link["rate"] = float(cmd.get("rateKbit") or 0) * 1000
                        print("ok", flush=True)
                    except Exception as e:  # a bad command is the test's bug: say which
                        print("error: %s" % e, flush=True)
                continue
            src = by_fd[fd]
            for _ in range(64):
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if len(packet) < 20 or packet[0] >> 4 != 4:
                    continue
                dst = by_address.get(packet[16:20])
                link = links[src]
                if dst is None or link["cut"] or links[dst[0]]["cut"]:
                    continue
                if link["loss"] and random.random() < link["loss"]:
                    continue
                now = time.monotonic()
                depart = now
                if link["rate"]:
                    # A serialising link: each packet leaves after the ones before it.
                    depart = max(now, link["free_at"]) + len(packet) * 8 / link["rate"]
                    link["free_at"] = depart
                seq += 1
                heapq.heappush(queue, (depart + link["delay"], seq, dst[1], packet))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, fd, packet = heapq.heappop(queue)
            # A host cut off meanwhile gets nothing more, whatever was on the wire.
            if links[by_fd[fd]]["cut"]:
                continue
            try:
                os.write(fd, packet)
            except (BlockingIOError, OSError):
                pass


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
