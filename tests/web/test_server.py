"""The server's connection cap stays below the descriptors the process may open."""

import resource

from gateway.web.server import RESERVED_DESCRIPTORS, connection_cap


def test_the_configured_cap_holds_when_descriptors_allow_it():
    assert connection_cap(1000, 20_000) == 1000


def test_the_cap_leaves_descriptors_for_the_database_and_the_rest():
    assert connection_cap(1000, 400) == 400 - RESERVED_DESCRIPTORS


def test_the_cap_never_drops_to_zero():
    assert connection_cap(50, 60) == 1


def test_an_unlimited_process_keeps_the_configured_cap():
    assert connection_cap(1000, resource.RLIM_INFINITY) == 1000
