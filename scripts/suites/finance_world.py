"""finance_world.py - the synthetic market of the finance suite.

Owns the data the finance suite's tools read: four exchanges in fixed time
zones with their holiday calendars, twelve fictional companies with daily
prices (raw and split-adjusted closes that agree), stock splits, cash
dividends, quarterly and annual statements (eps = net income / shares), a
daily FX table, and the files written into suites/finance/env/. Imported by
gen_finance.py, which builds the tasks over it. Deterministic: fixed seeds,
sorted iteration.
"""
import datetime as dt
import json
import math
import os
import random

D = dt.date
ONE = dt.timedelta(days=1)
START, END = D(2023, 1, 2), D(2024, 12, 31)
YEARS = (2023, 2024)
MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
            "Saturday", "Sunday"]

# ---- exchanges and their holidays -------------------------------------------

EXCHANGES = [
    # code, name, city, utc offset (hours), open, close, currency
    ("NMX", "New Meridian Exchange", "Port Meridian", -5, "09:30", "16:00", "USD"),
    ("CDX", "Calder Exchange", "Calder", 0, "08:00", "16:30", "GBP"),
    ("RVB", "Rhenvale Exchange", "Rhenvale", 1, "09:00", "17:30", "EUR"),
    ("KSX", "Kaiyo Securities Exchange", "Kaiyo", 9, "09:00", "15:00", "JPY"),
]
EX = {e[0]: e for e in EXCHANGES}


def easter(y):
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return D(y, month, day)


def nth_weekday(y, m, wd, n):
    """n-th weekday wd (0=Mon) of month m; n=-1 for the last."""
    if n > 0:
        d = D(y, m, 1)
        while d.weekday() != wd:
            d += ONE
        return d + dt.timedelta(weeks=n - 1)
    d = D(y + (m == 12), m % 12 + 1, 1) - ONE
    while d.weekday() != wd:
        d -= ONE
    return d


def observed_us(d):
    """Saturday holidays move to Friday, Sunday ones to Monday."""
    if d.weekday() == 5:
        return d - ONE
    if d.weekday() == 6:
        return d + ONE
    return d


def observed_next(d, taken=()):
    """Weekend holidays move to the next weekday not already a holiday."""
    while d.weekday() >= 5 or d in taken:
        d += ONE
    return d


def holidays(code, y):
    """[(date, name)] of weekday closures, sorted."""
    out = []
    if code == "NMX":
        out += [(observed_us(D(y, 1, 1)), "New Year's Day"),
                (nth_weekday(y, 2, 0, 3), "Founders' Day"),
                (easter(y) - 2 * ONE, "Good Friday"),
                (nth_weekday(y, 5, 0, -1), "Remembrance Day"),
                (observed_us(D(y, 7, 4)), "Independence Day"),
                (nth_weekday(y, 9, 0, 1), "Labour Day"),
                (nth_weekday(y, 11, 3, 4), "Harvest Day"),
                (observed_us(D(y, 12, 25)), "Christmas Day")]
    elif code == "CDX":
        ny = observed_next(D(y, 1, 1))
        xmas = observed_next(D(y, 12, 25))
        boxing = observed_next(D(y, 12, 26), {xmas})
        out += [(ny, "New Year's Day"),
                (easter(y) - 2 * ONE, "Good Friday"),
                (easter(y) + ONE, "Easter Monday"),
                (nth_weekday(y, 5, 0, 1), "Early May Bank Holiday"),
                (nth_weekday(y, 5, 0, -1), "Spring Bank Holiday"),
                (nth_weekday(y, 8, 0, -1), "Summer Bank Holiday"),
                (xmas, "Christmas Day"), (boxing, "Boxing Day")]
    elif code == "RVB":
        cand = [(D(y, 1, 1), "New Year's Day"),
                (easter(y) - 2 * ONE, "Good Friday"),
                (easter(y) + ONE, "Easter Monday"),
                (D(y, 5, 1), "Labour Day"),
                (D(y, 10, 3), "Unity Day"),
                (D(y, 12, 24), "Christmas Eve"),
                (D(y, 12, 25), "Christmas Day"),
                (D(y, 12, 26), "St Stephen's Day"),
                (D(y, 12, 31), "New Year's Eve")]
        out += [c for c in cand if c[0].weekday() < 5]
    elif code == "KSX":
        cand = [(D(y, 1, 1), "New Year Holiday"), (D(y, 1, 2), "New Year Holiday"),
                (D(y, 1, 3), "New Year Holiday"),
                (nth_weekday(y, 1, 0, 2), "Coming of Age Day")]
        taken = {c[0] for c in cand}
        for day, name in [((2, 11), "Foundation Day"), ((4, 29), "Showa Day"),
                          ((5, 3), "Constitution Day"), ((5, 4), "Greenery Day"),
                          ((5, 5), "Children's Day"), ((11, 3), "Culture Day"),
                          ((11, 23), "Labour Thanksgiving Day")]:
            d = D(y, *day)
            if d.weekday() == 6:
                d = observed_next(d, taken)
            taken.add(d)
            cand.append((d, name))
        for d, name in [(nth_weekday(y, 7, 0, 3), "Marine Day"),
                        (nth_weekday(y, 9, 0, 3), "Respect for the Aged Day"),
                        (nth_weekday(y, 10, 0, 2), "Sports Day"),
                        (D(y, 12, 31), "Year-End Holiday")]:
            cand.append((d, name))
        out += [c for c in cand if c[0].weekday() < 5]
    seen = {}
    for d, name in sorted(out):
        if d.weekday() < 5 and d not in seen:
            seen[d] = name
    return sorted(seen.items())


HOL = {(c, y): holidays(c, y) for c in EX for y in YEARS}
HOLSET = {c: {d for y in YEARS for d, _ in HOL[(c, y)]} for c in EX}


def is_trading(code, d):
    return d.weekday() < 5 and d not in HOLSET[code]


def trading_days(code):
    out, d = [], START
    while d <= END:
        if is_trading(code, d):
            out.append(d)
        d += ONE
    return out


TDAYS = {c: trading_days(c) for c in EX}

# ---- companies, splits, dividends -------------------------------------------

# ticker, name, exchange, sector, fiscal year end (month), start price,
# drift, volatility, shares (millions, FY2020), revenue FY2020 (millions),
# revenue growth, net margin, dividends per year (0, 1, 2, 4)
COMPANIES = [
    ("HALV", "Halvern Robotics", "NMX", "Industrials", 12, 412.0, 0.18, 0.022, 58.4, 3120, 0.16, 0.14, 4),
    ("QORA", "Qorant Foods", "NMX", "Consumer Staples", 12, 63.5, 0.04, 0.011, 212.7, 9840, 0.04, 0.07, 4),
    ("BRYN", "Brynmoor Energy", "NMX", "Energy", 12, 88.2, -0.03, 0.017, 141.3, 15230, -0.02, 0.09, 4),
    ("TELX", "Telvix Networks", "NMX", "Communication", 12, 141.0, 0.10, 0.019, 96.2, 5610, 0.09, 0.12, 4),
    ("MOSS", "Mossgate Retail", "CDX", "Consumer Discretionary", 12, 4.82, 0.02, 0.014, 1180.0, 6420, 0.03, 0.05, 2),
    ("KINL", "Kinloch Pharmaceuticals", "CDX", "Health Care", 12, 38.6, 0.12, 0.016, 402.5, 7310, 0.11, 0.18, 2),
    ("FERN", "Fernmouth Shipping", "CDX", "Industrials", 12, 1.46, -0.15, 0.025, 2950.0, 2180, -0.06, 0.03, 0),
    ("VOLK", "Volkmar Automation", "RVB", "Industrials", 12, 96.4, 0.08, 0.015, 88.9, 4270, 0.07, 0.10, 1),
    ("AURE", "Aurelle Cosmetics", "RVB", "Consumer Staples", 12, 57.1, 0.05, 0.012, 133.6, 3390, 0.05, 0.13, 1),
    ("DRAV", "Dravenne Bank", "RVB", "Financials", 12, 23.9, 0.06, 0.013, 610.4, 8950, 0.03, 0.21, 1),
    ("SAKU", "Sakuragi Electric", "KSX", "Technology", 3, 8640.0, 0.14, 0.018, 74.2, 612000, 0.10, 0.08, 2),
    ("TOMI", "Tomioka Heavy Industries", "KSX", "Industrials", 3, 2315.0, 0.03, 0.014, 318.0, 1428000, 0.02, 0.04, 2),
]
CO = {c[0]: c for c in COMPANIES}
TICKERS = sorted(CO)

# ticker -> [(effective date, new shares, old shares)]; the first trading
# day on the new basis. FERN's is a reverse split.
SPLITS = {
    "HALV": [(D(2024, 6, 10), 4, 1)],
    "TELX": [(D(2023, 9, 18), 3, 1)],
    "KINL": [(D(2024, 3, 4), 2, 1)],
    "VOLK": [(D(2023, 11, 6), 3, 2)],
    "FERN": [(D(2024, 5, 20), 1, 5)],
    "SAKU": [(D(2024, 10, 1), 5, 1)],
}
for _t, _ss in SPLITS.items():
    for _d, _n, _o in _ss:
        assert is_trading(CO[_t][2], _d), (_t, _d)


def split_factor_after(t, d):
    """Product of split ratios effective after date d (raw -> today's basis)."""
    f = 1.0
    for sd, n, o in SPLITS.get(t, []):
        if sd > d:
            f *= n / o
    return f


def ratio_between(t, d1, d2):
    """New shares per old share for splits effective in (d1, d2]."""
    f = 1.0
    for sd, n, o in SPLITS.get(t, []):
        if d1 < sd <= d2:
            f *= n / o
    return f


def dec(cur):
    return 0 if cur == "JPY" else 2


def r2(x, n=2):
    return round(x + 0.0, n)


# ---- prices ------------------------------------------------------------------


def gen_prices(rng):
    rows = {}  # (ticker, date) -> dict
    for t in TICKERS:
        _, _, ex, _, _, p0, drift, vol, *_ = CO[t]
        cur = EX[ex][6]
        nd = dec(cur)
        # The walk runs on today's share basis; raw = basis * factor.
        basis = p0 / split_factor_after(t, START - ONE)
        prev_raw = None
        for d in TDAYS[ex]:
            basis *= math.exp(drift / 250 + vol * rng.gauss(0, 1))
            f = split_factor_after(t, d)
            close = r2(basis * f, nd)
            ref = prev_raw if prev_raw is not None else close
            if prev_raw is not None and ratio_between(t, prev_d, d) != 1:
                ref = prev_raw / ratio_between(t, prev_d, d)
            op = r2(ref * (1 + vol * 0.4 * rng.gauss(0, 1)), nd)
            hi = r2(max(op, close) * (1 + abs(rng.gauss(0, vol * 0.5))), nd)
            lo = r2(min(op, close) * (1 - abs(rng.gauss(0, vol * 0.5))), nd)
            if nd == 0:
                close, op, hi, lo = int(close), int(op), int(hi), int(lo)
                if hi == max(op, close):
                    hi += 1 + rng.randrange(5)
                if lo == min(op, close):
                    lo -= 1 + rng.randrange(5)
            else:
                step = 10 ** -nd
                if hi <= max(op, close):
                    hi = r2(max(op, close) + step * (1 + rng.randrange(4)), nd)
                if lo >= min(op, close):
                    lo = r2(min(op, close) - step * (1 + rng.randrange(4)), nd)
            # Shares traded on the basis of the day: splits multiply them.
            held = CO[t][8] * 1e6 * split_factor_after(t, D(2000, 1, 1)) / f
            volume = int(held * (0.003 + 0.004 * rng.random()))
            volume = volume // 100 * 100 + rng.randrange(100)
            adj = round(close / f, 4)
            rows[(t, d)] = dict(open=op, high=hi, low=lo, close=close,
                                adj_close=adj, volume=volume)
            prev_raw, prev_d = close, d
    return rows


def fmt(x, nd):
    if nd == 0:
        return str(int(x))
    return f"{x:.{nd}f}"


# ---- dividends -----------------------------------------------------------------


def gen_dividends(rng):
    out = {}  # ticker -> [dict]
    for t in TICKERS:
        c = CO[t]
        ex, per_year = c[2], c[12]
        cur = EX[ex][6]
        if per_year == 0:
            out[t] = []
            continue
        months = {4: [2, 5, 8, 11], 2: [3, 9], 1: [5]}[per_year]
        if ex == "KSX":
            months = [3, 9]
        # Yearly amount per today's share, as a yield on the starting price.
        base = c[5] / split_factor_after(t, START - ONE) * (0.012 + 0.02 * rng.random())
        lst = []
        for y in YEARS:
            for m in months:
                exd = nth_weekday(y, m, rng.randrange(5), 2)
                while not is_trading(ex, exd):
                    exd += ONE
                assert all(sd != exd for sd, _, _ in SPLITS.get(t, []))
                # Declared per share as traded on the ex-date.
                amt = base / per_year * (1.0 + 0.05 * (y - 2023))
                amt *= split_factor_after(t, exd)
                amt = r2(amt, 0 if cur == "JPY" else 4 if amt < 0.2 else 2)
                pay = exd + dt.timedelta(days=14 + rng.randrange(10))
                lst.append(dict(ex_date=exd, pay_date=pay, amount=amt))
        out[t] = lst
    return out


# ---- FX -----------------------------------------------------------------------

FX_PAIRS = [("EURUSD", 1.0712, 4), ("GBPUSD", 1.2218, 4), ("USDJPY", 131.42, 2)]


def gen_fx(rng):
    out = {}
    for pair, r0, nd in FX_PAIRS:
        r = r0
        d = START
        while d <= END:
            if d.weekday() < 5:
                r *= math.exp(0.004 * rng.gauss(0, 1))
                out[(pair, d)] = r2(r, nd)
            d += ONE
    return out


def fx_rate(FX, frm, to, d):
    """Units of `to` per one `frm`, through USD."""
    def usd_per(cur):
        if cur == "USD":
            return 1.0
        if cur == "EUR":
            return FX[("EURUSD", d)]
        if cur == "GBP":
            return FX[("GBPUSD", d)]
        if cur == "JPY":
            return 1.0 / FX[("USDJPY", d)]
        raise KeyError(cur)
    return usd_per(frm) / usd_per(to)


# ---- statements -------------------------------------------------------------


def quarter_bounds(fye, fy, q):
    """Start and end of quarter q of fiscal year fy (which ends in month fye of year fy)."""
    end_m = fye
    end_y = fy
    # quarter 4 ends at the fiscal year end; earlier quarters 3 months apart
    back = (4 - q) * 3
    m = end_m - back
    y = end_y
    while m <= 0:
        m += 12
        y -= 1
    end = D(y + (m == 12), m % 12 + 1, 1) - ONE
    sm = m - 2
    sy = y
    while sm <= 0:
        sm += 12
        sy -= 1
    return D(sy, sm, 1), end


def gen_statements(rng):
    out = {}  # (ticker, period) -> dict
    for t in TICKERS:
        c = CO[t]
        fye, shares0, rev0, growth, margin = c[4], c[8], c[9], c[10], c[11]
        cur = EX[c[2]][6]
        unit = 1_000_000
        # FY2025 holds the quarters of a March year end that closed by END.
        fys = [2020, 2021, 2022, 2023, 2024, 2025]
        shares_basis = shares0 * 1e6  # before any split
        for i, fy in enumerate(fys):
            rev = rev0 * (1 + growth) ** i * (1 + 0.03 * rng.gauss(0, 1))
            qs = []
            for q in (1, 2, 3, 4):
                s, e = quarter_bounds(fye, fy, q)
                qrev = rev / 4 * (1 + 0.06 * rng.gauss(0, 1))
                qm = margin * (1 + 0.25 * rng.gauss(0, 1))
                qni = qrev * qm
                # buybacks: shares drift down a little each quarter
                shares_basis *= 1 - 0.002 * rng.random()
                raw_shares = shares_basis * split_factor_after(t, D(2000, 1, 1)) / split_factor_after(t, e)
                raw_shares = int(round(raw_shares / 1000)) * 1000
                qs.append((q, s, e, int(round(qrev * unit / 1000)) * 1000,
                           int(round(qni * unit / 1000)) * 1000, raw_shares))
            fy_start = qs[0][1]
            fy_end = qs[3][2]
            arev = sum(x[3] for x in qs)
            ani = sum(x[4] for x in qs)
            ash = qs[3][5]
            if fy_end <= END:
                out[(t, f"FY{fy}")] = dict(period_start=fy_start, period_end=fy_end,
                                        currency=cur, revenue=arev, net_income=ani,
                                        shares_outstanding=ash, eps=r2(ani / ash))
            for q, s, e, qr, qn, sh in qs:
                if e < D(2023, 1, 1) or e > END:
                    continue
                out[(t, f"FY{fy}-Q{q}")] = dict(period_start=s, period_end=e,
                                                 currency=cur, revenue=qr, net_income=qn,
                                                 shares_outstanding=sh, eps=r2(qn / sh))
    return out


# ---- the world ---------------------------------------------------------------


class World:
    def __init__(self):
        self.P = gen_prices(random.Random(20240315))
        self.DIV = gen_dividends(random.Random(7))
        self.FX = gen_fx(random.Random(11))
        self.ST = gen_statements(random.Random(19))

    def ex(self, t):
        return CO[t][2]

    def cur(self, t):
        return EX[CO[t][2]][6]

    def row(self, t, d):
        assert (t, d) in self.P, (t, d, "not a trading day")
        return self.P[(t, d)]

    def close(self, t, d):
        return self.row(t, d)["close"]

    def prev_trading(self, t, d):
        """Last trading day strictly before d."""
        d -= ONE
        while not is_trading(self.ex(t), d):
            d -= ONE
        return d

    def next_trading(self, t, d):
        """First trading day on or after d."""
        while not is_trading(self.ex(t), d):
            d += ONE
        return d

    def divs(self, t, d1, d2):
        """Dividends with ex-date in (d1, d2]."""
        return [x for x in self.DIV[t] if d1 < x["ex_date"] <= d2]


def iso(d):
    return d.isoformat()


def long_date(d):
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def money(x, cur, nd=None):
    if nd is None:
        nd = dec(cur)
    return f"{x:,.{nd}f} {cur}"


# ---- environment files -----------------------------------------------------------

PRICE_HISTORY_PY = r'''#!/usr/bin/env python3
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
'''

ENV_README = """# Market data workspace

Mock market-data and filings service used by the research desk. The tools
read the files under data/; bin/ holds the history endpoint.

- data/companies.json: reference data per ticker (name, exchange, listing
  currency, sector, fiscal year end month).
- data/exchanges.json: exchanges with their fixed UTC offset (no daylight
  saving time) and local session hours.
- data/holidays.csv: exchange holidays on weekdays, per exchange and year.
  Exchanges are closed on Saturdays and Sundays as well.
- data/prices.csv: daily open, high, low, close and volume as traded, and
  adj_close, the close restated for every later stock split.
- data/dividends.csv: cash dividends per share as declared, in the listing
  currency, by ex-dividend date.
- data/splits.csv: stock splits; from the effective date on, every
  old_shares shares became new_shares shares.
- data/statements.csv: quarterly and annual statements in the listing
  currency; eps = net_income / shares_outstanding (period end).
- data/fx.csv: daily reference rates on weekdays; rate is units of the
  quote currency per one unit of the base currency.
"""

METHOD_NOTE = """Data desk notes

All series are end-of-day. Prices are exchange-local: a trading date is
the date at the exchange, in its own time zone. Corporate actions take
effect at the open of their effective date.

Coverage: 2023-01-02 to 2024-12-31 for prices and FX; fiscal years 2020
onwards for annual statements, quarters ending 2023 onwards.
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_env(w, env):
    data = os.path.join(env, "data")
    comp = []
    for t in TICKERS:
        c = CO[t]
        comp.append({"ticker": t, "name": c[1], "exchange": c[2],
                     "currency": EX[c[2]][6], "sector": c[3],
                     "fiscal_year_end_month": MONTHS[c[4] - 1]})
    write(os.path.join(data, "companies.json"),
          "[\n" + ",\n".join("  " + json.dumps(x) for x in comp) + "\n]\n")
    exs = []
    for code, name, city, off, op, cl, cur in EXCHANGES:
        exs.append({"exchange": code, "name": name, "city": city,
                    "utc_offset": f"{'+' if off >= 0 else '-'}{abs(off):02d}:00",
                    "session_open_local": op, "session_close_local": cl,
                    "currency": cur})
    write(os.path.join(data, "exchanges.json"),
          "[\n" + ",\n".join("  " + json.dumps(x) for x in exs) + "\n]\n")
    lines = ["exchange,year,date,holiday"]
    for code in sorted(EX):
        for y in YEARS:
            for d, name in HOL[(code, y)]:
                lines.append(f"{code},{y},{iso(d)},{name}")
    write(os.path.join(data, "holidays.csv"), "\n".join(lines) + "\n")
    lines = ["ticker,date,open,high,low,close,adj_close,volume"]
    for (t, d) in sorted(w.P):
        r = w.P[(t, d)]
        nd = dec(w.cur(t))
        lines.append(f"{t},{iso(d)},{fmt(r['open'], nd)},{fmt(r['high'], nd)},"
                     f"{fmt(r['low'], nd)},{fmt(r['close'], nd)},"
                     f"{r['adj_close']:.4f},{r['volume']}")
    write(os.path.join(data, "prices.csv"), "\n".join(lines) + "\n")
    lines = ["ticker,ex_date,pay_date,amount,currency"]
    for t in TICKERS:
        for x in w.DIV[t]:
            a = x["amount"]
            nd = 0 if w.cur(t) == "JPY" else (4 if a < 0.2 else 2)
            lines.append(f"{t},{iso(x['ex_date'])},{iso(x['pay_date'])},{fmt(a, nd)},{w.cur(t)}")
    write(os.path.join(data, "dividends.csv"), "\n".join(lines) + "\n")
    lines = ["ticker,effective_date,new_shares,old_shares"]
    for t in sorted(SPLITS):
        for d, n, o in SPLITS[t]:
            lines.append(f"{t},{iso(d)},{n},{o}")
    write(os.path.join(data, "splits.csv"), "\n".join(lines) + "\n")
    lines = ["ticker,period,period_start,period_end,currency,revenue,net_income,shares_outstanding,eps"]
    for (t, p) in sorted(w.ST, key=lambda k: (k[0], w.ST[k]["period_end"], len(k[1]))):
        r = w.ST[(t, p)]
        lines.append(f"{t},{p},{iso(r['period_start'])},{iso(r['period_end'])},{r['currency']},"
                     f"{r['revenue']},{r['net_income']},{r['shares_outstanding']},{r['eps']:.2f}")
    write(os.path.join(data, "statements.csv"), "\n".join(lines) + "\n")
    lines = ["pair,date,rate"]
    for (pair, d) in sorted(w.FX):
        nd = dict((p, n) for p, _, n in FX_PAIRS)[pair]
        lines.append(f"{pair},{iso(d)},{w.FX[(pair, d)]:.{nd}f}")
    write(os.path.join(data, "fx.csv"), "\n".join(lines) + "\n")
    write(os.path.join(env, "bin", "price_history.py"), PRICE_HISTORY_PY)
    write(os.path.join(env, "README.md"), ENV_README)
    write(os.path.join(env, "notes", "data-desk.txt"), METHOD_NOTE)
