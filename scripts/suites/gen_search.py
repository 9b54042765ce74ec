#!/usr/bin/env python3
"""gen_search.py - generates suites/search: a fictional world written out as
an offline document library (suites/search/env/docs/), and multi-hop
questions over it (suites/search/tasks/), BrowseComp / WebExplorer style.

Everything is derived from one fixed seed with sorted iteration, so running
it again rewrites the same bytes. Usage:

    python3 scripts/suites/gen_search.py [--out DIR]

DIR defaults to suites/search next to this script's repository.

The generator checks what it writes: every question has exactly one entity
that fits its description, no prompt or tool text contains its answer, no
prompt names the title of the document holding the answer, and every search
the oracle makes ranks the document it then opens in the top results of a
BM25 that mirrors the `search` builtin (harness/world/tools.c);
tests/integration/suite_search.sh confirms the last against the real tool.
"""
import math
import os
import random
import re
import shutil
import sys

SEED = 20261202
TOP = 5  # results the search tool shows (suite.yaml: top)
N_PER_TEMPLATE = 7

# ---- name pools (all invented) ---------------------------------------------

FIRST = """Aldric Brenna Caius Dorel Edda Fenwick Galia Hesper Ilse Joram Kestra
Lorcan Maelis Noor Odran Pell Quenna Rasmus Sabine Tamsin Ulric Vesna Wendel
Yorick Zelda Anselm Berit Cosmo Delphine Emeric Fiora Gideon Halvard Isaura
Jessamy Konrad Linnea Mattias Nerys Osric Perpetua Rowan Sigrun Thaddeus Ursel
Valdis Wilhelmina Ysolde Ambrose Cordelia Dagny Elric Florian Greer Hilde
Ignatz Juno Leopold Mirela Nikolai Ottilie Piet Rosalind Stellan Teodora
Viggo Wynn Xanthe""".split()

LAST = """Ashcombe Brandt Corvell Dunmore Elsworth Fallowby Garrow Hatherleigh
Iversen Jessop Kettering Larkspur Marlowe Nettleby Oakhurst Pemberly Quill
Rathbone Selwyn Thorncastle Underhill Vantrell Wickersham Yarrow Aldous
Blackwood Cresswell Drummond Everard Fitzwarren Greaves Holloway Ingleby
Jorvik Kingsley Lockhart Merriweather Northcott Ormsby Penhallow Quarrie
Redfern Stanhope Tilbury Upcott Vennor Whitlock Abernathy Birkett Calloway
Dacre Ellery Fairweather Gilchrist Hargreave""".split()

TOWN_A = """Tarn Kess Orm Brae Cald Hollin Marr Sted Wend Ash Fenn Grail Lorn
Pell Rook Sall Thorn Ulm Yarr Dun Elm Gorse Hask Ivel Lark Mire Ness Oat
Quarr Rill Skel Tull Vane Wold Barr Crag""".split()
TOWN_B = "wick ary stead mouth ford holm by ton mere gate".split()

REGIONS = ["Northmarch", "Lowfen", "Saltreach", "Greywold", "Eastmere",
           "Harrowdale"]
RIVERS = ["Ashe", "Tarrow", "Melloch", "Quen", "Lydd", "Oskel", "Brennet",
          "Cawle", "Sorrel", "Vantry", "Drue", "Hesk", "Imber", "Orrin",
          "Sallow"]
WORDS = """Tallow Copper Heron Saltmark Lantern Ember Whitlow Greystone Marrow
Ostler Candle Pilgrim Weaver Fallow Raven Sable Tinker Cinder Morrow Hollow
Juniper Thistle Bramble Kestrel Osprey Lark Willow Alder Rowan Hazel Quarry
Anchor Beacon Compass Ferry Gannet Harbour Iron Kiln Linen Mill Needle Orchard
Pewter Quill Rope Saddle Tanner Vellum Wagon Yarrow Barley Cobalt Drover
Falcon Garnet Herring Indigo Jasper Kelp Loom Madder Nutmeg Oyster Plover
Russet Slate Teasel Umber Vetch Wren Bellfounder Chandler Cooper Glover
Mason Sawyer Thatcher Turner""".split()

# Building types: the designer's occupation, the number each one records and
# how documents and questions phrase it.
BTYPES = {
    "bridge": ("engineer", "arches", "{n} arches", "How many arches does the bridge that person designed have?", (3, 11)),
    "lighthouse": ("engineer", "height", "a tower {n} metres tall", "How tall, in metres, is the lighthouse that person designed?", (18, 64)),
    "hall": ("architect", "seats", "seats for {n} people", "How many people does the hall that person designed seat?", (380, 1900)),
    "library": ("architect", "rooms", "{n} reading rooms", "How many reading rooms does the library that person designed have?", (2, 14)),
    "observatory": ("architect", "domes", "{n} domes", "How many domes does the observatory that person designed have?", (1, 6)),
}
BNAME = {"bridge": "Bridge", "lighthouse": "Light", "hall": "Hall",
         "library": "Library", "observatory": "Observatory"}
OCCUPATIONS = ["engineer", "architect", "cartographer", "botanist", "painter",
               "composer", "shipwright", "physician", "merchant", "printer"]
ORGTYPES = {
    "guild": "{town} {word} Guild",
    "society": "Society of {word} Keepers",
    "company": "{last} & {last2} Company",
    "press": "{word} Press",
    "trust": "{town} {word} Trust",
}
ETYPES = {
    # type: (noun for questions, title form, leader phrase, number phrase)
    "flood": ("flood", "The {town} Flood", "The relief effort was directed by {who}.", "{n} houses were lost"),
    "fire": ("fire", "The Great Fire of {town}", "The fire watch was commanded by {who}.", "{n} buildings burned"),
    "expedition": ("expedition", "The {word} Expedition", "The expedition was led by {who}.", "{n} ships sailed"),
    "exhibition": ("exhibition", "The {town} {word} Exhibition", "The exhibition was organised by {who}.", "{n} exhibitors took part"),
    "strike": ("strike", "The {town} Dock Strike", "The strikers were represented by {who}.", "{n} workers stopped work"),
}
GENRES = ["atlas", "herbal", "treatise", "songbook", "memoir", "survey"]
GENRE_TITLE = {
    "atlas": "An Atlas of the {word} Coast", "herbal": "The {word} Herbal",
    "treatise": "A Treatise on {word} Works", "songbook": "Songs of the {word} Road",
    "memoir": "Recollections of {word} Lane", "survey": "A Survey of {word} Moor",
}

FILLER = {
    "person": [
        "Letters from this period survive in several private collections.",
        "A portrait of {name} hangs in a regional museum.",
        "Contemporaries described {name} as patient and exacting.",
        "Some of the notebooks {name} kept were lost in a move.",
        "{name} travelled widely but returned often to the coast.",
    ],
    "town": [
        "The market is held on the first day of every week.",
        "Its parish records go back several centuries.",
        "The surrounding land is given over to pasture and orchards.",
        "A coaching road once ran through the town centre.",
    ],
    "building": [
        "The structure was restored in the last century.",
        "Visitors may tour it on certain days of the year.",
        "Early drawings of the design are kept in a county archive.",
        "It appears on many old postcards.",
    ],
    "org": [
        "Its minute books are held by a county record office.",
        "Membership was by nomination of two existing members.",
        "The organisation published an annual report for many years.",
        "Its coat of arms shows a ship and a sheaf of wheat.",
    ],
    "event": [
        "Accounts of it appeared in newspapers along the coast.",
        "A memorial plaque marks the occasion.",
        "Several eyewitness accounts were collected afterwards.",
    ],
    "work": [
        "Copies are now rare and sought after by collectors.",
        "A second edition appeared some years later.",
        "It was praised by reviewers for its clarity.",
    ],
}
STOP = set("the of a an and in on at to for by with from is was its that this "
           "who what which how many much year did does".split())


def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


# ---- the world ---------------------------------------------------------------


class World:
    def __init__(self, rng):
        self.rng = rng
        self.towns, self.people, self.orgs = [], [], []
        self.buildings, self.events, self.works = [], [], []
        self.used_words = set()
        self.used_ids = set()

    def word(self, ns, pool=WORDS):
        """A name word not yet used in namespace ns."""
        free = [w for w in pool if (ns, w) not in self.used_words]
        w = self.rng.choice(free)
        self.used_words.add((ns, w))
        return w

    def new_id(self, folder, title):
        base = f"{folder}/{slug(title)}"
        i, ident = 2, base + ".txt"
        while ident in self.used_ids:
            ident = f"{base}-{i}.txt"
            i += 1
        self.used_ids.add(ident)
        return ident

    def town(self, name, region, namesake=False):
        r = self.rng
        t = {"kind": "town", "name": name, "region": region,
             "founded": r.randint(1120, 1690), "pop": r.randint(1200, 48000),
             "river": r.choice(RIVERS), "namesake": namesake,
             "size": r.choice(["market town", "port", "village", "borough"])}
        t["id"] = self.new_id("places", name)
        self.towns.append(t)
        return t

    def person(self, name=None, occ=None, town=None, born=None):
        r = self.rng
        if name is None:
            taken = {p["name"] for p in self.people}
            while True:
                name = f"{r.choice(FIRST)} {r.choice(LAST)}"
                if name not in taken:
                    break
        born = born or r.randint(1760, 1850)
        p = {"kind": "person", "name": name, "occ": occ or r.choice(OCCUPATIONS + ["engineer", "architect"] * 2),
             "born": born, "died": born + r.randint(42, 88),
             "town": town or r.choice(self.base_towns), "mentor": None,
             "member": None, "designed": []}
        p["id"] = self.new_id("people", name)
        self.people.append(p)
        return p

    def org(self, otype, founder, seat, founded):
        r = self.rng
        while True:
            name = ORGTYPES[otype].format(town=seat["name"], word=r.choice(WORDS),
                                          last=r.choice(LAST), last2=r.choice(LAST))
            if name not in {o["name"] for o in self.orgs}:
                break
        o = {"kind": "org", "type": otype, "name": name, "founder": founder,
             "seat": seat, "founded": founded, "members": r.randint(12, 900)}
        o["id"] = self.new_id("organisations", name)
        self.orgs.append(o)
        return o

    def building(self, btype, town, year, designer, org):
        lo, hi = BTYPES[btype][4]
        b = {"kind": "building", "type": btype, "town": town, "year": year,
             "designer": designer, "org": org, "n": self.rng.randint(lo, hi),
             "name": f"{self.word(btype, WORDS + LAST)} {BNAME[btype]}"}
        b["id"] = self.new_id("buildings", b["name"])
        designer["designed"].append(b)
        self.buildings.append(b)
        return b

    def event(self, etype, town, year, leader):
        r = self.rng
        title = ETYPES[etype][1].format(town=town["name"], word=self.word(etype))
        e = {"kind": "event", "type": etype, "town": town, "year": year,
             "leader": leader, "n": r.randint(3, 900), "name": f"{title} of {year}"}
        e["id"] = self.new_id("events", e["name"])
        self.events.append(e)
        return e

    def work(self, genre, author, year, press):
        title = GENRE_TITLE[genre].format(word=self.word("work"))
        w = {"kind": "work", "genre": genre, "author": author, "year": year,
             "press": press, "name": title}
        w["id"] = self.new_id("works", title)
        self.works.append(w)
        return w


def alive(p, year, at_least=22):
    return p["born"] + at_least <= year <= p["died"] - 1


def build_world(rng):
    w = World(rng)
    names = sorted({a + b for a in TOWN_A for b in TOWN_B})
    rng.shuffle(names)
    w.base_towns = []
    for i in range(32):
        w.base_towns.append(w.town(names[i], REGIONS[i % len(REGIONS)]))
    w.spare_town_names = names[32:]
    for _ in range(100):
        w.person()
    by_occ = {}
    for p in w.people:
        by_occ.setdefault(p["occ"], []).append(p)
    for p in w.people:
        older = [q for q in by_occ[p["occ"]]
                 if 15 <= p["born"] - q["born"] <= 40]
        if older:
            p["mentor"] = rng.choice(older)
    for i in range(40):
        otype = sorted(ORGTYPES)[i % len(ORGTYPES)]
        founder = rng.choice(w.people)
        year = rng.randint(founder["born"] + 22, founder["died"] - 1)
        w.org(otype, founder, rng.choice(w.base_towns), year)
    for p in w.people:
        if rng.random() < 0.4:
            p["member"] = rng.choice(w.orgs)
    for i in range(52):
        btype = sorted(BTYPES)[i % len(BTYPES)]
        occ = BTYPES[btype][0]
        designer = rng.choice(by_occ[occ])
        year = rng.randint(designer["born"] + 25, designer["died"] - 1)
        orgs = [o for o in w.orgs if o["founded"] < year]
        w.building(btype, rng.choice(w.base_towns), year, designer,
                   rng.choice(orgs) if orgs else None)
    for i in range(18):
        etype = sorted(ETYPES)[i % len(ETYPES)]
        leader = rng.choice(w.people)
        w.event(etype, rng.choice(w.base_towns),
                rng.randint(leader["born"] + 22, leader["died"] - 1), leader)
    presses = [o for o in w.orgs if o["type"] == "press"]
    for i in range(24):
        author = rng.choice(w.people)
        w.work(GENRES[i % len(GENRES)], author,
               rng.randint(author["born"] + 22, author["died"] - 1),
               rng.choice(presses))
    return w


# ---- documents ---------------------------------------------------------------


def tref(t):
    return f"{t['name']}, {t['region']}"


def pref(p):
    return f"the {p['occ']} {p['name']}"


def render(w, e, rng):
    k = e["kind"]
    s = []
    if k == "town":
        s.append(f"{e['name']} is a {e['size']} in the {e['region']} region, on the River {e['river']}.")
        s.append(rng.choice([f"It was founded in {e['founded']}.",
                             f"The town received its charter in {e['founded']}, the year usually given for its founding."]))
        s.append(f"At the census of 1900 it had {e['pop']:,} inhabitants.")
        marks = sorted((b for b in w.buildings if b["town"] is e), key=lambda b: b["name"])
        if marks:
            s.append(f"Landmarks of {e['name']} include " + ", ".join(f"the {b['name']}" for b in marks[:4]) + ".")
        natives = sorted((p for p in w.people if p["town"] is e), key=lambda p: p["name"])
        if natives:
            s.append("People born here include " + ", ".join(pref(p) for p in natives[:4]) + ".")
        seats = sorted((o for o in w.orgs if o["seat"] is e), key=lambda o: o["name"])
        if seats:
            s.append("It is the seat of " + ", ".join(f"the {o['name']}" for o in seats[:3]) + ".")
    elif k == "person":
        s.append(f"{e['name']} ({e['born']}\u2013{e['died']}) was {'an' if e['occ'][0] in 'aeiou' else 'a'} {e['occ']} born in {tref(e['town'])}.")
        if e["mentor"]:
            s.append(rng.choice([f"{e['name']} trained under {pref(e['mentor'])}.",
                                 f"As a young {e['occ']}, {e['name']} was taught by {pref(e['mentor'])}."]))
        for b in sorted(e["designed"], key=lambda b: b["name"]):
            s.append(f"{e['name']} designed the {b['name']} in {tref(b['town'])}.")
        if e["member"]:
            s.append(f"{e['name']} was a member of the {e['member']['name']}.")
        for x in sorted((x for x in w.works if x["author"] is e), key=lambda x: x["name"]):
            s.append(f"{e['name']} wrote {x['name']}, {'an' if x['genre'][0] in 'aeiou' else 'a'} {x['genre']}.")
        s.append(f"{e['name']} died in {e['died']}.")
    elif k == "building":
        d = e["designer"]
        s.append(f"The {e['name']} is a {e['type']} in {tref(e['town'])}.")
        s.append(rng.choice([f"It was completed in {e['year']} to a design by {pref(d)}.",
                             f"Designed by {pref(d)}, it was completed in {e['year']}."]))
        s.append(f"It has {BTYPES[e['type']][2].format(n=e['n'])}.")
        if e["org"]:
            s.append(f"The work was commissioned by the {e['org']['name']}.")
    elif k == "org":
        kind = {"guild": "a guild", "society": "a learned society", "company": "a trading company",
                "press": "a publishing house", "trust": "a charitable trust"}[e["type"]]
        s.append(f"The {e['name']} is {kind} with its seat in {tref(e['seat'])}.")
        s.append(rng.choice([f"It was founded in {e['founded']} by {pref(e['founder'])}.",
                             f"{e['founder']['name']}, {'an' if e['founder']['occ'][0] in 'aeiou' else 'a'} {e['founder']['occ']}, founded it in {e['founded']}."]))
        s.append(f"At its height it counted {e['members']} members.")
        comm = sorted((b for b in w.buildings if b["org"] is e), key=lambda b: b["name"])
        if comm:
            s.append("It commissioned " + ", ".join(f"the {b['name']}" for b in comm) + ".")
        pub = sorted((x for x in w.works if x["press"] is e), key=lambda x: x["name"])
        if pub:
            s.append("Its list included " + ", ".join(x["name"] for x in pub) + ".")
    elif k == "event":
        noun, _, lead, num = ETYPES[e["type"]]
        s.append(f"{e['name']} was {'an' if noun[0] in 'aeiou' else 'a'} {noun} in {tref(e['town'])} in {e['year']}.")
        s.append(lead.format(who=pref(e["leader"])))
        s.append(num.format(n=e["n"]).capitalize() + ".")
    elif k == "work":
        s.append(f"{e['name']} is {'an' if e['genre'][0] in 'aeiou' else 'a'} {e['genre']} by {pref(e['author'])}.")
        s.append(f"It was published in {e['year']} by the {e['press']['name']}.")
    filler = FILLER[{"town": "town", "person": "person", "building": "building",
                     "org": "org", "event": "event", "work": "work"}[k]]
    for f in rng.sample(filler, rng.randint(1, 2)):
        s.append(f.format(name=e.get("name", "")))
    return e["name"] + "\n\n" + " ".join(s) + "\n"


# ---- a BM25 that mirrors the search builtin --------------------------------


def tokens(text):
    # tools.c: runs of ASCII alphanumerics or bytes >= 0x80, lowercased.
    out, cur = [], bytearray()
    for c in text.encode("utf-8"):
        if (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c >= 0x80:
            cur.append(c + 32 if 65 <= c <= 90 else c)
        elif cur:
            out.append(bytes(cur))
            cur = bytearray()
    if cur:
        out.append(bytes(cur))
    return out


class Index:
    def __init__(self, docs):
        self.ids = sorted(docs)
        self.toks = {i: tokens(docs[i]) for i in self.ids}
        self.avg = sum(len(t) for t in self.toks.values()) / len(self.ids)

    def search(self, query):
        q = []
        for t in tokens(query):
            if t not in q:
                q.append(t)
        n = len(self.ids)
        df = [sum(1 for i in self.ids if t in self.toks[i]) for t in q]
        scored = []
        for i in self.ids:
            dt = self.toks[i]
            sc = 0.0
            for j, t in enumerate(q):
                tf = dt.count(t)
                if not tf:
                    continue
                idf = math.log(1.0 + (n - df[j] + 0.5) / (df[j] + 0.5))
                sc += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(dt) / self.avg))
            if sc > 0:
                scored.append((-sc, i))
        scored.sort()
        return [i for _, i in scored]


# ---- questions ---------------------------------------------------------------


def article(w):
    return "an" if w[0] in "aeiou" else "a"


class Task:
    def __init__(self, tid, user, paras, answer, steps, final, kind):
        self.id, self.user, self.paras = tid, user, paras
        self.answer, self.steps, self.final, self.kind = answer, steps, final, kind


def plant_person_namesake(w, p, rng):
    occ = rng.choice([o for o in OCCUPATIONS if o != p["occ"] and o not in ("engineer", "architect")])
    town = rng.choice([t for t in w.base_towns if t is not p["town"]])
    return w.person(name=p["name"], occ=occ, town=town,
                    born=p["born"] + rng.choice([-9, -6, 5, 8, 11]))


def plant_town_namesake(w, t, rng):
    region = rng.choice([r for r in REGIONS if r != t["region"]])
    return w.town(t["name"], region, namesake=True)


def unique(items, pred):
    return sum(1 for x in items if pred(x)) == 1


def make_tasks(w, rng):
    """Picks anchors for each question template and plants the near-miss
    distractors each one needs; returns task specs (rendered later)."""
    specs = []
    used = set()

    def free(*ents):
        return all(id(e) not in used for e in ents)

    def take(*ents):
        for e in ents:
            used.add(id(e))

    towns = w.base_towns

    def other_town(*avoid):
        return rng.choice([t for t in towns if all(t is not a for a in avoid)])

    # T1 building -> designer -> birthplace -> founded
    # T6 building -> commissioning org -> founder's name
    # T7 event -> leader -> building designed -> its number
    # T8 building -> designer -> teacher -> birthplace -> founded
    blds = sorted(w.buildings, key=lambda b: b["id"])
    rng.shuffle(blds)
    n = {k: 0 for k in ("T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8")}
    for b in blds:
        d = b["designer"]
        if (n["T8"] < N_PER_TEMPLATE and d["mentor"] and free(b, d, d["mentor"], d["mentor"]["town"])
              and d["mentor"]["town"] is not b["town"]):
            take(b, d, d["mentor"], d["mentor"]["town"])
            specs.append(("T8", b))
            n["T8"] += 1
        elif n["T1"] < N_PER_TEMPLATE and free(b, d, d["town"]) and d["town"] is not b["town"]:
            take(b, d, d["town"])
            specs.append(("T1", b))
            n["T1"] += 1
        elif n["T6"] < N_PER_TEMPLATE and b["org"] and free(b, b["org"]) and b["town"]["name"] not in b["org"]["name"]:
            take(b, b["org"])
            specs.append(("T6", b))
            n["T6"] += 1
    evs = sorted(w.events, key=lambda e: e["id"])
    rng.shuffle(evs)
    for e in evs:
        L = e["leader"]
        if n["T2"] < N_PER_TEMPLATE and free(e, L):
            take(e, L)
            specs.append(("T2", e))
            n["T2"] += 1
    # T7 needs leaders who designed exactly one building: new designers,
    # each with one building and an event they led.
    for i in range(N_PER_TEMPLATE):
        btype = sorted(BTYPES)[i % len(BTYPES)]
        d = w.person(occ=BTYPES[btype][0])
        b = w.building(btype, rng.choice(towns), rng.randint(d["born"] + 25, d["died"] - 1),
                       d, rng.choice(w.orgs))
        e = w.event(rng.choice(sorted(ETYPES)), other_town(b["town"]),
                    rng.randint(d["born"] + 22, d["died"] - 1), d)
        take(d, b, e)
        specs.append(("T7", e))
        n["T7"] += 1
    # T3 org -> founder -> birthplace -> population
    orgs = sorted(w.orgs, key=lambda o: o["id"])
    rng.shuffle(orgs)
    for o in orgs:
        f = o["founder"]
        if (n["T3"] < N_PER_TEMPLATE and free(o, f, f["town"]) and f["town"] is not o["seat"]
                and f["town"]["name"] not in o["name"]):
            take(o, f, f["town"])
            specs.append(("T3", o))
            n["T3"] += 1
    # T4 work -> press -> seat -> river
    wks = sorted(w.works, key=lambda x: x["id"])
    rng.shuffle(wks)
    for x in wks:
        pr = x["press"]
        # a publisher may serve two questions, through different books
        if n["T4"] < N_PER_TEMPLATE and free(x) and sum(1 for k, y in specs if k == "T4" and y["press"] is pr) < 2:
            take(x, pr)
            specs.append(("T4", x))
            n["T4"] += 1
    # T5 person (occupation, birthplace, birth year) -> teacher -> death
    ps = sorted((p for p in w.people if p["mentor"]), key=lambda p: p["id"])
    rng.shuffle(ps)
    for p in ps:
        m = p["mentor"]
        if n["T5"] < N_PER_TEMPLATE and free(p, m) and m["died"] != p["born"]:
            take(p, m)
            specs.append(("T5", p))
            n["T5"] += 1
    for k, v in sorted(n.items()):
        if v < N_PER_TEMPLATE:
            sys.exit(f"gen_search: only {v} anchors for {k}")

    # Near-miss distractors, planted after anchors are chosen so that they
    # never become anchors themselves.
    for kind, a in specs:
        if kind in ("T1", "T6", "T8"):
            b = a
            d = b["designer"]
            # same type and town, another year; same type and year, another town
            other = rng.choice([p for p in w.people if p["occ"] == d["occ"] and p is not d])
            y2 = b["year"] + rng.choice([-11, -7, 6, 9, 13])
            w.building(b["type"], b["town"], y2, other, rng.choice(w.orgs))
            other2 = rng.choice([p for p in w.people if p["occ"] == d["occ"] and p is not d])
            w.building(b["type"], other_town(b["town"]), b["year"], other2, rng.choice(w.orgs))
            if kind in ("T1", "T8") and rng.random() < 0.6:
                plant_person_namesake(w, d, rng)
            if kind == "T1" and rng.random() < 0.6:
                plant_town_namesake(w, d["town"], rng)
            if kind == "T8" and rng.random() < 0.6:
                plant_town_namesake(w, d["mentor"]["town"], rng)
        elif kind in ("T2", "T7"):
            e = a
            someone = rng.choice(w.people)
            w.event(e["type"], e["town"], e["year"] + rng.choice([-12, -5, 4, 10]), someone)
            someone2 = rng.choice(w.people)
            w.event(e["type"], other_town(e["town"]), e["year"], someone2)
            if rng.random() < 0.6:
                plant_person_namesake(w, e["leader"], rng)
        elif kind == "T3":
            o = a
            f2 = rng.choice(w.people)
            w.org(o["type"], f2, o["seat"], o["founded"] + rng.choice([-14, -6, 7, 15]))
            f3 = rng.choice(w.people)
            w.org(o["type"], f3, other_town(o["seat"]), o["founded"])
            if rng.random() < 0.6:
                plant_person_namesake(w, o["founder"], rng)
            if rng.random() < 0.6:
                plant_town_namesake(w, o["founder"]["town"], rng)
        elif kind == "T4":
            x = a
            presses = [o for o in w.orgs if o["type"] == "press" and o is not x["press"]]
            w.work(x["genre"], x["author"], x["year"] + rng.choice([-8, -3, 5, 12]), rng.choice(presses))
            if rng.random() < 0.6:
                plant_town_namesake(w, x["press"]["seat"], rng)
        elif kind == "T5":
            p = a
            occ2 = rng.choice([o for o in OCCUPATIONS if o != p["occ"]])
            w.person(occ=occ2, town=p["town"], born=p["born"])
            w.person(occ=p["occ"], town=p["town"], born=p["born"] + rng.choice([-9, -4, 3, 7]))
            if rng.random() < 0.6:
                plant_person_namesake(w, p["mentor"], rng)
    return specs


def tq(w, t):
    """A town as a question names it: with its region when another town
    has the same name."""
    if sum(1 for u in w.towns if u["name"] == t["name"]) > 1:
        return f"{t['name']} in the {t['region']} region"
    return t["name"]


def ask(w, kind, a, rng):
    """Question text, paraphrases, answer and oracle steps for one anchor."""
    def one(pred, items):
        if not unique(items, pred):
            sys.exit(f"gen_search: {kind} anchor {a['id']} is not unique")

    if kind in ("T1", "T6", "T8"):
        b = a
        d = b["designer"]
        one(lambda x: x["type"] == b["type"] and x["town"] is b["town"] and x["year"] == b["year"], w.buildings)
        desc = f"the {b['type']} completed in {tq(w, b['town'])} in {b['year']}"
        s1 = ("search", f"{b['type']} {b['town']['name']} {b['year']}", b["id"])
        if kind == "T1":
            t = d["town"]
            return (f"Consider {desc}. In what year was the birthplace of its designer founded?",
                    [f"The designer of {desc} was born in a town. When was that town founded? Give the year.",
                     f"Find who designed {desc}, then tell me the founding year of the place that person was born in."],
                    ("number", t["founded"]),
                    [s1, ("search", f"{d['name']} {d['occ']}", d["id"]),
                     ("search", f"{t['name']} {t['region']} region", t["id"])], t,
                    f"{b['name']} was designed by {d['name']}, born in {t['name']} ({t['region']}), which was founded in {t['founded']}.")
        if kind == "T6":
            o = b["org"]
            f = o["founder"]
            return (f"Who founded the organisation that commissioned {desc}?",
                    [f"Name the founder of the body that paid for {desc}.",
                     f"{desc[0].upper() + desc[1:]} was commissioned by an organisation. Who founded that organisation?"],
                    ("name", f["name"]),
                    [s1, ("search", o["name"], o["id"])], o,
                    f"The {b['name']} was commissioned by the {o['name']}, founded by {f['name']}.")
        m = d["mentor"]
        t = m["town"]
        return (f"The designer of {desc} trained under an older colleague. In what year was that teacher's birthplace founded?",
                [f"Who taught the person who designed {desc}? Give the founding year of the town where the teacher was born.",
                 f"Trace {desc} to its designer, the designer to the teacher, and the teacher to a birthplace: when was that town founded?"],
                ("number", t["founded"]),
                [s1, ("search", f"{d['name']} {d['occ']}", d["id"]),
                 ("search", f"{m['name']} {m['occ']}", m["id"]),
                 ("search", f"{t['name']} {t['region']} region", t["id"])], t,
                f"{b['name']} was designed by {d['name']}, taught by {m['name']}, born in {t['name']}, founded in {t['founded']}.")
    if kind in ("T2", "T7"):
        e = a
        L = e["leader"]
        noun = ETYPES[e["type"]][0]
        one(lambda x: x["type"] == e["type"] and x["town"] is e["town"] and x["year"] == e["year"], w.events)
        desc = f"the {noun} in {tq(w, e['town'])} in {e['year']}"
        s1 = ("search", f"{noun} {e['town']['name']} {e['year']}", e["id"])
        if kind == "T2":
            return (f"In what year was the person who led {desc} born?",
                    [f"Someone was in charge during {desc}. What year was that person born?",
                     f"Give the birth year of the leader of {desc}."],
                    ("number", L["born"]),
                    [s1, ("search", f"{L['name']} {L['occ']}", L["id"])], L,
                    f"{e['name']} was led by {L['name']}, born in {L['born']}.")
        b = L["designed"][0]
        q = BTYPES[b["type"]][3]
        return (f"The person who led {desc} also designed a {b['type']}. {q}",
                [f"Whoever was in charge during {desc} designed a {b['type']}. {q}",
                 f"Find the leader of {desc}, then the {b['type']} they designed. {q}"],
                ("number", b["n"]),
                [s1, ("search", f"{L['name']} {L['occ']}", L["id"]),
                 ("search", f"{b['name']} {b['town']['name']}", b["id"])], b,
                f"{e['name']} was led by {L['name']}, who designed the {b['name']}: {BTYPES[b['type']][2].format(n=b['n'])}.")
    if kind == "T3":
        o = a
        f = o["founder"]
        t = f["town"]
        kindw = {"guild": "guild", "society": "learned society", "company": "trading company",
                 "press": "publishing house", "trust": "charitable trust"}[o["type"]]
        one(lambda x: x["type"] == o["type"] and x["seat"] is o["seat"] and x["founded"] == o["founded"], w.orgs)
        desc = f"the {kindw} founded in {o['founded']} with its seat in {tq(w, o['seat'])}"
        return (f"Consider {desc}. How many inhabitants did its founder's birthplace have at the census of 1900?",
                [f"What was the 1900 census population of the town where the founder of {desc} was born?",
                 f"Find the founder of {desc} and that person's birthplace; how many people lived there in 1900?"],
                ("number", t["pop"]),
                [("search", f"{kindw} {o['seat']['name']} {o['founded']}", o["id"]),
                 ("search", f"{f['name']} {f['occ']}", f["id"]),
                 ("search", f"{t['name']} {t['region']} region census", t["id"])], t,
                f"The {o['name']} was founded by {f['name']}, born in {t['name']}, which had {t['pop']} inhabitants in 1900.")
    if kind == "T4":
        x = a
        pr = x["press"]
        t = pr["seat"]
        A = x["author"]
        one(lambda y: y["genre"] == x["genre"] and y["author"] is A and y["year"] == x["year"], w.works)
        desc = f"the {x['genre']} that {A['name']} published in {x['year']}"
        return (f"Which river runs through the town where the publisher of {desc} has its seat?",
                [f"Name the river of the town that is home to the house that published {desc}.",
                 f"{desc[0].upper() + desc[1:]} came out with a publishing house. On which river is that house's town?"],
                ("name", t["river"]),
                [("search", f"{A['name']} {x['genre']} {x['year']}", x["id"]),
                 ("search", f"{pr['name']} publishing house", pr["id"]),
                 ("search", f"{t['name']} {t['region']} region river", t["id"])], t,
                f"{x['name']} was published by the {pr['name']} of {t['name']}, which lies on the River {t['river']}.")
    p = a
    m = p["mentor"]
    one(lambda y: y["occ"] == p["occ"] and y["town"] is p["town"] and y["born"] == p["born"], w.people)
    pt = tq(w, p["town"])
    desc = f"{article(p['occ'])} {p['occ']} born in {pt} in {p['born']}"
    return (f"There was {desc}. That person trained under a teacher. In what year did the teacher die?",
            [f"Who taught the {p['occ']} born in {pt} in {p['born']}, and when did that teacher die? Give the year.",
             f"Find the teacher of the {p['occ']} who was born in {pt} in {p['born']}; what year did the teacher die?"],
            ("number", m["died"]),
            [("search", f"{p['occ']} born {p['town']['name']} {p['born']}", p["id"]),
             ("search", f"{m['name']} {m['occ']}", m["id"])], m,
            f"The {p['occ']} {p['name']} trained under {m['name']}, who died in {m['died']}.")


# ---- writing -----------------------------------------------------------------


def yq(s):
    """A YAML double-quoted scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


SUITE_YAML = """\
# The search suite: multi-hop questions over an offline library of {ndocs}
# documents about an invented coastal country (BrowseComp / WebExplorer
# style). GENERATED by scripts/suites/gen_search.py: edit that, not this.
name: search
description: >-
  Multi-hop research questions over a local library of articles about the
  people, places, organisations, buildings, events and books of an invented
  country. Each answer needs two to four documents chained through their
  cross-references, past near-miss documents that share names, dates or
  places with the right one.
system: |-
  You are a careful research assistant with access to a document library through tools.
  Find facts with the search and open tools instead of guessing; the library has documents that look alike, so check each one against every detail of the question.
  When you know the answer, pass a short final answer to the submit tool.
env: env/
max_steps: 24
tools:
  - name: search
    description: >-
      Search the library. Returns the best matching documents, best first:
      one line each with the document id, its title and a short snippet.
      Open a document by its id to read it in full.
    parameters:
      type: object
      properties:
        query: {{type: string, description: Keywords to search for}}
      required: [query]
    run: {{builtin: search, dir: docs, top: {top}}}
  - name: open
    description: Open a document of the library by the id that search returned and read its full text.
    parameters:
      type: object
      properties:
        id: {{type: string, description: "Document id as returned by search, e.g. places/example.txt"}}
      required: [id]
    run: {{builtin: open, dir: docs}}
  - name: submit
    description: Submit your final answer. Call it once, when the task is done.
    parameters:
      type: object
      properties:
        answer: {{type: string, description: The final answer for the user}}
      required: [answer]
    run: {{builtin: submit}}
"""

ENV_README = """\
Library of the Marrow Coast
===========================

The docs folder holds one article per person, place, organisation, building,
event or book, in plain text: the first line is the title.
"""


def leaks(answer, kind, texts):
    """Whether any text gives the answer away."""
    if kind == "number":
        n = int(answer)
        forms = {str(n), f"{n:,}", f"{n:_}".replace("_", " "), f"{n:,}".replace(",", ".")}
        pat = re.compile("|".join(r"(?<![0-9])" + re.escape(f) + r"(?![0-9])" for f in sorted(forms)))
        return any(pat.search(t) for t in texts)
    return any(re.search(r"(?i)\b" + re.escape(answer) + r"\b", t) for t in texts)


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "suites", "search")
    if len(sys.argv) == 3 and sys.argv[1] == "--out":
        out = sys.argv[2]
    elif len(sys.argv) != 1:
        sys.exit("usage: gen_search.py [--out DIR]")
    out = os.path.normpath(out)
    rng = random.Random(SEED)
    w = build_world(rng)
    specs = make_tasks(w, rng)
    ents = w.towns + w.people + w.orgs + w.buildings + w.events + w.works
    rrng = random.Random(SEED + 1)
    docs = {e["id"]: render(w, e, rrng) for e in sorted(ents, key=lambda e: e["id"])}
    index = Index(docs)
    suite_text = SUITE_YAML.format(ndocs=len(docs), top=TOP)

    tasks = []
    counters = {}
    for kind, a in specs:
        user, paras, (akind, ans), searches, final, say = ask(w, kind, a, rng)
        counters[kind] = counters.get(kind, 0) + 1
        prefix = {"T1": "designer-birthplace-founded", "T2": "leader-born",
                  "T3": "founder-birthplace-census", "T4": "publisher-river",
                  "T5": "teacher-died", "T6": "commissioner-founder",
                  "T7": "leader-design-number", "T8": "teacher-birthplace-founded"}[kind]
        tid = f"{prefix}-{counters[kind]}"
        for _, q, want in searches:
            hits = index.search(q)[:TOP]
            if want not in hits:
                sys.exit(f"gen_search: {tid}: search {q!r} misses {want} (got {hits})")
        prompts = [user] + paras
        shown = "\n".join(l for l in suite_text.splitlines() if "run:" not in l)
        if leaks(str(ans), akind, prompts + [shown, ENV_README]):
            sys.exit(f"gen_search: {tid}: a prompt gives the answer {ans} away")
        title = [t for t in re.findall(r"[A-Za-z]+", final["name"]) if t.lower() not in STOP]
        for p in prompts:
            for t in title:
                if re.search(r"\b" + t + r"\b", p):
                    sys.exit(f"gen_search: {tid}: prompt names {t!r} from the answer's document title")
            if "docs" in p:
                sys.exit(f"gen_search: {tid}: prompt names the corpus folder")
        tasks.append((tid, user, paras, akind, ans, searches, final, say))

    if os.path.isdir(out):
        for sub in ("tasks", "env"):
            shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    os.makedirs(os.path.join(out, "tasks"), exist_ok=True)
    for ident, text in sorted(docs.items()):
        path = os.path.join(out, "env", "docs", ident)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    with open(os.path.join(out, "env", "README.md"), "w", encoding="utf-8") as f:
        f.write(ENV_README)
    with open(os.path.join(out, "suite.yaml"), "w", encoding="utf-8") as f:
        f.write(suite_text)
    for tid, user, paras, akind, ans, searches, final, say in tasks:
        lines = [f"id: {tid}", f"user: {yq(user)}", "paraphrases:"]
        lines += [f"  - {yq(p)}" for p in paras]
        lines.append("tools: [search, open, submit]")
        lines.append("grade:")
        if akind == "number":
            lines.append(f"  - answer: {{number: {ans}, tolerance: 0}}")
        else:
            rx = r"(?i)\b" + r"\s+".join(re.escape(x) for x in ans.split()) + r"\b"
            lines.append(f"  - answer: {{regex: '{rx}'}}")
        lines.append(f"  - calls: {{must: [{{name: open, args: {{id: {final['id']}}}}}]}}")
        lines.append("oracle:")
        for _, q, want in searches:
            lines.append(f"  - call: {{name: search, args: {{query: {yq(q)}}}}}")
            lines.append(f"  - call: {{name: open, args: {{id: {want}}}}}")
        lines.append(f"  - answer: {yq(say)}")
        with open(os.path.join(out, "tasks", tid + ".yaml"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    print(f"gen_search: {len(tasks)} tasks, {len(docs)} documents -> {out}")


if __name__ == "__main__":
    main()
