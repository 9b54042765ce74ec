"""Tests for toml.loads: values, tables, strings, dates and errors."""
import datetime
import os
import unittest

import toml

# The package under test is the one in this project, not an installed copy.
assert os.path.dirname(os.path.abspath(toml.__file__)).startswith(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ScalarTest(unittest.TestCase):

    def test_integers(self):
        d = toml.loads("a = 42\nb = -17\nc = +8\nd = 0\n")
        self.assertEqual(d, {"a": 42, "b": -17, "c": 8, "d": 0})

    def test_integer_underscores(self):
        self.assertEqual(toml.loads("n = 1_000_000")["n"], 1000000)

    def test_negative_float(self):
        self.assertEqual(toml.loads("x = -2.5")["x"], -2.5)

    def test_floats(self):
        d = toml.loads("a = 3.25\nb = 6.02e23\nc = 1e-3\n")
        self.assertEqual(d["a"], 3.25)
        self.assertEqual(d["b"], 6.02e23)
        self.assertEqual(d["c"], 0.001)

    def test_float_needs_digits_after_point(self):
        with self.assertRaises(toml.TomlDecodeError):
            toml.loads("x = 7.")

    def test_hex_and_octal(self):
        d = toml.loads("h = 0xff\no = 0o17\n")
        self.assertEqual(d, {"h": 255, "o": 15})

    def test_booleans(self):
        self.assertEqual(toml.loads("t = true\nf = false\n"),
                         {"t": True, "f": False})

    def test_capitalised_boolean_rejected(self):
        with self.assertRaises(toml.TomlDecodeError):
            toml.loads("t = True")
        with self.assertRaises(toml.TomlDecodeError):
            toml.loads("f = FALSE")

    def test_leading_zero_rejected(self):
        with self.assertRaises(toml.TomlDecodeError):
            toml.loads("n = 0123")
        with self.assertRaises(toml.TomlDecodeError):
            toml.loads("x = 01.5")


class StringTest(unittest.TestCase):

    def test_basic_escapes(self):
        d = toml.loads(r'''s = "tab\there\nnext \"q\" back\\slash"''')
        self.assertEqual(d["s"], 'tab\there\nnext "q" back\\slash')

    def test_carriage_return_escape(self):
        self.assertEqual(toml.loads(r's = "a\rb"')["s"], "a\rb")

    def test_unicode_escapes(self):
        d = toml.loads(r'''a = "caf\u00e9"
b = "\U0001F600!"
''')
        self.assertEqual(d["a"], "caf\u00e9")
        self.assertEqual(d["b"], "\U0001F600!")

    def test_literal_string(self):
        self.assertEqual(toml.loads(r"p = 'C:\Users\nobody'")["p"],
                         "C:\\Users\\nobody")

    def test_hash_inside_string(self):
        d = toml.loads('colour = "#ff8800" # orange\n')
        self.assertEqual(d["colour"], "#ff8800")

    def test_comment_after_value(self):
        d = toml.loads("# header\nport = 8080 # the port\n")
        self.assertEqual(d, {"port": 8080})

    def test_multiline_basic_string(self):
        d = toml.loads('s = """\nRoses\nViolets"""\n')
        self.assertEqual(d["s"], "Roses\nViolets")

    def test_reserved_escape_rejected(self):
        with self.assertRaises(toml.TomlDecodeError):
            toml.loads(r's = "bad \q escape"')


class TableTest(unittest.TestCase):

    def test_tables_and_dotted_headers(self):
        doc = "[server]\nhost = \"alpha\"\n\n[server.limits]\nconn = 5\n"
        self.assertEqual(toml.loads(doc),
                         {"server": {"host": "alpha", "limits": {"conn": 5}}})

    def test_table_name_with_dash(self):
        d = toml.loads("[build-options]\njobs = 4\n")
        self.assertEqual(d, {"build-options": {"jobs": 4}})

    def test_quoted_table_name(self):
        d = toml.loads('[dog."tater.man"]\ntype = "pug"\n')
        self.assertEqual(d, {"dog": {"tater.man": {"type": "pug"}}})

    def test_duplicate_table_rejected(self):
        with self.assertRaises(toml.TomlDecodeError):
            toml.loads("[a]\nx = 1\n[a]\ny = 2\n")

    def test_duplicate_key_rejected(self):
        with self.assertRaises(toml.TomlDecodeError):
            toml.loads("x = 1\nx = 2\n")

    def test_array_of_tables(self):
        doc = "[[fruit]]\nname = \"apple\"\n\n[[fruit]]\nname = \"pear\"\n"
        self.assertEqual(toml.loads(doc),
                         {"fruit": [{"name": "apple"}, {"name": "pear"}]})

    def test_dotted_keys(self):
        d = toml.loads("site.owner.name = \"Ola\"\n")
        self.assertEqual(d, {"site": {"owner": {"name": "Ola"}}})

    def test_inline_table(self):
        d = toml.loads('point = { x = 1, y = -2, label = "p" }\n')
        self.assertEqual(d["point"], {"x": 1, "y": -2, "label": "p"})

    def test_crlf_line_endings(self):
        d = toml.loads("a = 1\r\nb = \"two\"\r\n[t]\r\nc = 3\r\n")
        self.assertEqual(d, {"a": 1, "b": "two", "t": {"c": 3}})


class ArrayTest(unittest.TestCase):

    def test_arrays(self):
        d = toml.loads('a = [1, 2, 3]\nb = ["x", "y"]\nc = [[1, 2], [3]]\n')
        self.assertEqual(d, {"a": [1, 2, 3], "b": ["x", "y"],
                             "c": [[1, 2], [3]]})

    def test_multiline_array(self):
        d = toml.loads("a = [\n  1,\n  2,\n]\n")
        self.assertEqual(d["a"], [1, 2])

    def test_mixed_array_rejected(self):
        with self.assertRaises(toml.TomlDecodeError):
            toml.loads('a = [1, "two"]')


class DateTest(unittest.TestCase):
    """Dates and times; offsets are toml/tz.py's TomlTz."""

    def test_date(self):
        self.assertEqual(toml.loads("d = 1987-07-05")["d"],
                         datetime.date(1987, 7, 5))

    def test_utc_datetime(self):
        dt = toml.loads("t = 1979-05-27T07:32:00Z")["t"]
        self.assertEqual(dt.replace(tzinfo=None),
                         datetime.datetime(1979, 5, 27, 7, 32))
        self.assertEqual(dt.utcoffset(), datetime.timedelta(0))

    def test_negative_offset(self):
        dt = toml.loads("t = 1979-05-27T00:32:00-07:00")["t"]
        self.assertEqual(dt.utcoffset(), datetime.timedelta(hours=-7))

    def test_positive_offset_with_minutes(self):
        dt = toml.loads("t = 2021-03-04T10:00:00+05:30")["t"]
        self.assertEqual(dt.utcoffset(), datetime.timedelta(hours=5,
                                                            minutes=30))
        self.assertEqual(dt.tzname(), "UTC+05:30")

    def test_fractional_seconds(self):
        dt = toml.loads("t = 1979-05-27T07:32:00.5Z")["t"]
        self.assertEqual(dt.microsecond, 500000)
        dt = toml.loads("t = 1979-05-27T07:32:00.999999-07:00")["t"]
        self.assertEqual(dt.microsecond, 999999)

    def test_local_time(self):
        self.assertEqual(toml.loads("t = 07:32:00")["t"],
                         datetime.time(7, 32))


class ErrorTest(unittest.TestCase):

    def test_error_position(self):
        try:
            toml.loads("a = 1\nb = \n")
        except toml.TomlDecodeError as err:
            self.assertEqual(err.lineno, 2)
            self.assertEqual(err.colno, 1)
            self.assertIn("(line 2 column 1 char 6)", str(err))
        else:
            self.fail("no error for a key without a value")

    def test_error_column(self):
        try:
            toml.loads("k = 1\nname = !\n")
        except toml.TomlDecodeError as err:
            self.assertEqual((err.lineno, err.colno), (2, 1))
        else:
            self.fail("no error for an invalid value")

    def test_not_a_string(self):
        with self.assertRaises(TypeError):
            toml.loads(42)


if __name__ == "__main__":
    unittest.main()
