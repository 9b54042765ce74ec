#!/usr/bin/env python3
"""gen_finance.py - generate the finance suite (suites/finance/).

FinSearchComp-style questions answered through mock market-data and filings
tools: time-sensitive look-ups (a close on a date, the last trading day
before a holiday, the last close at a moment in UTC) and multi-step
calculations (split-adjusted changes, total return with dividends, market
cap in another currency, P/E, CAGR). The market itself is built by
finance_world.py; this file writes suite.yaml, the tasks with their oracles
and graders, and the environment.

Deterministic: fixed seeds, sorted iteration, no timestamps. Running it
again over a checkout leaves `git status` clean.

usage: scripts/suites/gen_finance.py [OUT_DIR]     (default suites/finance)
"""
import datetime as dt
import json
import os
import re
import shutil
import sys

sys.dont_write_bytecode = True  # keep the checkout clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from finance_world import (  # noqa: E402
    CO, D, END, EX, HOL, MONTHS, ONE, SPLITS, TDAYS, WEEKDAYS, World, dec,
    fx_rate, is_trading, iso, long_date, money, r2, ratio_between, write,
    write_env)

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---- suite.yaml ------------------------------------------------------------------

SYSTEM = """You are a financial research assistant. You answer questions about listed companies using a mock market-data and filings service, which you reach through the tools provided.
Look every figure up with the tools; never rely on memory or estimates. The companies, exchanges and figures in this service are its own.
Prices are as traded on each exchange, in the listing currency, dated by the exchange's local trading date. Use a stock's adjusted close only when the question calls for split-adjusted figures.
Show the figures you used and the calculation in one or two sentences, then state the result with its unit. When the task is done, give that final answer or pass it to the submit tool."""


def prop(desc, typ="string"):
    return {"type": typ, "description": desc}


TOOLS = [
    dict(name="get_company",
         description="Reference data for a listed company: name, exchange, listing currency, sector and the month its fiscal year ends.",
         parameters={"type": "object", "properties": {
             "ticker": prop("Stock symbol, e.g. QORA")}, "required": ["ticker"]},
         run={"builtin": "table", "file": "data/companies.json", "key": ["ticker"]}),
    dict(name="get_exchange",
         description="An exchange's details: name, city, fixed UTC offset (no daylight saving time), local session open and close times, and currency.",
         parameters={"type": "object", "properties": {
             "exchange": prop("Exchange code as given by get_company, e.g. NMX")}, "required": ["exchange"]},
         run={"builtin": "table", "file": "data/exchanges.json", "key": ["exchange"]}),
    dict(name="get_holidays",
         description="Weekday holidays on which an exchange is closed, for one calendar year. Exchanges are also closed every Saturday and Sunday.",
         parameters={"type": "object", "properties": {
             "exchange": prop("Exchange code, e.g. NMX"),
             "year": prop("Calendar year, e.g. 2024")}, "required": ["exchange", "year"]},
         run={"builtin": "table", "file": "data/holidays.csv", "key": ["exchange", "year"]}),
    dict(name="get_price",
         description="Daily price record of a stock on one trading day: open, high, low, close and volume as traded, and adj_close (the close restated for all later stock splits). Dates with no trading return no row.",
         parameters={"type": "object", "properties": {
             "ticker": prop("Stock symbol, e.g. QORA"),
             "date": prop("Exchange-local trading date as YYYY-MM-DD")}, "required": ["ticker", "date"]},
         run={"builtin": "table", "file": "data/prices.csv", "key": ["ticker", "date"]}),
    dict(name="get_price_history",
         description="Daily price records of a stock for every trading day from start to end inclusive (at most 92 calendar days per request), oldest first, with the same fields as get_price.",
         parameters={"type": "object", "properties": {
             "ticker": prop("Stock symbol, e.g. QORA"),
             "start": prop("First date as YYYY-MM-DD"),
             "end": prop("Last date as YYYY-MM-DD")}, "required": ["ticker", "start", "end"]},
         run={"exec": "python3 bin/price_history.py data/prices.csv"}),
    dict(name="get_dividends",
         description="Every cash dividend of a stock: ex-dividend date, payment date and amount per share as declared at the time, in the listing currency. Stocks that paid none return no row.",
         parameters={"type": "object", "properties": {
             "ticker": prop("Stock symbol, e.g. QORA")}, "required": ["ticker"]},
         run={"builtin": "table", "file": "data/dividends.csv", "key": ["ticker"]}),
    dict(name="get_splits",
         description="Stock splits of a stock: from the effective date on, every old_shares shares became new_shares shares (new_shares < old_shares is a reverse split). Stocks that never split return no row.",
         parameters={"type": "object", "properties": {
             "ticker": prop("Stock symbol, e.g. QORA")}, "required": ["ticker"]},
         run={"builtin": "table", "file": "data/splits.csv", "key": ["ticker"]}),
    dict(name="get_statement",
         description="One financial statement of a company in its listing currency: revenue, net income, shares outstanding at period end, and eps (net income divided by those shares). Periods are fiscal: FY2024 is the fiscal year ending in 2024, FY2024-Q1 its first quarter; period_start and period_end give the dates.",
         parameters={"type": "object", "properties": {
             "ticker": prop("Stock symbol, e.g. QORA"),
             "period": prop("Fiscal period: FYyyyy for a year or FYyyyy-Qn for a quarter, e.g. FY2023 or FY2024-Q2")},
         "required": ["ticker", "period"]},
         run={"builtin": "table", "file": "data/statements.csv", "key": ["ticker", "period"]}),
    dict(name="get_fx",
         description="Daily reference exchange rate for a currency pair on a weekday: rate is the number of units of the second currency per one unit of the first (EURUSD 1.10 means 1 EUR = 1.10 USD). Pairs: EURUSD, GBPUSD, USDJPY.",
         parameters={"type": "object", "properties": {
             "pair": prop("Currency pair, one of EURUSD, GBPUSD, USDJPY"),
             "date": prop("Date as YYYY-MM-DD")}, "required": ["pair", "date"]},
         run={"builtin": "table", "file": "data/fx.csv", "key": ["pair", "date"]}),
    dict(name="submit",
         description="Submit your final answer. Call it once, when the task is done.",
         parameters={"type": "object", "properties": {
             "answer": prop("The final answer for the user")}, "required": ["answer"]},
         run={"builtin": "submit"}),
]


# ---- YAML ---------------------------------------------------------------------------


def yscalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(v)


def yemit(v, ind=0):
    """Block YAML for dicts and lists of dicts; JSON flow for the rest."""
    pad = "  " * ind
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, dict) and x and k not in ("args", "properties", "run", "answer", "call"):
                out.append(f"{pad}{k}:")
                out.append(yemit(x, ind + 1))
            elif isinstance(x, list) and x and all(isinstance(e, (dict, str)) for e in x) and k not in ("required", "key"):
                out.append(f"{pad}{k}:")
                for e in x:
                    if isinstance(e, dict):
                        first = True
                        for k2, x2 in e.items():
                            lead = f"{pad}  - " if first else f"{pad}    "
                            out.append(f"{lead}{k2}: {json.dumps(x2)}" if not isinstance(x2, str) else f"{lead}{k2}: {yscalar(x2)}")
                            first = False
                    else:
                        out.append(f"{pad}  - {yscalar(e)}")
            elif isinstance(x, (dict, list)):
                out.append(f"{pad}{k}: {json.dumps(x)}")
            else:
                out.append(f"{pad}{k}: {yscalar(x)}")
    return "\n".join(out)


def suite_yaml():
    head = ("# Generated by scripts/suites/gen_finance.py: do not edit by hand.\n"
            "# FinSearchComp-style questions over a mock market-data and filings\n"
            "# service; see README.md.\n")
    body = {
        "name": "finance",
        "description": "Time-sensitive look-ups and multi-step calculations over a mock market-data and filings service: trading calendars with holidays in four time zones, daily prices with splits and dividends, statements and FX rates.",
        "system": SYSTEM,
        "env": "env/",
        "max_steps": 24,
        "tools": TOOLS,
    }
    return head + yemit(body) + "\n"


# ---- tasks ----------------------------------------------------------------------------

TASKS = []


def call(name, **args):
    return {"call": {"name": name, "args": args}}


def add(tid, user, paras, number, tol, calls, answer):
    assert len(paras) >= 2, tid
    assert abs(number) > 0, tid
    TASKS.append({"id": tid, "user": user, "paraphrases": paras,
                  "grade": [{"answer": {"number": round(number, 6), "tolerance": tol}}],
                  "oracle": calls + [{"answer": answer}]})


def pct(x):
    return f"{x:+.2f}%"


def family_close(w):
    for t, d in [("QORA", D(2023, 6, 14)), ("SAKU", D(2024, 2, 20)),
                 ("HALV", D(2024, 6, 12)), ("MOSS", D(2024, 8, 15)),
                 ("DRAV", D(2023, 10, 19)), ("TELX", D(2023, 9, 18)),
                 ("VOLK", D(2024, 1, 9)), ("FERN", D(2024, 5, 20))]:
        c, cur = w.close(t, d), w.cur(t)
        name = CO[t][1]
        add(f"close-{t.lower()}-{iso(d)}",
            f"What was the closing price of {name} ({t}) on {iso(d)}?",
            [f"Give me {t}'s close on {long_date(d)}.",
             f"At what price did {t} stock close on {iso(d)}? Answer in its trading currency."],
            c, 0.5 if cur == "JPY" else 0.005,
            [call("get_price", ticker=t, date=iso(d))],
            f"{t} closed at {money(c, cur)} on {iso(d)}.")


def family_range_volume(w):
    for t, d in [("TELX", D(2024, 1, 17)), ("AURE", D(2023, 5, 9))]:
        r, cur = w.row(t, d), w.cur(t)
        rng_ = r2(r["high"] - r["low"], dec(cur))
        add(f"range-{t.lower()}-{iso(d)}",
            f"How wide was {t}'s intraday trading range on {iso(d)}, i.e. its high minus its low, in its listing currency?",
            [f"On {long_date(d)}, what was the difference between {t}'s daily high and daily low?",
             f"Give {t}'s high-low spread for the session of {iso(d)}."],
            rng_, 0.006,
            [call("get_price", ticker=t, date=iso(d))],
            f"On {iso(d)} {t} traded between {money(r['low'], cur)} and {money(r['high'], cur)}, a range of {money(rng_, cur)}.")
    for t, d in [("KINL", D(2024, 3, 4)), ("TOMI", D(2024, 7, 11))]:
        r = w.row(t, d)
        add(f"volume-{t.lower()}-{iso(d)}",
            f"How many {t} shares changed hands on {iso(d)}?",
            [f"What was the trading volume of {t} on {long_date(d)}?",
             f"Tell me {t}'s daily volume (number of shares) for {iso(d)}."],
            r["volume"], 0.5,
            [call("get_price", ticker=t, date=iso(d))],
            f"{t} traded {r['volume']:,} shares on {iso(d)}.")


def holiday_date(code, year, name):
    hits = [d for d, n in HOL[(code, year)] if n == name]
    assert len(hits) == 1, (code, year, name)
    return hits[0]


def family_holiday(w):
    cases = [("HALV", 2024, "Founders' Day", "before"),
             ("KINL", 2024, "Easter Monday", "before"),
             ("VOLK", 2024, "Christmas Day", "before"),
             ("SAKU", 2023, "Constitution Day", "after"),
             ("MOSS", 2023, "Good Friday", "after"),
             ("BRYN", 2024, "Labour Day", "before"),
             ("TOMI", 2023, "Sports Day", "before"),
             ("DRAV", 2023, "Christmas Day", "before"),
             ("QORA", 2023, "Remembrance Day", "before"),
             ("TOMI", 2024, "Marine Day", "before"),
             ("MOSS", 2023, "Summer Bank Holiday", "before")]
    for t, y, hname, way in cases:
        ex = w.ex(t)
        hd = holiday_date(ex, y, hname)
        if way == "before":
            d = w.prev_trading(t, hd)
            assert d != hd - ONE, (t, hname)  # the day before is closed too
        else:
            d = w.next_trading(t, hd + ONE)
            assert d != hd + ONE, (t, hname)
        c, cur = w.close(t, d), w.cur(t)
        years = sorted({y, d.year})
        calls = [call("get_company", ticker=t)]
        calls += [call("get_holidays", exchange=ex, year=str(yy)) for yy in years]
        calls += [call("get_price", ticker=t, date=iso(d))]
        word = "last trading day before" if way == "before" else "first trading day after"
        add(f"holiday-{t.lower()}-{way}-{y}",
            f"What was {CO[t][1]}'s ({t}) closing price on the {word} its exchange's {hname} holiday in {y}?",
            [f"{t}: find the {word} the {hname} {y} market holiday on its home exchange, and give that day's close.",
             f"On its home exchange, {t} did not trade on {hname} {y}. What did it close at on the {word} that holiday?"],
            c, 0.5 if cur == "JPY" else 0.005, calls,
            f"{hname} {y} fell on {WEEKDAYS[hd.weekday()]} {iso(hd)} on {ex}; the {word} it was {WEEKDAYS[d.weekday()]} {iso(d)}, when {t} closed at {money(c, cur)}.")


def family_first_day(w):
    for t, y, m in [("TOMI", 2024, 1), ("KINL", 2024, 4), ("DRAV", 2024, 1), ("QORA", 2024, 9),
                    ("SAKU", 2023, 1), ("HALV", 2024, 1)]:
        ex = w.ex(t)
        d = w.next_trading(t, D(y, m, 1))
        assert d != D(y, m, 1)
        o, cur = w.row(t, d)["open"], w.cur(t)
        add(f"first-open-{t.lower()}-{y}-{m:02d}",
            f"What was {t}'s opening price on the first trading day of {MONTHS[m - 1]} {y} on its home exchange?",
            [f"Give me the open of {t} on the first session of {MONTHS[m - 1]} {y}.",
             f"{t} opened at what price on its exchange's first trading day in {MONTHS[m - 1]} {y}?"],
            o, 0.5 if cur == "JPY" else 0.005,
            [call("get_company", ticker=t), call("get_holidays", exchange=ex, year=str(y)),
             call("get_price", ticker=t, date=iso(d))],
            f"{ex} was closed before {WEEKDAYS[d.weekday()]} {iso(d)}, the first trading day of {MONTHS[m - 1]} {y}; {t} opened at {money(o, cur)} that day.")


def split_of(t):
    (sd, n, o), = SPLITS[t]
    return sd, n, o


def family_split_change(w):
    cases = [("HALV", D(2024, 5, 1), D(2024, 7, 15)), ("TELX", D(2023, 8, 10), D(2023, 10, 12)),
             ("KINL", D(2024, 2, 1), D(2024, 4, 16)), ("VOLK", D(2023, 10, 5), D(2023, 12, 8)),
             ("FERN", D(2024, 4, 17), D(2024, 6, 25)), ("SAKU", D(2024, 9, 4), D(2024, 11, 19))]
    for t, d1, d2 in cases:
        sd, n, o = split_of(t)
        assert d1 < sd <= d2
        c1, c2, cur = w.close(t, d1), w.close(t, d2), w.cur(t)
        ch = (c2 * n / o / c1 - 1) * 100
        a1, a2 = w.row(t, d1)["adj_close"], w.row(t, d2)["adj_close"]
        assert abs((a2 / a1 - 1) * 100 - ch) < 0.02, (t, ch, a1, a2)
        add(f"split-change-{t.lower()}",
            f"By what percentage did {t}'s share price change from the close on {iso(d1)} to the close on {iso(d2)}, adjusted for any stock split in between? Give the change in percent.",
            [f"Split-adjusted, how much did {t} gain or lose in percent between its closes of {long_date(d1)} and {long_date(d2)}?",
             f"Compare {t}'s closing price on {iso(d2)} with its close on {iso(d1)} on a like-for-like share basis: what is the percent change?"],
            ch, 0.05,
            [call("get_price", ticker=t, date=iso(d1)), call("get_price", ticker=t, date=iso(d2)),
             call("get_splits", ticker=t)],
            f"{t} closed at {money(c1, cur)} on {iso(d1)} and {money(c2, cur)} on {iso(d2)}; with the {n}-for-{o} split effective {iso(sd)}, the adjusted change is {pct(ch)}.")


def family_holding(w):
    for t, qty, d1, d2 in [("HALV", 150, D(2024, 3, 14), D(2024, 8, 22)),
                           ("FERN", 12000, D(2024, 2, 9), D(2024, 9, 12)),
                           ("SAKU", 300, D(2024, 7, 3), D(2024, 12, 10))]:
        sd, n, o = split_of(t)
        assert d1 < sd <= d2
        c2, cur = w.close(t, d2), w.cur(t)
        held = qty * n // o
        assert held * o == qty * n
        val = held * c2
        add(f"holding-{t.lower()}",
            f"An investor bought {qty:,} shares of {t} at the close on {iso(d1)} and still held the position on {iso(d2)}. What was the position worth at the close on {iso(d2)}, in {t}'s listing currency?",
            [f"Someone has held {t} since {long_date(d1)}, when they bought {qty:,} shares. Value that holding at {t}'s close on {long_date(d2)}.",
             f"Value at the {iso(d2)} close of {qty:,} {t} shares purchased on {iso(d1)}, taking corporate actions into account?"],
            val, max(0.01, round(val * 0.0005, 2)),
            [call("get_splits", ticker=t), call("get_price", ticker=t, date=iso(d2))],
            f"The {n}-for-{o} split effective {iso(sd)} turned {qty:,} shares into {held:,}; at the {iso(d2)} close of {money(c2, cur)} they were worth {money(val, cur, 2)}.")


def family_pct_change(w):
    for t, d1, d2 in [("QORA", D(2023, 3, 1), D(2023, 9, 29)), ("BRYN", D(2024, 1, 10), D(2024, 6, 28)),
                      ("AURE", D(2023, 2, 14), D(2024, 2, 14)), ("TOMI", D(2024, 4, 5), D(2024, 10, 25)),
                      ("DRAV", D(2023, 5, 2), D(2023, 11, 30)), ("MOSS", D(2024, 1, 5), D(2024, 7, 5)),
                      ("HALV", D(2023, 2, 1), D(2023, 8, 1))]:
        assert ratio_between(t, d1, d2) == 1
        c1, c2, cur = w.close(t, d1), w.close(t, d2), w.cur(t)
        ch = (c2 / c1 - 1) * 100
        add(f"pct-change-{t.lower()}",
            f"By how many percent did {t}'s closing price change between {iso(d1)} and {iso(d2)}?",
            [f"What was the percentage move in {t}'s close from {long_date(d1)} to {long_date(d2)}?",
             f"Give the percent change of {t} from its {iso(d1)} close to its {iso(d2)} close."],
            ch, 0.05,
            [call("get_price", ticker=t, date=iso(d1)), call("get_price", ticker=t, date=iso(d2))],
            f"{t} closed at {money(c1, cur)} on {iso(d1)} and {money(c2, cur)} on {iso(d2)}, a change of {pct(ch)}.")


def family_total_return(w):
    for t, d1, d2 in [("QORA", D(2023, 1, 17), D(2023, 12, 15)), ("MOSS", D(2023, 2, 1), D(2024, 1, 31)),
                      ("AURE", D(2023, 6, 1), D(2024, 6, 3)), ("TOMI", D(2023, 4, 3), D(2024, 4, 2)),
                      ("KINL", D(2023, 12, 1), D(2024, 10, 31)),
                      ("BRYN", D(2023, 3, 1), D(2024, 2, 29)), ("HALV", D(2024, 1, 16), D(2024, 12, 16))]:
        c1, c2, cur = w.close(t, d1), w.close(t, d2), w.cur(t)
        ds = w.divs(t, d1, d2)
        assert ds, t
        r = ratio_between(t, d1, d2)
        # Per share bought on d1: shares multiply at the split, and each
        # dividend is paid on the shares held on its ex-date.
        income = sum(x["amount"] * ratio_between(t, d1, x["ex_date"]) for x in ds)
        tr = ((c2 * r + income) / c1 - 1) * 100
        calls = [call("get_price", ticker=t, date=iso(d1)), call("get_price", ticker=t, date=iso(d2)),
                 call("get_dividends", ticker=t)]
        if t in SPLITS:
            calls.append(call("get_splits", ticker=t))
        dl = ", ".join(f"{x['amount']:g} on {iso(x['ex_date'])}" for x in ds)
        extra = f", and the {SPLITS[t][0][1]}-for-{SPLITS[t][0][2]} split made each share {r:g}" if r != 1 else ""
        add(f"total-return-{t.lower()}",
            f"What was the total return of {t} from the close on {iso(d1)} to the close on {iso(d2)}, counting the cash dividends whose ex-dividend date falls after {iso(d1)} and on or before {iso(d2)} (not reinvested)? Give it in percent.",
            [f"Compute {t}'s total shareholder return in percent between the {long_date(d1)} and {long_date(d2)} closes, including dividends with ex-dates in that window, without reinvestment.",
             f"Holding {t} from the close of {iso(d1)} to the close of {iso(d2)} and keeping the dividends in cash: what was the percent total return?"],
            tr, 0.05, calls,
            f"{t} went from {money(c1, cur)} to {money(c2, cur)}{extra}; dividends per share were {dl}; total return {pct(tr)}.")


def latest_quarter(w, t, d):
    best = None
    for (tt, p), r in w.ST.items():
        if tt == t and "-Q" in p and r["period_end"] < d:
            if best is None or r["period_end"] > w.ST[(t, best)]["period_end"]:
                best = p
    return best


def usd_path(w, frm, to, d):
    """get_fx calls and a description for converting frm to to on d."""
    pairs = []
    for cur in (frm, to):
        if cur == "EUR":
            pairs.append("EURUSD")
        elif cur == "GBP":
            pairs.append("GBPUSD")
        elif cur == "JPY":
            pairs.append("USDJPY")
    return [call("get_fx", pair=p, date=iso(d)) for p in pairs], pairs


def family_mcap_fx(w):
    cases = [("SAKU", D(2024, 5, 15), "USD", 1e6, "millions of US dollars"),
             ("VOLK", D(2024, 8, 20), "USD", 1e6, "millions of US dollars"),
             ("MOSS", D(2023, 11, 22), "EUR", 1e6, "millions of euros"),
             ("HALV", D(2024, 11, 7), "JPY", 1e9, "billions of yen"),
             ("TOMI", D(2024, 2, 14), "EUR", 1e6, "millions of euros"),
             ("QORA", D(2024, 3, 27), "EUR", 1e6, "millions of euros"),
             ("KINL", D(2024, 6, 19), "USD", 1e6, "millions of US dollars")]
    for t, d, to, unit, unit_words in cases:
        cur = w.cur(t)
        q = latest_quarter(w, t, d)
        sh = w.ST[(t, q)]["shares_outstanding"]
        c = w.close(t, d)
        rate = fx_rate(w.FX, cur, to, d)
        mc = c * sh * rate / unit
        fxcalls, pairs = usd_path(w, cur, to, d)
        rates = ", ".join(f"{p} {w.FX[(p, d)]}" for p in pairs)
        add(f"mcap-fx-{t.lower()}",
            f"What was the market capitalization of {CO[t][1]} ({t}) at the close on {iso(d)}, expressed in {unit_words}? Use the shares outstanding from its latest fiscal quarter that ended before {iso(d)}, and convert at that day's reference rates.",
            [f"Market cap of {t} on {long_date(d)} in {unit_words}: close times the shares outstanding of the most recent fiscal quarter ended before that date, converted with that date's FX reference rates.",
             f"Using {t}'s close on {iso(d)} and the share count from its last fiscal quarter ending before then, how large was the company in {unit_words} at that day's exchange rates?"],
            mc, round(abs(mc) * 0.002, 3),
            [call("get_company", ticker=t), call("get_price", ticker=t, date=iso(d)),
             call("get_statement", ticker=t, period=q)] + fxcalls,
            f"{t} closed at {money(c, cur)} on {iso(d)}; {q} reported {sh:,} shares; at {rates} the market cap was about {mc:,.1f} {unit_words}.")


def family_pe(w):
    for t, fy, d in [("QORA", "FY2023", D(2024, 4, 12)), ("HALV", "FY2023", D(2024, 9, 16)),
                     ("SAKU", "FY2024", D(2024, 11, 15)), ("AURE", "FY2023", D(2024, 3, 20)),
                     ("TOMI", "FY2024", D(2024, 6, 18)),
                     ("DRAV", "FY2023", D(2024, 5, 8)), ("KINL", "FY2023", D(2024, 7, 10))]:
        st = w.ST[(t, fy)]
        r = ratio_between(t, st["period_end"], d)
        eps = st["eps"] / r
        c, cur = w.close(t, d), w.cur(t)
        pe = c / eps
        exact = c / (st["net_income"] / st["shares_outstanding"] / r)
        pe_tol = round(max(pe * 0.003, 1.2 * abs(pe - exact)), 3)
        calls = [call("get_price", ticker=t, date=iso(d)), call("get_statement", ticker=t, period=fy),
                 call("get_splits", ticker=t)] if t in SPLITS else \
                [call("get_price", ticker=t, date=iso(d)), call("get_statement", ticker=t, period=fy)]
        adj = f" restated to {eps:.4f} for the {SPLITS[t][0][1]}-for-{SPLITS[t][0][2]} split" if r != 1 else ""
        add(f"pe-{t.lower()}-{fy.lower()}",
            f"What was {t}'s price-to-earnings ratio at the close on {iso(d)}, using the EPS of its {fy} annual statement on the same per-share basis as that price?",
            [f"Compute the P/E of {t} on {long_date(d)}: closing price divided by {fy} earnings per share, both on a consistent share basis.",
             f"{t}'s trailing P/E as of the {iso(d)} close, with earnings per share taken from the {fy} annual report (adjusted for any later split)?"],
            pe, pe_tol, calls,
            f"{t} closed at {money(c, cur)} on {iso(d)}; {fy} EPS was {st['eps']:.2f}{adj}; P/E = {pe:.2f}.")


def family_cagr(w):
    for t, what, y1, y2 in [("QORA", "revenue", 2020, 2024), ("KINL", "revenue", 2020, 2024),
                            ("DRAV", "revenue", 2021, 2024), ("BRYN", "net_income", 2021, 2024),
                            ("TOMI", "revenue", 2020, 2024),
                            ("AURE", "revenue", 2020, 2024), ("SAKU", "net_income", 2020, 2024)]:
        a, b = w.ST[(t, f"FY{y1}")][what], w.ST[(t, f"FY{y2}")][what]
        assert a > 0 and b > 0
        n = y2 - y1
        g = ((b / a) ** (1 / n) - 1) * 100
        words = what.replace("_", " ")
        add(f"cagr-{t.lower()}-{what.replace('_', '-')}",
            f"What was the compound annual growth rate of {CO[t][1]}'s ({t}) {words} from fiscal year FY{y1} to FY{y2}? Give it in percent per year.",
            [f"Compute {t}'s {words} CAGR over FY{y1} to FY{y2} ({n} years), in percent.",
             f"At what average annual compounded rate did {t}'s {words} grow between FY{y1} and FY{y2}?"],
            g, 0.05,
            [call("get_statement", ticker=t, period=f"FY{y1}"), call("get_statement", ticker=t, period=f"FY{y2}")],
            f"{t}'s {words} went from {a:,} in FY{y1} to {b:,} in FY{y2}, a CAGR of {g:.2f}% over {n} years.")


def family_statements(w):
    t, p = "TELX", "FY2024-Q2"
    st = w.ST[(t, p)]
    m = st["net_income"] / st["revenue"] * 100
    add("net-margin-telx", f"What was {t}'s net profit margin in fiscal quarter {p}, in percent?",
        [f"Net income as a percentage of revenue for {t}, {p}?",
         f"Give {t}'s {p} net margin (net income over revenue) in percent."],
        m, 0.05, [call("get_statement", ticker=t, period=p)],
        f"In {p} {t} earned {st['net_income']:,} on revenue of {st['revenue']:,}, a net margin of {m:.2f}%.")
    for t, p1, p2 in [("KINL", "FY2023-Q2", "FY2024-Q2"), ("BRYN", "FY2023-Q3", "FY2024-Q3")]:
        s1, s2 = w.ST[(t, p1)], w.ST[(t, p2)]
        r = ratio_between(t, s1["period_end"], s2["period_end"])
        g = (s2["eps"] * r / s1["eps"] - 1) * 100
        # The reported eps is rounded to cents: net income over shares
        # must pass as well.
        exact = (s2["net_income"] / s2["shares_outstanding"] * r
                 / (s1["net_income"] / s1["shares_outstanding"]) - 1) * 100
        tol = round(max(0.1, 1.2 * abs(g - exact)), 3)
        calls = [call("get_statement", ticker=t, period=p1), call("get_statement", ticker=t, period=p2)]
        if t in SPLITS:
            calls.append(call("get_splits", ticker=t))
        add(f"eps-growth-{t.lower()}",
            f"By what percentage did {t}'s earnings per share grow from {p1} to {p2}, with both quarters on the same share basis?",
            [f"Year-over-year EPS growth of {t} in {p2} versus {p1}, in percent, adjusted for any split in between.",
             f"Compare {t}'s {p2} EPS with its {p1} EPS on a like-for-like share basis: what is the percent change?"],
            g, tol, calls,
            f"{t}'s EPS was {s1['eps']:.2f} in {p1} and {s2['eps']:.2f} in {p2}" + (f" (split ratio {r:g})" if r != 1 else "") + f", growth of {g:+.2f}%.")
    t, last = "MOSS", "FY2024-Q3"
    qs = ["FY2023-Q4", "FY2024-Q1", "FY2024-Q2", "FY2024-Q3"]
    ttm = sum(w.ST[(t, q)]["revenue"] for q in qs) / 1e6
    add("ttm-revenue-moss",
        f"What was {CO[t][1]}'s ({t}) trailing twelve-month revenue at the end of fiscal quarter {last}, i.e. the sum of the four quarters ending with {last}? Answer in millions of its reporting currency.",
        [f"Sum {t}'s quarterly revenue over the four fiscal quarters up to and including {last}; give millions.",
             f"TTM revenue of {t} as of {last} (four quarters), in millions?"],
        ttm, 0.05, [call("get_statement", ticker=t, period=q) for q in qs],
        f"{t}'s revenue over {', '.join(qs)} adds up to {ttm:,.3f} million GBP.")


def utc_of_local(code, d, hhmm):
    h, m = map(int, hhmm.split(":"))
    off = EX[code][3]
    return dt.datetime(d.year, d.month, d.day, h, m) - dt.timedelta(hours=off)


def family_tz(w):
    cases = [("SAKU", dt.datetime(2024, 6, 14, 8, 0)), ("TOMI", dt.datetime(2024, 3, 21, 3, 30)),
             ("HALV", dt.datetime(2024, 11, 29, 2, 0)), ("QORA", dt.datetime(2024, 7, 5, 13, 0)),
             ("VOLK", dt.datetime(2023, 12, 27, 16, 45)), ("KINL", dt.datetime(2024, 5, 6, 23, 30)),
             ("AURE", dt.datetime(2024, 4, 2, 0, 30)), ("TELX", dt.datetime(2023, 9, 18, 14, 0)),
             ("MOSS", dt.datetime(2024, 12, 27, 7, 0)), ("DRAV", dt.datetime(2024, 12, 31, 18, 0))]
    for t, ts in cases:
        ex = w.ex(t)
        off = EX[ex][3]
        local = ts + dt.timedelta(hours=off)
        # The latest session whose close is at or before ts.
        d = local.date()
        while True:
            if is_trading(ex, d) and utc_of_local(ex, d, EX[ex][5]) <= ts:
                break
            d -= ONE
        naive = ts.date() - ONE
        c, cur = w.close(t, d), w.cur(t)
        years = sorted({d.year, local.year})
        stamp = ts.strftime("%Y-%m-%d %H:%M") + " UTC"
        calls = [call("get_company", ticker=t), call("get_exchange", exchange=ex)]
        calls += [call("get_holidays", exchange=ex, year=str(y)) for y in years]
        calls += [call("get_price", ticker=t, date=iso(d))]
        add(f"tz-last-close-{t.lower()}",
            f"It is {stamp}. What is the most recent official closing price of {t} on its home exchange at this moment?",
            [f"As of {stamp}, what was {t}'s latest completed closing price?",
             f"Give the last close of {t} that had already happened at {stamp}, taking its exchange's time zone and calendar into account."],
            c, 0.5 if cur == "JPY" else 0.005, calls,
            f"{stamp} is {local.strftime('%Y-%m-%d %H:%M')} local time on {ex} (UTC{EX[ex][3]:+d}); the last completed session was {WEEKDAYS[d.weekday()]} {iso(d)}, when {t} closed at {money(c, cur)}."
            + ("" if d != naive else ""))


def family_fx_convert(w):
    for t, d, to in [("SAKU", D(2024, 4, 10), "USD"), ("MOSS", D(2023, 9, 5), "USD"),
                     ("DRAV", D(2024, 2, 28), "GBP"), ("TOMI", D(2023, 8, 17), "EUR"),
                     ("HALV", D(2024, 9, 5), "JPY"), ("KINL", D(2024, 11, 14), "EUR")]:
        cur = w.cur(t)
        c = w.close(t, d)
        v = c * fx_rate(w.FX, cur, to, d)
        fxcalls, pairs = usd_path(w, cur, to, d)
        rates = ", ".join(f"{p} {w.FX[(p, d)]}" for p in pairs)
        add(f"fx-close-{t.lower()}",
            f"What was {t}'s closing price on {iso(d)} expressed in {to}, converted at that day's reference rates?",
            [f"Convert {t}'s {long_date(d)} close into {to} using that date's FX reference rates.",
             f"In {to}, what did one {t} share close at on {iso(d)}?"],
            v, max(0.005, round(v * 0.001, 4)),
            [call("get_company", ticker=t), call("get_price", ticker=t, date=iso(d))] + fxcalls,
            f"{t} closed at {money(c, cur)} on {iso(d)}; at {rates} that is {v:,.4f} {to}.")


def family_yield(w):
    for t, d in [("QORA", D(2024, 10, 15)), ("DRAV", D(2024, 6, 28)), ("MOSS", D(2024, 12, 2)), ("TOMI", D(2024, 11, 20))]:
        assert t not in SPLITS
        d0 = D(d.year - 1, d.month, d.day)
        ds = w.divs(t, d0, d)
        c, cur = w.close(t, d), w.cur(t)
        tot = sum(x["amount"] for x in ds)
        y = tot / c * 100
        add(f"div-yield-{t.lower()}",
            f"What was {t}'s trailing twelve-month dividend yield at the close on {iso(d)}: the dividends per share with ex-dividend dates after {iso(d0)} and on or before {iso(d)}, divided by that close? Give it in percent.",
            [f"Trailing 12-month dividend yield of {t} as of {long_date(d)} (ex-dates in the year up to that day, over the close), in percent.",
             f"Sum {t}'s dividends that went ex in the twelve months ending {iso(d)} and divide by the {iso(d)} closing price: what yield in percent?"],
            y, 0.02,
            [call("get_price", ticker=t, date=iso(d)), call("get_dividends", ticker=t)],
            f"{t} paid {tot:g} {cur} per share over {len(ds)} ex-dates in that window; with a close of {money(c, cur)} the yield was {y:.3f}%.")


def history(w, t, d1, d2):
    return [(d, w.P[(t, d)]) for d in TDAYS[w.ex(t)] if d1 <= d <= d2]


def family_history(w):
    t, d1, d2 = "HALV", D(2024, 4, 1), D(2024, 4, 30)
    h = history(w, t, d1, d2)
    best = max(h, key=lambda x: x[1]["close"])
    add("max-close-halv-2024-04",
        f"What was {t}'s highest closing price between {iso(d1)} and {iso(d2)}, inclusive?",
        [f"Over {long_date(d1)} to {long_date(d2)}, what was the top close of {t}?",
         f"Find the maximum daily close of {t} from {iso(d1)} through {iso(d2)}."],
        best[1]["close"], 0.005,
        [call("get_price_history", ticker=t, start=iso(d1), end=iso(d2))],
        f"{t}'s highest close in that window was {money(best[1]['close'], 'USD')} on {iso(best[0])}.")
    t, d1, d2 = "TOMI", D(2024, 8, 1), D(2024, 8, 16)
    h = history(w, t, d1, d2)
    low = min(h, key=lambda x: x[1]["low"])
    add("min-low-tomi-2024-08",
        f"What was the lowest intraday price {t} traded at between {iso(d1)} and {iso(d2)}, inclusive?",
        [f"Across {long_date(d1)} to {long_date(d2)}, what was {t}'s lowest daily low?",
         f"Give the minimum of {t}'s daily lows from {iso(d1)} through {iso(d2)}."],
        low[1]["low"], 0.5,
        [call("get_price_history", ticker=t, start=iso(d1), end=iso(d2))],
        f"{t}'s lowest low in that window was {money(low[1]['low'], 'JPY')} on {iso(low[0])}.")
    t, d1, d2 = "BRYN", D(2023, 3, 6), D(2023, 3, 17)
    h = history(w, t, d1, d2)
    avg = sum(x[1]["volume"] for x in h) / len(h)
    add("avg-volume-bryn-2023-03",
        f"What was {t}'s average daily trading volume over the trading days from {iso(d1)} to {iso(d2)}, inclusive?",
        [f"Mean daily volume of {t} across the sessions between {long_date(d1)} and {long_date(d2)}?",
         f"Average the daily share volume of {t} over {iso(d1)} through {iso(d2)}."],
        avg, max(1.0, round(avg * 0.0005)),
        [call("get_price_history", ticker=t, start=iso(d1), end=iso(d2))],
        f"Over {len(h)} trading days {t} averaged {avg:,.1f} shares a day.")
    t, d1, d2 = "QORA", D(2024, 2, 1), D(2024, 2, 29)
    h = history(w, t, d1, d2)
    top = max(h, key=lambda x: x[1]["volume"])
    add("max-volume-qora-2024-02",
        f"What was the highest daily trading volume of {t} between {iso(d1)} and {iso(d2)}, inclusive, in shares?",
        [f"Across {long_date(d1)} to {long_date(d2)}, what was {t}'s busiest day by shares traded? Give the volume.",
         f"Find the maximum daily volume of {t} from {iso(d1)} through {iso(d2)}."],
        top[1]["volume"], 0.5,
        [call("get_price_history", ticker=t, start=iso(d1), end=iso(d2))],
        f"{t}'s busiest day in that window was {iso(top[0])}, with {top[1]['volume']:,} shares traded.")
    t, d1, d2 = "TELX", D(2024, 1, 2), D(2024, 1, 31)
    prev = w.prev_trading(t, d1)
    h = history(w, t, prev, d2)
    drops = [((h[i][1]["close"] / h[i - 1][1]["close"] - 1) * 100, h[i][0]) for i in range(1, len(h))]
    worst = min(drops)
    assert worst[0] < 0
    add("worst-day-telx-2024-01",
        f"What was {t}'s largest one-day percentage decline in closing price (close versus the previous trading day's close) for trading days from {iso(d1)} to {iso(d2)}? Give it in percent.",
        [f"Among the sessions of {long_date(d1)} through {long_date(d2)}, what was {t}'s worst close-to-close percent change?",
         f"Find {t}'s biggest daily drop, in percent from the prior close, between {iso(d1)} and {iso(d2)}."],
        worst[0], 0.02,
        [call("get_price_history", ticker=t, start=iso(prev), end=iso(d2))],
        f"{t}'s worst day was {iso(worst[1])}, a change of {worst[0]:.2f}% from the previous close.")


# ---- checks and output ------------------------------------------------------------------

# Numbers as the answer grader reads them: not inside words (Q2, FY2024)
# nor dates (2024-03-15).
NUM_RE = re.compile(r"(?<![A-Za-z0-9.\-/])(?:\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)(?![\d\-/]|\.\d)")


def leak_check(task, shared):
    """No prompt text the model sees may give the answer away."""
    g = task["grade"][0]["answer"]
    n, tol = g["number"], g["tolerance"]
    texts = [task["user"]] + task["paraphrases"] + shared
    forms = {f"{abs(n):.{k}f}" for k in (1, 2, 3, 4)} | {f"{abs(n):,.{k}f}" for k in (0, 1, 2)}
    if abs(n) >= 100:
        forms.add(str(int(round(abs(n)))))
    for text in texts:
        for m in NUM_RE.finditer(text):
            x = float(m.group().replace(",", ""))
            assert abs(x - abs(n)) > tol and abs(-x - n) > tol, (task["id"], m.group(), n)
        for f in forms:
            if len(f.replace(".", "").replace(",", "").lstrip("0")) < 3:
                continue
            for m in re.finditer(re.escape(f), text):
                a, b = m.start(), m.end()
                embedded = (a and text[a - 1].isdigit()) or (b < len(text) and text[b].isdigit())
                assert embedded, (task["id"], f)


def replay_calls(env):
    """Every oracle call must find its rows in the written files, as the
    table builtin and the history script would."""
    import csv
    import subprocess
    tools = {x["name"]: x["run"] for x in TOOLS}
    cache = {}
    for t in TASKS:
        for step in t["oracle"]:
            c = step.get("call")
            if not c:
                continue
            run, args = tools[c["name"]], c["args"]
            if "exec" in run:
                envv = dict(os.environ, **{"ARG_" + k.upper(): v for k, v in args.items()})
                res = subprocess.run(run["exec"].split(), cwd=env, env=envv,
                                     capture_output=True, text=True, check=True)
                assert res.stdout.startswith("{"), (t["id"], res.stdout[:80])
                continue
            f = run["file"]
            if f not in cache:
                with open(os.path.join(env, f), encoding="utf-8") as fh:
                    cache[f] = json.load(fh) if f.endswith(".json") else list(csv.DictReader(fh))
            hits = [r for r in cache[f] if all(str(r.get(k)) == args[k] for k in run["key"])]
            assert hits, (t["id"], c)


def task_yaml(t):
    head = "# Generated by scripts/suites/gen_finance.py: do not edit by hand.\n"
    body = {"id": t["id"], "user": t["user"], "paraphrases": t["paraphrases"],
            "grade": t["grade"], "oracle": t["oracle"]}
    return head + yemit(body) + "\n"


def main():
    out = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(TOP, "suites", "finance")
    w = World()
    for fam in (family_close, family_range_volume, family_holiday, family_first_day,
                family_split_change, family_holding, family_pct_change, family_total_return,
                family_mcap_fx, family_pe, family_cagr, family_statements, family_tz,
                family_fx_convert, family_yield, family_history):
        fam(w)
    ids = [t["id"] for t in TASKS]
    assert len(ids) == len(set(ids))
    shared = [SYSTEM] + [x["description"] for x in TOOLS] + [
        p["description"] for x in TOOLS for p in x["parameters"]["properties"].values()]
    for t in TASKS:
        leak_check(t, shared)
    for sub in ("env", "tasks"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    write_env(w, os.path.join(out, "env"))
    replay_calls(os.path.join(out, "env"))
    write(os.path.join(out, "suite.yaml"), suite_yaml())
    for t in sorted(TASKS, key=lambda x: x["id"]):
        write(os.path.join(out, "tasks", t["id"] + ".yaml"), task_yaml(t))
    print(f"finance: {len(TASKS)} tasks, {len(w.P)} price rows, {len(w.ST)} statements, "
          f"{len(w.FX)} fx rows -> {out}")


if __name__ == "__main__":
    main()
