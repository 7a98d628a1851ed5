"""Small named graphs used across tests (hand-checkable)."""

from __future__ import annotations

from graph_engine.model import Customer, Tie


def two_customers(
    a: float = 10.0, b: float = 4.0, closeness: float = 0.5
) -> tuple[list[Customer], list[Tie]]:
    """DESIGN.md's example: A (value a) and B (value b) build one mutual tie."""
    return (
        [Customer(id="A", value=a), Customer(id="B", value=b)],
        [Tie(source="A", target="B", closeness=closeness)],
    )


def star(n_leaves: int = 4) -> tuple[list[Customer], list[Tie]]:
    """A hub (value 10) tied to leaves L1..Ln (value i) with closeness 0.5."""
    customers = [Customer(id="hub", value=10.0)] + [
        Customer(id=f"L{i}", value=float(i)) for i in range(1, n_leaves + 1)
    ]
    ties = [Tie(source="hub", target=f"L{i}", closeness=0.5) for i in range(1, n_leaves + 1)]
    return customers, ties


def referral_chain() -> tuple[list[Customer], list[Tie]]:
    """R1 referred by R2 referred by R3: directed ties R1 -> R2 -> R3 (kind referral)."""
    customers = [
        Customer(id="R1", value=1.0),
        Customer(id="R2", value=2.0),
        Customer(id="R3", value=4.0),
    ]
    ties = [
        Tie(source="R1", target="R2", closeness=0.5, kind="referral", directed=True),
        Tie(source="R2", target="R3", closeness=0.25, kind="referral", directed=True),
    ]
    return customers, ties
