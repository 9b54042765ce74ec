#!/usr/bin/env python3
"""toolcall_tasks.py - the tasks of the toolcall suite, for gen_toolcall.py.

Each task is a function of a World: it makes the oracle's calls (which run
against the mock, so results are real), writes the final answer, and
returns its graders and the computed answer values the prompts must not
contain. Kinds: single, parallel (independent calls), multi (a later call
needs an earlier result), irrelevance (no tool fits) and missing (a
required detail is absent: ask).
"""
import re

from toolcall_world import (CANNOT, DATES, TASKS, ask, event_id,
                            ids_rx, mock, num, rx, task, todo_id, tools_of,
                            unchanged, verify, weather)

# -- single calls --

@task("single-weather-high", "single", tools_of("weather", "units"),
      "What is the forecast high temperature in Castelvane on 2031-05-14, "
      "in degrees Celsius?",
      ["Give me the expected maximum temperature (Celsius) for Castelvane "
       "on 14 May 2031 (2031-05-14).",
       "How warm will it get in Castelvane on 2031-05-14? I need the "
       "daytime high in C."])
def _(w):
    r = w.call("weather_forecast", city="Castelvane", date=DATES[2])
    w.answer("The forecast high in Castelvane on 2031-05-14 is %.1f C."
             % r["high_c"])
    return [num(r["high_c"], 0.05)], [r["high_c"]]


@task("irrel-book-restaurant", "irrelevance",
      tools_of("weather", "units", "calendar_list_events"),
      "Book me a table for two at the Copper Kettle restaurant in "
      "Castelvane on 2031-05-14 at 19:00.",
      ["Please reserve a dinner table for 2 people at the Copper Kettle in "
       "Castelvane, 2031-05-14, 19:00.",
       "Could you make a restaurant reservation: Copper Kettle, Castelvane, "
       "two people, 2031-05-14 at 19:00?"])
def _(w):
    w.answer("I cannot do that: none of my tools can make restaurant "
             "reservations. I can check the weather or your calendar for "
             "that evening if that helps.")
    return [{"no_calls": True}, rx(CANNOT)], []


@task("missing-transfer-amount", "missing",
      tools_of("bank"),
      "Transfer some money from my checking account to my savings "
      "account.",
      ["Move money from checking over to savings, please.",
       "I want to put some money from my checking account into savings."])
def _(w):
    w.answer("How much would you like to transfer from checking to "
             "savings?")
    return [ask("how much|amount|sum"), unchanged("bank.json"),
            {"calls": {"must_not": [{"name": "bank_transfer"}]}}], []


def spec(f, coll, where, count=1):
    return {"file": "state/" + f, "in": coll, "where": where, "count": count}


def total(f, coll, n):
    return {"file": "state/" + f, "in": coll, "total": n}


def done_rx():
    return rx("(?i)\\b(marked|done|completed|finished|closed|ticked)\\b")


def updated_rx():
    return rx("(?i)\\b(updated|changed|saved|moved|rescheduled|set)\\b")


def cancelled_rx():
    return rx("(?i)\\bcancel+(ed|ation)\\b")


N_TASKS = len(TASKS)


@task("single-weather-rain", "single", tools_of("weather", "units"),
      "How much precipitation is forecast for Tarnhollow on 2031-05-16? "
      "Give it in millimetres.",
      ["Expected rainfall in Tarnhollow on 2031-05-16, in mm?",
       "Tell me the forecast precipitation (millimetres) for Tarnhollow "
       "on the 16th of May 2031 (2031-05-16)."])
def _(w):
    r = w.call("weather_forecast", city="Tarnhollow", date=DATES[4])
    w.answer("About %.1f mm of precipitation is forecast for Tarnhollow on "
             "2031-05-16 (%s)." % (r["precip_mm"], r["condition"]))
    return [num(r["precip_mm"], 0.05)], []


@task("single-convert-miles", "single", tools_of("units", "weather"),
      "How many kilometres is 137.5 miles?",
      ["Convert 137.5 mi to km.",
       "I need 137.5 miles expressed in kilometres."])
def _(w):
    r = w.call("convert_units", value=137.5, from_unit="mi", to_unit="km")
    w.answer("137.5 miles is %.2f km." % r["result"])
    return [num(r["result"], 0.01)], []


@task("single-convert-oven", "single", tools_of("units"),
      "My recipe says to bake at 395 degrees Fahrenheit. What is that in "
      "Celsius?",
      ["Convert an oven temperature of 395 F to degrees C.",
       "395 degrees Fahrenheit is how many degrees Celsius?"])
def _(w):
    r = w.call("convert_units", value=395, from_unit="F", to_unit="C")
    w.answer("395 F is about %.1f C." % r["result"])
    return [num(r["result"], 0.06)], []


@task("single-convert-mass", "single", tools_of("units", "fx"),
      "My suitcase weighs 18.4 pounds. How much is that in kilograms?",
      ["Convert 18.4 lb to kg.",
       "What is 18.4 pounds in kilograms?"])
def _(w):
    r = w.call("convert_units", value=18.4, from_unit="lb", to_unit="kg")
    w.answer("18.4 lb is %.2f kg." % r["result"])
    return [num(r["result"], 0.006)], []


@task("single-fx-rate", "single", tools_of("fx", "units"),
      "What is today's exchange rate from British pounds to US dollars?",
      ["How many US dollars does one pound sterling buy today?",
       "Give me the current GBP to USD rate."])
def _(w):
    r = w.call("exchange_rate", base="GBP", quote="USD")
    w.answer("One GBP buys %.4f USD today." % r["rate"])
    return [num(r["rate"], 0.00006)], []


@task("single-balance-savings", "single", tools_of("bank"),
      "How much money is in my savings account right now?",
      ["What's the current balance of my savings account?",
       "Check my savings balance, please."])
def _(w):
    r = w.call("bank_get_balance", account="savings")
    w.answer("Your savings account holds %s %s." %
             ("{:,.2f}".format(r["balance"]), r["currency"]))
    return [num(r["balance"], 0.006)], []


@task("single-todo-add", "single", tools_of("todo"),
      "Add 'Renew passport' to my home list with high priority, due "
      "2031-06-01, tagged travel. Tell me the new task's ID.",
      ["Please put a task 'Renew passport' on the home list: priority "
       "high, due date 2031-06-01, tag travel. What ID did it get?",
       "New to-do on my home list: 'Renew passport', high priority, due "
       "2031-06-01, with the tag travel. Reply with its task ID."])
def _(w):
    r = w.call("todo_add", title="Renew passport", list="home",
               due_date="2031-06-01", priority="high", tags=["travel"])
    w.answer("Added 'Renew passport' to your home list as task %s."
             % r["task_id"])
    return [verify(spec("todo.json", "tasks", {
        "title": {"re": "(?i)renew\\s+passport"}, "list": "home",
        "priority": "high", "due_date": "2031-06-01",
        "tags": {"has": ["travel"]}, "status": "open"}),
        total("todo.json", "tasks", N_TASKS + 1)),
        ids_rx(r["task_id"])], [r["task_id"]]


@task("single-event-create", "single", tools_of("calendar"),
      "Create a personal calendar event 'Pottery class' on 2031-05-20 at "
      "18:30 for 90 minutes at Kilnworks Studio, with an email reminder "
      "60 minutes before. What is its event ID?",
      ["Put 'Pottery class' on my personal calendar: 2031-05-20, 18:30, "
       "90 minutes, location Kilnworks Studio, remind me by email an hour "
       "(60 minutes) before. Give me the event ID.",
       "Schedule Pottery class (personal calendar) for 2031-05-20 from "
       "18:30 to 20:00 at Kilnworks Studio and set an email reminder 60 "
       "minutes ahead. Which event ID does it have?"])
def _(w):
    r = w.call("calendar_create_event", title="Pottery class",
               date="2031-05-20", start_time="18:30", duration_minutes=90,
               calendar="personal", location="Kilnworks Studio",
               reminder={"minutes_before": 60, "method": "email"})
    w.answer("Created 'Pottery class' on 2031-05-20 at 18:30 (event %s)."
             % r["event_id"])
    return [verify(spec("calendar.json", "events", {
        "title": {"re": "(?i)pottery"}, "date": "2031-05-20",
        "start_time": "18:30", "duration_minutes": {"eq": 90},
        "calendar": "personal", "location": {"re": "(?i)kilnworks"},
        "reminder.method": "email",
        "reminder.minutes_before": {"eq": 60}})),
        ids_rx(r["event_id"])], [r["event_id"]]


@task("single-contact-add", "single", tools_of("contacts"),
      "Add Odile Fanshawe to my contacts: email "
      "odile.fanshawe@heronmill.example, phone +44 20 7946 0487, company "
      "Heron Mill Press, tags client and publishing, address 5 Ropewalk, "
      "Castelvane, CV2 4RW, Veldhaven. What is her contact ID?",
      ["New contact: Odile Fanshawe (Heron Mill Press), "
       "odile.fanshawe@heronmill.example, +44 20 7946 0487, tagged client "
       "and publishing, living at 5 Ropewalk, CV2 4RW Castelvane, "
       "Veldhaven. Tell me the ID she gets.",
       "Please save Odile Fanshawe in my address book with email "
       "odile.fanshawe@heronmill.example, phone +44 20 7946 0487, company "
       "Heron Mill Press, tags client + publishing and postal address 5 "
       "Ropewalk, Castelvane CV2 4RW, Veldhaven; reply with her contact "
       "ID."])
def _(w):
    r = w.call("contacts_add", name="Odile Fanshawe",
               email="odile.fanshawe@heronmill.example",
               phone="+44 20 7946 0487", company="Heron Mill Press",
               tags=["client", "publishing"],
               address={"street": "5 Ropewalk", "city": "Castelvane",
                        "postcode": "CV2 4RW", "country": "Veldhaven"})
    w.answer("Added Odile Fanshawe as contact %s." % r["contact_id"])
    return [verify(spec("contacts.json", "contacts", {
        "name": "Odile Fanshawe",
        "email": "odile.fanshawe@heronmill.example",
        "phone": {"re": "44\\D*20\\D*7946\\D*0487"},
        "company": "Heron Mill Press",
        "tags": {"has": ["client", "publishing"]},
        "address.city": "Castelvane",
        "address.postcode": {"re": "(?i)CV2\\s*4RW"}})),
        ids_rx(r["contact_id"])], [r["contact_id"]]


@task("single-list-work-events", "single", tools_of("calendar"),
      "Which events are on my work calendar on 2031-05-14? Just list their "
      "titles.",
      ["List the titles of my work events on 2031-05-14.",
       "What do I have on the work calendar for 2031-05-14? Titles only."])
def _(w):
    r = w.call("calendar_list_events", date=DATES[2], calendar="work")
    titles = [e["title"] for e in r]
    w.answer("Work events on 2031-05-14: %s." % ", ".join(titles))
    return [rx("(?is)^(?!.*Lunch with Fenna)" + "".join(
        "(?=.*%s)" % re.escape(t) for t in titles))], titles


@task("single-open-errands", "single", tools_of("todo"),
      "Which tasks on my errands list are still open?",
      ["What's still to do on my errands list?",
       "Show me the open items of the errands list."])
def _(w):
    r = w.call("todo_list", list="errands", status="open")
    titles = [t["title"] for t in r]
    w.answer("Open errands: %s." % "; ".join(titles))
    return [rx("(?is)^(?!.*Post parcel)" + "".join(
        "(?=.*%s)" % re.escape(t) for t in titles))], titles


@task("single-contact-phone", "single", tools_of("contacts", "mail"),
      "What is Tobin Achterberg's phone number?",
      ["Look up the phone number of Tobin Achterberg in my contacts.",
       "I need to call Tobin Achterberg. Which number do I have for him?"])
def _(w):
    r = w.call("contacts_search", query="Tobin Achterberg")
    w.answer("Tobin Achterberg's number is %s." % r["phone"])
    return [rx("\\+?31[\\s-]*20[\\s-]*555[\\s-]*0147")], [r["phone"]]


@task("single-send-email", "single", tools_of("mail", "contacts"),
      "Email hollis.wren@mailbox.example with the subject 'Book club "
      "snacks' and tell her I will bring the lemon cake on Friday. Give me "
      "the message ID.",
      ["Send Hollis (hollis.wren@mailbox.example) an email, subject 'Book "
       "club snacks', saying I'm bringing the lemon cake on Friday. What's "
       "the message ID?",
       "Write to hollis.wren@mailbox.example, subject line 'Book club "
       "snacks': I will bring the lemon cake on Friday. Reply with the "
       "message ID."])
def _(w):
    r = w.call("send_email", to=["hollis.wren@mailbox.example"],
               subject="Book club snacks",
               body="Hi Hollis, I will bring the lemon cake on Friday. "
                    "Noor")
    w.answer("Sent; the message ID is %s." % r["message_id"])
    return [verify(spec("mail.json", "sent", {
        "to": {"has": ["hollis.wren@mailbox.example"]},
        "subject": {"re": "(?i)book club snacks"},
        "body": {"re": "(?i)lemon cake"}}),
        total("mail.json", "sent", 1)),
        ids_rx(r["message_id"])], [r["message_id"]]


@task("single-cancel-event", "single", tools_of("calendar"),
      "Cancel event %s (my yoga class on 2031-05-15) and do not notify "
      "anyone." % event_id("Yoga", DATES[3]),
      ["Please cancel the calendar event %s, the 2031-05-15 yoga class, "
       "without sending notifications." % event_id("Yoga", DATES[3]),
       "Drop event %s (yoga, 2031-05-15) from my calendar; no "
       "notifications to attendees." % event_id("Yoga", DATES[3])])
def _(w):
    eid = event_id("Yoga", DATES[3])
    w.call("calendar_cancel_event", event_id=eid, notify_attendees=False)
    w.answer("The yoga class on 2031-05-15 (%s) is cancelled; nobody was "
             "notified." % eid)
    return [verify(spec("calendar.json", "events", {
        "id": eid, "status": "cancelled",
        "attendees_notified": {"eq": False}}),
        spec("calendar.json", "events", {"status": "cancelled"})),
        cancelled_rx()], []


@task("single-last-transaction", "single", tools_of("bank"),
      "What was the most recent transaction on my checking account, and "
      "for how much?",
      ["Show me the latest transaction on checking: who and how much?",
       "Which payment went through my checking account last, and what "
       "was the amount?"])
def _(w):
    r = w.call("bank_list_transactions", account="checking", limit=1)
    w.answer("The latest checking transaction is %s on %s: %.2f %s." % (
        r["description"], r["date"], -r["amount"], r["currency"]))
    return [rx("(?is)^(?=.*Greenbasket)(?=.*57\\.82)")], \
        ["Greenbasket", 57.82]


@task("single-complete-todo", "single", tools_of("todo"),
      "Mark task %s (Call the insurer) as done." % todo_id(
          "Call the insurer"),
      ["I called the insurer: please tick off task %s." % todo_id(
          "Call the insurer"),
       "Set to-do %s ('Call the insurer') to done." % todo_id(
           "Call the insurer")])
def _(w):
    tid = todo_id("Call the insurer")
    w.call("todo_complete", task_ids=[tid])
    w.answer("Marked 'Call the insurer' (%s) as done." % tid)
    return [verify(spec("todo.json", "tasks", {"id": tid,
                                               "status": "done"}),
                   spec("todo.json", "tasks", {"status": "done"}, 4)),
            done_rx()], []


# -- parallel calls --

@task("par-warmer-city", "parallel", tools_of("weather", "units"),
      "On 2031-05-17, which city will have the higher daytime high, "
      "Oskarsby or Dunmere, and by how many degrees Celsius?",
      ["Compare the forecast highs of Oskarsby and Dunmere for 2031-05-17: "
       "which is warmer, and by how much (C)?",
       "Which is forecast warmer on 2031-05-17, Dunmere or Oskarsby? Give "
       "the difference between their highs in Celsius."])
def _(w):
    a = w.call("weather_forecast", city="Oskarsby", date=DATES[5])
    b = w.call("weather_forecast", city="Dunmere", date=DATES[5])
    d = round(a["high_c"] - b["high_c"], 1)
    assert d > 0
    w.answer("Oskarsby will be warmer: a high of %.1f C against %.1f C in "
             "Dunmere, %.1f degrees more." % (a["high_c"], b["high_c"], d))
    return [num(d, 0.06), rx("(?i)oskarsby[^.]*\\b(warm|high|hot)")], []


@task("par-convert-three", "parallel", tools_of("units"),
      "Convert 5 km, 10 km and 21.1 km to miles.",
      ["How many miles are 5 km, 10 km and 21.1 km?",
       "Give me these distances in miles: 5 km, 10 km, 21.1 km."])
def _(w):
    rs = [w.call("convert_units", value=v, from_unit="km", to_unit="mi")
          for v in (5, 10, 21.1)]
    w.answer("5 km = %.2f mi, 10 km = %.2f mi, 21.1 km = %.2f mi." %
             tuple(r["result"] for r in rs))
    return [num(r["result"], 0.01) for r in rs], []


@task("par-total-balance", "parallel", tools_of("bank"),
      "How much do I have in my checking and savings accounts together?",
      ["What is the combined balance of checking plus savings?",
       "Add up my checking and savings balances for me."])
def _(w):
    a = w.call("bank_get_balance", account="checking")
    b = w.call("bank_get_balance", account="savings")
    t = round(a["balance"] + b["balance"], 2)
    w.answer("Checking %.2f EUR + savings %.2f EUR = %s EUR." % (
        a["balance"], b["balance"], "{:,.2f}".format(t)))
    return [num(t, 0.011)], []


@task("par-add-three-todos", "parallel", tools_of("todo"),
      "Add three tasks: 'Buy printer ink' to errands, 'Oil the garden "
      "gate' to home with low priority, and 'Prepare vendor scorecard' to "
      "work, due 2031-05-23. Give me the three new task IDs.",
      ["Three new to-dos please: errands gets 'Buy printer ink', home gets "
       "'Oil the garden gate' (low priority), work gets 'Prepare vendor "
       "scorecard' due 2031-05-23. What are their IDs?",
       "Put 'Buy printer ink' on the errands list, 'Oil the garden gate' "
       "on home as low priority and 'Prepare vendor scorecard' on work "
       "with due date 2031-05-23, then tell me all three task IDs."])
def _(w):
    a = w.call("todo_add", title="Buy printer ink", list="errands")
    b = w.call("todo_add", title="Oil the garden gate", list="home",
               priority="low")
    c = w.call("todo_add", title="Prepare vendor scorecard", list="work",
               due_date="2031-05-23")
    ids = [a["task_id"], b["task_id"], c["task_id"]]
    w.answer("Added: Buy printer ink (%s), Oil the garden gate (%s), "
             "Prepare vendor scorecard (%s)." % tuple(ids))
    return [verify(
        spec("todo.json", "tasks", {"title": {"re": "(?i)printer ink"},
                                    "list": "errands"}),
        spec("todo.json", "tasks", {"title": {"re": "(?i)garden gate"},
                                    "list": "home", "priority": "low"}),
        spec("todo.json", "tasks", {"title": {"re": "(?i)vendor scorecard"},
                                    "list": "work",
                                    "due_date": "2031-05-23"}),
        total("todo.json", "tasks", N_TASKS + 3)), ids_rx(*ids)], ids


@task("par-two-focus-blocks", "parallel", tools_of("calendar"),
      "Put two 'Focus time' blocks on my work calendar: 2031-05-13 from "
      "13:00 to 15:00 and 2031-05-15 from 14:00 to 16:00. Give me both "
      "event IDs.",
      ["I need 'Focus time' on the work calendar twice: 2031-05-13 "
       "13:00-15:00 and 2031-05-15 14:00-16:00. Reply with the two event "
       "IDs.",
       "Block 'Focus time' in my work calendar on 2031-05-13 (13:00 to "
       "15:00) and on 2031-05-15 (14:00 to 16:00); what are the event "
       "IDs?"])
def _(w):
    a = w.call("calendar_create_event", title="Focus time", date=DATES[1],
               start_time="13:00", duration_minutes=120, calendar="work")
    b = w.call("calendar_create_event", title="Focus time", date=DATES[3],
               start_time="14:00", duration_minutes=120, calendar="work")
    ids = [a["event_id"], b["event_id"]]
    w.answer("Booked Focus time on 2031-05-13 (%s) and 2031-05-15 (%s)."
             % tuple(ids))
    return [verify(*[spec("calendar.json", "events", {
        "title": {"re": "(?i)focus"}, "date": d, "start_time": s,
        "duration_minutes": {"eq": 120}, "calendar": "work"})
        for d, s in ((DATES[1], "13:00"), (DATES[3], "14:00"))]),
        ids_rx(*ids)], ids


@task("par-driest-day", "parallel", tools_of("weather"),
      "In Castelvane, which of 2031-05-12, 2031-05-13 and 2031-05-14 is "
      "forecast to be the driest, and how much rain is expected that day "
      "(mm)?",
      ["Castelvane: of the days 2031-05-12, 2031-05-13 and 2031-05-14, "
       "which gets the least precipitation, and how many mm?",
       "Which day is driest in Castelvane among 2031-05-12, 2031-05-13 "
       "and 2031-05-14? Include the forecast precipitation in mm."])
def _(w):
    rs = [w.call("weather_forecast", city="Castelvane", date=d)
          for d in DATES[:3]]
    best = min(rs, key=lambda r: r["precip_mm"])
    w.answer("The driest is %s with %.1f mm." % (best["date"],
                                                 best["precip_mm"]))
    return [num(best["precip_mm"], 0.05),
            rx("(?i)(2031-05-13|\\b13(th)?\\s+May|May\\s+13)")], []


@task("par-two-rates", "parallel", tools_of("fx"),
      "What are today's exchange rates from euros to US dollars and from "
      "euros to pounds sterling?",
      ["Give me today's EUR to USD and EUR to GBP rates.",
       "How many dollars, and how many pounds, does one euro buy today?"])
def _(w):
    a = w.call("exchange_rate", base="EUR", quote="USD")
    b = w.call("exchange_rate", base="EUR", quote="GBP")
    w.answer("1 EUR = %.4f USD and %.4f GBP." % (a["rate"], b["rate"]))
    return [num(a["rate"], 0.00006), num(b["rate"], 0.00006)], []


@task("par-two-phones", "parallel", tools_of("contacts"),
      "What are the phone numbers of Sunniva Pell and Kasimir Oduya?",
      ["Look up the numbers for Kasimir Oduya and Sunniva Pell.",
       "I need Sunniva Pell's and Kasimir Oduya's phone numbers."])
def _(w):
    a = w.call("contacts_search", query="Sunniva Pell")
    b = w.call("contacts_search", query="Kasimir Oduya")
    w.answer("Sunniva Pell: %s; Kasimir Oduya: %s." % (a["phone"],
                                                       b["phone"]))
    return [rx("(?s)^(?=.*47\\D*21\\D*55\\D*03\\D*18)"
               "(?=.*161\\D*496\\D*0542)")], [a["phone"], b["phone"]]


@task("par-two-emails", "parallel", tools_of("mail"),
      "Send two emails: tell dario.venkat@quillfeather.example that the "
      "release notes are ready for review (subject 'Release notes'), and "
      "tell greta.solberg-mun@brannock.example that her invoice was paid "
      "(subject 'Invoice paid'). Give me both message IDs.",
      ["Two separate emails please. To dario.venkat@quillfeather.example, "
       "subject 'Release notes': the release notes are ready for review. "
       "To greta.solberg-mun@brannock.example, subject 'Invoice paid': "
       "her invoice has been paid. Reply with the message IDs.",
       "Email greta.solberg-mun@brannock.example ('Invoice paid': her "
       "invoice was paid) and dario.venkat@quillfeather.example ('Release "
       "notes': the release notes are ready for him to review), and give "
       "me the two message IDs."])
def _(w):
    a = w.call("send_email", to=["dario.venkat@quillfeather.example"],
               subject="Release notes",
               body="Hi Dario, the release notes are ready for review.")
    b = w.call("send_email", to=["greta.solberg-mun@brannock.example"],
               subject="Invoice paid",
               body="Hi Greta, your invoice has been paid.")
    ids = [a["message_id"], b["message_id"]]
    w.answer("Sent both: %s to Dario and %s to Greta." % tuple(ids))
    return [verify(
        spec("mail.json", "sent", {
            "to": {"eq": ["dario.venkat@quillfeather.example"]},
            "subject": {"re": "(?i)release notes"}}),
        spec("mail.json", "sent", {
            "to": {"eq": ["greta.solberg-mun@brannock.example"]},
            "subject": {"re": "(?i)invoice paid"},
            "body": {"re": "(?i)paid"}}),
        total("mail.json", "sent", 2)), ids_rx(*ids)], ids


@task("par-count-events", "parallel", tools_of("calendar"),
      "How many events do I have on 2031-05-13 and 2031-05-14 combined?",
      ["Count my calendar events over 2031-05-13 and 2031-05-14 together.",
       "What's the total number of events on my calendar for 2031-05-13 "
       "plus 2031-05-14?"])
def _(w):
    a = w.call("calendar_list_events", date=DATES[1])
    b = w.call("calendar_list_events", date=DATES[2])
    n = len(a) + len(b)
    w.answer("%d events: %d on 2031-05-13 and %d on 2031-05-14." % (
        n, len(a), len(b)))
    return [num(n, 0)], []


@task("par-lunch-and-address", "parallel", tools_of("calendar", "contacts"),
      "Where is my lunch with Fenna on 2031-05-14, and what is Fenna "
      "Brightwater's street address?",
      ["Tell me the location of the 2031-05-14 lunch with Fenna, and "
       "Fenna Brightwater's street address from my contacts.",
       "Two things: where's lunch with Fenna on 2031-05-14, and which "
       "street does Fenna Brightwater live on?"])
def _(w):
    a = w.call("calendar_list_events", date=DATES[2], calendar="personal")
    b = w.call("contacts_search", query="Fenna Brightwater")
    loc = a["location"] if isinstance(a, dict) else a[0]["location"]
    w.answer("Lunch is at %s; Fenna lives at %s, %s." % (
        loc, b["address"]["street"], b["address"]["city"]))
    return [rx("(?is)^(?=.*Copper Kettle)(?=.*27 Larch Crescent)")], \
        ["Copper Kettle", "Larch Crescent"]


@task("par-errands-tickoff", "parallel", tools_of("todo"),
      "I picked up the dry cleaning and returned the library books: tick "
      "both off my errands list, and add 'Collect repaired watch' to "
      "errands, due 2031-05-19. What is the new task's ID?",
      ["Dry cleaning collected and library books returned, so mark those "
       "two errands done; also add the errand 'Collect repaired watch' "
       "due 2031-05-19 and tell me its ID.",
       "Please close the errands for the dry cleaning and the library "
       "books, and add 'Collect repaired watch' (errands, due "
       "2031-05-19). Reply with the ID of the new task."])
def _(w):
    w.call("todo_list", list="errands")
    a = todo_id("Pick up dry cleaning")
    b = todo_id("Return library books")
    w.call("todo_complete", task_ids=[a, b])
    r = w.call("todo_add", title="Collect repaired watch", list="errands",
               due_date="2031-05-19")
    w.answer("Ticked off the dry cleaning and library books; added "
             "'Collect repaired watch' as %s." % r["task_id"])
    return [verify(
        spec("todo.json", "tasks", {"id": a, "status": "done"}),
        spec("todo.json", "tasks", {"id": b, "status": "done"}),
        spec("todo.json", "tasks", {"title": {"re": "(?i)repaired watch"},
                                    "list": "errands",
                                    "due_date": "2031-05-19",
                                    "status": "open"}),
        spec("todo.json", "tasks", {"status": "done"}, 5)),
        ids_rx(r["task_id"])], [r["task_id"]]


# -- multi-step: a later call needs an earlier result --

@task("multi-email-late", "multi", tools_of("contacts", "mail"),
      "Email Ilse Marwood that I will be about ten minutes late for my "
      "appointment on 2031-05-13. Tell me the message ID.",
      ["Let Ilse Marwood know by email that I'm running roughly ten "
       "minutes late for the 2031-05-13 appointment; what's the message "
       "ID?",
       "Send Ilse Marwood an email saying I'll arrive about 10 minutes "
       "late to my appointment on 2031-05-13, and give me the message "
       "ID."])
def _(w):
    c = w.call("contacts_search", query="Ilse Marwood")
    r = w.call("send_email", to=[c["email"]],
               subject="Appointment on 2031-05-13",
               body="Dear Ilse, I will be about ten minutes late for my "
                    "appointment on 2031-05-13. Noor Lark")
    w.answer("Emailed Ilse Marwood at %s (message %s)." % (
        c["email"], r["message_id"]))
    return [verify(spec("mail.json", "sent", {
        "to": {"has": [c["email"]]}, "body": {"re": "(?i)late"}}),
        total("mail.json", "sent", 1)),
        ids_rx(r["message_id"])], [c["email"], r["message_id"]]


@task("multi-cancel-retro", "multi", tools_of("calendar"),
      "Cancel my Release retro on 2031-05-16.",
      ["The Release retro on 2031-05-16 is off; please cancel it.",
       "Please remove the 2031-05-16 Release retro from my calendar by "
       "cancelling it."])
def _(w):
    evs = w.call("calendar_list_events", date=DATES[4])
    eid = next(e["event_id"] for e in evs if e["title"] == "Release retro")
    w.call("calendar_cancel_event", event_id=eid)
    w.answer("The Release retro on 2031-05-16 is cancelled and its "
             "attendees were notified.")
    return [verify(spec("calendar.json", "events", {
        "id": eid, "status": "cancelled"}),
        spec("calendar.json", "events", {"status": "cancelled"})),
        cancelled_rx()], []


@task("multi-move-budget-review", "multi", tools_of("calendar"),
      "Move my Budget review on 2031-05-12 to start at 16:00 instead; "
      "keep everything else.",
      ["Shift the 2031-05-12 Budget review so it starts at 16:00, "
       "nothing else changes.",
       "Please reschedule Budget review (2031-05-12) to 16:00 the same "
       "day, same length."])
def _(w):
    evs = w.call("calendar_list_events", date=DATES[0])
    eid = next(e["event_id"] for e in evs if e["title"] == "Budget review")
    w.call("calendar_update_event", event_id=eid,
           changes={"start_time": "16:00"})
    w.answer("Moved the Budget review on 2031-05-12 to 16:00.")
    return [verify(spec("calendar.json", "events", {
        "id": eid, "start_time": "16:00", "date": DATES[0],
        "duration_minutes": {"eq": 60}, "status": "confirmed",
        "title": "Budget review"})), updated_rx()], []


@task("multi-high-in-fahrenheit", "multi", tools_of("weather", "units"),
      "What is the forecast high for Port Elsin on 2031-05-16, in degrees "
      "Fahrenheit?",
      ["Give me Port Elsin's expected maximum on 2031-05-16 in F.",
       "How hot will Port Elsin get on 2031-05-16? I want the high in "
       "Fahrenheit."])
def _(w):
    r = w.call("weather_forecast", city="Port Elsin", date=DATES[4])
    c = w.call("convert_units", value=r["high_c"], from_unit="C",
               to_unit="F")
    w.answer("The high in Port Elsin on 2031-05-16 is %.1f F." %
             c["result"])
    return [num(c["result"], 0.1)], [r["high_c"]]


@task("multi-pay-orrin-gbp", "multi", tools_of("bank", "fx"),
      "Pay Orrin Castellane the equivalent of 250 GBP from my travel "
      "account (it holds US dollars), with the memo 'Concert tickets'. "
      "Use today's exchange rate and tell me the confirmation number.",
      ["Send Orrin Castellane what 250 pounds is worth in dollars today, "
       "from the travel account (USD), memo 'Concert tickets'. What's the "
       "confirmation number?",
       "From my USD travel account, pay the payee Orrin Castellane an "
       "amount worth 250 GBP at today's rate; memo 'Concert tickets'. "
       "Reply with the confirmation number."])
def _(w):
    p = w.call("bank_list_payees", query="Orrin")
    r = w.call("exchange_rate", base="GBP", quote="USD")
    usd = round(250 * r["rate"], 2)
    t = w.call("bank_transfer", from_account="travel",
               to={"kind": "payee", "id": p["payee_id"]},
               amount={"value": usd, "currency": "USD"},
               memo="Concert tickets")
    w.answer("Paid Orrin Castellane %.2f USD (250 GBP at %.4f); "
             "confirmation %s." % (usd, r["rate"], t["confirmation"]))
    return [verify(spec("bank.json", "transfers", {
        "from_account": "travel", "to_id": p["payee_id"],
        "amount": {"num": usd, "tol": 0.02}, "currency": "USD",
        "memo": {"re": "(?i)concert"}}),
        total("bank.json", "transfers", 1)),
        ids_rx(t["confirmation"])], [t["confirmation"], usd]


@task("multi-half-to-savings", "multi", tools_of("bank"),
      "Move half of my current checking balance into my savings account "
      "and give me the confirmation number.",
      ["Transfer 50% of whatever is in checking right now to savings; "
       "reply with the confirmation number.",
       "Put half of my checking account's balance into savings. What is "
       "the confirmation number?"])
def _(w):
    b = w.call("bank_get_balance", account="checking")
    half = round(b["balance"] / 2, 2)
    t = w.call("bank_transfer", from_account="checking",
               to={"kind": "own_account", "id": "savings"},
               amount={"value": half, "currency": "EUR"})
    w.answer("Moved %.2f EUR to savings; confirmation %s." % (
        half, t["confirmation"]))
    return [verify(spec("bank.json", "transfers", {
        "from_account": "checking", "to_id": "savings",
        "amount": {"num": b["balance"] / 2, "tol": 0.011}}),
        total("bank.json", "transfers", 1)),
        ids_rx(t["confirmation"])], [t["confirmation"], half]


@task("multi-complete-q2", "multi", tools_of("todo"),
      "Mark every open task on my work list that is tagged q2-report as "
      "done.",
      ["Close all open work tasks with the tag q2-report.",
       "Everything on the work list tagged q2-report that is still open: "
       "set it to done."])
def _(w):
    ts = w.call("todo_list", list="work", status="open")
    ids = [t["task_id"] for t in ts if "q2-report" in t["tags"]]
    w.call("todo_complete", task_ids=ids)
    w.answer("Marked %d q2-report tasks as done." % len(ids))
    return [verify(*[spec("todo.json", "tasks", {"id": i,
                                                 "status": "done"})
                     for i in ids],
                   spec("todo.json", "tasks", {"status": "done"},
                        3 + len(ids))), done_rx()], []


@task("multi-invite-veldt", "multi", tools_of("contacts", "calendar"),
      "Invite everyone in my contacts who works at Veldt Robotics to a "
      "60-minute 'Veldt roadmap review' on 2031-05-20 at 10:00 on my work "
      "calendar, location Video call. What's the event ID?",
      ["Create a work event 'Veldt roadmap review', 2031-05-20, 10:00, 60 "
       "minutes, location Video call, and invite all my contacts from "
       "Veldt Robotics. Give me the event ID.",
       "Set up 'Veldt roadmap review' (work calendar) on 2031-05-20 from "
       "10:00 to 11:00 over Video call with every contact whose company "
       "is Veldt Robotics as attendees; reply with the event ID."])
def _(w):
    cs = w.call("contacts_search", query="Veldt Robotics", field="company")
    emails = [c["email"] for c in cs]
    r = w.call("calendar_create_event", title="Veldt roadmap review",
               date="2031-05-20", start_time="10:00", duration_minutes=60,
               calendar="work", attendees=emails, location="Video call")
    w.answer("Created 'Veldt roadmap review' (%s) with %s." % (
        r["event_id"], ", ".join(emails)))
    return [verify(spec("calendar.json", "events", {
        "title": {"re": "(?i)veldt roadmap"}, "date": "2031-05-20",
        "start_time": "10:00", "duration_minutes": {"eq": 60},
        "attendees": {"has": emails}})),
        ids_rx(r["event_id"])], [r["event_id"]] + emails


@task("multi-update-phone", "multi", tools_of("contacts"),
      "Dario Venkat has a new phone number, +44 161 496 0999. Update his "
      "contact.",
      ["Change Dario Venkat's phone number in my contacts to +44 161 496 "
       "0999.",
       "Please store +44 161 496 0999 as Dario Venkat's phone number."])
def _(w):
    c = w.call("contacts_search", query="Dario Venkat")
    w.call("contacts_update", contact_id=c["contact_id"],
           changes={"phone": "+44 161 496 0999"})
    w.answer("Updated Dario Venkat's phone number to +44 161 496 0999.")
    return [verify(spec("contacts.json", "contacts", {
        "id": c["contact_id"], "phone": {"re": "161\\D*496\\D*0999"},
        "email": c["email"]})), updated_rx()], []


@task("multi-free-slot", "multi", tools_of("calendar"),
      "On 2031-05-14, book a 60-minute 'Call with Rosalind Tamm' on my "
      "work calendar in the earliest free slot that starts on the hour or "
      "half hour between 09:00 and 17:00, without overlapping anything. "
      "Tell me the start time and the event ID.",
      ["Find the first free hour on 2031-05-14 (starting at :00 or :30, "
       "between 09:00 and 17:00, no overlaps) and put a work event 'Call "
       "with Rosalind Tamm' there. Which start time and event ID?",
       "Schedule 'Call with Rosalind Tamm' (work, 60 minutes) on "
       "2031-05-14 at the earliest start on a full or half hour from 09:00 "
       "to 17:00 that clashes with nothing; tell me when it starts and its "
       "event ID."])
def _(w):
    evs = w.call("calendar_list_events", date=DATES[2])
    busy = [(mock.minutes(e["start_time"]), mock.minutes(e["end_time"]))
            for e in evs]
    start = next(s for s in range(9 * 60, 17 * 60 + 1, 30)
                 if all(s + 60 <= a or s >= b for a, b in busy))
    r = w.call("calendar_create_event", title="Call with Rosalind Tamm",
               date=DATES[2], start_time=mock.hhmm(start),
               duration_minutes=60, calendar="work")
    assert not r["overlaps_with"]
    w.answer("Booked 'Call with Rosalind Tamm' at %s on 2031-05-14 (event "
             "%s)." % (mock.hhmm(start), r["event_id"]))
    return [verify(spec("calendar.json", "events", {
        "title": {"re": "(?i)rosalind"}, "date": DATES[2],
        "start_time": mock.hhmm(start), "duration_minutes": {"eq": 60}})),
        ids_rx(r["event_id"]), rx("\\b%s\\b" % mock.hhmm(start))], \
        [r["event_id"], mock.hhmm(start)]


def rain_task(tid, city, date, paras_city):
    wet = weather(city, date)["precip_mm"] > 0

    @task(tid, "multi", tools_of("weather", "todo"),
          "If any rain is forecast in %s on %s, add 'Pack umbrella' to my "
          "errands list; otherwise add 'Pack sunscreen'. Tell me which one "
          "you added and its task ID." % (city, date),
          ["Check the %s forecast for %s: with rain, put 'Pack umbrella' on "
           "my errands list, without rain 'Pack sunscreen'. Which did you "
           "add, and what's its ID?" % (paras_city, date),
           "Add 'Pack umbrella' to errands if %s expects any precipitation "
           "on %s, else add 'Pack sunscreen'; report which task and its "
           "ID." % (city, date)])
    def _(w):
        r = w.call("weather_forecast", city=city, date=date)
        title = "Pack umbrella" if r["precip_mm"] > 0 else "Pack sunscreen"
        other = "Pack sunscreen" if wet else "Pack umbrella"
        t = w.call("todo_add", title=title, list="errands")
        w.answer("%s has %.1f mm forecast, so I added '%s' (%s)." % (
            city, r["precip_mm"], title, t["task_id"]))
        return [verify(
            spec("todo.json", "tasks", {"title": {"re": "(?i)" + title},
                                        "list": "errands"}),
            spec("todo.json", "tasks", {"title": {"re": "(?i)" + other}},
                 0)), ids_rx(t["task_id"])], [t["task_id"]]


rain_task("multi-rain-umbrella", "Mirebrook", DATES[3], "Mirebrook")
rain_task("multi-rain-sunscreen", "Oskarsby", DATES[5], "Oskarsby")


@task("multi-book-club-email", "multi", tools_of("contacts", "mail"),
      "Email everyone tagged book-club in my contacts that Friday's "
      "meeting moves to 2031-05-23 (one email to all of them). Give me the "
      "message ID.",
      ["Send one email to all contacts with the tag book-club saying the "
       "Friday meeting is moved to 2031-05-23; reply with the message ID.",
       "Tell my book-club contacts (tag book-club), in a single email, "
       "that this Friday's meeting is now on 2031-05-23. What is the "
       "message ID?"])
def _(w):
    cs = w.call("contacts_search", query="book-club", field="tag")
    emails = [c["email"] for c in cs]
    r = w.call("send_email", to=emails, subject="Book club moved",
               body="Hi all, Friday's book club meeting moves to "
                    "2031-05-23. Noor")
    w.answer("Sent one email (%s) to %s." % (r["message_id"],
                                             ", ".join(emails)))
    return [verify(spec("mail.json", "sent", {
        "to": {"has": emails},
        "body": {"re": "(2031-05-23|23)"}}),
        total("mail.json", "sent", 1)),
        ids_rx(r["message_id"])], [r["message_id"]] + emails


@task("multi-attendee-phone", "multi", tools_of("calendar", "contacts"),
      "Who is the attendee of my Vendor sync on 2031-05-13, and what is "
      "their phone number?",
      ["Find out who is invited to the Vendor sync on 2031-05-13 and give "
       "me that person's phone number.",
       "My 2031-05-13 Vendor sync has one attendee: who is it, and what's "
       "their number?"])
def _(w):
    evs = w.call("calendar_list_events", date=DATES[1])
    e = next(e for e in evs if e["title"] == "Vendor sync")
    c = w.call("contacts_search", query=e["attendees"][0], field="email")
    w.answer("The attendee is %s (%s), phone %s." % (
        c["name"], c["company"], c["phone"]))
    return [rx("(?s)^(?=.*Amara Quist)(?=.*312\\D*555\\D*0163)")], \
        ["Amara Quist", c["phone"], e["attendees"][0]]


@task("multi-savings-excess", "multi", tools_of("bank"),
      "If my savings account holds more than 12,000 EUR, move everything "
      "above 12,000 EUR to my checking account. Tell me what you did and "
      "the confirmation number.",
      ["Keep 12,000 EUR in savings: if there is more, transfer the excess "
       "to checking and give me the confirmation number.",
       "Check savings; anything over 12,000 EUR should go to checking. "
       "Reply with the confirmation number."])
def _(w):
    b = w.call("bank_get_balance", account="savings")
    extra = round(b["balance"] - 12000, 2)
    assert extra > 0
    t = w.call("bank_transfer", from_account="savings",
               to={"kind": "own_account", "id": "checking"},
               amount={"value": extra, "currency": "EUR"})
    w.answer("Savings held %.2f EUR, so I moved %.2f EUR to checking "
             "(confirmation %s)." % (b["balance"], extra,
                                     t["confirmation"]))
    return [verify(spec("bank.json", "transfers", {
        "from_account": "savings", "to_id": "checking",
        "amount": {"num": extra, "tol": 0.005}}),
        total("bank.json", "transfers", 1)),
        ids_rx(t["confirmation"])], [t["confirmation"], extra]


@task("multi-travel-in-eur", "multi", tools_of("bank", "fx"),
      "How much is my travel account worth in euros at today's exchange "
      "rate?",
      ["Convert the balance of my travel account into EUR at today's "
       "rate.",
       "What's the travel account's balance expressed in euros, using "
       "today's rate?"])
def _(w):
    b = w.call("bank_get_balance", account="travel")
    r = w.call("exchange_rate", base="USD", quote="EUR")
    eur = round(b["balance"] * r["rate"], 2)
    w.answer("%.2f USD at %.4f is about %.2f EUR." % (b["balance"],
                                                     r["rate"], eur))
    return [num(eur, 0.02)], [b["balance"]]


@task("multi-pay-dentist", "multi", tools_of("bank"),
      "Pay Marwood Dental Practice 85 EUR from my checking account with "
      "the memo 'Invoice 4471'. What is the confirmation number?",
      ["Send 85 EUR from checking to the payee Marwood Dental Practice, "
       "memo 'Invoice 4471', and give me the confirmation number.",
       "Please settle invoice 4471 from Marwood Dental Practice: 85 EUR "
       "from checking, memo 'Invoice 4471'. Confirmation number?"])
def _(w):
    p = w.call("bank_list_payees", query="Marwood")
    t = w.call("bank_transfer", from_account="checking",
               to={"kind": "payee", "id": p["payee_id"]},
               amount={"value": 85, "currency": "EUR"},
               memo="Invoice 4471")
    w.answer("Paid 85.00 EUR to Marwood Dental Practice; confirmation %s."
             % t["confirmation"])
    return [verify(spec("bank.json", "transfers", {
        "from_account": "checking", "to_id": p["payee_id"],
        "amount": {"num": 85, "tol": 0.001},
        "memo": {"re": "4471"}}), total("bank.json", "transfers", 1)),
        ids_rx(t["confirmation"])], [t["confirmation"], p["payee_id"]]


@task("multi-move-interview", "multi", tools_of("calendar"),
      "Move the backend candidate interview on 2031-05-15 to 2031-05-16, "
      "same start time and length.",
      ["Reschedule the 2031-05-15 interview with the backend candidate to "
       "2031-05-16 at the same time.",
       "The backend candidate interview (2031-05-15) has to happen on "
       "2031-05-16 instead; keep the time."])
def _(w):
    evs = w.call("calendar_list_events", date=DATES[3])
    e = next(e for e in evs if e["title"].startswith("Interview"))
    w.call("calendar_update_event", event_id=e["event_id"],
           changes={"date": DATES[4]})
    w.answer("Moved the interview to 2031-05-16 at %s." % e["start_time"])
    return [verify(spec("calendar.json", "events", {
        "id": e["event_id"], "date": DATES[4], "start_time": "11:00",
        "duration_minutes": {"eq": 60}, "status": "confirmed"})),
        updated_rx()], []


@task("multi-retag-hollis", "multi", tools_of("contacts"),
      "Hollis Wren has left the book club: remove her book-club tag and "
      "tag her as neighbour instead.",
      ["Update Hollis Wren's contact: drop the tag book-club, add the tag "
       "neighbour.",
       "In my contacts, Hollis Wren should no longer be tagged book-club; "
       "give her the tag neighbour."])
def _(w):
    c = w.call("contacts_search", query="Hollis Wren")
    w.call("contacts_update", contact_id=c["contact_id"],
           changes={"add_tags": ["neighbour"],
                    "remove_tags": ["book-club"]})
    w.answer("Updated Hollis Wren: removed book-club, added neighbour.")
    return [verify(spec("contacts.json", "contacts", {
        "id": c["contact_id"], "tags": {"has": ["neighbour", "friend"]}}),
        spec("contacts.json", "contacts", {
            "id": c["contact_id"],
            "tags": {"not": {"has": ["book-club"]}}})), updated_rx()], []


# -- irrelevance: no tool fits; the right answer is no call and a refusal --

def irrelevant(tid, tools, user, paras, reply, lenient=None):
    """lenient: mutating tools that must not be called (read-only calls
    allowed); otherwise no call at all."""
    @task(tid, "irrelevance", tools, user, paras)
    def _(w):
        w.answer(reply)
        g = [{"calls": {"must_not": [{"name": n} for n in lenient]}}] \
            if lenient else [{"no_calls": True}]
        return g + [rx(CANNOT)], []


irrelevant(
    "irrel-buy-shares", tools_of("bank"),
    "Buy 10 shares of Veldt Robotics stock with money from my checking "
    "account.",
    ["Use my checking account to purchase ten Veldt Robotics shares.",
     "Please invest in Veldt Robotics for me: 10 shares, paid from "
     "checking."],
    "I cannot buy shares: the banking tools I have only show balances, "
    "payees and transactions and send transfers; there is no tool for "
    "trading stocks.")
irrelevant(
    "irrel-order-taxi", tools_of("calendar", "contacts"),
    "Order a taxi to pick me up at home at 08:00 on 2031-05-17 for my car "
    "service.",
    ["Book a cab for 08:00 on 2031-05-17 from my home, I need to get to "
     "the car service.",
     "Can you get me a taxi at 08:00 on 2031-05-17 to take me to my car "
     "service?"],
    "I cannot order a taxi: none of my tools can book transport. I can "
    "only manage your calendar and contacts.")
irrelevant(
    "irrel-set-alarm", tools_of("todo", "calendar_list_events"),
    "Set an alarm on my phone for 06:15 on 2031-05-15.",
    ["Please make my phone ring at 06:15 on 2031-05-15.",
     "Wake me up at 06:15 on 2031-05-15 with a phone alarm."],
    "I cannot set phone alarms: there is no tool for your phone's alarm "
    "clock among the ones I have.")
irrelevant(
    "irrel-book-flight", tools_of("weather", "fx", "units"),
    "Book me a flight from Tarnhollow to Oskarsby on 2031-05-16.",
    ["I need a plane ticket Tarnhollow to Oskarsby for 2031-05-16, please "
     "book it.",
     "Reserve a flight on 2031-05-16 from Tarnhollow to Oskarsby for me."],
    "I cannot book flights: my tools only give weather forecasts, "
    "exchange rates and unit conversions.")
irrelevant(
    "irrel-credit-card", tools_of("bank"),
    "Apply for a new credit card with a 5,000 EUR limit for me.",
    ["Please request a credit card for me, limit 5,000 EUR.",
     "Could you open a credit card application with a 5,000 EUR credit "
     "limit?"],
    "I cannot apply for a credit card: the bank tools available to me "
    "cannot open products or applications.")
irrelevant(
    "irrel-join-call", tools_of("calendar", "contacts"),
    "Join the video call of my Vendor sync on 2031-05-13 and record it "
    "for me.",
    ["Please attend the Vendor sync video call on 2031-05-13 and make a "
     "recording.",
     "Record the 2031-05-13 Vendor sync video call by joining it for "
     "me."],
    "I cannot join or record video calls: my tools can only read and "
    "change your calendar and contacts.")
irrelevant(
    "irrel-delete-inbox", tools_of("mail", "contacts"),
    "Delete every email in my inbox that is older than one year.",
    ["Clean out my inbox: remove all emails more than a year old.",
     "Please purge the emails in my inbox from over a year ago."],
    "I cannot delete emails: I can only send email and look up contacts; "
    "there is no tool to read or delete your inbox.")
irrelevant(
    "irrel-share-list", tools_of("todo", "contacts"),
    "Share my errands list with Sunniva Pell so that she can edit it.",
    ["Give Sunniva Pell edit access to my errands to-do list.",
     "Please let Sunniva Pell edit my errands list by sharing it with "
     "her."],
    "I cannot share lists: the to-do tools I have can list, add and "
    "complete tasks, but not share a list with someone.",
    lenient=["todo_add", "todo_complete", "contacts_add",
             "contacts_update"])
irrelevant(
    "irrel-close-account", tools_of("bank"),
    "Close my travel account and cancel its card.",
    ["Please shut down the travel account, card included.",
     "I want the travel account closed and its card cancelled."],
    "I cannot close accounts or cancel cards: my bank tools only show "
    "balances, payees and transactions and make transfers.",
    lenient=["bank_transfer"])
irrelevant(
    "irrel-thermostat", tools_of("weather", "units"),
    "Turn the heating in my flat up to 21 degrees Celsius.",
    ["Set my flat's thermostat to 21 C.",
     "Please raise the heating at home to 21 degrees Celsius."],
    "I cannot control your heating: there is no smart-home or thermostat "
    "tool among mine.")
irrelevant(
    "irrel-track-parcel", tools_of("todo", "mail"),
    "Track my parcel to Dunmere and tell me when it will be delivered.",
    ["When will my parcel to Dunmere arrive? Please track it.",
     "Check the delivery status of the parcel I posted to Dunmere."],
    "I cannot track parcels: none of my tools connects to a delivery "
    "service. Your to-do list only notes that the parcel was posted.",
    lenient=["todo_add", "todo_complete", "send_email"])
irrelevant(
    "irrel-stock-quote", tools_of("fx", "bank"),
    "What is Veldt Robotics' share price right now?",
    ["Tell me the current stock price of Veldt Robotics.",
     "How much does one Veldt Robotics share cost today?"],
    "I cannot look up share prices: my tools give exchange rates and your "
    "own bank accounts, not stock quotes.")


# -- missing parameter: ask for it, change nothing --

def missing(tid, tools, user, paras, reply, words, files, forbid):
    @task(tid, "missing", tools, user, paras)
    def _(w):
        w.answer(reply)
        g = [ask(words)]
        if files:
            g.append(unchanged(*files))
        g.append({"calls": {"must_not": [{"name": n} for n in forbid]}})
        return g, []


missing(
    "missing-event-time", tools_of("calendar"),
    "Put a dentist check-up on my personal calendar on 2031-05-20.",
    ["Add a dentist check-up to the personal calendar for 2031-05-20.",
     "Please schedule a dentist check-up (personal) on 2031-05-20."],
    "What time should the dentist check-up on 2031-05-20 start, and how "
    "long will it take?",
    "time|when|start|o'clock", ["calendar.json"], ["calendar_create_event"])
missing(
    "missing-email-content", tools_of("contacts", "mail"),
    "Send an email to Sunniva Pell.",
    ["Please email Sunniva Pell.",
     "Write an email to Sunniva Pell for me."],
    "What should the email to Sunniva Pell say, and what subject should "
    "it have?",
    "say|subject|message|content|body|write|about|text",
    ["mail.json"], ["send_email"])
missing(
    "missing-todo-title", tools_of("todo"),
    "Add a task to my work list with high priority.",
    ["Put a new high-priority item on my work to-do list.",
     "Create a high priority task on the work list."],
    "What is the task? Please tell me its title.",
    "what|which|title|task|called|name", ["todo.json"], ["todo_add"])
missing(
    "missing-weather-date", tools_of("weather", "units"),
    "What will the weather be like in Tarnhollow?",
    ["Give me the Tarnhollow weather forecast.",
     "How is the weather going to be in Tarnhollow?"],
    "For which date would you like the Tarnhollow forecast?",
    "date|day|when", [], ["weather_forecast"])
missing(
    "missing-convert-value", tools_of("units"),
    "Convert my height to centimetres.",
    ["How tall am I in centimetres?",
     "Please express my height in cm."],
    "How tall are you, and in which unit (feet and inches, or metres)?",
    "how tall|height|value|what is|measure", [], ["convert_units"])
missing(
    "missing-cancel-which", tools_of("calendar"),
    "Cancel my team standup.",
    ["Please cancel the team standup.",
     "Call off my team standup meeting."],
    "There is a Team standup on several days. Which date should I "
    "cancel?",
    "which|what day|date|when", ["calendar.json"],
    ["calendar_cancel_event", "calendar_update_event"])
missing(
    "missing-new-phone", tools_of("contacts"),
    "Update Tobin Achterberg's phone number in my contacts.",
    ["Please change the phone number I have for Tobin Achterberg.",
     "Tobin Achterberg's number has changed; update his contact."],
    "What is Tobin Achterberg's new phone number?",
    "number|phone", ["contacts.json"], ["contacts_update"])
missing(
    "missing-pay-amount", tools_of("bank"),
    "Pay Marwood Dental Practice from my checking account.",
    ["Send a payment to Marwood Dental Practice out of checking.",
     "Please pay the Marwood Dental Practice from checking."],
    "How much should I pay Marwood Dental Practice?",
    "how much|amount|sum", ["bank.json"], ["bank_transfer"])
missing(
    "missing-call-when", tools_of("calendar", "contacts"),
    "Set up a 30-minute call with Ilse Marwood.",
    ["Book a half-hour call with Ilse Marwood on my calendar.",
     "Please schedule a 30-minute call with Ilse Marwood."],
    "On which date and at what time should the call with Ilse Marwood "
    "be?",
    "when|date|time|day", ["calendar.json"], ["calendar_create_event"])
missing(
    "missing-which-priya", tools_of("contacts", "mail"),
    "Email Priya the notes from the budget review: the Q2 travel budget "
    "stays at 4,000 EUR.",
    ["Send Priya an email with the budget review notes: the Q2 travel "
     "budget stays at 4,000 EUR.",
     "Let Priya know by email that, per the budget review, the Q2 travel "
     "budget remains 4,000 EUR."],
    "I have two contacts called Priya, Priya Halloran and Priya "
    "Nakashima. Which one should I email?",
    "which|Halloran|Nakashima", ["mail.json"], ["send_email"])
missing(
    "missing-transfer-dest", tools_of("bank"),
    "Transfer 200 EUR from my savings account.",
    ["Move 200 EUR out of savings.",
     "Please send 200 EUR from savings."],
    "Where should the 200 EUR go: to your checking account or to one of "
    "your payees?",
    "where|which|who|to whom|recipient|payee|destination", ["bank.json"],
    ["bank_transfer"])
