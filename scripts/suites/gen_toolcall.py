#!/usr/bin/env python3
"""gen_toolcall.py - generate suites/toolcall: BFCL-style function calling
over small stateful mock APIs (calendar, contacts, to-do list, bank
sandbox, outgoing mail) and look-ups (weather, currency rates, unit
conversion).

usage: python3 scripts/suites/gen_toolcall.py [OUT_DIR]   (default
suites/toolcall; README.md there is written by hand and left alone)

Deterministic: fixed data, fixed seeds, sorted output, no timestamps, so a
second run leaves `git status` clean. The oracle of every task is executed
here, in process, against the same mock code the harness runs
(toolcall_mock.py), so answers, ids and graders are computed from the data
rather than typed in; a task whose oracle errors stops the generator.
Every task is also checked for leaks: its prompts, paraphrases, the system
prompt and the tool descriptions must not contain its answer.
"""
import csv
import io
import json
import os
import re
import shutil
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the sources
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import toolcall_tasks  # noqa: E402,F401  (registers the tasks)
from toolcall_world import (FX, GROUPS, MOCK_SRC, REG, SYSTEM, TOOL,  # noqa
                            TOOLS, TOP, VERIFY_SRC, WEATHER, World,
                            initial_states)


# ---- writing ---------------------------------------------------------------------

PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/]*")
RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n",
            "~"}


def scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if PLAIN.fullmatch(v) and v.lower() not in RESERVED:
        return v
    return json.dumps(v)


def flow(v):
    if isinstance(v, dict):
        return "{" + ", ".join("%s: %s" % (scalar(k), flow(x))
                               for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    return scalar(v)


def block(v, ind=0):
    """YAML lines for v: mappings and lists of mappings in block style,
    small leaves in flow style."""
    pad = " " * ind
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, dict) and x and len(flow(x)) > 60:
                out.append("%s%s:" % (pad, scalar(k)))
                out.extend(block(x, ind + 2))
            elif isinstance(x, list) and x and any(
                    isinstance(e, (dict, list)) for e in x) and \
                    len(flow(x)) > 60:
                out.append("%s%s:" % (pad, scalar(k)))
                out.extend(block(x, ind + 2))
            else:
                out.append("%s%s: %s" % (pad, scalar(k), flow(x)))
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, dict) and x and len(flow(x)) > 60:
                sub = block(x, ind + 2)
                out.append("%s- %s" % (pad, sub[0][ind + 2:]))
                out.extend(sub[1:])
            else:
                out.append("%s- %s" % (pad, flow(x)))
    return out


def yaml_doc(v, header=None):
    lines = []
    if header:
        lines.extend("# " + h for h in header)
    lines.extend(block(v))
    return "\n".join(lines) + "\n"


def number_forms(x):
    """The usual ways a number is written, for the leak check."""
    forms = set()
    x = float(x)
    for d in (0, 1, 2, 3, 4):
        s = "%.*f" % (d, x)
        if float(s) != round(x, d) or abs(float(s) - x) > 0.5 * 10 ** -d:
            continue
        if d == 0 and abs(x - round(x)) > 1e-9:
            continue
        forms.add(s)
        forms.add("{:,.{}f}".format(x, d))
        forms.add(s.replace(".", ","))
    forms.add(repr(x).rstrip("0").rstrip(".") if "." in repr(x) else
              repr(x))
    return {f for f in forms if len(f.strip("-0.,")) >= 1}


DATE_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b")


def leaks(texts, secrets):
    """Secrets found in texts. Numbers are looked for outside dates and
    times, which the number grader does not read as numbers either."""
    found = []
    bare = [DATE_TIME.sub(" ", t) for t in texts]
    for s in secrets:
        if isinstance(s, (int, float)) and not isinstance(s, bool):
            for f in number_forms(s):
                pat = r"(?<![\d.,])%s(?![\d]|[.,]\d)" % re.escape(f)
                if any(re.search(pat, t) for t in bare):
                    found.append(f)
        elif any(s.lower() in t.lower() for t in texts):
            found.append(s)
    return found


def tool_texts(names):
    out = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "description" and isinstance(v, str):
                    out.append(v)
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    for n in names:
        walk(TOOL[n])
    return out


def build_tasks():
    tasks = []
    seen = set()
    for tid, kind, tools, user, paras, secrets, fn in REG:
        assert tid not in seen, tid
        seen.add(tid)
        assert len(paras) >= 2, tid
        w = World()
        grade, computed = fn(w)
        secrets = secrets + computed
        for g in grade:
            a = g.get("answer", {})
            if "number" in a:
                secrets.append(a["number"])
            if "exact" in a:
                secrets.append(a["exact"])
        texts = [user, SYSTEM] + paras + tool_texts(tools)
        bad = leaks(texts, secrets)
        if bad:
            raise SystemExit("gen_toolcall: task %s: the prompt, system "
                             "prompt or tool descriptions contain the "
                             "answer %s" % (tid, bad))
        names = [s["call"]["name"] for s in w.oracle if "call" in s]
        for n in names:
            assert n in tools, (tid, n)
        if kind in ("irrelevance", "missing"):
            assert not any(n for n in names
                           if n not in GROUPS["bank"][:3] and
                           n not in ("contacts_search", "todo_list",
                                     "calendar_list_events")), tid
        tasks.append((tid, kind, {
            "id": tid, "user": user, "paraphrases": paras,
            "tools": tools, "grade": grade, "oracle": w.oracle}))
    return tasks


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.join(TOP, "suites",
                                                      "toolcall")
    tasks = build_tasks()
    for sub in ("tasks", "env"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    suite = {
        "name": "toolcall",
        "description": "BFCL-style function calling over stateful mock "
                       "APIs: single, parallel and multi-step calls, "
                       "irrelevance (no tool fits) and missing-parameter "
                       "requests.",
        "system": SYSTEM,
        "env": "env/",
        "max_steps": 12,
        "tools": [{k: t[k] for k in ("name", "description", "parameters",
                                      "run")} for t in TOOLS],
    }
    write(os.path.join(out, "suite.yaml"), yaml_doc(suite, [
        "GENERATED by scripts/suites/gen_toolcall.py: do not edit by hand.",
        "BFCL-style function calling over mock APIs with state; see "
        "README.md."]))
    for tid, kind, t in tasks:
        write(os.path.join(out, "tasks", tid + ".yaml"),
              yaml_doc(t, ["GENERATED by scripts/suites/gen_toolcall.py "
                           "(kind: %s)." % kind]))
    env = os.path.join(out, "env")
    for name, st in sorted(initial_states().items()):
        text = json.dumps(st, indent=2, sort_keys=True) + "\n"
        write(os.path.join(env, "state", name), text)
        write(os.path.join(env, "checks", "baseline", name), text)
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(["city", "date", "condition", "high_c", "low_c",
                 "precip_mm", "wind_kph"])
    for r in WEATHER:
        wr.writerow(r)
    write(os.path.join(env, "data", "weather.csv"), buf.getvalue())
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(["base", "quote", "rate"])
    for r in FX:
        wr.writerow(r)
    write(os.path.join(env, "data", "fx.csv"), buf.getvalue())
    for src, dst in ((MOCK_SRC, "api/mock.py"),
                     (VERIFY_SRC, "checks/verify.py")):
        with open(src, encoding="utf-8") as f:
            write(os.path.join(env, dst), f.read())
    kinds = {}
    for _, kind, _t in tasks:
        kinds[kind] = kinds.get(kind, 0) + 1
    print("gen_toolcall: %d tasks (%s) in %s" % (
        len(tasks), ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
        out))


if __name__ == "__main__":
    main(sys.argv)
