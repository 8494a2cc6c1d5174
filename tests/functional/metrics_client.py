#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of metrics.sh (plain sockets, no HTTP library):
  free-port                   print a TCP port free on 127.0.0.1
  hold PORT SECONDS           listen on 127.0.0.1:PORT for SECONDS (a busy port)
  sum FILE NAME [K=V ...]     sum of the samples of NAME (labels K=V all matching) in a
                              text-format scrape; fails if there is none
  mono OLD NEW                every counter sample of OLD (*_total, and a histogram's
                              _bucket, _count, _sum) is in NEW and not smaller
  hostile PORT ROUNDS         malformed requests, a huge URL, a slowloris flood, ROUNDS
                              times; prints what each kind got back
  hist FILE NAME              the histogram NAME in a scrape: for each series, buckets
                              that never go down as `le` grows, a +Inf bucket equal to
                              NAME_count, a NAME_sum; prints "LABELS COUNT SUM" per series
  dash FILE.json SCRAPE...    a Grafana dashboard: panels with targets, every expr names
                              only linecap_* series that occur in one of the scrapes;
                              prints each expr, Grafana's variables replaced, for promtool"""
import re
import socket
import sys
import time

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(path):
    out = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            m = SAMPLE.match(line)
            if not m:
                sys.exit(f'unparsable sample line: {line!r}')
            labels = tuple(sorted(LABEL.findall(m.group(3) or '')))
            out[(m.group(1), labels)] = float(m.group(4))
    return out


def cmd_sum(path, name, *want):
    pairs = [w.split('=', 1) for w in want]
    total, n = 0, 0
    for (nm, labels), v in samples(path).items():
        d = dict(labels)
        if nm == name and all(d.get(k) == val for k, val in pairs):
            total += v
            n += 1
    if n == 0:
        sys.exit(f'{path}: no sample of {name} {want}')
    print(int(total))


def cmd_mono(old, new):
    a, b = samples(old), samples(new)
    bad = 0
    for key, v in a.items():
        if not key[0].endswith(('_total', '_bucket', '_count', '_sum')):
            continue
        if key not in b:
            print(f'series {key} disappeared', file=sys.stderr)
            bad += 1
        elif b[key] < v:
            print(f'counter {key} went down: {v} -> {b[key]}', file=sys.stderr)
            bad += 1
    sys.exit(1 if bad else 0)


def send(port, data, wait=2.0):
    s = socket.create_connection(('127.0.0.1', port), timeout=wait)
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = b''
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    except OSError:
        got = b''
    finally:
        s.close()
    return got.split(b'\r\n', 1)[0].decode('latin-1')


def cmd_hostile(port, rounds):
    port, rounds = int(port), int(rounds)
    seen = {}
    for _ in range(rounds):
        for kind, data in (
            ('garbage', b'\x00\xff\x16\x03\x01 not http at all\r\n\r\n'),
            ('bad-request-line', b'GET\r\n\r\n'),
            ('bad-version', b'GET /metrics HTTP/9.9\r\n\r\n'),
            ('huge-url', b'GET /' + b'a' * 200000 + b' HTTP/1.1\r\nHost: x\r\n\r\n'),
            ('huge-header', b'GET /metrics HTTP/1.1\r\nX: ' + b'b' * 100000 + b'\r\n\r\n'),
            ('post', b'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello'),
            ('unknown-path', b'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n'),
        ):
            try:
                seen.setdefault(kind, set()).add(send(port, data) or '(closed)')
            except OSError as e:
                seen.setdefault(kind, set()).add(type(e).__name__)
        # slowloris: more half-sent requests than the server takes, trickled, then dropped
        socks = []
        for _ in range(24):
            try:
                s = socket.create_connection(('127.0.0.1', port), timeout=1)
                s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\n')
                socks.append(s)
            except OSError:
                pass
        for _ in range(3):
            time.sleep(0.3)
            for s in socks:
                try:
                    s.sendall(b'X-a: b\r\n')
                except OSError:
                    pass
        for s in socks:
            s.close()
        seen.setdefault('slowloris', set()).add(f'{len(socks)} connections')
    for kind, got in sorted(seen.items()):
        print(f'  {kind}: {", ".join(sorted(got))}')


def cmd_hist(path, name):
    series = {}
    for (nm, labels), v in samples(path).items():
        d = dict(labels)
        if nm == name + '_bucket':
            le = d.pop('le')
            key = tuple(sorted(d.items()))
            series.setdefault(key, {}).setdefault('b', []).append(
                (float('inf') if le == '+Inf' else float(le), v))
        elif nm in (name + '_sum', name + '_count'):
            series.setdefault(labels, {})[nm[len(name) + 1:]] = v
    if not series:
        sys.exit(f'{path}: no histogram {name}')
    for key, h in sorted(series.items()):
        b = sorted(h.get('b', []))
        if not b or b[-1][0] != float('inf'):
            sys.exit(f'{name}{dict(key)}: no +Inf bucket')
        for (le0, v0), (le1, v1) in zip(b, b[1:]):
            if v1 < v0:
                sys.exit(f'{name}{dict(key)}: bucket le={le1} ({v1}) < le={le0} ({v0})')
        if 'count' not in h or 'sum' not in h:
            sys.exit(f'{name}{dict(key)}: _count or _sum missing')
        if h['count'] != b[-1][1]:
            sys.exit(f'{name}{dict(key)}: _count {h["count"]} != +Inf bucket {b[-1][1]}')
        lab = ','.join(f'{k}={val}' for k, val in key)
        print(f'{lab or "-"} {int(h["count"])} {h["sum"]:.9f}')


METRIC = re.compile(r'\b(linecap_[a-zA-Z0-9_]+)\b')


def cmd_dash(dash, *scrapes):
    import json
    with open(dash, encoding='utf-8') as f:
        d = json.load(f)
    names = set()
    for sc in scrapes:
        names.update(nm for nm, _ in samples(sc))
    panels = list(d.get('panels', []))
    for p in list(panels):
        panels.extend(p.get('panels', []))  # rows
    exprs = []
    for p in panels:
        if p.get('type') == 'row':
            continue
        if not p.get('title') or not p.get('targets'):
            sys.exit(f'{dash}: panel {p.get("id")} has no title or no targets')
        for t in p['targets']:
            if not t.get('expr'):
                sys.exit(f'{dash}: panel {p["title"]!r}: a target without expr')
            exprs.append((p['title'], t['expr']))
    for v in d.get('templating', {}).get('list', []):
        q = v.get('query')
        if isinstance(q, dict):
            q = q.get('query')
        if v.get('type') == 'query' and q:
            m = re.match(r'label_values\((.*),\s*\w+\)$', q)
            exprs.append((f'variable {v["name"]}', m.group(1) if m else q))
    if len(exprs) < 8:
        sys.exit(f'{dash}: only {len(exprs)} queries')
    bad = 0
    for title, e in exprs:
        for nm in METRIC.findall(e):
            if nm not in names:
                print(f'{dash}: {title!r}: {nm} is not exported by linecap', file=sys.stderr)
                bad += 1
        e = re.sub(r'\$__(rate_interval|interval|range)', '5m', e)
        e = re.sub(r'\$\{?(\w+)\}?', 'x', e)
        print(e.replace('\n', ' '))
    sys.exit(1 if bad else 0)


def cmd_free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    print(s.getsockname()[1])
    s.close()


def cmd_hold(port, secs):
    s = socket.socket()
    s.bind(('127.0.0.1', int(port)))
    s.listen(1)
    print('listening', flush=True)
    time.sleep(float(secs))


def main():
    cmds = {'sum': cmd_sum, 'mono': cmd_mono, 'hostile': cmd_hostile, 'hist': cmd_hist,
            'dash': cmd_dash,
            'free-port': cmd_free_port, 'hold': cmd_hold}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])


if __name__ == '__main__':
    main()
