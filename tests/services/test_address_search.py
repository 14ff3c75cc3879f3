# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""A phone order's address as the owner types it: places found however they are typed
(accents optional, part of a word, initials, the city's old name), and the address
checked with the shop's carrier the way Ship… checks it (the carrier sandbox on
127.0.0.1), before the order is even saved."""

from __future__ import annotations

import pytest

from primedist.carriers.base import ConnectorError, Place
from primedist.carriers.places import search_rank
from primedist.domain.enums import Module, Role
from primedist.domain.geo import PROVINCES_2025
from primedist.errors import PermissionDenied
from primedist.sandbox.carriers import (
    DEMO_GHN_SHOP_ID,
    DEMO_GHN_TOKEN,
    DEMO_JNT_ACCOUNT,
    DEMO_JNT_CUSTOMER,
    DEMO_JNT_KEY,
    DEMO_JNT_PASSWORD,
)
from primedist.services import bulk_shipping as bulk
from primedist.services import shipping as svc
from primedist.services.context import Actor, ServiceContext
from tests.services.test_shipping import fast_factory, ghn_id, sandbox  # noqa: F401

PROVINCES = [Place(p.code, p.name) for p in PROVINCES_2025]


def found(query: str, places: list[Place] = PROVINCES) -> list[str]:
    return [p.name for p in svc.match_places(places, query)]


# --------------------------------------------------------------------------- searching


@pytest.mark.parametrize("typed", ["ho chi", "hcm", "HCM", "tp hcm", "TP.HCM", "tphcm",
                                   "sai gon", "Sài Gòn", "saigon", "thanh pho ho chi minh",
                                   "minh"])  # fmt: skip
def test_ho_chi_minh_city_is_found_however_it_is_typed(typed):
    assert found(typed)[0] == "TP. Hồ Chí Minh"


@pytest.mark.parametrize(("typed", "first"), [
    ("da nang", "Đà Nẵng"), ("nang", "Đà Nẵng"), ("ha noi", "Hà Nội"), ("hn", "Hà Nội"),
    ("hanoi", "Hà Nội"), ("thua thien hue", "Huế"), ("HUE", "Huế"), ("can tho", "Cần Thơ"),
])  # fmt: skip
def test_provinces_are_found_without_accents_by_part_or_initials(typed, first):
    assert found(typed)[0] == first


def test_the_best_match_comes_first_and_nothing_is_made_up():
    # The names starting so before those with the letters inside.
    assert found("ha")[:3] == ["Hà Nội", "Hà Tĩnh", "Hải Phòng"]
    assert "Khánh Hòa" in found("ha")
    # Two provinces share the initials: both, the first by name.
    assert found("dn") == ["Đà Nẵng", "Đồng Nai"]
    # An old province (merged in 2025) finds none: its name stays as typed.
    assert found("binh duong") == [] and found("quang nam") == []
    # Initials rank below the name itself, above a name that only starts so.
    assert search_rank("hanoi", "Hà Nội") == 0 and search_rank("hn", "Hà Nội") == 1
    assert search_rank("h", "Huế") == 2 and search_rank("hu", "Hà Nội") is None


def test_districts_and_wards_are_found_the_same_way():
    districts = [Place("3695", "Thành Phố Thủ Đức", "202"), Place("1442", "Quận 1", "202"),
                 Place("1443", "Quận 3", "202")]  # fmt: skip
    assert found("thu duc", districts) == ["Thành Phố Thủ Đức"]
    assert found("duc", districts) == ["Thành Phố Thủ Đức"]
    assert found("quan 1", districts)[0] == "Quận 1"
    wards = [Place("20101", "Phường Bến Nghé", "1442"), Place("20102", "Phường Đa Kao", "1442")]
    assert found("ben nghe", wards) == ["Phường Bến Nghé"]
    assert found("phuong", wards) == ["Phường Bến Nghé", "Phường Đa Kao"]  # the kind alone


def test_ghn_provinces_get_the_names_people_use(owner_ctx, sandbox, ghn_id):
    provinces = svc.address_places(owner_ctx, "province")
    assert found("sai gon", provinces) == ["Hồ Chí Minh"]
    assert found("hcm", provinces) == ["Hồ Chí Minh"]
    assert found("tp ha noi", provinces) == ["Hà Nội"]


# --------------------------------------------------------------------------- checking


def test_an_address_the_carrier_knows_has_no_problem(owner_ctx, sandbox, ghn_id):
    assert bulk.address_problem(owner_ctx, "TP. Hồ Chí Minh", "Phường Bến Nghé") is None
    # An old address with its district, as a marketplace gives it.
    assert bulk.address_problem(owner_ctx, "Hà Nội", "Phường Kim Mã", "Quận Ba Đình") is None


def test_a_ward_the_carrier_does_not_know_is_named_as_ship_names_it(owner_ctx, sandbox, ghn_id):
    problem = bulk.address_problem(owner_ctx, "TP. Hồ Chí Minh", "Phường Sài Gòn")
    assert problem == "Ward Phường Sài Gòn is not in GHN's list for Hồ Chí Minh."
    assert bulk.address_problem(owner_ctx, "Bình Dương", "Phường Phú Cường") == (
        "Province Bình Dương is not in GHN's list.")  # fmt: skip
    problem = bulk.address_problem(owner_ctx, "Hà Nội", "Phường Kim Mã", "Quận 99")
    assert problem == "District Quận 99 is not in GHN's list for Hà Nội."


def test_lists_are_fetched_once_then_read_from_the_cache(owner_ctx, sandbox, ghn_id,
                                                           fast_factory):  # fmt: skip
    assert bulk.address_problem(owner_ctx, "Đà Nẵng", "Phường Thạch Thang",
                                factory=fast_factory) is None  # fmt: skip
    asked = sandbox.request_count("master-data/")
    sandbox.stop()  # offline now: the cached lists still answer
    assert bulk.address_problem(owner_ctx, "Đà Nẵng", "Phường Hải Châu I",
                                factory=fast_factory) is None  # fmt: skip
    assert bulk.address_problem(owner_ctx, "Đà Nẵng", "Phường Sài Gòn", factory=fast_factory)
    assert sandbox.request_count("master-data/") == asked
    # A province never looked at before needs the network: the caller hears it failed.
    with pytest.raises(ConnectorError):
        bulk.address_problem(owner_ctx, "Hà Nội", "Phường Kim Mã", factory=fast_factory)


def test_nothing_to_check_without_a_ward_or_a_carrier(owner_ctx, sandbox):
    # No carrier account at all: nothing is asked, nothing said.
    assert bulk.address_problem(owner_ctx, "TP. Hồ Chí Minh", "Phường Sài Gòn") is None
    assert sandbox.request_count("master-data/") == 0
    svc.add_ghn_account(owner_ctx, "GHN", DEMO_GHN_TOKEN, DEMO_GHN_SHOP_ID, sandbox.ghn_url)
    # The ward not typed yet: not a problem to say while the owner is typing.
    assert bulk.address_problem(owner_ctx, "TP. Hồ Chí Minh", "") is None
    assert bulk.address_problem(owner_ctx, "", "Phường Bến Nghé") is None
    assert sandbox.request_count("master-data/") == 0


def test_a_jnt_shop_is_checked_by_names_and_needs_no_ghn_list(owner_ctx, sandbox):
    svc.add_jnt_account(owner_ctx, "J&T", DEMO_JNT_ACCOUNT, DEMO_JNT_KEY, DEMO_JNT_CUSTOMER,
                        DEMO_JNT_PASSWORD, sandbox.jnt_url)  # fmt: skip
    # J&T takes the names as written (a 2025 ward too): what Ship… with J&T accepts.
    assert bulk.address_problem(owner_ctx, "TP. Hồ Chí Minh", "Phường Sài Gòn") is None
    assert sandbox.request_count("master-data/") == 0


def test_the_first_account_is_the_carrier_checked(owner_ctx, sandbox, ghn_id):
    """Ship… offers the first account first: a J&T account added later changes nothing."""
    svc.add_jnt_account(owner_ctx, "J&T", DEMO_JNT_ACCOUNT, DEMO_JNT_KEY, DEMO_JNT_CUSTOMER,
                        DEMO_JNT_PASSWORD, sandbox.jnt_url)  # fmt: skip
    assert bulk.address_problem(owner_ctx, "TP. Hồ Chí Minh", "Phường Sài Gòn") is not None


def test_checking_an_address_needs_the_orders_module(owner_ctx, sandbox, ghn_id):
    def staff(*modules: Module) -> ServiceContext:
        return owner_ctx.with_actor(Actor(id=None, name="Lan", email="lan@shop.vn",
                                          role=Role.STAFF, modules=frozenset(modules)))  # fmt: skip

    with pytest.raises(PermissionDenied):
        bulk.address_problem(staff(Module.PRODUCTS), "TP. Hồ Chí Minh", "Phường Sài Gòn")
    assert bulk.address_problem(staff(Module.ORDERS), "TP. Hồ Chí Minh", "Phường Sài Gòn")
