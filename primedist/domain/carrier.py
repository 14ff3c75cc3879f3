"""The shop's own carrier accounts (GHN, J&T Express) and shipments of own orders."""

from __future__ import annotations

from datetime import datetime

from primedist.domain.base import (
    Field,
    SQLModel,
    enum_field,
    fk,
    money_field,
    text_field,
    utcnow,
)
from primedist.domain.enums import CarrierCode


class CarrierAccount(SQLModel, table=True):
    """A delivery provider account; its credentials are encrypted at rest."""

    __tablename__ = "carrier_accounts"

    id: int | None = Field(default=None, primary_key=True)
    carrier: CarrierCode = enum_field(CarrierCode)
    name: str = Field(max_length=120)
    credentials_enc: str | None = text_field()
    api_host: str | None = Field(default=None, max_length=255)
    status: str = Field(default="active", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)


class Shipment(SQLModel, table=True):
    """A shipment created with a carrier for one of the shop's own orders."""

    __tablename__ = "shipments"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = fk("orders.id", ondelete="CASCADE", index=True)
    carrier_account_id: int = fk("carrier_accounts.id", ondelete="RESTRICT")
    #: Our order id sent as the client order code: a retry never creates a second shipment.
    client_order_code: str = Field(max_length=64, unique=True)
    carrier_order_code: str | None = Field(default=None, max_length=64, index=True)
    service: str | None = Field(default=None, max_length=60)
    status: str = Field(default="created", max_length=40)
    fee: int = money_field()
    cod_amount: int = money_field()
    insurance_value: int = money_field()
    weight_g: int = Field(default=0)
    length_cm: int = Field(default=0)
    width_cm: int = Field(default=0)
    height_cm: int = Field(default=0)
    required_note: str | None = Field(default=None, max_length=40)
    label_path: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
