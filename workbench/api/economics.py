"""The workbench's account-economics inputs: hourly costs, wallets, retention, breakdowns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from workbench import store
from workbench.analytics import segment
from workbench.analytics.cost import cost_breakdown
from workbench.analytics.economics import DIRECT_COST_COLUMNS
from workbench.analytics.retention import Retention, retention_from_features
from workbench.api.core import WorkbenchCore
from workbench.errors import RejectedInputError

if TYPE_CHECKING:
    from datetime import date

    from workbench.domain import Actor


class EconomicsInputs(WorkbenchCore):
    """Hourly costs per seller role or team, wallet estimates, retention, breakdowns."""

    def cost_rates(self) -> pl.DataFrame:
        """Return the hourly cost table: each seller role, then teams with a rate.

        Columns: ``rate_key``, ``kind`` (``role`` or ``team``), ``hourly_cost`` (in
        force, in :meth:`currency`), ``default_cost``, ``edited``, ``sellers``,
        ``set_by``, ``set_at``. Sellers whose role nobody can tell cost the flat
        ``hourly_cost`` threshold (docs/segments.md).
        """
        return store.cost_rates(self.connection)

    def seller_rates(self) -> pl.DataFrame:
        """Return each seller's role (from team and title) and hourly rate."""
        return store.seller_rates(self.connection)

    def set_cost_rate(
        self, rate_key: str, hourly_cost: float | None, *, actor: Actor | None = None
    ) -> None:
        """Set the hourly cost of a seller role or a team (``None``: the default).

        ``rate_key`` is a role (``executive``, ``key_account_manager``,
        ``field_sales``, ``inside_sales``, ``presales``, ``service``) or a team's
        exact name, whose rate then wins over its role's.

        Raises:
            PermissionDeniedError: the actor may not edit.
            RejectedInputError: an empty key or a cost out of range.
        """
        store.set_cost_rate(self.connection, self._actor(actor), rate_key, hourly_cost)

    def wallet_estimates(self) -> pl.DataFrame:
        """Return the wallets estimated by hand (they win over imported ones)."""
        return store.account_wallet_estimates(self.connection)

    def set_wallet_estimate(
        self,
        account_id: str,
        wallet_estimate: float | None,
        note: str = "",
        *,
        actor: Actor | None = None,
    ) -> None:
        """Estimate an account's wallet a year (``None``: forget the estimate).

        Raises:
            PermissionDeniedError: the actor may not edit.
            RejectedInputError: an unknown account or an amount out of range.
        """
        store.set_account_wallet(
            self.connection, self._actor(actor), account_id, wallet_estimate, note
        )

    def industry_wallet_shares(self) -> pl.DataFrame:
        """Return every industry with the wallet share set for it (NULL: the default)."""
        return store.industry_wallet_shares(self.connection)

    def set_industry_wallet_share(
        self,
        industry: str,
        share_of_revenue_pct: float | None,
        *,
        actor: Actor | None = None,
    ) -> None:
        """Estimate an industry's wallets as this % of a customer's revenue.

        ``None`` puts the industry back on the default share (the
        ``wallet_share_of_revenue_pct`` threshold).

        Raises:
            PermissionDeniedError: the actor may not edit.
            RejectedInputError: an empty industry or a share outside 0–100.
        """
        store.set_industry_wallet_share(
            self.connection, self._actor(actor), industry, share_of_revenue_pct
        )

    def retention(
        self,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
    ) -> Retention:
        """Return the portfolio's retention and the years a lifetime value counts.

        Measured on the won-deal and contract history of the last five years;
        with too few account-years, the ``expected_remaining_years`` option (its
        ``basis()`` says which, in words).
        """
        chosen = thresholds or segment.DEFAULT_THRESHOLDS
        features = store.account_features(
            self.connection, as_of, round(chosen.default_term_months)
        )
        return retention_from_features(features, chosen)

    def effort_by_rate(self, account_id: str, as_of: date) -> pl.DataFrame:
        """Return an account's effort in the 12 months up to ``as_of``, per hourly rate.

        See :func:`workbench.store.account_effort_by_rate`; the input of
        :func:`workbench.analytics.cost.cost_breakdown`.
        """
        return store.account_effort_by_rate(self.connection, account_id, as_of)

    def cost_breakdown(
        self,
        account_id: str,
        thresholds: segment.Thresholds | None = None,
        as_of: date | None = None,
    ) -> pl.DataFrame:
        """Return an account's cost to serve line by line (12 months up to ``as_of``).

        One line per hourly rate (role or team) with its hours, one for the hours
        at the flat cost, one per direct cost; ``cost`` adds up to the account's
        ``cost_to_serve`` (see :func:`workbench.analytics.cost.cost_breakdown`).

        Raises:
            RejectedInputError: no account with that ID.
        """
        chosen = thresholds or segment.DEFAULT_THRESHOLDS
        day = store.resolve_as_of(self.connection, as_of)
        features = store.account_features(
            self.connection, day, round(chosen.default_term_months)
        ).filter(pl.col("account_id") == account_id)
        if features.height == 0:
            raise RejectedInputError(f"no account with ID {account_id!r}")
        row = features.row(0, named=True)
        direct = {
            label: row[column]
            for column, label in DIRECT_COST_COLUMNS.items()
            if column in row
        }
        return cost_breakdown(
            store.account_effort_by_rate(self.connection, account_id, day),
            direct,
            chosen,
        )
