"""swe_bugs.py - the bug table of the swe suite, read by gen_swe.py.

One entry per task: the project, the file (relative to the repository
root), the exact text of the correct code to replace (it must occur once)
and what replaces it, the commit message of the bug's commit, the user's
issue-style report of the symptom (never the file or the fix), two
authored paraphrases of it, and the oracle's closing summary.
"""

BUGS = []


def bug(id, project, file, old, new, message, user, paraphrases, answer):
    BUGS.append({"id": id, "project": project, "file": file, "old": old,
                 "new": new, "message": message, "user": user,
                 "paraphrases": paraphrases, "answer": answer})


TZ = "toml/toml/tz.py"
DEC = "toml/toml/decoder.py"
ENC = "toml/toml/encoder.py"
XML = "xmltodict/xmltodict.py"
BASE = "blinker/blinker/base.py"
UTIL = "blinker/blinker/_utilities.py"
SAFE = "blinker/blinker/_saferef.py"

# ---- toml ------------------------------------------------------------------

bug("toml-offset-sign", "toml", TZ,
    "self._sign = -1 if self._raw_offset[0] == '-' else 1",
    "self._sign = -1 if self._raw_offset[0] == '+' else 1",
    "tz: simplify offset parsing",
    "In the toml project, date-times with a UTC offset come back with the "
    "offset's sign flipped: parsing `t = 1979-05-27T00:32:00-07:00` gives a "
    "datetime whose utcoffset() is +7 hours instead of -7 hours. Please fix "
    "it so parsed offsets keep their sign.",
    ["toml.loads turns a -07:00 offset into +07:00 (and +05:30 into "
     "-05:30). Can you fix the toml project so utcoffset() of a parsed "
     "date-time matches the offset written in the document?",
     "Bug report for toml: offset date-times are mirrored around UTC. "
     "`1979-05-27T00:32:00-07:00` should be seven hours behind UTC but "
     "the parsed value says seven hours ahead. The unit tests catch it; "
     "please make them pass."],
    "The fixed-offset time zone treated offsets starting with '+' as "
    "negative; it now negates only offsets that start with '-'.")

bug("toml-offset-minutes", "toml", TZ,
    "return self._sign * timedelta(hours=self._hours, minutes=self._minutes)",
    "return self._sign * timedelta(hours=self._hours)",
    "tz: compute offsets from the hour field",
    "toml drops the minutes of UTC offsets: `t = 2021-03-04T10:00:00+05:30` "
    "parses to a datetime whose utcoffset() is 5:00:00 instead of 5:30:00. "
    "Offsets in whole hours are fine. Please fix the toml project.",
    ["In toml, parsed date-times in India (+05:30) or Newfoundland "
     "(-03:30) are off by half an hour: utcoffset() only has the hours. "
     "Please fix it.",
     "Half-hour time zones are broken in the toml library: the minutes "
     "part of an offset like +05:30 is ignored when a document is loaded. "
     "Make the toml tests pass again."],
    "utcoffset() built the timedelta from the hours only; it now adds the "
    "offset's minutes as well.")

bug("toml-fraction-seconds", "toml", DEC,
    "microsecond = int(int(subsecondval) *\n"
    "                                  (10 ** (6 - len(subsecondval))))",
    "microsecond = int(int(subsecondval) *\n"
    "                                  (10 ** (5 - len(subsecondval))))",
    "decoder: tidy date parsing",
    "toml parses fractional seconds wrong: `t = 1979-05-27T07:32:00.5Z` "
    "gives microsecond 50000 instead of 500000, i.e. the fraction is ten "
    "times too small. Please fix the toml project.",
    ["When I load a TOML date-time with fractional seconds, such as "
     "07:32:00.5Z, the microseconds come out a factor of ten too small "
     "(0.05 s instead of 0.5 s). Can you fix the toml library?",
     "toml: sub-second precision is off by a factor of ten for offset "
     "date-times (.999999 becomes 99999 microseconds). Please repair it "
     "so the project's tests pass."],
    "The microsecond scaling used 10 ** (5 - digits); it is 10 ** (6 - "
    "digits), so .5 is 500000 microseconds again.")

bug("toml-negative-numbers", "toml", DEC,
    "            if neg:\n                return (0 - v, itype)",
    "            if neg:\n                return (v, itype)",
    "decoder: simplify number parsing",
    "toml loses the sign of negative numbers: `toml.loads('b = -17')` "
    "returns {'b': 17}, and `x = -2.5` gives 2.5. Please fix the toml "
    "project so negative integers and floats stay negative.",
    ["In the toml library every negative number is read as positive "
     "(-17 -> 17, -2.5 -> 2.5). Please fix the parser.",
     "Loading `b = -17` with toml gives 17. Negative values in config "
     "files are coming out positive; can you fix it so the toml tests "
     "pass?"],
    "The value parser stripped the minus sign and then returned the "
    "magnitude; it now returns 0 - v for negative numbers.")

bug("toml-escape-newline", "toml", DEC,
    r"""_escapedchars = ['\0', '\b', '\f', '\n', '\r', '\t', '\"']""",
    r"""_escapedchars = ['\0', '\b', '\f', '\r', '\n', '\t', '\"']""",
    "decoder: reorder escape table",
    "In toml, the escapes \\n and \\r inside basic strings are mixed up: "
    "`s = \"a\\nb\"` loads as 'a\\rb' (a carriage return) and \\r turns "
    "into a newline. Please fix the toml project.",
    ["toml.loads reads a \\n escape in a double-quoted string as a "
     "carriage return, and \\r as a line feed. Please fix the string "
     "unescaping in the toml library.",
     "Multi-line messages stored with \\n escapes in our TOML files come "
     "out with carriage returns instead of newlines after toml.loads. "
     "Please fix toml so its tests pass."],
    "The table mapping escape letters to characters had \\n and \\r "
    "swapped; n maps to a line feed and r to a carriage return again.")

bug("toml-capital-true", "toml", DEC,
    "        if v == 'true':\n            return (True, \"bool\")",
    "        if v.lower() == 'true':\n            return (True, \"bool\")",
    "decoder: be lenient about boolean spelling",
    "toml accepts `t = True` and returns True, but TOML booleans are "
    "lowercase only and the library used to reject it with a "
    "TomlDecodeError (as it still does for `FALSE`). Please restore the "
    "error in the toml project.",
    ["The toml parser now accepts capitalised `True` as a boolean, which "
     "is invalid TOML; it should raise TomlDecodeError like it does for "
     "FALSE. Please fix it.",
     "toml.loads('t = True') should fail (only lowercase true/false are "
     "valid), but it returns {'t': True}. Can you make toml strict again "
     "so its tests pass?"],
    "The value parser compared v.lower() with 'true', so any casing was "
    "accepted; it now accepts only the exact 'true' and rejects other "
    "casings.")

bug("toml-float-trailing-dot", "toml", DEC,
    "                if '.' in v and v.split('.', 1)[1] == '':\n"
    "                    raise ValueError(\"This float is missing digits "
    "after \"\n"
    "                                     \"the point\")\n",
    "",
    "decoder: drop a redundant float check",
    "toml accepts `x = 7.` and returns 7.0, but a TOML float needs at least "
    "one digit after the decimal point, so this should raise "
    "TomlDecodeError as it used to. Please fix the toml project.",
    ["In toml, a float written with a trailing point (`x = 7.`) is "
     "silently accepted; it is invalid TOML and must be rejected with a "
     "TomlDecodeError. Please fix it.",
     "toml.loads('x = 7.') returns {'x': 7.0} instead of raising. Please "
     "make the toml library reject floats with no digits after the point "
     "again, so the tests pass."],
    "The check that a float has digits after its decimal point was "
    "missing; it is back and `7.` raises again.")

bug("toml-mixed-array", "toml", DEC,
    "                if atype:\n"
    "                    if ntype != atype:\n"
    "                        raise ValueError(\"Not a homogeneous array\")\n"
    "                else:\n"
    "                    atype = ntype\n",
    "                atype = ntype\n",
    "decoder: simplify array loading",
    "toml (TOML 0.5) should reject arrays that mix types, e.g. "
    "`a = [1, \"two\"]`, with a TomlDecodeError, but toml.loads now "
    "returns {'a': [1, 'two']}. Please fix the toml project.",
    ["Mixed-type arrays such as [1, \"two\"] are accepted by our toml "
     "library although the spec version it implements forbids them. "
     "It should raise TomlDecodeError. Please fix.",
     "toml no longer complains about heterogeneous arrays: "
     "`a = [1, \"two\"]` loads fine. Restore the error so the toml tests "
     "pass."],
    "Array loading no longer compared each element's type with the first "
    "one's; the homogeneity check is back and raises 'Not a homogeneous "
    "array'.")

bug("toml-unicode-long-escape", "toml", DEC,
    "        if prefix == \"\\\\U\":\n            hxblen = 8\n",
    "",
    "decoder: one length for unicode escapes",
    "toml mis-parses 8-digit unicode escapes: `b = \"\\U0001F600!\"` should "
    "load as a grinning-face emoji followed by '!', but comes out as "
    "U+0001 followed by the text 'F600!'. The 4-digit \\u escapes work. "
    "Please fix the toml project.",
    ["In toml, \\UXXXXXXXX escapes (capital U, eight hex digits) are read "
     "as if they had four digits, so emoji written as \\U0001F600 come "
     "out garbled. Please fix it.",
     "Long unicode escapes are broken in the toml library: \\U0001F600 "
     "turns into a control character plus 'F600'. Please make the toml "
     "tests pass."],
    "Unicode escapes always used four hex digits; \\U escapes take eight "
    "again.")

bug("toml-error-line-number", "toml", DEC,
    "lineno = doc.count('\\n', 0, pos) + 1",
    "lineno = doc.count('\\n', 0, pos)",
    "decoder: simplify error positions",
    "toml's TomlDecodeError reports the wrong line: for the document "
    "\"a = 1\\nb = \\n\" the error says line 1 although the problem is on "
    "line 2, and err.lineno is 1. Columns are fine. Please fix the toml "
    "project so line numbers are 1-based again.",
    ["The line numbers in toml's decode errors are one too low (an error "
     "on the second line is reported as line 1). Please fix it.",
     "toml.TomlDecodeError.lineno is off by one, which makes our config "
     "error messages point at the wrong line. Lines should count from 1. "
     "Please fix so the toml tests pass."],
    "TomlDecodeError counted the newlines before the error position "
    "without adding one; line numbers are 1-based again.")

bug("toml-hash-in-string", "toml", DEC,
    "        if item == '#' and (not openstring and not keygroup and\n",
    "        if item == '#' and (not keygroup and\n",
    "decoder: simplify comment detection",
    "toml treats a '#' inside a quoted string as the start of a comment: "
    "`colour = \"#ff8800\" # orange` fails to load instead of giving "
    "{'colour': '#ff8800'}. Please fix the toml project.",
    ["Strings that contain a hash sign, like \"#ff8800\", can no longer be "
     "loaded with toml: the rest of the line is thrown away as a comment. "
     "Please fix it.",
     "toml.loads breaks on hex colours in strings: a '#' between quotes "
     "should be part of the string, not a comment. Please make the toml "
     "tests pass."],
    "Comment detection ignored whether the '#' was inside a string; a "
    "'#' starts a comment only outside strings again.")

bug("toml-table-name-dash", "toml", DEC,
    "_groupname_re = re.compile(r'^[A-Za-z0-9_-]+$')",
    "_groupname_re = re.compile(r'^[A-Za-z0-9_]+$')",
    "decoder: tighten table name pattern",
    "toml rejects table headers that contain a dash: `[build-options]` "
    "raises \"Invalid group name 'build-options'. Try quoting it.\", but "
    "dashes are allowed in bare keys. Please fix the toml project.",
    ["In toml, a table name such as [build-options] is refused as "
     "invalid. Bare keys may contain A-Z, a-z, 0-9, underscores and "
     "dashes. Please fix it.",
     "Our pyproject-style files with [tool.build-options] no longer load "
     "with toml: it asks to quote the table name. Please make dashed "
     "table names work again so the toml tests pass."],
    "The pattern for bare table names left out the dash; it accepts "
    "[A-Za-z0-9_-] again.")

bug("toml-inline-negative", "toml", DEC,
    "                    value[0] in '-0123456789' or\n",
    "                    value[0] in '0123456789' or\n",
    "decoder: simplify inline table value check",
    "toml fails on inline tables with a negative number: "
    "`point = { x = 1, y = -2, label = \"p\" }` raises a TomlDecodeError "
    "(\"Invalid inline table value encountered\"), while the same keys as "
    "normal lines work. Please fix the toml project.",
    ["Inline tables that contain a negative value, like { y = -2 }, can't "
     "be parsed by toml any more. Please fix it.",
     "toml.loads('p = { x = 1, y = -2 }') raises an invalid inline table "
     "error. Negative numbers should be fine inside inline tables; please "
     "make the toml tests pass."],
    "The inline-table splitter did not accept a value starting with '-'; "
    "it accepts a leading minus again.")

bug("toml-duplicate-table", "toml", DEC,
    "                    currentlevel[group]\n"
    "                    if i == len(groups) - 1:\n",
    "                    currentlevel[group]\n"
    "                    if i == len(groups):\n",
    "decoder: simplify table header handling",
    "toml silently merges a table that is defined twice: `[a]` with x = 1 "
    "followed by another `[a]` with y = 2 loads as {'a': {'x': 1, 'y': 2}} "
    "instead of raising TomlDecodeError. Arrays of tables ([[fruit]] "
    "twice) also collapse into one entry. Please fix the toml project.",
    ["In toml, repeating a table header no longer raises an error, and "
     "[[array]] tables only keep one element. Please fix the table "
     "header handling.",
     "Two [[fruit]] blocks should give a list of two tables, and two [a] "
     "headers should be an error; toml now does neither. Please make the "
     "toml tests pass."],
    "When a table header named an existing table, the check for the last "
    "path component compared i with len(groups) instead of len(groups) - "
    "1, so duplicates merged and [[...]] never appended; it is fixed.")

bug("toml-dotted-keys", "toml", DEC,
    "            for level in levels[:-1]:\n",
    "            for level in levels[:-2]:\n",
    "decoder: simplify dotted keys",
    "toml drops a level of dotted keys: `site.owner.name = \"Ola\"` loads "
    "as {'site': {'name': 'Ola'}} instead of "
    "{'site': {'owner': {'name': 'Ola'}}}. Please fix the toml project.",
    ["Dotted keys with three parts (a.b.c = 1) lose their middle part "
     "when loaded with toml. Please fix it.",
     "toml.loads('site.owner.name = \"Ola\"') returns the wrong nesting "
     "(no 'owner' table). Please make the toml tests pass."],
    "The dotted-key loop stopped one level early (levels[:-2]); it walks "
    "every level but the last again.")

bug("toml-leading-zero-float", "toml", DEC,
    "    if n[0] == '0' and n[1] not in ['.', 'o', 'b', 'x']:\n"
    "        return False\n",
    "",
    "decoder: relax number validation",
    "toml accepts numbers with a leading zero: `x = 01.5` loads as 1.5, "
    "but TOML forbids leading zeros and the library used to raise a "
    "TomlDecodeError. Please fix the toml project.",
    ["A float like 01.5 should be rejected by toml (no leading zeros "
     "allowed), but it is accepted. Please fix it.",
     "toml.loads('x = 01.5') should raise a decode error about leading "
     "zeroes and doesn't. Please make the toml tests pass."],
    "Number validation no longer refused a leading zero followed by a "
    "digit; that check is back.")

bug("toml-dump-bool", "toml", ENC,
    "bool: lambda v: unicode(v).lower(),",
    "bool: lambda v: unicode(v),",
    "encoder: simplify scalar dumpers",
    "toml.dumps writes booleans as `True`/`False`: dumps({'on': True}) "
    "gives 'on = True', which is not valid TOML and cannot be loaded "
    "back. It should be 'on = true'. Please fix the toml project.",
    ["toml writes Python booleans capitalised (True/False) instead of "
     "TOML's true/false, so dumped files don't round-trip. Please fix.",
     "After toml.dumps, our boolean settings read `debug = False`, which "
     "toml.loads rejects. Please make the toml tests pass."],
    "The boolean dumper returned str(v); it returns the lowercase form "
    "again.")

bug("toml-dump-falsy", "toml", ENC,
    "                    if o[section] is not None:\n",
    "                    if o[section]:\n",
    "encoder: skip empty values",
    "toml.dumps drops keys whose value is 0, False or an empty string: "
    "dumps({'retries': 0, 'debug': False, 'tag': ''}) returns an empty "
    "string. Only None should be left out. Please fix the toml project.",
    ["Keys set to zero, false or \"\" disappear when I write a dict with "
     "toml.dumps. Only None values should be skipped. Please fix it.",
     "toml loses falsy settings on dump (retries = 0 vanishes). Please "
     "make the toml tests pass."],
    "The encoder skipped every falsy value; it skips only None again.")

bug("toml-dump-blank-line", "toml", ENC,
    "                if retval and retval[-2:] != \"\\n\\n\":\n",
    "                if retval and retval[-1:] != \"\\n\":\n",
    "encoder: simplify section spacing",
    "toml.dumps no longer puts a blank line before table headers: "
    "dumps({'a': 1, 'srv': {'host': 'x'}}) gives 'a = 1\\n[srv]\\n...' "
    "instead of 'a = 1\\n\\n[srv]\\n...'. Please fix the toml project so "
    "the output is formatted as before.",
    ["toml output lost the empty line between sections ([srv] directly "
     "after the previous key). Please restore it.",
     "Our generated TOML files changed format: no blank line before each "
     "[table] header any more. Please fix toml.dumps so the tests pass."],
    "The separator check looked at the last character, which is always a "
    "newline; it checks the last two again and adds the blank line.")

bug("toml-dump-dash-key", "toml", ENC,
    "            if not re.match(r'^[A-Za-z0-9_-]+$', section):\n",
    "            if not re.match(r'^[A-Za-z0-9_]+$', section):\n",
    "encoder: tighten bare key pattern",
    "toml.dumps quotes keys that contain a dash: dumps({'max-size': 1}) "
    "gives '\"max-size\" = 1' instead of 'max-size = 1'. Dashes are valid "
    "in bare keys. Please fix the toml project.",
    ["Keys like max-size are written in quotes by toml.dumps, although "
     "they are valid bare keys. Please fix it.",
     "toml started quoting dashed keys in its output, which changed all "
     "our generated files. Please make the toml tests pass."],
    "The encoder's bare-key pattern left out the dash; it is back in the "
    "character class.")

bug("toml-dump-utc-z", "toml", ENC,
    "datetime.datetime: lambda v: v.isoformat().replace('+00:00', 'Z'),",
    "datetime.datetime: lambda v: v.isoformat(),",
    "encoder: use isoformat for date-times",
    "toml.dumps writes UTC date-times with '+00:00' instead of 'Z': "
    "a datetime 2024-01-02 03:04:05 UTC is written as "
    "2024-01-02T03:04:05+00:00 instead of 2024-01-02T03:04:05Z. Please fix "
    "the toml project.",
    ["UTC timestamps dumped by toml end in +00:00; they used to end in Z. "
     "Please restore the Z form.",
     "toml.dumps changed how UTC datetimes are written (+00:00 rather "
     "than Z). Please make the toml tests pass again."],
    "The date-time dumper used isoformat() as is; it replaces '+00:00' "
    "with 'Z' again.")

bug("toml-array-separator-comma", "toml", ENC,
    "        if separator.strip() == \"\":\n"
    "            separator = \",\" + separator\n"
    "        elif separator.strip(' \\t\\n\\r,'):\n",
    "        if separator.strip(' \\t\\n\\r,'):\n",
    "encoder: simplify separator validation",
    "toml's TomlArraySeparatorEncoder(separator=\"\\n\") writes arrays "
    "without commas ('[ 1\\n 2\\n]'), which toml.loads cannot read back. "
    "A whitespace-only separator should get a comma in front of it. "
    "Please fix the toml project.",
    ["With a newline as array separator, toml's separator encoder "
     "produces arrays with no commas. Please fix it so whitespace "
     "separators are prefixed with a comma.",
     "toml.dumps(data, encoder=TomlArraySeparatorEncoder(separator='\\n')) "
     "outputs invalid arrays. Please make the toml tests pass."],
    "A separator made only of whitespace was used as is; it gets a comma "
    "in front of it again.")

bug("toml-array-separator-invalid", "toml", ENC,
    "        elif separator.strip(' \\t\\n\\r,'):\n",
    "        elif separator.strip(' \\t\\n\\r,;'):\n",
    "encoder: accept more array separators",
    "toml's TomlArraySeparatorEncoder(separator=\";\") is accepted and "
    "then writes arrays like '[ 1; 2;]', which are not TOML. It should "
    "raise ValueError(\"Invalid separator for arrays\") as before. Please "
    "fix the toml project.",
    ["The array separator encoder of toml accepts a semicolon separator, "
     "producing invalid TOML; it should raise ValueError. Please fix.",
     "toml.TomlArraySeparatorEncoder(separator=';') should be refused. "
     "Please make the toml tests pass."],
    "The separator validation let ';' through; only commas and "
    "whitespace are accepted again.")

bug("toml-preserve-inline", "toml", ENC,
    "            elif self.preserve and isinstance(o[section], "
    "InlineTableDict):\n",
    "            elif self.preserve and isinstance(o[section], list):\n",
    "encoder: simplify inline table check",
    "toml's TomlPreserveInlineDictEncoder no longer preserves inline "
    "tables: loading 'point = { x = 1, y = 2 }' and dumping it with that "
    "encoder writes a [point] section instead of 'point = { x = 1, "
    "y = 2 }'. Please fix the toml project.",
    ["Inline tables are expanded into sections even with "
     "TomlPreserveInlineDictEncoder. Please fix toml so they stay inline.",
     "Round-tripping a file with inline tables through toml using the "
     "preserve-inline encoder changes its layout. Please make the toml "
     "tests pass."],
    "The preserve branch tested for a list instead of an InlineTableDict; "
    "inline tables are written inline again.")

bug("toml-dump-array-of-tables", "toml", ENC,
    "                        arraystr += \"[[\" + sup + qsection + "
    "\"]]\\n\"\n",
    "                        arraystr += \"[\" + sup + qsection + \"]\\n\"\n",
    "encoder: simplify array of tables headers",
    "toml.dumps writes lists of tables with single brackets: "
    "dumps({'t': [{'x': 1}, {'x': 2}]}) gives '[t]' headers instead of "
    "'[[t]]', so the output cannot be loaded back (duplicate table). "
    "Please fix the toml project.",
    ["Arrays of tables are dumped by toml as plain [name] tables. They "
     "need [[name]] headers. Please fix.",
     "toml.dumps of a list of dicts produces repeated [t] sections that "
     "toml.loads rejects. Please make the toml tests pass."],
    "Array-of-tables entries were written with single brackets; they are "
    "written as [[name]] again.")

# ---- xmltodict -------------------------------------------------------------

bug("xml-ns-separator", "xmltodict", XML,
    "        namespace, name = full_name[:i], full_name[i+1:]\n",
    "        namespace, name = full_name[:i], full_name[i:]\n",
    "Simplify name splitting",
    "xmltodict.parse with process_namespaces=True and a namespaces "
    "mapping produces keys with a doubled separator: with "
    "{'http://a.com/': 'ns_a'} the element a:y comes out as 'ns_a::y' "
    "instead of 'ns_a:y'. Please fix the xmltodict project.",
    ["When I collapse namespaces in xmltodict.parse (namespaces={...}), "
     "keys get two colons (ns_a::y). Please fix it.",
     "xmltodict: namespace prefixes from the namespaces argument are "
     "joined with '::'. They should use a single separator. Please make "
     "the xmltodict tests pass."],
    "The local name kept the separator (full_name[i:]); it starts after "
    "the separator again.")

bug("xml-ns-empty-prefix", "xmltodict", XML,
    "        if not short_namespace:\n            return name\n"
    "        else:\n"
    "            return self.namespace_separator.join((short_namespace, "
    "name))\n",
    "        return self.namespace_separator.join((short_namespace, name))\n",
    "Simplify namespace shortening",
    "In xmltodict, mapping a namespace to the empty string in "
    "`namespaces` should drop the prefix, but parse() now yields keys "
    "like ':root' and ':x' instead of 'root' and 'x'. Please fix the "
    "xmltodict project.",
    ["xmltodict.parse(..., process_namespaces=True, namespaces={uri: ''}) "
     "leaves a leading colon on element names. Please fix it.",
     "Collapsing the default namespace to '' with xmltodict gives keys "
     "that start with ':'. Please make the xmltodict tests pass."],
    "A namespace mapped to '' was still joined with the separator; the "
    "bare name is returned for an empty short namespace again.")

bug("xml-attr-swap", "xmltodict", XML,
    "return self.dict_constructor(zip(attrs[0::2], attrs[1::2]))",
    "return self.dict_constructor(zip(attrs[1::2], attrs[0::2]))",
    "Tidy attribute conversion",
    "xmltodict.parse mixes up attribute names and values: "
    "'<a href=\"x\" id=\"7\">t</a>' gives {'a': {'@x': 'href', '@7': "
    "'id', '#text': 't'}}. Please fix the xmltodict project.",
    ["Attributes parsed by xmltodict have their names and values "
     "swapped. Please fix it.",
     "xmltodict: '<a href=\"x\"/>' should give {'@href': 'x'} but gives "
     "{'@x': 'href'}. Please make the tests pass."],
    "The flat attribute list from expat was zipped as (values, names); "
    "it is zipped as (names, values) again.")

bug("xml-whitespace-none", "xmltodict", XML,
    "                data = data.strip() or None\n",
    "                data = data.strip()\n",
    "Simplify whitespace stripping",
    "xmltodict.parse returns '' for elements that contain only "
    "whitespace: '<a><c>   </c></a>' gives {'a': {'c': ''}} instead of "
    "{'a': {'c': None}}. Please fix the xmltodict project.",
    ["Whitespace-only elements used to parse to None with xmltodict; now "
     "they give an empty string. Please fix.",
     "xmltodict: after stripping whitespace, an element with no real "
     "text should be None, not ''. Please make the tests pass."],
    "Stripped whitespace-only text stayed an empty string; it becomes "
    "None again.")

bug("xml-force-cdata-empty", "xmltodict", XML,
    "            if data and self.force_cdata and item is None:\n",
    "            if self.force_cdata and item is None:\n",
    "Simplify force_cdata handling",
    "With force_cdata=True, xmltodict.parse turns empty elements into "
    "empty dicts: '<a><b>1</b><c/></a>' gives 'c': {} instead of "
    "'c': None. Please fix the xmltodict project.",
    ["xmltodict.parse(..., force_cdata=True) makes {} out of empty "
     "elements; they should stay None. Please fix it.",
     "force_cdata should only wrap text that exists. In xmltodict an "
     "empty <c/> now becomes {}. Please make the tests pass."],
    "force_cdata created a dict even when the element had no text; it "
    "does so only when there is text again.")

bug("xml-repeated-order", "xmltodict", XML,
    "                item[key] = [value, data]\n",
    "                item[key] = [data, value]\n",
    "Tidy list building",
    "xmltodict.parse returns repeated elements out of order: "
    "'<r><i>1</i><i>2</i><i>3</i></r>' gives {'r': {'i': ['2', '1', "
    "'3']}}. The document order must be kept. Please fix the xmltodict "
    "project.",
    ["The first two of a run of repeated elements come out swapped in "
     "xmltodict's result. Please fix it.",
     "xmltodict: <b>1</b><b>2</b> parses to ['2', '1']. Please make "
     "the tests pass."],
    "When a key was seen the second time the list was built as [new, "
    "old]; it is [old, new] again.")

bug("xml-force-list-true", "xmltodict", XML,
    "        if isinstance(self.force_list, bool):\n"
    "            return self.force_list\n",
    "",
    "Simplify force_list",
    "xmltodict.parse(xml, force_list=True) crashes with \"TypeError: "
    "'bool' object is not callable\"; it should put every element in a "
    "list. Please fix the xmltodict project.",
    ["force_list=True no longer works in xmltodict (TypeError about a "
     "bool not being callable). Please fix it.",
     "xmltodict: passing force_list=True should wrap all children in "
     "lists, but parse raises TypeError. Please make the tests pass."],
    "force_list=True fell through to the membership test and the "
    "callable case; a boolean force_list is returned as the answer "
    "again.")

bug("xml-comment-strip", "xmltodict", XML,
    "    def comments(self, data):\n"
    "        if self.strip_whitespace:\n"
    "            data = data.strip()\n",
    "    def comments(self, data):\n",
    "Keep comments verbatim",
    "With process_comments=True, xmltodict.parse keeps the whitespace "
    "around comments: '<a><!--  note  --><b>1</b></a>' gives "
    "'#comment': '  note  ' instead of 'note', although "
    "strip_whitespace is on. Please fix the xmltodict project.",
    ["Comments parsed by xmltodict are no longer stripped of surrounding "
     "blanks. Please fix it.",
     "xmltodict: comment text should be stripped like element text when "
     "strip_whitespace is true (the default). Please make the tests "
     "pass."],
    "The comment handler did not strip its text; it strips it when "
    "strip_whitespace is set again.")

bug("xml-ns-not-processed", "xmltodict", XML,
    "    if not process_namespaces:\n        namespace_separator = None\n",
    "",
    "Always pass the namespace separator to expat",
    "xmltodict.parse expands namespaces even when process_namespaces is "
    "False (the default): '<root xmlns=\"http://defaultns.com/\">' comes "
    "out as 'http://defaultns.com/:root' instead of 'root'. Please fix the "
    "xmltodict project.",
    ["Without process_namespaces, xmltodict should leave element names "
     "as written (a:y), but they are expanded to full URIs. Please fix.",
     "xmltodict: namespaced documents now give URI-prefixed keys by "
     "default. Please make the tests pass."],
    "The namespace separator was always handed to expat, which turns "
    "namespace processing on; it is None unless process_namespaces is "
    "set again.")

bug("xml-comments-default", "xmltodict", XML,
    "namespace_separator=':', disable_entities=True, "
    "process_comments=False, **kwargs):",
    "namespace_separator=':', disable_entities=True, "
    "process_comments=True, **kwargs):",
    "parse: report comments",
    "xmltodict.parse now puts XML comments into the result by default: "
    "'<a><!-- note --><b>1</b></a>' gives {'a': {'#comment': 'note', 'b': "
    "'1'}} instead of {'a': {'b': '1'}}. Comments should only appear with "
    "process_comments=True. Please fix the xmltodict project.",
    ["Comments show up as '#comment' keys in xmltodict output although I "
     "did not ask for them. Please fix.",
     "xmltodict: process_comments should be off unless requested. Please "
     "make the tests pass."],
    "process_comments defaulted to True; the default is False again.")

bug("xml-unparse-ns-attr", "xmltodict", XML,
    "            attr_prefix if ns.startswith(attr_prefix) else '',\n",
    "            '' if ns.startswith(attr_prefix) else attr_prefix,\n",
    "Tidy namespace prefixing",
    "xmltodict.unparse with a namespaces mapping writes broken names: "
    "{'http://a.com/:x': {'@http://b.com/:attr': '1', '#text': 't'}} with "
    "namespaces={'http://a.com/': 'a', 'http://b.com/': 'b'} should give "
    "'<a:x b:attr=\"1\">t</a:x>' but the element gets an '@' and the "
    "attribute loses its prefix. Please fix the xmltodict project.",
    ["unparse(..., namespaces=...) in xmltodict puts the attribute "
     "prefix on elements and drops it from attributes. Please fix it.",
     "xmltodict: shortening namespaces on output mangles element and "
     "attribute names. Please make the tests pass."],
    "The attribute prefix was added to names that were not attributes "
    "and dropped from those that were; the condition is the right way "
    "round again.")

bug("xml-unparse-bool", "xmltodict", XML,
    "        elif isinstance(v, bool):\n"
    "            if v:\n"
    "                v = _unicode('true')\n"
    "            else:\n"
    "                v = _unicode('false')\n",
    "",
    "Simplify value conversion",
    "xmltodict.unparse writes Python booleans as 'True'/'False': "
    "{'r': {'t': True}} becomes '<r><t>True</t></r>' instead of "
    "'<r><t>true</t></r>'. Please fix the xmltodict project.",
    ["Booleans are serialised capitalised by xmltodict.unparse; they "
     "should be lowercase true/false. Please fix it.",
     "xmltodict: unparse(True) gives <t>True</t>. Please make the tests "
     "pass."],
    "The special case for booleans was gone, so str(True) was used; "
    "booleans are written as 'true'/'false' again.")

bug("xml-multiple-roots", "xmltodict", XML,
    "        if full_document and depth == 0 and index > 0:\n",
    "        if full_document and depth == 0 and index > 1:\n",
    "Tidy root check",
    "xmltodict.unparse({'a': ['1', '2']}) returns a document with two "
    "root elements instead of raising ValueError('document with multiple "
    "roots'). (Three items are still refused.) Please fix the xmltodict "
    "project.",
    ["A list of two values at the top level is serialised by "
     "xmltodict.unparse into an invalid XML document with two roots. It "
     "should raise ValueError. Please fix.",
     "xmltodict: unparse must refuse multiple roots when full_document is "
     "true. Please make the tests pass."],
    "The multiple-roots check started at the third item (index > 1); it "
    "refuses any second root (index > 0) again.")

bug("xml-pretty-trailing-newline", "xmltodict", XML,
    "        if pretty and depth:\n"
    "            content_handler.ignorableWhitespace(newl)\n",
    "        if pretty:\n"
    "            content_handler.ignorableWhitespace(newl)\n",
    "Simplify pretty printing",
    "xmltodict.unparse(..., pretty=True) now ends the document with an "
    "extra newline after the root's closing tag. Output must stop at "
    "'</a>' as before. Please fix the xmltodict project.",
    ["Pretty-printed XML from xmltodict has a trailing newline after the "
     "root element. Please remove it.",
     "xmltodict: pretty=True output gained a newline at the very end. "
     "Please make the tests pass."],
    "The newline after a closing tag was written at depth 0 too; it is "
    "written only for nested elements again.")

bug("xml-attr-prefix-length", "xmltodict", XML,
    "                attrs[ik[len(attr_prefix):]] = iv\n",
    "                attrs[ik[1:]] = iv\n",
    "Tidy attribute naming",
    "xmltodict.unparse with a custom attr_prefix longer than one "
    "character writes wrong attribute names: {'a': {'attr_k': 'v'}} with "
    "attr_prefix='attr_' gives '<a ttr_k=\"v\">'. Please fix the xmltodict "
    "project.",
    ["With attr_prefix='attr_', unparse in xmltodict only strips the "
     "first character of the prefix. Please fix it.",
     "xmltodict: multi-character attribute prefixes are not removed "
     "properly on output. Please make the tests pass."],
    "Attribute names were cut after one character; the whole attr_prefix "
    "is removed again.")

bug("xml-empty-document", "xmltodict", XML,
    "    if full_document and len(input_dict) != 1:\n",
    "    if full_document and len(input_dict) > 1:\n",
    "Tidy root count check",
    "xmltodict.unparse({}) returns just the XML declaration instead of "
    "raising ValueError('Document must have exactly one root.'). Please "
    "fix the xmltodict project.",
    ["unparse of an empty dict in xmltodict produces a document with no "
     "root; it should raise ValueError. Please fix it.",
     "xmltodict: a full document needs exactly one root, but {} is "
     "accepted. Please make the tests pass."],
    "The root check only refused more than one root; it refuses any "
    "count other than one again.")

bug("xml-short-empty-elements", "xmltodict", XML,
    "        content_handler = XMLGenerator(output, encoding, True)\n",
    "        content_handler = XMLGenerator(output, encoding)\n",
    "Tidy generator creation",
    "xmltodict.unparse ignores short_empty_elements=True: "
    "{'a': {'b': None}} is written as '<a><b></b></a>' instead of "
    "'<a><b/></a>'. Please fix the xmltodict project.",
    ["short_empty_elements has no effect in xmltodict.unparse any more. "
     "Please fix it.",
     "xmltodict: empty elements should be self-closing when "
     "short_empty_elements=True. Please make the tests pass."],
    "The XML generator was created without its short_empty_elements "
    "flag; it is passed True in that case again.")

bug("xml-expand-iter", "xmltodict", XML,
    "            if expand_iter and hasattr(v, '__iter__') and not "
    "isinstance(v, _basestring):\n",
    "            if expand_iter and hasattr(v, '__iter__') and "
    "isinstance(v, _basestring):\n",
    "Tidy expand_iter",
    "xmltodict.unparse ignores expand_iter: {'a': {'b': [['1', '2']]}} "
    "with expand_iter='item' writes \"<b>['1', '2']</b>\" instead of "
    "'<b><item>1</item><item>2</item></b>'. Please fix the xmltodict "
    "project.",
    ["Nested lists are written as Python reprs by xmltodict.unparse even "
     "with expand_iter set. Please fix it.",
     "xmltodict: expand_iter='item' should expand inner iterables into "
     "<item> children. Please make the tests pass."],
    "The expand_iter branch tested that the value was a string instead "
    "of not a string; inner iterables are expanded again.")

bug("xml-default-xmlns", "xmltodict", XML,
    "                        attr = 'xmlns{}'.format(':{}'.format(k) if k "
    "else '')\n",
    "                        attr = 'xmlns:{}'.format(k)\n",
    "Simplify xmlns attributes",
    "xmltodict.unparse writes the default namespace declaration as "
    "'xmlns:=\"urn:d\"' instead of 'xmlns=\"urn:d\"' when '@xmlns' has an "
    "entry with an empty prefix. Please fix the xmltodict project.",
    ["Default namespace declarations come out as xmlns:= in "
     "xmltodict.unparse. Please fix it.",
     "xmltodict: {'@xmlns': {'': 'urn:d'}} must produce xmlns=\"urn:d\". "
     "Please make the tests pass."],
    "The xmlns attribute always got ':prefix'; the empty prefix gives a "
    "plain xmlns attribute again.")

bug("xml-postprocessor-drop", "xmltodict", XML,
    "            if result is None:\n                return item\n",
    "            if result is None:\n                return None\n",
    "Simplify postprocessor handling",
    "In xmltodict.parse, a postprocessor that returns None for one "
    "element (to drop it) now wipes out its siblings too: "
    "'<a><open>2</open><secret>1</secret></a>' with a postprocessor that "
    "drops 'secret' gives {'a': None} instead of {'a': {'open': '2'}}. "
    "Please fix the xmltodict project.",
    ["Dropping an element with a postprocessor in xmltodict loses the "
     "elements parsed before it. Please fix it.",
     "xmltodict: returning None from the postprocessor should skip just "
     "that key. Please make the tests pass."],
    "When the postprocessor returned None the parent item was replaced "
    "by None; it is returned unchanged again.")

bug("xml-encoding-ignored", "xmltodict", XML,
    "        xml_input = xml_input.encode(encoding)\n",
    "        xml_input = xml_input.encode('utf-8')\n",
    "Always encode text input as UTF-8",
    "xmltodict.parse garbles non-ASCII text when a str is passed with an "
    "explicit encoding: parse('<a>caf\u00e9</a>', encoding='iso-8859-1') "
    "returns 'caf\u00c3\u00a9' instead of 'caf\u00e9'. Please fix the "
    "xmltodict project.",
    ["With encoding='iso-8859-1', xmltodict.parse of a str gives mojibake "
     "for accented letters. Please fix it.",
     "xmltodict: the encoding argument must be used both to encode the "
     "text and to parse it. Please make the tests pass."],
    "Text input was always encoded as UTF-8 while expat was told the "
    "given encoding; it is encoded with that encoding again.")

# ---- blinker ---------------------------------------------------------------

bug("blinker-send-no-sender", "blinker", BASE,
    "        if len(sender) == 0:\n            sender = None\n",
    "        if len(sender) == 0:\n            sender = ANY\n",
    "send: default sender",
    "In blinker, calling `sig.send()` with no sender passes the ANY "
    "symbol to receivers as their sender argument; it should pass None. "
    "Please fix the blinker project.",
    ["Receivers of a blinker signal sent without a sender get ANY "
     "instead of None. Please fix it.",
     "blinker: `send()` with no positional argument should be the same "
     "as `send(None)`. Please make the tests pass."],
    "send() used ANY as the sender when none was given; it uses None "
    "again.")

bug("blinker-send-two-senders", "blinker", BASE,
    "        elif len(sender) > 1:\n"
    "            raise TypeError('send() accepts only one positional "
    "argument, '\n"
    "                            '%s given' % len(sender))\n"
    "        else:\n",
    "        else:\n",
    "send: simplify sender unpacking",
    "blinker's Signal.send('a', 'b') no longer raises TypeError when the "
    "signal has receivers; it silently uses 'a' and ignores 'b'. (It "
    "still raises when nobody is connected.) Please fix the blinker "
    "project.",
    ["Passing two positional senders to send() in blinker is accepted "
     "when receivers are connected. It should raise TypeError. Please "
     "fix.",
     "blinker: send() accepts only one positional argument, but the "
     "check is gone for signals with receivers. Please make the tests "
     "pass."],
    "The check for more than one positional sender was dropped on the "
    "path with receivers; it raises TypeError again.")

bug("blinker-has-receivers-any", "blinker", BASE,
    "        if self._by_sender[ANY_ID]:\n            return True\n",
    "",
    "has_receivers_for: simplify",
    "blinker's has_receivers_for(obj) returns False although a receiver "
    "is connected for all senders (connect without sender=). Please fix "
    "the blinker project.",
    ["In blinker, has_receivers_for ignores receivers that listen to any "
     "sender. Please fix it.",
     "blinker: sig.connect(f); sig.has_receivers_for(x) should be True. "
     "Please make the tests pass."],
    "has_receivers_for no longer looked at receivers connected to ANY; "
    "it returns True when there are any again.")

bug("blinker-has-receivers-any-sender", "blinker", BASE,
    "        if sender is ANY:\n            return False\n"
    "        return hashable_identity(sender) in self._by_sender\n",
    "        if sender is ANY:\n            return True\n"
    "        return hashable_identity(sender) in self._by_sender\n",
    "has_receivers_for: treat ANY as a match",
    "blinker's has_receivers_for(ANY) returns True when the only "
    "receivers are connected to one specific sender. It should be False "
    "unless someone listens to all senders. Please fix the blinker "
    "project.",
    ["has_receivers_for(blinker.ANY) answers True although no receiver "
     "listens to every sender. Please fix it.",
     "blinker: asking has_receivers_for(ANY) should only be true for "
     "receivers connected without a sender. Please make the tests pass."],
    "has_receivers_for(ANY) returned True after the check for ANY "
    "receivers had failed; it returns False again.")

bug("blinker-receivers-union", "blinker", BASE,
    "                ids = (self._by_sender[ANY_ID] |\n",
    "                ids = (self._by_sender[ANY_ID] &\n",
    "receivers_for: tidy id set",
    "In blinker, receivers connected to one specific sender stop getting "
    "signals once another receiver listens to all senders: with "
    "connect(only_a, sender=a) and connect(anyone), send(a) reaches "
    "neither. Please fix the blinker project.",
    ["blinker's send(a) should call both the receivers for a and those "
     "for any sender; it calls none of them. Please fix it.",
     "blinker: receivers_for(sender) returns the wrong set when both "
     "specific and catch-all receivers exist. Please make the tests "
     "pass."],
    "receivers_for intersected the receivers of ANY and of the sender; "
    "it takes their union again.")

bug("blinker-disconnect-one-sender", "blinker", BASE,
    "        else:\n"
    "            self._by_sender[sender_id].discard(receiver_id)\n"
    "            self._by_receiver[receiver_id].discard(sender_id)\n",
    "        else:\n"
    "            self._by_receiver[receiver_id].discard(sender_id)\n",
    "_disconnect: simplify",
    "blinker's disconnect(receiver, sender=a) has no effect: the "
    "receiver still gets signals sent by a. Disconnecting from all "
    "senders works. Please fix the blinker project.",
    ["Disconnecting a blinker receiver from one particular sender "
     "doesn't stop it receiving that sender's signals. Please fix.",
     "blinker: sig.disconnect(rcv, sender=a) followed by sig.send(a) "
     "still calls rcv. Please make the tests pass."],
    "Disconnecting from one sender left the receiver in that sender's "
    "set; it is removed from it again.")

bug("blinker-disconnect-receivers", "blinker", BASE,
    "                    bucket.discard(receiver_id)\n"
    "            self.receivers.pop(receiver_id, None)\n",
    "                    bucket.discard(receiver_id)\n",
    "_disconnect: leave receivers mapping alone",
    "After disconnecting the last receiver from a blinker signal, "
    "`sig.receivers` is still non-empty (and a weakly connected function "
    "that was garbage collected stays listed). Please fix the blinker "
    "project.",
    ["blinker: the receivers mapping keeps entries for receivers that "
     "were disconnected or collected. Please fix it.",
     "bool(sig.receivers) should be False once every receiver is gone, "
     "but blinker keeps them. Please make the tests pass."],
    "Disconnecting from all senders no longer removed the receiver from "
    "the receivers mapping; it is popped again.")

bug("blinker-weak-default", "blinker", BASE,
    "    def connect(self, receiver, sender=ANY, weak=True):\n",
    "    def connect(self, receiver, sender=ANY, weak=False):\n",
    "connect: hold receivers strongly",
    "blinker now keeps receivers alive: after `sig.connect(func)` and "
    "`del func`, the function is still connected, and an object whose "
    "bound method was connected is never released. Receivers should be "
    "held by weak reference unless weak=False is passed. Please fix the "
    "blinker project.",
    ["Receivers connected with blinker's connect() are no longer "
     "disconnected when they are garbage collected. Please fix it.",
     "blinker: connect() should default to weak references. Please make "
     "the tests pass."],
    "connect() defaulted to weak=False; the default is weak=True again.")

bug("blinker-connected-to-error", "blinker", BASE,
    "        except:\n"
    "            self.disconnect(receiver)\n"
    "            raise\n"
    "        else:\n"
    "            self.disconnect(receiver)\n",
    "        except:\n"
    "            raise\n"
    "        else:\n"
    "            self.disconnect(receiver)\n",
    "connected_to: simplify cleanup",
    "In blinker, if the body of `with sig.connected_to(receiver):` raises, "
    "the receiver stays connected after the block and keeps getting "
    "signals. Please fix the blinker project.",
    ["blinker's connected_to context manager doesn't disconnect when an "
     "exception escapes the with-block. Please fix it.",
     "blinker: after an error inside `with sig.connected_to(r)`, r is "
     "still connected. Please make the tests pass."],
    "The exception path of connected_to re-raised without "
    "disconnecting; it disconnects the receiver first again.")

bug("blinker-connect-via-sender", "blinker", BASE,
    "            self.connect(fn, sender, weak)\n",
    "            self.connect(fn, weak=weak)\n",
    "connect_via: simplify",
    "Functions decorated with blinker's `@sig.connect_via(a)` receive "
    "signals from every sender, not only from a. Please fix the blinker "
    "project.",
    ["blinker: connect_via(sender) ignores its sender and subscribes to "
     "all. Please fix it.",
     "With @sig.connect_via(a), sig.send(b) should not call the function. "
     "Please make the blinker tests pass."],
    "connect_via did not pass its sender to connect(); it does again.")

bug("blinker-connect-via-return", "blinker", BASE,
    "        def decorator(fn):\n"
    "            self.connect(fn, sender, weak)\n"
    "            return fn\n",
    "        def decorator(fn):\n"
    "            self.connect(fn, sender, weak)\n",
    "connect_via: simplify decorator",
    "After decorating a function with blinker's `@sig.connect_via(a)`, "
    "the module-level name is None instead of the function, so it can "
    "no longer be called directly. Please fix the blinker project.",
    ["blinker's connect_via decorator replaces the decorated function "
     "with None. Please fix it.",
     "blinker: @connect_via should return the function unchanged. Please "
     "make the tests pass."],
    "The decorator returned nothing; it returns the function again.")

bug("blinker-named-repr", "blinker", BASE,
    "        return \"{}; {!r}>\".format(base[:-1], self.name)\n",
    "        return \"{}; {!r}>\".format(base, self.name)\n",
    "NamedSignal: simplify repr",
    "The repr of a blinker NamedSignal is malformed: it looks like "
    "\"<blinker.base.NamedSignal object at 0x...>; 'saved'>\" with a "
    "stray '>' in the middle instead of "
    "\"<blinker.base.NamedSignal object at 0x...; 'saved'>\". Please fix "
    "the blinker project.",
    ["blinker: repr(NamedSignal('saved')) has two closing '>'. Please "
     "fix it.",
     "The NamedSignal repr in blinker should insert the name before the "
     "final '>'. Please make the tests pass."],
    "The repr kept the base repr's closing '>'; it is cut before the "
    "name is added again.")

bug("blinker-string-sender", "blinker", UTIL,
    "    elif isinstance(obj, text):\n        return obj\n",
    "",
    "hashable_identity: use id() for everything but methods",
    "In blinker, a receiver connected with a string sender "
    "(`connect(f, sender='alpha')`) is not called when the signal is "
    "sent with an equal string built at run time (e.g. "
    "''.join(['al', 'pha'])). String senders should match by value. "
    "Please fix the blinker project.",
    ["blinker matches string senders by identity instead of by value, so "
     "equal strings don't reach the receiver. Please fix it.",
     "blinker: send('alpha') should reach receivers connected with "
     "sender='alpha' even if the strings are different objects. Please "
     "make the tests pass."],
    "hashable_identity used id() for strings too; strings are their own "
    "identity again.")

bug("blinker-lazy-property", "blinker", UTIL,
    "        value = self._deferred(obj)\n"
    "        setattr(obj, self._deferred.__name__, value)\n",
    "        value = self._deferred(obj)\n",
    "lazy_property: compute on access",
    "blinker's per-signal `receiver_connected` signal never fires: a "
    "function connected to `sig.receiver_connected` is not called when a "
    "receiver connects to sig (and the same goes for "
    "receiver_disconnected). Please fix the blinker project.",
    ["Each access to sig.receiver_connected in blinker gives a new "
     "signal, so listeners on it never hear anything. Please fix it.",
     "blinker: receiver_connected/receiver_disconnected notifications "
     "stopped working. Please make the tests pass."],
    "lazy_property recomputed its value on every access; it stores it on "
    "the instance again, so the same signal is returned each time.")

bug("blinker-signal-doc", "blinker", BASE,
    "        if doc:\n            self.__doc__ = doc\n",
    "",
    "Signal: drop doc handling",
    "blinker ignores the doc argument: Signal(doc='fires often').__doc__ "
    "is the class docstring instead of 'fires often', and "
    "Namespace.signal(name, doc=...) loses it too. Please fix the blinker "
    "project.",
    ["Signals created with a doc string in blinker don't keep it. Please "
     "fix it.",
     "blinker: Signal(doc=...) should set the signal's __doc__. Please "
     "make the tests pass."],
    "Signal.__init__ no longer stored the doc argument; it sets __doc__ "
    "again when a doc is given.")

bug("blinker-cleanup-bookkeeping", "blinker", BASE,
    "                if not bucket:\n",
    "                if bucket:\n",
    "_cleanup_bookkeeping: tidy",
    "blinker's Signal._cleanup_bookkeeping() removes the wrong entries: "
    "it drops the bookkeeping of receivers that are still connected and "
    "keeps the empty sets it is meant to prune. Please fix the blinker "
    "project.",
    ["In blinker, pruning unused sender/receiver bookkeeping deletes the "
     "live entries instead of the empty ones. Please fix it.",
     "blinker: _cleanup_bookkeeping should remove only empty buckets. "
     "Please make the tests pass."],
    "The pruning condition was inverted; only empty buckets are removed "
    "again.")

bug("blinker-weak-sender-cleanup", "blinker", BASE,
    "                sender_ref = reference(sender, self._cleanup_sender)\n",
    "                sender_ref = reference(sender)\n",
    "connect: plain sender references",
    "blinker leaks bookkeeping for short-lived senders: after "
    "connecting a receiver to a sender object and letting that object "
    "be garbage collected, the signal still has the sender in its weak "
    "sender table (sig._weak_senders never shrinks). Please fix the "
    "blinker project.",
    ["Senders that go away are never cleaned up from blinker signals, so "
     "memory grows in our long-running process. Please fix it.",
     "blinker: when a weakly referenced sender dies, its entries should "
     "be removed from the signal. Please make the tests pass."],
    "The weak reference to the sender had no callback, so the signal was "
    "never told the sender died; it calls _cleanup_sender again.")

bug("blinker-disconnected-sender-arg", "blinker", BASE,
    "            self.receiver_disconnected.send(self,\n"
    "                                            receiver=receiver,\n"
    "                                            sender=sender)\n",
    "            self.receiver_disconnected.send(self,\n"
    "                                            receiver=receiver,\n"
    "                                            sender=sender_id)\n",
    "disconnect: report the sender id",
    "blinker's receiver_disconnected notification passes the wrong "
    "sender: after `sig.disconnect(rcv)` a listener gets sender=0 "
    "instead of sender=ANY. Please fix the blinker project.",
    ["The sender argument of blinker's receiver_disconnected event is an "
     "internal id rather than the sender given to disconnect(). Please "
     "fix it.",
     "blinker: receiver_disconnected listeners should get the same sender "
     "that was passed to disconnect (ANY by default). Please make the "
     "tests pass."],
    "disconnect() sent the internal sender id to receiver_disconnected; "
    "it sends the sender it was given again.")

bug("blinker-connected-weak-arg", "blinker", BASE,
    "                                             sender=sender,\n"
    "                                             weak=weak)\n",
    "                                             sender=sender,\n"
    "                                             weak=True)\n",
    "connect: simplify notification",
    "blinker's receiver_connected notification always says weak=True, "
    "even for `sig.connect(rcv, weak=False)`. Please fix the blinker "
    "project.",
    ["In blinker, listeners of receiver_connected are told every "
     "connection is weak. Please fix it.",
     "blinker: the weak argument of the receiver_connected event should "
     "match the one passed to connect(). Please make the tests pass."],
    "connect() reported weak=True to receiver_connected whatever it was "
    "given; it passes the real value again.")

bug("blinker-bound-method-cleanup", "blinker", SAFE,
    "        self.weak_self = weakref.ref(im_self, remove)\n",
    "        self.weak_self = weakref.ref(im_self)\n",
    "saferef: plain reference to the instance",
    "In blinker, when an object whose bound method is connected to a "
    "signal is deleted, the signal still lists the receiver "
    "(`sig.receivers` stays non-empty) until the next send. It should be "
    "disconnected as soon as the object is collected. Please fix the "
    "blinker project.",
    ["blinker no longer disconnects bound-method receivers when their "
     "instance is garbage collected. Please fix it.",
     "blinker: deleting the listener object should remove its bound "
     "method from sig.receivers right away. Please make the tests pass."],
    "The weak reference to the method's instance had no callback, so "
    "nothing was told when the instance died; it calls remove again.")
