"""Tests for xmltodict.parse."""
import os
import unittest

import xmltodict

# The module under test is the one in this project, not an installed copy.
assert os.path.dirname(os.path.abspath(xmltodict.__file__)) == \
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ParseTest(unittest.TestCase):

    def test_text(self):
        self.assertEqual(xmltodict.parse("<a>hello</a>"), {"a": "hello"})

    def test_empty_element(self):
        self.assertEqual(xmltodict.parse("<a/>"), {"a": None})

    def test_attributes(self):
        d = xmltodict.parse('<a href="x" id="7">t</a>')
        self.assertEqual(d, {"a": {"@href": "x", "@id": "7", "#text": "t"}})

    def test_attribute_order(self):
        d = xmltodict.parse('<a z="1" y="2" x="3"/>')
        self.assertEqual(list(d["a"].items()),
                         [("@z", "1"), ("@y", "2"), ("@x", "3")])

    def test_ignore_attributes(self):
        d = xmltodict.parse('<a href="x"><b>1</b></a>', xml_attribs=False)
        self.assertEqual(d, {"a": {"b": "1"}})

    def test_custom_prefix_and_cdata_key(self):
        d = xmltodict.parse('<a k="v">txt</a>', attr_prefix="!",
                            cdata_key="_")
        self.assertEqual(d, {"a": {"!k": "v", "_": "txt"}})

    def test_repeated_children_become_list(self):
        d = xmltodict.parse("<r><i>1</i><i>2</i><i>3</i></r>")
        self.assertEqual(d, {"r": {"i": ["1", "2", "3"]}})

    def test_nested(self):
        d = xmltodict.parse("<a><b><c>x</c></b><d>y</d></a>")
        self.assertEqual(d, {"a": {"b": {"c": "x"}, "d": "y"}})

    def test_whitespace_stripped(self):
        d = xmltodict.parse("<a>\n  <b>  padded  </b>\n  <c>   </c>\n</a>")
        self.assertEqual(d, {"a": {"b": "padded", "c": None}})

    def test_whitespace_kept(self):
        d = xmltodict.parse("<a><b>  padded </b></a>", strip_whitespace=False)
        self.assertEqual(d, {"a": {"b": "  padded "}})

    def test_force_cdata(self):
        d = xmltodict.parse("<a><b>1</b><c/></a>", force_cdata=True)
        self.assertEqual(d, {"a": {"b": {"#text": "1"}, "c": None}})

    def test_cdata_separator(self):
        d = xmltodict.parse("<a>one<b/>two</a>", cdata_separator="|")
        self.assertEqual(d["a"]["#text"], "one|two")

    def test_force_list_names(self):
        d = xmltodict.parse("<r><i>1</i><j>2</j></r>", force_list=("i",))
        self.assertEqual(d, {"r": {"i": ["1"], "j": "2"}})

    def test_force_list_true(self):
        d = xmltodict.parse("<r><i>1</i></r>", force_list=True)
        self.assertEqual(d, {"r": [{"i": ["1"]}]})

    def test_force_list_callable(self):
        def only_under_r(path, key, value):
            return key == "i" and path[-1][0] == "r"
        d = xmltodict.parse("<r><i>1</i><s><i>2</i></s></r>",
                            force_list=only_under_r)
        self.assertEqual(d, {"r": {"i": ["1"], "s": {"i": "2"}}})

    def test_postprocessor(self):
        def pp(path, key, value):
            try:
                return key + ":int", int(value)
            except (ValueError, TypeError):
                return key, value
        d = xmltodict.parse("<a><b>1</b><b>2</b><b>x</b></a>",
                            postprocessor=pp)
        self.assertEqual(d, {"a": {"b:int": [1, 2], "b": "x"}})

    def test_postprocessor_can_drop(self):
        def pp(path, key, value):
            return None if key == "secret" else (key, value)
        d = xmltodict.parse("<a><open>2</open><secret>1</secret></a>",
                            postprocessor=pp)
        self.assertEqual(d, {"a": {"open": "2"}})

    def test_bytes_and_encoding(self):
        d = xmltodict.parse("<a>caf\u00e9</a>".encode("utf-8"))
        self.assertEqual(d, {"a": "caf\u00e9"})
        d = xmltodict.parse("<a>caf\u00e9</a>", encoding="iso-8859-1")
        self.assertEqual(d, {"a": "caf\u00e9"})

    def test_generator_input(self):
        def chunks():
            yield "<a><b>"
            yield "1</b><c>2"
            yield "</c></a>"
        self.assertEqual(xmltodict.parse(chunks()),
                         {"a": {"b": "1", "c": "2"}})

    def test_file_input(self):
        import io
        d = xmltodict.parse(io.BytesIO(b"<a><b>f</b></a>"))
        self.assertEqual(d, {"a": {"b": "f"}})

    def test_streaming(self):
        seen = []

        def cb(path, item):
            seen.append(([p[0] for p in path], item))
            return True
        ret = xmltodict.parse('<a x="1"><b>1</b><b>2</b></a>', item_depth=2,
                              item_callback=cb)
        self.assertIsNone(ret)
        self.assertEqual(seen, [(["a", "b"], "1"), (["a", "b"], "2")])

    def test_streaming_interrupted(self):
        with self.assertRaises(xmltodict.ParsingInterrupted):
            xmltodict.parse("<a><b>1</b><b>2</b></a>", item_depth=2,
                            item_callback=lambda path, item: False)

    def test_comments_ignored_by_default(self):
        d = xmltodict.parse("<a><!-- note --><b>1</b></a>")
        self.assertEqual(d, {"a": {"b": "1"}})

    def test_comments(self):
        d = xmltodict.parse("<a><!--  note  --><b>1</b></a>",
                            process_comments=True)
        self.assertEqual(d, {"a": {"#comment": "note", "b": "1"}})


class NamespaceTest(unittest.TestCase):

    DOC = ('<root xmlns="http://defaultns.com/" '
           'xmlns:a="http://a.com/" xmlns:b="http://b.com/">'
           '<x a:attr="val">1</x><a:y>2</a:y><b:z>3</b:z></root>')

    def test_namespaces_not_processed(self):
        d = xmltodict.parse(self.DOC)
        self.assertEqual(d["root"]["x"], {"@a:attr": "val", "#text": "1"})
        self.assertEqual(d["root"]["a:y"], "2")

    def test_namespaces_expanded(self):
        d = xmltodict.parse(self.DOC, process_namespaces=True)
        root = d["http://defaultns.com/:root"]
        x = root["http://defaultns.com/:x"]
        self.assertEqual(x["@http://a.com/:attr"], "val")
        self.assertEqual(x["#text"], "1")
        self.assertEqual(root["http://a.com/:y"], "2")

    def test_namespaces_collapsed(self):
        ns = {"http://defaultns.com/": "", "http://a.com/": "ns_a"}
        d = xmltodict.parse(self.DOC, process_namespaces=True, namespaces=ns)
        root = d["root"]
        self.assertEqual(root["x"]["@ns_a:attr"], "val")
        self.assertEqual(root["x"]["#text"], "1")
        self.assertEqual(root["ns_a:y"], "2")
        self.assertEqual(root["http://b.com/:z"], "3")

    def test_namespace_separator(self):
        d = xmltodict.parse('<r xmlns:p="urn:p"><p:q>1</p:q></r>',
                            process_namespaces=True, namespace_separator="|")
        self.assertEqual(d, {"r": {"urn:p|q": "1"}})


if __name__ == "__main__":
    unittest.main()
