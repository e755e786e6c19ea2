"""String foreign keys make no import, so import-linter cannot see them: this test does.

A foreign key may point only to its own context or to a context in a lower tier (the
tiers of docs/architecture.md, the same as the `direction` contract in pyproject.toml).
"""

from __future__ import annotations

from django.apps import apps

TIERS = [
    ["config", "simulators", "demo"],
    ["portals"],
    ["journeys", "reporting"],
    ["integrations"],
    ["sales", "debt", "field"],
    ["billing", "payments", "cases"],
    ["accounts"],
    ["metering", "customers", "ledger"],
    ["properties"],
    ["comms"],
    ["identity"],
    ["platform", "validation"],
]
TIER_OF = {label: depth for depth, labels in enumerate(TIERS) for label in labels}


def _product_label(model) -> str | None:
    module = model.__module__
    if not module.startswith("kilowatt."):
        return None
    return module.split(".")[1]


def test_every_foreign_key_points_to_its_own_context_or_a_lower_tier():
    upward = []
    for model in apps.get_models():
        source = _product_label(model)
        if source is None:
            continue
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model):
                continue
            target = _product_label(field.related_model)
            if target is None or target == source:
                continue
            if TIER_OF[target] <= TIER_OF[source]:
                upward.append(f"{model.__name__}.{field.name} -> {target}")

    assert upward == []


def test_every_product_app_has_a_tier():
    labels = {_product_label(model) for model in apps.get_models()} - {None}

    assert labels <= set(TIER_OF)
