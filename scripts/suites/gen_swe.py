#!/usr/bin/env python3
"""gen_swe.py - build the swe suite: repair tasks on real Python libraries.

The environment is one git repository with three projects, each a real,
permissively licensed pure-Python library as Debian ships it (toml,
xmltodict, blinker: read from /usr/lib/python3/dist-packages, licence from
/usr/share/doc/PACKAGE/copyright) plus a unittest suite written for this
suite (suites/swe/env-src/PROJECT/). main holds the correct code in a few
commits; every task is one more commit on top of main, on its own branch
task/ID, that plants one bug (SWE-smith style: an operator swap, an
off-by-one, a wrong condition, a dropped branch, a wrong default). The
task's environment is pinned to that commit.

For every bug the generator runs the project's tests on the correct tree
and on the bugged one: the tests that fail with the bug are the task's
fail-to-pass (F2P) set, all others its pass-to-pass (P2P) set; a bug that
breaks no test, or breaks the correct tree, stops the generator. It then
runs the unittest names of both sets and of the task's one command grader
(F2P names, then P2P names, in one interpreter): on the bugged tree F2P
fails, P2P passes and so the grader fails; on the fixed tree it passes.

Deterministic: fixed names, emails, dates and messages, sorted iteration,
no timestamps; the same inputs give the same commit SHAs everywhere and
the same pack bytes with this machine's git.

usage: scripts/suites/gen_swe.py [--out DIR]
  --out DIR     write suite.yaml, tasks/ and env/ under DIR instead of
                suites/swe (env-src/ is always read from suites/swe)
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
SUITE = os.path.join(TOP, "suites", "swe")
ENV_SRC = os.path.join(SUITE, "env-src")
DIST = "/usr/lib/python3/dist-packages"
# The interpreter the sandbox finds first on its PATH
# (/usr/local/bin:/usr/bin:/bin), so verification runs what graders run.
SANDBOX_PY = next((p for p in ("/usr/local/bin/python3", "/usr/bin/python3",
                               "/bin/python3") if os.path.exists(p)),
                  sys.executable)
PY = "python3 -B -S"  # no .pyc outside the copy, no site-packages
ALL_TESTS = PY + " -m unittest discover -s tests -t ."

# name -> Debian package, version, files copied from dist-packages
# (source path relative to DIST, destination relative to the project).
PROJECTS = {
    "toml": {
        "deb": "python3-toml", "version": "0.10.2",
        "files": [("toml/__init__.py", "toml/__init__.py"),
                  ("toml/decoder.py", "toml/decoder.py"),
                  ("toml/encoder.py", "toml/encoder.py"),
                  ("toml/ordered.py", "toml/ordered.py"),
                  ("toml/tz.py", "toml/tz.py")],
        "date": "2024-02-05T09:30:00+0000",
        "message": "Import toml 0.10.2 with a unittest suite",
    },
    "xmltodict": {
        "deb": "python3-xmltodict", "version": "0.13.0",
        "files": [("xmltodict.py", "xmltodict.py")],
        "date": "2024-02-12T14:10:00+0000",
        "message": "Import xmltodict 0.13.0 with a unittest suite",
    },
    "blinker": {
        "deb": "python3-blinker", "version": "1.5",
        "files": [("blinker/__init__.py", "blinker/__init__.py"),
                  ("blinker/_saferef.py", "blinker/_saferef.py"),
                  ("blinker/_utilities.py", "blinker/_utilities.py"),
                  ("blinker/base.py", "blinker/base.py")],
        "date": "2024-02-19T11:45:00+0000",
        "message": "Import blinker 1.5 with a unittest suite",
    },
}
PROJECT_ORDER = ["toml", "xmltodict", "blinker"]

AUTHOR = ("Harbor Tools Maintainers", "maintainers@harbor-tools.example")
FINAL_DATE = "2024-02-26T16:00:00+0000"
FINAL_MESSAGE = "Workspace README: projects and how to run their tests"
TASK_DATE = "2024-03-04T10:00:00+0000"

SYSTEM = (
    "You are a software engineer working in a repository through tools.\n"
    "All paths are relative to the repository root.\n"
    "The repository holds several independent Python projects, each with "
    "its own tests.\n"
    "Read the code before you change it, keep changes small, do not change "
    "the tests, and run the tests before you finish.\n"
    "When the fix is done, reply with a short summary of what was wrong "
    "and what you changed, or pass it to the submit tool.")

TOOLS_YAML = """\
tools:
  - name: read_file
    description: Read a text file from the repository and return its full content.
    parameters:
      type: object
      properties:
        path: {type: string, description: "File path relative to the repository root, e.g. toml/toml/decoder.py"}
      required: [path]
    run: {builtin: read_file}
  - name: write_file
    description: >-
      Create or overwrite a text file in the repository with the given
      content. The whole file is replaced, so pass the complete new content.
    parameters:
      type: object
      properties:
        path: {type: string, description: File path relative to the repository root}
        content: {type: string, description: The complete new content of the file}
      required: [path, content]
    run: {builtin: write_file}
  - name: list_dir
    description: List the files and subdirectories of a repository directory.
    parameters:
      type: object
      properties:
        path: {type: string, description: "Directory relative to the repository root; the root when omitted"}
      required: []
    run: {builtin: list_dir}
  - name: grep
    description: >-
      Search file contents with a regular expression (PCRE) and return the
      matching lines with their file names and line numbers.
    parameters:
      type: object
      properties:
        pattern: {type: string, description: Regular expression to look for}
        path: {type: string, description: "File or directory to search, relative to the repository root; the whole repository when omitted"}
      required: [pattern]
    run: {builtin: grep}
  - name: run_tests
    description: >-
      Run the unittest suite of one project in the repository and return its
      output: a line per failing test with its traceback, then a summary
      ending in OK or FAILED.
    parameters:
      type: object
      properties:
        project:
          type: string
          description: The project directory whose tests to run
          enum: [toml, xmltodict, blinker]
      required: [project]
    run: {exec: "case \\"$ARG_PROJECT\\" in toml|xmltodict|blinker) cd \\"$ARG_PROJECT\\" && exec %(all)s 2>&1 ;; *) echo \\"run_tests: unknown project '$ARG_PROJECT' (expected toml, xmltodict or blinker)\\"; exit 2 ;; esac"}
  - name: submit
    description: Submit your final answer. Call it once, when the task is done.
    parameters:
      type: object
      properties:
        answer: {type: string, description: A short summary of the fix}
      required: [answer]
    run: {builtin: submit}
""" % {"all": ALL_TESTS}

TASK_TOOLS = "[read_file, write_file, list_dir, grep, run_tests, submit]"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from swe_bugs import BUGS  # noqa: E402  (the bug table, next to this file)


def die(msg):
    sys.stderr.write("gen_swe.py: %s\n" % msg)
    sys.exit(1)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


# ---- the source tree -------------------------------------------------------

def project_files(name):
    """{relative path in the repository: text} for one project."""
    p = PROJECTS[name]
    out = {}
    copyright_file = "/usr/share/doc/%s/copyright" % p["deb"]
    for src, dst in p["files"]:
        path = os.path.join(DIST, src)
        if not os.path.exists(path):
            die("%s is missing: install the Debian package %s "
                "(apt-get install %s)" % (path, p["deb"], p["deb"]))
        out[name + "/" + dst] = read(path)
    if not os.path.exists(copyright_file):
        die("%s is missing: install %s" % (copyright_file, p["deb"]))
    out[name + "/LICENSE"] = read(copyright_file)
    src_dir = os.path.join(ENV_SRC, name)
    for root, dirs, files in os.walk(src_dir):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".pyc"):
                continue
            full = os.path.join(root, f)
            rel = os.path.relpath(full, ENV_SRC).replace(os.sep, "/")
            out[rel] = read(full)
    return out


def base_tree():
    tree = {}
    for name in PROJECT_ORDER:
        tree.update(project_files(name))
    tree["README.md"] = read(os.path.join(ENV_SRC, "README.md"))
    return tree


def apply_bug(tree, bug):
    text = tree[bug["file"]]
    n = text.count(bug["old"])
    if n != 1:
        die("bug %s: the text to replace occurs %d times in %s"
            % (bug["id"], n, bug["file"]))
    return text.replace(bug["old"], bug["new"])


def materialise(tree, root):
    for rel in sorted(tree):
        write(os.path.join(root, rel), tree[rel])


# ---- running tests ---------------------------------------------------------

# One process per project runs every job in it, each job in its own copy
# of the project: starting an interpreter per bug was most of the
# generator's time. Each job imports the project afresh (its modules and
# the tests are dropped from sys.modules first). A job either discovers
# the whole suite and reports the failing ids ("names": null), or runs
# the exact unittest names of a grader command and reports whether all
# passed, as `python3 -m unittest NAME...` would.
WORKER = r"""
import io, json, os, sys, unittest
jobs = json.load(sys.stdin)
out = []
def ids_of(s, acc):
    for t in s:
        if isinstance(t, unittest.TestSuite):
            ids_of(t, acc)
        else:
            acc.append(t.id())
    return acc
for job in jobs:
    os.chdir(job["dir"])
    sys.path[0] = job["dir"]
    for m in list(sys.modules):
        if m.split(".")[0] in job["purge"]:
            del sys.modules[m]
    loader = unittest.TestLoader()
    r = {"all": [], "bad": [], "oks": []}
    if job["discover"]:
        suite = loader.discover("tests", top_level_dir=".")
        r["all"] = sorted(ids_of(suite, []))
        res = unittest.TestResult()
        suite.run(res)
        r["bad"] = sorted(set(t.id() for t, _ in res.failures + res.errors))
    for names in job["sets"]:
        suite = loader.loadTestsFromNames(names)
        res = unittest.TestResult()
        suite.run(res)
        r["oks"].append(res.wasSuccessful() and res.testsRun > 0)
    out.append(r)
json.dump(out, sys.stdout)
"""


def run_jobs(jobs):
    r = subprocess.run([SANDBOX_PY, "-B", "-S", "-c", WORKER],
                       input=json.dumps(jobs), capture_output=True,
                       text=True, timeout=600,
                       env={"PATH": "/usr/local/bin:/usr/bin:/bin",
                            "LANG": "C.UTF-8"})
    if r.returncode != 0:
        die("test worker failed:\n%s" % r.stderr[-3000:])
    return json.loads(r.stdout)


def purge_names(project):
    tops = set()
    for _, dst in PROJECTS[project]["files"]:
        tops.add(dst.split("/")[0].replace(".py", ""))
    return sorted(tops | {"tests"})


def compress_ids(ids, all_ids):
    """The shortest list of unittest names that selects exactly `ids`:
    a whole class where every test of the class is in `ids`."""
    want = set(ids)
    by_class = {}
    for t in all_ids:
        by_class.setdefault(t.rsplit(".", 1)[0], []).append(t)
    out = []
    for cls in sorted(by_class):
        members = by_class[cls]
        sel = [t for t in members if t in want]
        if sel and len(sel) == len(members):
            out.append(cls)
        else:
            out.extend(sorted(sel))
    return out


# ---- git -------------------------------------------------------------------

def git_env(tmp):
    return {
        "HOME": tmp, "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null", "TZ": "UTC", "LC_ALL": "C",
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }


def git(tmp, cwd, *args, input=None):
    cmd = ["git", "-c", "core.autocrlf=false", "-c", "commit.gpgSign=false",
           "-c", "init.defaultBranch=main", "-c", "pack.threads=1"] + \
        list(args)
    r = subprocess.run(cmd, cwd=cwd, env=git_env(tmp), capture_output=True,
                       input=input)
    if r.returncode != 0:
        die("git %s failed: %s" % (" ".join(args),
                                   r.stderr.decode(errors="replace")))
    return r.stdout.decode().strip()


def epoch(date):
    """Seconds since 1970 of an ISO date with a +0000 zone."""
    import calendar
    import time
    return calendar.timegm(time.strptime(date[:19], "%Y-%m-%dT%H:%M:%S"))


def fi_data(b):
    return b"data %d\n" % len(b) + b + b"\n"


def fi_commit(ref, mark, date, message, parent, files):
    who = ("%s <%s> %d +0000" % (AUTHOR[0], AUTHOR[1], epoch(date))).encode()
    out = b"commit " + ref.encode() + b"\nmark :%d\n" % mark
    out += b"author " + who + b"\ncommitter " + who + b"\n"
    out += fi_data((message + "\n").encode())
    if parent:
        out += b"from :%d\n" % parent
    for path in sorted(files):
        out += b"M 100644 inline " + path.encode() + b"\n"
        out += fi_data(files[path].encode())
    return out


def build_repo(tmp, bugs_trees, dst):
    """The bare repository in one git fast-import stream: main's history,
    then one commit per bug on refs/heads/task/ID. Returns main's sha and
    {bug id: sha}."""
    stream = b""
    mark = 0
    for name in PROJECT_ORDER:
        mark += 1
        stream += fi_commit("refs/heads/main", mark, PROJECTS[name]["date"],
                            PROJECTS[name]["message"], mark - 1 or None,
                            project_files(name))
    mark += 1
    base_mark = mark
    stream += fi_commit("refs/heads/main", mark, FINAL_DATE, FINAL_MESSAGE,
                        mark - 1,
                        {"README.md": read(os.path.join(ENV_SRC,
                                                        "README.md"))})
    bug_marks = {}
    for bug, btree in bugs_trees:
        mark += 1
        bug_marks[bug["id"]] = mark
        stream += fi_commit("refs/heads/task/" + bug["id"], mark, TASK_DATE,
                            bug["message"], base_mark,
                            {bug["file"]: btree[bug["file"]]})
    if os.path.exists(dst):
        shutil.rmtree(dst)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    git(tmp, None, "init", "-q", "--bare", dst)
    marks = os.path.join(tmp, "marks")
    git(tmp, dst, "fast-import", "--quiet", "--export-marks=" + marks,
        input=stream)
    sha_of = {}
    for line in read(marks).splitlines():
        m, sha = line.split()
        sha_of[int(m[1:])] = sha
    git(tmp, dst, "symbolic-ref", "HEAD", "refs/heads/main")
    git(tmp, dst, "repack", "-q", "-a", "-d", "-f", "--depth=50",
        "--window=250", "--no-write-bitmap-index")
    git(tmp, dst, "prune", "--expire=now")
    # Small and inert: no sample hooks, logs or description. Refs stay
    # loose so that refs/ is not an empty directory, which git would not
    # record when the repository is committed as plain files.
    for junk in ("hooks", "logs", "info", "description", "branches",
                 "objects/info/packs", "packed-refs", "FETCH_HEAD"):
        p = os.path.join(dst, junk)
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.remove(p)
    for sub in ("refs", "objects"):
        top = os.path.join(dst, sub)
        for root, dirs, files in os.walk(top, topdown=False):
            if root != top and not os.listdir(root):
                os.rmdir(root)
    git(tmp, dst, "fsck", "--strict", "--no-progress")
    return sha_of[base_mark], {k: sha_of[m] for k, m in bug_marks.items()}


# ---- YAML ------------------------------------------------------------------

def q(s):
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def block(s, indent):
    """A literal block scalar when the text allows it, else quoted."""
    lines = s.split("\n")
    ok = (s.endswith("\n") and not s.endswith("\n\n") and "\r" not in s
          and "\t" not in s.split("\n", 1)[0] and lines[0].strip() != ""
          and not lines[0].startswith(" ")
          and all(ch == "\n" or ch == "\t" or ord(ch) >= 32 for ch in s)
          and "\ufeff" not in s)
    if not ok:
        return q(s)
    pad = " " * indent
    body = "".join((pad + ln if ln else "") + "\n" for ln in lines[:-1])
    return "|\n" + body.rstrip("\n") + "\n"


def task_yaml(bug, sha, fixed_text, f2p, p2p, test_hashes):
    out = ["# Generated by scripts/suites/gen_swe.py from scripts/suites/"
           "swe_bugs.py: do not edit.",
           "id: " + bug["id"],
           "env: {rev: %s}" % q(sha),
           "user: " + q(bug["user"]),
           "paraphrases:"]
    out += ["  - " + q(p) for p in bug["paraphrases"]]
    out.append("tools: " + TASK_TOOLS)
    out.append("grade:")
    # One interpreter in one sandbox runs both sets, F2P first: grading
    # runs for every variant's oracle and planted mistake, and starting
    # the sandbox is most of its cost.
    out.append("  # fail-to-pass: " + " ".join(f2p))
    out.append("  # pass-to-pass: the other %d names" % len(p2p))
    out.append("  - command: {run: %s, exit: 0}" % q(
        "cd %s && %s -m unittest %s" % (bug["project"], PY,
                                         " ".join(f2p + p2p))))
    for path, digest in test_hashes:
        out.append("  - file: {path: %s, sha256: %s}" % (q(path), q(digest)))
    out.append("oracle:")
    out.append("  - call: {name: read_file, args: {path: %s}}"
               % q(bug["file"]))
    out.append("  - call:")
    out.append("      name: write_file")
    out.append("      args:")
    out.append("        path: " + q(bug["file"]))
    content = block(fixed_text, 10)
    if content.startswith("|"):
        out.append("        content: " + content.rstrip("\n"))
    else:
        out.append("        content: " + content)
    out.append("  - call: {name: run_tests, args: {project: %s}}"
               % q(bug["project"]))
    out.append("  - answer: " + q(bug["answer"]))
    return "\n".join(out) + "\n"


def suite_yaml(base_sha):
    head = (
        "# The swe suite: repair tasks on real Python libraries (see "
        "README.md).\n"
        "# Generated by scripts/suites/gen_swe.py: do not edit. Each task "
        "pins its\n"
        "# own commit of env/repo.git (the bug's branch task/ID); rev here "
        "is main,\n"
        "# the correct code.\n")
    return (head +
            "name: swe\n"
            "description: >-\n"
            "  Repair tasks in the manner of R2E-Gym and SWE-smith: a bug "
            "planted in a real\n"
            "  Python library (toml, xmltodict, blinker), an issue-style "
            "report of the\n"
            "  symptom, graded by the project's fail-to-pass and "
            "pass-to-pass unit tests.\n"
            "system: " + q(SYSTEM) + "\n"
            "env: {repo: env/repo.git, rev: %s}\n" % q(base_sha) +
            "max_steps: 30\n"
            "exec_timeout: 60\n" +
            TOOLS_YAML)


# ---- main ------------------------------------------------------------------

def check_bug_table():
    seen = set()
    for b in BUGS:
        for k in ("id", "project", "file", "old", "new", "user",
                  "paraphrases", "answer", "message"):
            if k not in b:
                die("bug %s has no %s" % (b.get("id"), k))
        if b["id"] in seen:
            die("duplicate bug id " + b["id"])
        seen.add(b["id"])
        if len(b["paraphrases"]) < 2:
            die("bug %s needs at least two paraphrases" % b["id"])
        base = os.path.basename(b["file"])
        for text in [b["user"]] + b["paraphrases"]:
            # The report states the symptom, not where the fix goes.
            if base in text or (b["new"].strip() and
                                 b["new"].strip() in text):
                die("bug %s: a prompt names the file or the bugged code"
                    % b["id"])


def main(argv):
    out_dir = SUITE
    args = list(argv)
    report = False
    while args:
        a = args.pop(0)
        if a == "--out" and args:
            out_dir = os.path.abspath(args.pop(0))
        elif a == "-v":
            report = True
        else:
            die("usage: gen_swe.py [--out DIR] [-v]")
    check_bug_table()
    tree = base_tree()
    bugs = sorted(BUGS, key=lambda b: b["id"])
    tmp = tempfile.mkdtemp(prefix="gen_swe.")
    try:
        bug_trees = []
        for b in bugs:
            btree = dict(tree)
            btree[b["file"]] = apply_bug(tree, b)
            bug_trees.append((b, btree))

        # Phase 1: every test of the correct projects passes; each bug's
        # failing tests are its F2P set.
        jobs = []
        ok_dir = {}
        for name in PROJECT_ORDER:
            root = os.path.join(tmp, "ok")
            materialise({p: t for p, t in tree.items()
                         if p.startswith(name + "/")}, root)
            ok_dir[name] = os.path.join(root, name)
            jobs.append({"dir": ok_dir[name], "discover": True, "sets": [],
                         "purge": purge_names(name)})
        for b, btree in bug_trees:
            name = b["project"]
            root = os.path.join(tmp, "bug-" + b["id"])
            materialise({p: t for p, t in btree.items()
                         if p.startswith(name + "/")}, root)
            jobs.append({"dir": os.path.join(root, name), "discover": True,
                         "sets": [], "purge": purge_names(name)})
        res = run_jobs(jobs)
        good = {}
        for name, r in zip(PROJECT_ORDER, res):
            if r["bad"] or not r["all"]:
                die("the correct %s fails tests: %s" % (name, r["bad"]))
            good[name] = r["all"]
        sets = {}
        idle = [b["id"] for (b, _), r in zip(bug_trees,
                                             res[len(PROJECT_ORDER):])
                if not r["bad"]]
        if idle:
            die("these bugs break no test: " + ", ".join(idle))
        for (b, _), r in zip(bug_trees, res[len(PROJECT_ORDER):]):
            all_ids = good[b["project"]]
            f2p = r["bad"]
            p2p = [t for t in all_ids if t not in f2p]
            sets[b["id"]] = (compress_ids(f2p, all_ids),
                             compress_ids(p2p, all_ids))

        # Phase 2: the unittest names of the sets and of the grader, on the
        # bugged copy (F2P fails, P2P passes, so the grader fails) and on
        # the correct one, which is the fixed tree (the grader passes).
        jobs = []
        for b, _ in bug_trees:
            f2p, p2p = sets[b["id"]]
            jobs.append({"dir": os.path.join(tmp, "bug-" + b["id"],
                                             b["project"]),
                         "discover": False, "sets": [f2p, p2p, f2p + p2p],
                         "purge": purge_names(b["project"])})
        for name in PROJECT_ORDER:
            jobs.append({"dir": ok_dir[name], "discover": False,
                         "purge": purge_names(name),
                         "sets": [sets[b["id"]][0] + sets[b["id"]][1]
                                  for b, _ in bug_trees
                                  if b["project"] == name]})
        res = run_jobs(jobs)
        fixed = {name: list(r["oks"]) for name, r in
                 zip(PROJECT_ORDER, res[len(bug_trees):])}
        for (b, _), r in zip(bug_trees, res):
            bf, bp, ball = r["oks"]
            fall = fixed[b["project"]].pop(0)
            if bf or not bp or ball or not fall:
                die("bug %s: the grader does not tell the fix apart (bug: "
                    "F2P %s, P2P %s, grader %s; fixed: grader %s)"
                    % (b["id"], bf, bp, ball, fall))
            if report:
                sys.stdout.write("%s: F2P %s\n" % (b["id"],
                                                   " ".join(sets[b["id"]][0])))

        base_sha, shas = build_repo(tmp, bug_trees,
                                    os.path.join(out_dir, "env", "repo.git"))
        tasks_dir = os.path.join(out_dir, "tasks")
        if os.path.isdir(tasks_dir):
            shutil.rmtree(tasks_dir)
        os.makedirs(tasks_dir)
        for b, btree in bug_trees:
            name = b["project"]
            f2p, p2p = sets[b["id"]]
            hashes = [(p, hashlib.sha256(tree[p].encode()).hexdigest())
                      for p in sorted(tree)
                      if p.startswith(name + "/tests/") and p.endswith(".py")]
            write(os.path.join(tasks_dir, b["id"] + ".yaml"),
                  task_yaml(b, shas[b["id"]], tree[b["file"]], f2p, p2p,
                            hashes))
        write(os.path.join(out_dir, "suite.yaml"), suite_yaml(base_sha))
        sys.stdout.write("gen_swe.py: %d tasks, main %s\n"
                         % (len(bugs), base_sha))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
