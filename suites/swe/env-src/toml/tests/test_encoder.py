"""Tests for toml.dumps and the encoder classes."""
import datetime
import io
import unittest

import toml


class DumpsTest(unittest.TestCase):

    def test_scalars(self):
        out = toml.dumps({"name": "vela", "count": 3, "ratio": 0.5,
                          "on": True, "off": False})
        self.assertEqual(out, 'name = "vela"\ncount = 3\nratio = 0.5\n'
                              'on = true\noff = false\n')

    def test_zero_and_empty_values_kept(self):
        out = toml.dumps({"retries": 0, "debug": False, "tag": ""})
        self.assertEqual(out, 'retries = 0\ndebug = false\ntag = ""\n')

    def test_none_values_skipped(self):
        self.assertEqual(toml.dumps({"a": None, "b": 1}), "b = 1\n")

    def test_tables_separated_by_blank_line(self):
        out = toml.dumps({"a": 1, "srv": {"host": "x", "port": 2}})
        self.assertEqual(out, 'a = 1\n\n[srv]\nhost = "x"\nport = 2\n')

    def test_nested_tables(self):
        out = toml.dumps({"e": {"f": {"g": True}}, "h": {"i": 1}})
        self.assertEqual(out, "[h]\ni = 1\n\n[e.f]\ng = true\n")

    def test_bare_key_characters(self):
        out = toml.dumps({"max-size": 1, "min_size": 2, "has space": 3})
        self.assertEqual(out, 'max-size = 1\nmin_size = 2\n"has space" = 3\n')

    def test_string_escapes(self):
        out = toml.dumps({"s": 'say "hi"\\\n'})
        self.assertEqual(out, 's = "say \\"hi\\"\\\\\\n"\n')

    def test_list(self):
        self.assertEqual(toml.dumps({"xs": [1, 2, 3]}),
                         "xs = [ 1, 2, 3,]\n")

    def test_array_of_tables(self):
        out = toml.dumps({"t": [{"x": 1}, {"x": 2}]})
        self.assertEqual(out, "[[t]]\nx = 1\n\n[[t]]\nx = 2\n\n")

    def test_float_exponent(self):
        self.assertEqual(toml.dumps({"f": 1e30}), "f = 1e+30\n")
        self.assertEqual(toml.dumps({"f": 2.5e-07}), "f = 2.5e-7\n")

    def test_dates(self):
        utc = datetime.timezone.utc
        out = toml.dumps({
            "when": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=utc),
            "day": datetime.date(2020, 2, 29),
            "at": datetime.time(13, 45, 0),
        })
        self.assertEqual(out, "when = 2024-01-02T03:04:05Z\n"
                              "day = 2020-02-29\nat = 13:45:00\n")

    def test_naive_datetime(self):
        out = toml.dumps({"w": datetime.datetime(2001, 2, 3, 4, 5, 6)})
        self.assertEqual(out, "w = 2001-02-03T04:05:06\n")

    def test_round_trip(self):
        data = {"title": "Example", "owner": {"name": "Tom", "id": 7},
                "ports": [8001, 8002], "flags": {"a": True, "b": False}}
        self.assertEqual(toml.loads(toml.dumps(data)), data)

    def test_dump_to_file(self):
        buf = io.StringIO()
        ret = toml.dump({"k": "v"}, buf)
        self.assertEqual(buf.getvalue(), 'k = "v"\n')
        self.assertEqual(ret, 'k = "v"\n')

    def test_circular_reference(self):
        a = {}
        a["self"] = {"loop": a}
        with self.assertRaises(ValueError):
            toml.dumps(a)


class EncoderClassTest(unittest.TestCase):

    def test_array_separator(self):
        enc = toml.TomlArraySeparatorEncoder(separator=",\t")
        self.assertEqual(toml.dumps({"a": [1, 2]}, encoder=enc),
                         "a = [ 1,\t 2,\t]\n")

    def test_whitespace_separator_gets_comma(self):
        enc = toml.TomlArraySeparatorEncoder(separator="\n")
        out = toml.dumps({"a": [1, 2]}, encoder=enc)
        self.assertEqual(out, "a = [ 1,\n 2,\n]\n")
        self.assertEqual(toml.loads(out), {"a": [1, 2]})

    def test_bad_separator(self):
        with self.assertRaises(ValueError):
            toml.TomlArraySeparatorEncoder(separator=";")

    def test_preserve_inline_tables(self):
        doc = 'point = { x = 1, y = 2 }\n'
        data = toml.loads(doc, decoder=toml.TomlDecoder())
        out = toml.dumps(data, encoder=toml.TomlPreserveInlineDictEncoder())
        self.assertEqual(out, "point = { x = 1, y = 2 }\n")

    def test_pathlib_encoder(self):
        import pathlib
        out = toml.dumps({"p": pathlib.PurePosixPath("/srv/data")},
                         encoder=toml.TomlPathlibEncoder())
        self.assertEqual(out, 'p = "/srv/data"\n')


if __name__ == "__main__":
    unittest.main()
