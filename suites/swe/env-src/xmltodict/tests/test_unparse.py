"""Tests for xmltodict.unparse."""
import io
import unittest

import xmltodict

HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'


class UnparseTest(unittest.TestCase):

    def test_simple(self):
        self.assertEqual(xmltodict.unparse({"a": "1"}), HEAD + "<a>1</a>")

    def test_attributes_and_text(self):
        out = xmltodict.unparse({"a": {"@x": "1", "@y": 2, "#text": "t"}})
        self.assertEqual(out, HEAD + '<a x="1" y="2">t</a>')

    def test_custom_attr_prefix(self):
        out = xmltodict.unparse({"a": {"attr_k": "v", "b": "1"}},
                                attr_prefix="attr_")
        self.assertEqual(out, HEAD + '<a k="v"><b>1</b></a>')

    def test_list_children(self):
        out = xmltodict.unparse({"r": {"i": ["1", "2"]}})
        self.assertEqual(out, HEAD + "<r><i>1</i><i>2</i></r>")

    def test_booleans_and_none(self):
        out = xmltodict.unparse({"r": {"t": True, "f": False, "n": None}})
        self.assertEqual(out, HEAD + "<r><t>true</t><f>false</f><n></n></r>")

    def test_numbers(self):
        out = xmltodict.unparse({"r": {"i": 3, "x": 2.5}})
        self.assertEqual(out, HEAD + "<r><i>3</i><x>2.5</x></r>")

    def test_escaping(self):
        out = xmltodict.unparse({"a": {"@q": 'say "hi"', "#text": "1 < 2 & 3"}})
        self.assertEqual(out, HEAD + '<a q=\'say "hi"\'>'
                                     '1 &lt; 2 &amp; 3</a>')

    def test_multiple_roots_rejected(self):
        with self.assertRaises(ValueError):
            xmltodict.unparse({"a": "1", "b": "2"})
        with self.assertRaises(ValueError):
            xmltodict.unparse({"a": ["1", "2"]})

    def test_empty_document_rejected(self):
        with self.assertRaises(ValueError):
            xmltodict.unparse({})

    def test_fragment(self):
        out = xmltodict.unparse({"a": ["1", "2"]}, full_document=False)
        self.assertEqual(out, "<a>1</a><a>2</a>")

    def test_pretty(self):
        out = xmltodict.unparse({"a": {"b": "1", "c": {"d": "2"}}},
                                pretty=True)
        self.assertEqual(out, HEAD + "<a>\n\t<b>1</b>\n\t<c>\n\t\t<d>2</d>\n"
                                     "\t</c>\n</a>")

    def test_pretty_custom_indent(self):
        out = xmltodict.unparse({"a": {"b": "1"}}, pretty=True, indent="  ",
                                newl="\r\n", full_document=False)
        self.assertEqual(out, "<a>\r\n  <b>1</b>\r\n</a>")

    def test_short_empty_elements(self):
        out = xmltodict.unparse({"a": {"b": None}}, short_empty_elements=True)
        self.assertEqual(out, HEAD + "<a><b/></a>")

    def test_preprocessor(self):
        def pre(key, value):
            if key == "skip":
                return None
            return key.upper(), value
        out = xmltodict.unparse({"a": {"skip": "1", "b": "2"}},
                                preprocessor=pre)
        self.assertEqual(out, HEAD + "<A><B>2</B></A>")

    def test_expand_iter(self):
        out = xmltodict.unparse({"a": {"b": [["1", "2"]]}},
                                expand_iter="item", full_document=False)
        self.assertEqual(out, "<a><b><item>1</item><item>2</item></b></a>")

    def test_namespaces(self):
        ns = {"http://a.com/": "a", "http://b.com/": "b"}
        out = xmltodict.unparse({"http://a.com/:x": {
            "@http://b.com/:attr": "1", "#text": "t"}},
            namespaces=ns, full_document=False)
        self.assertEqual(out, '<a:x b:attr="1">t</a:x>')

    def test_xmlns_declarations(self):
        out = xmltodict.unparse({"r": {"@xmlns": {"": "urn:d", "p": "urn:p"},
                                       "#text": "x"}}, full_document=False)
        self.assertEqual(out, '<r xmlns="urn:d" xmlns:p="urn:p">x</r>')

    def test_output_stream(self):
        buf = io.StringIO()
        ret = xmltodict.unparse({"a": "1"}, output=buf, full_document=False)
        self.assertIsNone(ret)
        self.assertEqual(buf.getvalue(), "<a>1</a>")

    def test_round_trip(self):
        doc = {"cfg": {"@v": "2", "item": [{"@k": "a", "#text": "1"},
                                           {"@k": "b", "#text": "2"}],
                       "empty": None}}
        self.assertEqual(xmltodict.parse(xmltodict.unparse(doc)), doc)


if __name__ == "__main__":
    unittest.main()
