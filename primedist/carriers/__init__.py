"""The shop's own carriers (GHN, J&T Express): clients behind one `Carrier` interface."""

from __future__ import annotations

from primedist.carriers.base import Carrier, HttpSettings
from primedist.carriers.ghn import GhnCarrier
from primedist.carriers.jnt import JntCarrier

__all__ = ["Carrier", "GhnCarrier", "HttpSettings", "JntCarrier"]
