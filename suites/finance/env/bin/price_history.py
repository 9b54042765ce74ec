#!/usr/bin/env python3
"""price_history.py - daily rows of one ticker between two dates, inclusive.

The market-data service's history endpoint: reads the daily price table
named on the command line and prints the matching rows, one JSON object a
line, oldest first. Arguments come as environment variables: ARG_TICKER,
ARG_START and ARG_END (YYYY-MM-DD). At most 92 calendar days per request.
"""
import csv
import datetime
import io
import json
import os
import sys


def fail(msg):
    print("error: " + msg)
    sys.exit(2)


def day(name):
    text = os.environ.get("ARG_" + name, "").strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        fail("%s must be a date as YYYY-MM-DD, got %r" % (name.lower(), text))


def delimiter(header):
    # The most frequent candidate on the header line, as the feed writes it.
    counts = {c: header.count(c) for c in ",;\t|"}
    return max(",;\t|", key=lambda c: (counts[c], c == ","))


def main():
    ticker = os.environ.get("ARG_TICKER", "").strip()
    if not ticker:
        fail("ticker is required")
    start, end = day("START"), day("END")
    if end < start:
        fail("end is before start")
    if (end - start).days > 92:
        fail("at most 92 calendar days per request; split the range")
    with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
        text = f.read()
    first = text.split("\n", 1)[0]
    rows = csv.reader(io.StringIO(text), delimiter=delimiter(first))
    header = next(rows)
    hits = 0
    for rec in rows:
        r = dict(zip(header, rec))
        d = r.get("date", "")
        if r.get("ticker") == ticker and start.isoformat() <= d <= end.isoformat():
            print(json.dumps(r, ensure_ascii=False))
            hits += 1
    if not hits:
        print("no trading days for %s between %s and %s" % (ticker, start, end))


main()
