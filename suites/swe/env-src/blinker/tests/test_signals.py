"""Tests for blinker signals: connecting, sending, disconnecting."""
import gc
import os
import unittest

import blinker

# The package under test is the one in this project, not an installed copy.
assert os.path.dirname(os.path.abspath(blinker.__file__)).startswith(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Sender(object):
    """A weak-referenceable sender."""


class Listener(object):
    def __init__(self):
        self.calls = []

    def on_event(self, sender, **kw):
        self.calls.append((sender, kw))
        return "listener"


class SendTest(unittest.TestCase):

    def test_send_to_any_receiver(self):
        sig = blinker.Signal()
        got = []

        def rcv(sender, **kw):
            got.append((sender, kw))
            return 5
        sig.connect(rcv)
        result = sig.send("s1", value=1)
        self.assertEqual(got, [("s1", {"value": 1})])
        self.assertEqual(result, [(rcv, 5)])

    def test_send_without_sender(self):
        sig = blinker.Signal()
        got = []

        def rcv(sender):
            got.append(sender)
        sig.connect(rcv)
        sig.send()
        self.assertEqual(got, [None])

    def test_send_no_receivers(self):
        self.assertEqual(blinker.Signal().send("x"), [])

    def test_send_rejects_two_senders(self):
        sig = blinker.Signal()
        sig.connect(lambda s: None, weak=False)
        with self.assertRaises(TypeError):
            sig.send("a", "b")

    def test_sender_filter(self):
        sig = blinker.Signal()
        a, b = Sender(), Sender()
        got = []

        def only_a(sender):
            got.append(("a", sender))

        def anyone(sender):
            got.append(("any", sender))
        sig.connect(only_a, sender=a)
        sig.connect(anyone)
        sig.send(b)
        self.assertEqual(got, [("any", b)])
        del got[:]
        sig.send(a)
        self.assertEqual(sorted(x[0] for x in got), ["a", "any"])

    def test_string_sender_matches_by_value(self):
        sig = blinker.Signal()
        got = []

        def rcv(sender):
            got.append(sender)
        # Two equal strings that are distinct objects, both kept alive.
        key1, key2 = "".join(["alp", "ha"]), "".join(["al", "pha"])
        self.assertIsNot(key1, key2)
        sig.connect(rcv, sender=key1)
        sig.send(key2)
        self.assertEqual(got, ["alpha"])

    def test_receivers_for(self):
        sig = blinker.Signal()
        a = Sender()

        def r1(sender):
            pass

        def r2(sender):
            pass
        sig.connect(r1, sender=a)
        sig.connect(r2)
        self.assertEqual(set(sig.receivers_for(a)), {r1, r2})
        self.assertEqual(set(sig.receivers_for(Sender())), {r2})

    def test_has_receivers_for(self):
        sig = blinker.Signal()
        a, b = Sender(), Sender()
        self.assertFalse(sig.has_receivers_for(a))

        def r1(sender):
            pass
        sig.connect(r1, sender=a)
        self.assertTrue(sig.has_receivers_for(a))
        self.assertFalse(sig.has_receivers_for(b))
        self.assertFalse(sig.has_receivers_for(blinker.ANY))

        def r2(sender):
            pass
        sig.connect(r2)
        self.assertTrue(sig.has_receivers_for(b))
        self.assertTrue(sig.has_receivers_for(blinker.ANY))

    def test_bound_method_receiver(self):
        sig = blinker.Signal()
        lis = Listener()
        sig.connect(lis.on_event)
        res = sig.send("x", n=2)
        self.assertEqual(lis.calls, [("x", {"n": 2})])
        self.assertEqual(res[0][1], "listener")
        sig.disconnect(lis.on_event)
        sig.send("y")
        self.assertEqual(len(lis.calls), 1)


class ConnectTest(unittest.TestCase):

    def test_weak_receiver_goes_away(self):
        sig = blinker.Signal()

        def rcv(sender):
            pass
        sig.connect(rcv)
        self.assertTrue(sig.receivers)
        del rcv
        gc.collect(0)
        self.assertFalse(sig.receivers)

    def test_strong_receiver_stays(self):
        sig = blinker.Signal()
        got = []
        sig.connect(lambda sender: got.append(sender), weak=False)
        gc.collect(0)
        sig.send(1)
        self.assertEqual(got, [1])

    def test_bound_method_weakly_held(self):
        sig = blinker.Signal()
        lis = Listener()
        sig.connect(lis.on_event)
        del lis
        gc.collect(0)
        self.assertFalse(sig.receivers)
        self.assertEqual(sig.send("x"), [])

    def test_weak_sender_cleanup(self):
        sig = blinker.Signal()
        s = Sender()

        def rcv(sender):
            pass
        sig.connect(rcv, sender=s)
        self.assertEqual(len(sig._weak_senders), 1)
        del s
        gc.collect(0)
        self.assertEqual(sig._weak_senders, {})

    def test_connect_returns_receiver(self):
        sig = blinker.Signal()

        def rcv(sender):
            pass
        self.assertIs(sig.connect(rcv), rcv)

    def test_connect_via(self):
        sig = blinker.Signal()
        a, b = Sender(), Sender()
        got = []

        @sig.connect_via(a)
        def rcv(sender, **kw):
            got.append(sender)
        self.assertTrue(callable(rcv))
        sig.send(b)
        sig.send(a)
        self.assertEqual(got, [a])

    def test_connected_to(self):
        sig = blinker.Signal()
        got = []

        def rcv(sender):
            got.append(sender)
        with sig.connected_to(rcv):
            sig.send(1)
        sig.send(2)
        self.assertEqual(got, [1])

    def test_connected_to_disconnects_on_error(self):
        sig = blinker.Signal()
        got = []

        def rcv(sender):
            got.append(sender)
        with self.assertRaises(ZeroDivisionError):
            with sig.connected_to(rcv):
                1 / 0
        sig.send(3)
        self.assertEqual(got, [])
        self.assertFalse(sig.receivers)

    def test_receiver_connected_signal(self):
        sig = blinker.Signal()
        events = []

        def watch(signal, receiver, sender, weak):
            events.append((signal, receiver, sender, weak))
        sig.receiver_connected.connect(watch)

        def rcv(sender):
            pass
        sig.connect(rcv, weak=False)
        self.assertEqual(events, [(sig, rcv, blinker.ANY, False)])

    def test_receiver_disconnected_signal(self):
        sig = blinker.Signal()
        events = []

        def watch(signal, receiver, sender):
            events.append((receiver, sender))
        sig.receiver_disconnected.connect(watch)

        def rcv(sender):
            pass
        sig.connect(rcv)
        sig.disconnect(rcv)
        self.assertEqual(events, [(rcv, blinker.ANY)])


class DisconnectTest(unittest.TestCase):

    def test_disconnect_all(self):
        sig = blinker.Signal()
        got = []

        def rcv(sender):
            got.append(sender)
        sig.connect(rcv)
        sig.disconnect(rcv)
        sig.send(1)
        self.assertEqual(got, [])
        self.assertFalse(sig.receivers)

    def test_disconnect_one_sender(self):
        sig = blinker.Signal()
        a, b = Sender(), Sender()
        got = []

        def rcv(sender):
            got.append(sender)
        sig.connect(rcv, sender=a)
        sig.connect(rcv, sender=b)
        sig.disconnect(rcv, sender=a)
        sig.send(a)
        sig.send(b)
        self.assertEqual(got, [b])

    def test_cleanup_bookkeeping(self):
        sig = blinker.Signal()
        a = Sender()

        def rcv(sender):
            pass
        sig.connect(rcv, sender=a)
        sig.disconnect(rcv, sender=a)
        sig._cleanup_bookkeeping()
        self.assertEqual(dict(sig._by_sender), {})
        self.assertEqual(dict(sig._by_receiver), {})

    def test_cleanup_keeps_live_entries(self):
        sig = blinker.Signal()

        def rcv(sender):
            pass
        sig.connect(rcv)
        sig._cleanup_bookkeeping()
        self.assertEqual(len(sig._by_sender), 1)
        self.assertEqual(list(sig.receivers_for(None)), [rcv])


class NamedTest(unittest.TestCase):

    def test_doc(self):
        self.assertEqual(blinker.Signal(doc="fires often").__doc__,
                         "fires often")

    def test_named_signal_repr(self):
        sig = blinker.NamedSignal("saved")
        self.assertEqual(sig.name, "saved")
        self.assertTrue(repr(sig).endswith("; 'saved'>"), repr(sig))
        self.assertTrue(repr(sig).startswith("<blinker.base.NamedSignal"))
        self.assertEqual(repr(sig).count(">"), 1, repr(sig))

    def test_namespace_returns_same_signal(self):
        ns = blinker.Namespace()
        a = ns.signal("ready", doc="d")
        self.assertIs(ns.signal("ready"), a)
        self.assertIsInstance(a, blinker.NamedSignal)
        self.assertEqual(a.__doc__, "d")

    def test_global_signal(self):
        self.assertIs(blinker.signal("swe-test-global"),
                      blinker.signal("swe-test-global"))

    def test_weak_namespace(self):
        ns = blinker.WeakNamespace()
        s = ns.signal("tmp")
        self.assertIs(ns.signal("tmp"), s)
        del s
        gc.collect(0)
        self.assertNotIn("tmp", ns)

    def test_any_symbol(self):
        self.assertIs(blinker.Signal.ANY, blinker.ANY)
        self.assertEqual(repr(blinker.ANY), "ANY")


if __name__ == "__main__":
    unittest.main()
