#!/usr/bin/env python3
"""toolcall_world.py - the world of the toolcall suite, for gen_toolcall.py:
the fictional user's calendar, contacts, to-do lists, bank accounts and
mail (as initial JSON state), the weather and exchange-rate tables, the
tool declarations, the system prompt, and World, which runs a task's
oracle in process against toolcall_mock.py (the code the harness runs as
the exec tools), so answers, ids and graders come from the data.
"""
import contextlib
import copy
import importlib.util
import io
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
MOCK_SRC = os.path.join(HERE, "toolcall_mock.py")
VERIFY_SRC = os.path.join(HERE, "toolcall_verify.py")

_spec = importlib.util.spec_from_file_location("toolcall_mock", MOCK_SRC)
mock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mock)

# ---- the world ---------------------------------------------------------------

DATES = ["2031-05-%02d" % d for d in range(12, 19)]  # Mon 12 .. Sun 18 May


def init_id(prefix, k):
    return mock.new_id({"next_seq": 900 + k}, prefix)


CONTACTS = [
    # name, email, phone, company, tags, (street, city, postcode, country)
    ("Ilse Marwood", "ilse.marwood@marwood-dental.example", "+44 20 7946 0112",
     "Marwood Dental Practice", ["dentist"],
     ("14 Quay Row", "Tarnhollow", "TH4 9QR", "Elsinmark")),
    ("Tobin Achterberg", "tobin.achterberg@quillfeather.example",
     "+31 20 555 0147", "Quillfeather Analytics", ["colleague", "finance"],
     ("Gracht 221", "Castelvane", "1017 KX", "Veldhaven")),
    ("Priya Halloran", "priya.halloran@quillfeather.example",
     "+44 161 496 0033", "Quillfeather Analytics", ["colleague"],
     ("3 Mill Lane", "Port Elsin", "PE2 7LD", "Elsinmark")),
    ("Priya Nakashima", "priya.nakashima@orreryhealth.example",
     "+1 415 555 0190", "Orrery Health", ["book-club"],
     ("88 Cedar Walk", "Mirebrook", "MB 40912", "Ostrava Bay")),
    ("Dario Venkat", "dario.venkat@quillfeather.example", "+44 161 496 0871",
     "Quillfeather Analytics", ["colleague", "team"],
     ("9 Tanner Street", "Port Elsin", "PE1 3TS", "Elsinmark")),
    ("Sunniva Pell", "sunniva.pell@quillfeather.example", "+47 21 55 03 18",
     "Quillfeather Analytics", ["colleague", "team"],
     ("Fjordveien 12", "Oskarsby", "0361", "Nordholm")),
    ("Amara Quist", "amara.quist@veldt.example", "+1 312 555 0163",
     "Veldt Robotics", ["vendor"],
     ("400 Foundry Ave", "Mirebrook", "MB 40220", "Ostrava Bay")),
    ("Lev Castellane", "lev.castellane@veldt.example", "+1 312 555 0178",
     "Veldt Robotics", ["vendor"],
     ("400 Foundry Ave", "Mirebrook", "MB 40220", "Ostrava Bay")),
    ("Fenna Brightwater", "fenna@brightwater.example", "+44 20 7946 0958",
     "", ["friend", "book-club"],
     ("27 Larch Crescent", "Tarnhollow", "TH2 6LC", "Elsinmark")),
    ("Kasimir Oduya", "kasimir.oduya@quillfeather.example",
     "+44 161 496 0542", "Quillfeather Analytics", ["colleague", "team"],
     ("51 Weaver Road", "Port Elsin", "PE3 1WR", "Elsinmark")),
    ("Greta Solberg-Mun", "greta.solberg-mun@brannock.example",
     "+46 8 555 012 77", "Brannock & Sons", ["client"],
     ("Strandgatan 4", "Dunmere", "114 51", "Nordholm")),
    ("Yusuf Arkwright", "yusuf.arkwright@brannock.example",
     "+46 8 555 019 30", "Brannock & Sons", ["client"],
     ("Strandgatan 4", "Dunmere", "114 51", "Nordholm")),
    ("Rosalind Tamm", "rosalind.tamm@tammlegal.example", "+44 20 7946 0331",
     "Tamm Legal", ["lawyer"],
     ("2 Chancery Yard", "Tarnhollow", "TH1 1CY", "Elsinmark")),
    ("Hollis Wren", "hollis.wren@mailbox.example", "+44 20 7946 0764", "",
     ["friend", "book-club"],
     ("6 Orchard Close", "Castelvane", "CV9 2OC", "Veldhaven")),
    ("Mireille Okonkwo-Hale", "mireille.okonkwo-hale@veldt.example",
     "+1 312 555 0101", "Veldt Robotics", ["vendor"],
     ("400 Foundry Ave", "Mirebrook", "MB 40220", "Ostrava Bay")),
    ("Jonah Ferreira-Voss", "jonah.ferreira-voss@orreryhealth.example",
     "+1 415 555 0126", "Orrery Health", ["friend"],
     ("19 Harbour Steps", "Port Elsin", "PE5 8HS", "Elsinmark")),
]


def email_of(name):
    return next(c[1] for c in CONTACTS if c[0] == name)


def contact_rec(k, c):
    name, email, phone, company, tags, ad = c
    return {"id": init_id("CT", k), "name": name, "email": email,
            "phone": phone, "company": company, "tags": list(tags),
            "address": {"street": ad[0], "city": ad[1], "postcode": ad[2],
                        "country": ad[3]}}


EVENTS = [
    # title, date, start, minutes, calendar, attendees (names), location
    ("Team standup", DATES[0], "09:00", 15, "work",
     ["Dario Venkat", "Sunniva Pell", "Kasimir Oduya"], "Room Juniper"),
    ("Budget review", DATES[0], "14:00", 60, "work",
     ["Priya Halloran", "Tobin Achterberg"], "Room Saffron"),
    ("Team standup", DATES[1], "09:00", 15, "work",
     ["Dario Venkat", "Sunniva Pell", "Kasimir Oduya"], "Room Juniper"),
    ("Vendor sync", DATES[1], "10:00", 45, "work", ["Amara Quist"],
     "Video call"),
    ("Dentist", DATES[1], "16:30", 30, "personal", [],
     "Marwood Dental Practice"),
    ("Quarterly planning", DATES[2], "09:30", 120, "work",
     ["Dario Venkat", "Sunniva Pell", "Kasimir Oduya", "Priya Halloran"],
     "Room Saffron"),
    ("Lunch with Fenna", DATES[2], "12:30", 60, "personal",
     ["Fenna Brightwater"], "Copper Kettle"),
    ("Design critique", DATES[2], "15:00", 60, "work",
     ["Kasimir Oduya", "Greta Solberg-Mun"], "Room Juniper"),
    ("Team standup", DATES[3], "09:00", 15, "work",
     ["Dario Venkat", "Sunniva Pell", "Kasimir Oduya"], "Room Juniper"),
    ("Interview: backend candidate", DATES[3], "11:00", 60, "work",
     ["Lev Castellane"], "Room Saffron"),
    ("Yoga", DATES[3], "18:00", 60, "personal", [], "Lotus Loft"),
    ("Release retro", DATES[4], "10:00", 60, "work",
     ["Dario Venkat", "Kasimir Oduya"], "Room Juniper"),
    ("Book club", DATES[4], "19:00", 90, "personal",
     ["Fenna Brightwater", "Hollis Wren", "Priya Nakashima"],
     "Hollis's flat"),
    ("Car service", DATES[5], "08:30", 60, "personal", [], "Dunmere Motors"),
]


def event_rec(k, e):
    title, date, start, mins, cal, att, loc = e
    return {"id": init_id("EV", k), "title": title, "date": date,
            "start_time": start, "duration_minutes": mins, "calendar": cal,
            "attendees": [email_of(n) for n in att], "location": loc,
            "reminder": None, "status": "confirmed"}


TASKS = [
    # title, list, due, priority, status, tags
    ("Submit expense report", "work", DATES[3], "high", "open",
     ["q2-report"]),
    ("Draft Q2 summary slides", "work", DATES[4], "normal", "open",
     ["q2-report"]),
    ("Review Veldt contract", "work", DATES[2], "high", "open", ["vendor"]),
    ("Book team offsite venue", "work", None, "low", "open", []),
    ("Archive old invoices", "work", None, "low", "done", ["q2-report"]),
    ("Fix leaking kitchen tap", "home", None, "normal", "open", []),
    ("Clean gutters", "home", None, "low", "open", []),
    ("Water the ferns", "home", None, "normal", "done", []),
    ("Pick up dry cleaning", "errands", DATES[1], "normal", "open", []),
    ("Return library books", "errands", DATES[2], "normal", "open", []),
    ("Buy birthday card for Fenna", "errands", DATES[1], "high", "open", []),
    ("Post parcel to Dunmere", "errands", None, "low", "done", []),
    ("Call the insurer", "inbox", None, "normal", "open", []),
    ("Read The Salt Orchard", "inbox", None, "low", "open", ["book-club"]),
]


def task_rec(k, t):
    title, lst, due, prio, status, tags = t
    return {"id": init_id("TD", k), "title": title, "list": lst,
            "due_date": due, "priority": prio, "status": status,
            "tags": list(tags)}


ACCOUNTS = [
    {"id": "checking", "iban": "EK71 4410 0093 2201 57", "currency": "EUR",
     "balance": 2418.35},
    {"id": "savings", "iban": "EK71 4410 0093 2201 88", "currency": "EUR",
     "balance": 12040.0},
    {"id": "travel", "iban": "EK71 4410 0093 2202 13", "currency": "USD",
     "balance": 860.2},
]
PAYEES = [
    ("Marwood Dental Practice", "EK19 2003 0001 7765 04", "EUR"),
    ("Orrin Castellane", "EK33 1180 4460 0912 71", "GBP"),
    ("Tarnhollow Water Board", "EK52 0077 1203 5540 16", "EUR"),
    ("Kilnworks Studio", "EK08 3310 0452 9981 30", "EUR"),
    ("Dunmere Motors", "EK64 2250 0019 4407 82", "EUR"),
    ("Halcyon Property Lettings", "EK27 9001 3348 1120 05", "EUR"),
]
TRANSACTIONS = [
    # account, date, description, amount
    ("checking", "2031-05-02", "Halcyon Property Lettings rent", -1150.0),
    ("checking", "2031-05-05", "Quillfeather Analytics salary", 3870.4),
    ("checking", "2031-05-06", "Copper Kettle", -23.6),
    ("checking", "2031-05-07", "Tarnhollow Water Board", -41.15),
    ("checking", "2031-05-08", "Kilnworks Studio", -64.0),
    ("checking", "2031-05-09", "Lotus Loft membership", -38.0),
    ("checking", "2031-05-10", "Greenbasket Grocers", -57.82),
    ("savings", "2031-04-30", "Interest", 14.75),
    ("savings", "2031-05-05", "Monthly saving", 400.0),
    ("travel", "2031-04-21", "Castelvane Rail", -46.3),
    ("travel", "2031-05-03", "Harbourview Hotel", -212.0),
]


def bank_state():
    return {
        "next_seq": 101,
        "accounts": copy.deepcopy(ACCOUNTS),
        "payees": [{"id": init_id("PY", k), "name": p[0], "iban": p[1],
                    "currency": p[2]} for k, p in enumerate(PAYEES)],
        "transactions": [{"id": init_id("TR", k), "account": t[0],
                          "date": t[1], "description": t[2],
                          "amount": t[3],
                          "currency": next(a["currency"] for a in ACCOUNTS
                                           if a["id"] == t[0])}
                         for k, t in enumerate(TRANSACTIONS)],
        "transfers": [],
    }


def payee_id(name):
    return next(p["id"] for p in bank_state()["payees"] if p["name"] == name)


def initial_states():
    return {
        "calendar.json": {"next_seq": 101, "events": [
            event_rec(k, e) for k, e in enumerate(EVENTS)]},
        "contacts.json": {"next_seq": 101, "contacts": [
            contact_rec(k, c) for k, c in enumerate(CONTACTS)]},
        "todo.json": {"next_seq": 101, "tasks": [
            task_rec(k, t) for k, t in enumerate(TASKS)]},
        "bank.json": bank_state(),
        "mail.json": {"next_seq": 101, "sent": []},
    }


def event_id(title, date):
    st = initial_states()["calendar.json"]
    return next(e["id"] for e in st["events"]
                if e["title"] == title and e["date"] == date)


def contact_id(name):
    st = initial_states()["contacts.json"]
    return next(c["id"] for c in st["contacts"] if c["name"] == name)


def todo_id(title):
    st = initial_states()["todo.json"]
    return next(t["id"] for t in st["tasks"] if t["title"] == title)


CITIES = ["Castelvane", "Dunmere", "Mirebrook", "Oskarsby", "Port Elsin",
          "Tarnhollow"]
CONDITIONS = ["sunny", "partly cloudy", "overcast", "light rain",
              "showers", "fog", "windy"]


def weather_rows():
    rnd = random.Random(20310512)
    rows = []
    for city in CITIES:
        base = rnd.uniform(11, 19)
        for d in DATES:
            cond = CONDITIONS[rnd.randrange(len(CONDITIONS))]
            hi = round(base + rnd.uniform(-3, 4), 1)
            lo = round(hi - rnd.uniform(5, 9), 1)
            rain = cond in ("light rain", "showers")
            pr = round(rnd.uniform(1.2, 14.0), 1) if rain else 0.0
            wind = rnd.randrange(6, 38)
            rows.append([city, d, cond, hi, lo, pr, wind])
    return rows


WEATHER = weather_rows()
FX = [("EUR", "USD", 1.0837), ("USD", "EUR", 0.9228), ("EUR", "GBP", 0.8542),
      ("GBP", "EUR", 1.1707), ("USD", "GBP", 0.7882), ("GBP", "USD", 1.2687)]


def weather(city, date):
    r = next(r for r in WEATHER if r[0] == city and r[1] == date)
    return dict(zip(["city", "date", "condition", "high_c", "low_c",
                     "precip_mm", "wind_kph"], r))


def fx(base, quote):
    return next(r[2] for r in FX if r[0] == base and r[1] == quote)


# ---- tools -------------------------------------------------------------------

def S(desc, **kw):
    d = {"type": "string", "description": desc}
    d.update(kw)
    return d


def exec_tool(name, desc, props, required, state):
    cmd = "python3 -B api/mock.py %s%s" % (name, " state/" + state
                                           if state else "")
    return {"name": name, "description": desc,
            "parameters": {"type": "object", "properties": props,
                           "required": required},
            "run": {"exec": cmd}}


DATE_D = "A date as YYYY-MM-DD"
TIME_D = "Start time, 24-hour HH:MM"

TOOLS = [
    exec_tool(
        "calendar_list_events",
        "List the confirmed events on one day of the user's calendar, "
        "earliest first, with their ids, times, attendees and location.",
        {"date": S(DATE_D + ", the day to list"),
         "calendar": S("Which calendar to read; default all",
                       enum=["work", "personal", "all"])},
        ["date"], "calendar.json"),
    exec_tool(
        "calendar_create_event",
        "Create an event on the user's calendar. Returns the new event "
        "with its event_id and any events it overlaps.",
        {"title": S("Title of the event"),
         "date": S(DATE_D),
         "start_time": S(TIME_D),
         "duration_minutes": {"type": "integer",
                              "description": "Length in minutes, 5 to "
                              "720; default 30"},
         "calendar": S("Calendar to put it on; default work",
                       enum=["work", "personal"]),
         "attendees": {"type": "array", "items": {"type": "string"},
                       "description": "Email addresses of people to "
                       "invite; default none"},
         "location": S("Where it takes place; optional"),
         "reminder": {
             "type": "object",
             "description": "Optional reminder before the start",
             "properties": {
                 "minutes_before": {"type": "integer",
                                    "description": "Minutes before the "
                                    "start, 0 to 10080"},
                 "method": S("How to remind; default popup",
                             enum=["popup", "email"])},
             "required": ["minutes_before"]}},
        ["title", "date", "start_time"], "calendar.json"),
    exec_tool(
        "calendar_update_event",
        "Change fields of an existing event (give only what changes).",
        {"event_id": S("Id of the event, as calendar_list_events shows it"),
         "changes": {
             "type": "object",
             "description": "The fields to change",
             "properties": {
                 "title": S("New title"),
                 "date": S("New date, YYYY-MM-DD"),
                 "start_time": S("New start time, HH:MM"),
                 "duration_minutes": {"type": "integer",
                                      "description": "New length in "
                                      "minutes"},
                 "location": S("New location")}}},
        ["event_id", "changes"], "calendar.json"),
    exec_tool(
        "calendar_cancel_event",
        "Cancel an event on the user's calendar.",
        {"event_id": S("Id of the event to cancel"),
         "notify_attendees": {"type": "boolean",
                              "description": "Email the attendees about "
                              "the cancellation; default true"}},
        ["event_id"], "calendar.json"),
    exec_tool(
        "contacts_search",
        "Search the user's address book. Returns every matching contact "
        "with id, email, phone, company, tags and postal address.",
        {"query": S("Text to look for (for field tag: the whole tag)"),
         "field": S("Field to search; default name",
                    enum=["name", "company", "email", "tag"])},
        ["query"], "contacts.json"),
    exec_tool(
        "contacts_add",
        "Add a person to the user's address book. Returns the new "
        "contact_id.",
        {"name": S("Full name"),
         "email": S("Email address; optional"),
         "phone": S("Phone number, international format; optional"),
         "company": S("Employer; optional"),
         "tags": {"type": "array", "items": {"type": "string"},
                  "description": "Labels such as friend or client; "
                  "optional"},
         "address": {
             "type": "object",
             "description": "Postal address; optional",
             "properties": {"street": S("Street and number"),
                            "city": S("City"),
                            "postcode": S("Postal code"),
                            "country": S("Country")},
             "required": ["city"]}},
        ["name"], "contacts.json"),
    exec_tool(
        "contacts_update",
        "Change an existing contact (give only what changes).",
        {"contact_id": S("Id of the contact, as contacts_search shows it"),
         "changes": {
             "type": "object",
             "description": "The fields to change",
             "properties": {
                 "email": S("New email address"),
                 "phone": S("New phone number"),
                 "company": S("New employer"),
                 "add_tags": {"type": "array", "items": {"type": "string"},
                              "description": "Tags to add"},
                 "remove_tags": {"type": "array",
                                 "items": {"type": "string"},
                                 "description": "Tags to remove"}}}},
        ["contact_id", "changes"], "contacts.json"),
    exec_tool(
        "todo_list",
        "List tasks on the user's to-do lists with their ids, due dates, "
        "priorities and tags.",
        {"list": S("Which list; default all",
                   enum=["inbox", "work", "home", "errands", "all"]),
         "status": S("Which tasks; default open",
                     enum=["open", "done", "all"])},
        [], "todo.json"),
    exec_tool(
        "todo_add",
        "Add a task to one of the user's to-do lists. Returns the new "
        "task_id.",
        {"title": S("What has to be done"),
         "list": S("List to add it to; default inbox",
                   enum=["inbox", "work", "home", "errands"]),
         "due_date": S("Due date, YYYY-MM-DD; optional"),
         "priority": S("Priority; default normal",
                       enum=["low", "normal", "high"]),
         "tags": {"type": "array", "items": {"type": "string"},
                  "description": "Labels; optional"}},
        ["title"], "todo.json"),
    exec_tool(
        "todo_complete",
        "Mark one or more tasks as done.",
        {"task_ids": {"type": "array", "items": {"type": "string"},
                      "description": "Ids of the tasks, as todo_list "
                      "shows them"}},
        ["task_ids"], "todo.json"),
    exec_tool(
        "bank_get_balance",
        "Current balance of one of the user's bank accounts.",
        {"account": S("The account", enum=["checking", "savings",
                                          "travel"])},
        ["account"], "bank.json"),
    exec_tool(
        "bank_list_payees",
        "List the saved payees the user can send money to, with their "
        "payee_id and the currency they are paid in.",
        {"query": S("Part of the payee's name; optional")},
        [], "bank.json"),
    exec_tool(
        "bank_list_transactions",
        "Recent transactions of one account, newest first.",
        {"account": S("The account", enum=["checking", "savings",
                                          "travel"]),
         "limit": {"type": "integer",
                   "description": "How many, 1 to 50; default 5"}},
        ["account"], "bank.json"),
    exec_tool(
        "bank_transfer",
        "Send money from one of the user's accounts to another of their "
        "accounts or to a saved payee. The amount must be in the source "
        "account's currency. Returns a confirmation number.",
        {"from_account": S("Account the money leaves",
                           enum=["checking", "savings", "travel"]),
         "to": {"type": "object",
                "description": "Where the money goes",
                "properties": {
                    "kind": S("An own account or a saved payee",
                              enum=["own_account", "payee"]),
                    "id": S("The account name (checking, savings, travel) "
                            "or the payee_id")},
                "required": ["kind", "id"]},
         "amount": {"type": "object",
                    "description": "How much",
                    "properties": {
                        "value": {"type": "number",
                                  "description": "Amount, greater than 0"},
                        "currency": S("Currency code",
                                      enum=["EUR", "USD", "GBP"])},
                    "required": ["value", "currency"]},
         "memo": S("Reference shown to the recipient; optional"),
         "execute_on": S("Schedule for this date (YYYY-MM-DD) instead of "
                         "now; optional")},
        ["from_account", "to", "amount"], "bank.json"),
    exec_tool(
        "send_email",
        "Send an email from the user's mailbox. Returns the message_id.",
        {"to": {"type": "array", "items": {"type": "string"},
                "description": "Recipient email addresses"},
         "cc": {"type": "array", "items": {"type": "string"},
                "description": "Copy recipients; optional"},
         "subject": S("Subject line"),
         "body": S("Message text"),
         "priority": S("Priority; default normal",
                       enum=["normal", "high"])},
        ["to", "subject", "body"], "mail.json"),
    {"name": "weather_forecast",
     "description": "Daily weather forecast for a city: condition, high "
                    "and low in degrees Celsius, precipitation in mm and "
                    "wind in km/h.",
     "parameters": {"type": "object", "properties": {
         "city": S("City name, e.g. Oskarsby"),
         "date": S(DATE_D)}, "required": ["city", "date"]},
     "run": {"builtin": "table", "file": "data/weather.csv",
             "key": ["city", "date"]}},
    {"name": "exchange_rate",
     "description": "Today's exchange rate: how many units of the quote "
                    "currency one unit of the base currency buys.",
     "parameters": {"type": "object", "properties": {
         "base": S("Currency converted from", enum=["EUR", "USD", "GBP"]),
         "quote": S("Currency converted to", enum=["EUR", "USD", "GBP"])},
         "required": ["base", "quote"]},
     "run": {"builtin": "table", "file": "data/fx.csv",
             "key": ["base", "quote"]}},
    exec_tool(
        "convert_units",
        "Convert a quantity between units of length, mass, volume or "
        "temperature.",
        {"value": {"type": "number", "description": "The quantity"},
         "from_unit": S("Unit of the value", enum=mock.UNITS),
         "to_unit": S("Unit wanted", enum=mock.UNITS)},
        ["value", "from_unit", "to_unit"], None),
]
# The mock's operation names differ from the tool names only for mail.
TOOLS[14]["run"]["exec"] = \
    "python3 -B api/mock.py messages_send state/mail.json"
TOOL = {t["name"]: t for t in TOOLS}

GROUPS = {
    "calendar": ["calendar_list_events", "calendar_create_event",
                 "calendar_update_event", "calendar_cancel_event"],
    "contacts": ["contacts_search", "contacts_add", "contacts_update"],
    "todo": ["todo_list", "todo_add", "todo_complete"],
    "bank": ["bank_get_balance", "bank_list_payees",
             "bank_list_transactions", "bank_transfer"],
    "mail": ["send_email"],
    "weather": ["weather_forecast"],
    "fx": ["exchange_rate"],
    "units": ["convert_units"],
}

SYSTEM = """You are a personal assistant acting for Noor Lark through the tools you are given: calendar, address book, to-do lists, a bank account sandbox, email, weather forecasts, currency rates and unit conversion (each task shows a subset).
Use a tool only when it fits the request, and pass arguments exactly as the tool's schema describes them. Calls that do not depend on each other may be made together in one turn.
If no available tool can do what is asked, say plainly that you cannot do it, and do not call a tool that does something else.
If a request lacks a detail a tool needs and you cannot look it up (an amount, a time, a recipient, which item is meant), ask the user for it instead of guessing.
Dates are written YYYY-MM-DD and times HH:MM (24-hour). When the work is done, reply with a short final answer that states the result."""

# ---- running oracles -----------------------------------------------------------


class World:
    """One task's oracle, executed against a private copy of the state."""

    def __init__(self):
        self.st = initial_states()
        self.oracle = []

    def call(self, name, /, **args):
        self.oracle.append({"call": {"name": name, "args": args}})
        t = TOOL[name]
        if "builtin" in t["run"]:
            if name == "weather_forecast":
                return weather(args["city"], args["date"])
            return {"base": args["base"], "quote": args["quote"],
                    "rate": fx(args["base"], args["quote"])}
        parts = t["run"]["exec"].split()
        op = parts[3]
        state = self.st[os.path.basename(parts[4])] if len(parts) > 4 \
            else {}
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                getattr(mock, op)(state, json.loads(json.dumps(args)))
            except mock.Bad as e:
                raise SystemExit("gen_toolcall: oracle call %s %s: %s" %
                                 (name, args, e))
        text = buf.getvalue().strip()
        recs = []
        for ln in text.splitlines():
            try:
                recs.append(json.loads(ln))
            except ValueError:
                pass
        if len(recs) == 1:
            return recs[0]
        return recs

    def answer(self, text):
        self.oracle.append({"answer": text})


def verify(*specs):
    for s in specs:
        txt = json.dumps(s, separators=(", ", ": "))
        assert "'" not in txt, txt
    return {"command": {"run": "python3 -B checks/verify.py " + " ".join(
        "'%s'" % json.dumps(s, separators=(", ", ": ")) for s in specs), "exit": 0}}


def unchanged(*files):
    return verify(*[{"file": "state/" + f, "unchanged": True}
                    for f in files])


def num(x, tol):
    return {"answer": {"number": x, "tolerance": tol}}


def rx(pattern):
    return {"answer": {"regex": pattern}}


def ids_rx(*ids):
    return rx("".join("(?=[\\s\\S]*\\b%s\\b)" % re.escape(i) for i in ids))


CANNOT = ("(?i)(\\bcannot\\b|can't|can not|\\bunable\\b|not able|"
          "no (suitable |available |such )?(tool|function|way)|"
          "(don't|do not) have (a |any )?(tool|way|access|the ability)|"
          "not (possible|supported|available))")


def ask(words):
    return rx("(?is)^(?=.*\\?)(?=.*\\b(%s))" % words)


# ---- the tasks ---------------------------------------------------------------------

REG = []


def task(tid, kind, tools, user, paraphrases, secrets=()):
    """Decorator: fn(World) -> list of graders, the oracle built on w."""
    def wrap(fn):
        REG.append((tid, kind, tools, user, paraphrases, list(secrets), fn))
        return fn
    return wrap


def tools_of(*groups):
    out = []
    for g in groups:
        out.extend(GROUPS[g] if g in GROUPS else [g])
    return out
