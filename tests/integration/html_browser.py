#!/usr/bin/env python3
"""html_browser.py - open a jolt HTML report in headless Chromium and say
what happened, as one JSON object on stdout.

Drives Chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe: NUL-separated JSON on fds 3 and 4), so it needs
nothing but python3 and Debian's chromium. It loads the page from file://,
records every console message, uncaught exception, log entry (CSP
violations land there), JavaScript dialog and network request, counts the
charts, optionally filters the trial list and opens the first trial shown,
and saves a full-page screenshot.

usage: html_browser.py REPORT.html SCREENSHOT.png [FILTER]
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 120  # seconds for the whole visit


class Browser:
    def __init__(self, profile):
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            raise SystemExit("html_browser: chromium is not installed "
                             "(make deps installs it)")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        # The protocol pipes must be fds 3 and 4 in chromium: a shell
        # moves them there after Python has closed the fds it does not
        # pass.
        args = [exe, "--headless=new", "--remote-debugging-pipe",
                "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps",
                "--user-data-dir=" + profile, "about:blank"]
        self.proc = subprocess.Popen(
            ["sh", "-c", 'exec "$@" 3<&%d 4>&%d' % (to_chrome_r,
                                                    from_chrome_w),
             "sh"] + args,
            pass_fds=(to_chrome_r, from_chrome_w),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(profile, "chromium.log"), "w"))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def read(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=60):
        want = self.send(method, params, session)
        deadline = time.time() + timeout
        while True:
            msg = self.read(deadline)
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, method, timeout=60):
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        deadline = time.time() + timeout
        while True:
            msg = self.read(deadline)
            if msg.get("method") == method:
                return msg
            self.events.append(msg)

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()


# What the page is asked: which charts and viewer parts exist.
PROBE = """(() => ({
  charts: [...document.querySelectorAll('svg.chart')].map(s => s.id),
  sections: [...document.querySelectorAll('section')].map(s => s.id),
  leaderboard_rows: document.querySelectorAll('#leaderboard tbody tr').length,
  list_rows: document.querySelectorAll('#list tbody tr').length,
  count: (document.getElementById('count') || {}).textContent,
  imgs: document.querySelectorAll('img, iframe, object, embed').length,
  scripts: document.querySelectorAll('script:not([type])').length,
}))()"""

# Filter the trial list, open the first trial shown, wait for the viewer.
OPEN = """(async (filter) => {
  const q = document.getElementById('q');
  q.value = filter;
  q.dispatchEvent(new Event('input'));
  const row = document.querySelector('#list tbody tr');
  if (!row) return {opened: false};
  row.click();
  const v = document.getElementById('viewer');
  for (let i = 0; i < 200; i++) {
    if (v.querySelector('.blk') || v.querySelector('.na')) break;
    await new Promise(r => setTimeout(r, 50));
  }
  return {
    opened: !v.hidden,
    trial: row.dataset.trial,
    columns: v.querySelectorAll('.cols > .col').length,
    blocks: v.querySelectorAll('.blk').length,
    steps: v.querySelectorAll('.blk.step').length,
    thinking: v.querySelectorAll('.blk.thinking').length,
    calls: v.querySelectorAll('.blk.call').length,
    results: v.querySelectorAll('.blk.result').length,
    marks: v.querySelectorAll('mark').length,
    changed: (v.querySelector('.changed') || {}).textContent || '',
    errors: [...v.querySelectorAll('.na')].map(e => e.textContent),
    text: v.innerText.slice(0, 100000),
  };
})"""


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    page, shot = os.path.abspath(sys.argv[1]), sys.argv[2]
    filt = sys.argv[3] if len(sys.argv) > 3 else None
    url = "file://" + page
    profile = tempfile.mkdtemp(prefix="jolt-chromium-")
    b = Browser(profile)
    out = {}
    try:
        t = b.call("Target.createTarget", {"url": "about:blank"})
        s = b.call("Target.attachToTarget",
                   {"targetId": t["targetId"], "flatten": True})["sessionId"]
        for d in ("Runtime", "Log", "Network", "Page"):
            b.call(d + ".enable", session=s)
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": 1280, "height": 900, "deviceScaleFactor": 1,
                "mobile": False}, session=s)
        start = time.time()
        b.call("Page.navigate", {"url": url}, session=s)
        b.wait_event("Page.loadEventFired", timeout=TIMEOUT)
        out["load_seconds"] = round(time.time() - start, 2)
        r = b.call("Runtime.evaluate",
                   {"expression": PROBE, "returnByValue": True}, session=s)
        out["page"] = r["result"].get("value")
        if filt is not None:
            start = time.time()
            r = b.call("Runtime.evaluate",
                       {"expression": OPEN + "(%s)" % json.dumps(filt),
                        "awaitPromise": True, "returnByValue": True},
                       session=s, timeout=TIMEOUT)
            out["trace"] = r["result"].get("value")
            out["open_seconds"] = round(time.time() - start, 2)
        r = b.call("Page.captureScreenshot",
                   {"format": "png", "captureBeyondViewport": True},
                   session=s, timeout=TIMEOUT)
        with open(shot, "wb") as f:
            f.write(base64.b64decode(r["data"]))
        # Let late events (a blocked request, a deferred error) arrive.
        b.call("Runtime.evaluate", {"expression": "1"}, session=s)
        time.sleep(0.3)
        b.call("Runtime.evaluate", {"expression": "1"}, session=s)
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)
    errors, requests = [], []
    for e in b.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled":
            errors.append("console.%s: %s" % (p.get("type"), " ".join(
                str(a.get("value", a.get("description", "")))
                for a in p.get("args", []))))
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            errors.append("exception: %s" % d.get("exception", {}).get(
                "description", d.get("text")))
        elif m == "Log.entryAdded":
            entry = p.get("entry", {})
            errors.append("log %s: %s" % (entry.get("level"),
                                          entry.get("text")))
        elif m == "Page.javascriptDialogOpening":
            errors.append("dialog: %s" % p.get("message"))
        elif m == "Network.requestWillBeSent":
            u = p.get("request", {}).get("url", "")
            if u != url:
                requests.append(u)
    out["errors"] = errors
    out["requests"] = requests
    out["screenshot"] = shot
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
