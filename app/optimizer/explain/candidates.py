"""Why every intervention × neighbourhood pair without a run has none (DESIGN §4).

The first reason that applies, in this order:

1. `not_eligible` — the pair fails `eligible` (point 8);
2. `excluded_by_lock` — `fund: false` locks cover every candidate of the pair;
3. `no_need` — every candidate funded alone adds no value (value is concave in the summed
   effects, so a run that adds nothing alone adds nothing to any plan);
4. `cannot_fit` — locking the pair in is infeasible. Proved without a solve when every
   candidate alone breaks a money or capacity line (activities only grow as runs are added),
   needs a prerequisite that cannot run, has `max_total` 0, or cannot fit the horizon; else by
   a MILP re-solve with Σ x(pair) ≥ 1;
5. `within_gap` — the best plan with the pair locked in is worth at most the solver's gap
   tolerance less (mip_gap × objective; a tie when the gap is 0);
6. `outcompeted` — it is worth `cost_of_forcing` less.

`cost_of_forcing` = z − z(pair locked in), both valued directly, from a re-solve at gap 0 on
the reused MILP model when at most `exact_limit` pairs need one (or for the pairs the client
names); otherwise the LP estimate of `marginal.forcing_estimates`, marked `estimate`. The
re-solves share the explanation's remaining time evenly; one that stops at its share reports
what its best plan costs (an upper bound on the cost) and is marked `estimate` too.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from app.optimizer.backends.resolve import INF
from app.optimizer.diagnose.elastic import Elastic, blocking_rules
from app.optimizer.explain.context import Context
from app.optimizer.explain.marginal import forcing_estimates
from app.optimizer.explain.nearby import resolve_near_plan
from app.optimizer.problem.lines import Line, domain_label, hood_name
from app.optimizer.problem.rules import RuleChecker, lock_label
from app.optimizer.problem.value import plan_value
from app.optimizer.search.greedy_setup import standalone_gains
from app.schemas.explanation import CandidateExplanation, RuleRef
from app.schemas.scenario import Eligibility


def standalone_values(ctx: Context, chunk: int = 50_000) -> np.ndarray:
    """(C,) the value of each candidate funded alone (points 5–7, cells of its buurt only):
    the greedy's own figures (`greedy_setup.standalone_gains`), over the cells it improves."""
    return standalone_gains(ctx.inst, chunk)


def ctx_standalone_values(ctx: Context) -> np.ndarray:
    """`standalone_values`, computed once per explanation (the warnings need them too)."""
    if ctx.standalone is None:
        ctx.standalone = standalone_values(ctx)
    return ctx.standalone


class Scan:
    """What every pair's reason needs, computed once: candidates per pair, which are open (no
    lock-out), each one's value alone, the lines each one alone exceeds, the plan's rules."""

    def __init__(self, ctx: Context):
        inst = ctx.inst
        self.ctx = ctx
        order = np.lexsort((inst.cand_s, inst.cand_n, inst.cand_i))
        keys = inst.cand_i[order] * len(inst.codes) + inst.cand_n[order]
        split = np.flatnonzero(np.diff(keys)) + 1
        self.pairs: dict[tuple[int, int], np.ndarray] = {}
        for group in np.split(order, split) if order.size else []:
            self.pairs[(int(inst.cand_i[group[0]]), int(inst.cand_n[group[0]]))] = group
        self.open = ctx.resolver("milp").col_upper[: inst.n_candidates] > 0
        self.alone = ctx_standalone_values(ctx)
        self.too_big: dict[int, list[Line]] = defaultdict(list)
        for line in ctx.lines:
            for c in line.members[line.values > line.limit + 1e-6 * max(1.0, line.limit)]:
                self.too_big[int(c)].append(line)
        self.checker = RuleChecker(inst, ctx.chosen, ctx.lines)
        self._estimates: np.ndarray | None = None
        self._estimated = False

    def estimates(self) -> np.ndarray | None:
        """The LP estimate of forcing each candidate in (computed on first use)."""
        if not self._estimated:
            self._estimates, self._estimated = forcing_estimates(self.ctx), True
        return self._estimates

    def candidates(self, i: int, n: int) -> np.ndarray:
        return self.pairs.get((i, n), np.zeros(0, dtype=np.int64))


# Pairs given a row between two looks at the clock (a row takes 10-100 µs).
_ROWS_PER_LOOK = 256


def candidate_rows(ctx: Context, skipped: list[str] | None = None) -> list[CandidateExplanation]:
    """A row for every unfunded pair, as far as the explanation's deadline reaches; the pairs
    it did not reach are counted in `skipped`."""
    inst = ctx.inst
    funded = {(int(inst.cand_i[c]), int(inst.cand_n[c])) for c in np.flatnonzero(ctx.chosen)}
    rows: dict[tuple[int, int], CandidateExplanation] = {}
    pending: list[tuple[int, int, np.ndarray]] = []
    unfunded = [
        (i, n)
        for i in range(len(inst.intervention_keys))
        for n in range(len(inst.codes))
        if (i, n) not in funded
    ]
    if ctx.out_of_time():
        # What every row reads is made before the first row, and at national scale that alone
        # takes a second (`mutated` seed 421, 99,555 candidates: 0.8 s, begun after the
        # deadline): with no time left, no row would follow it.
        _note_missing(len(unfunded), len(unfunded), skipped)
        return []
    scan = Scan(ctx)
    for k, (i, n) in enumerate(unfunded):
        if k % _ROWS_PER_LOOK == 0 and ctx.out_of_time():
            break
        cands = scan.candidates(i, n)
        static = _static_reason(scan, i, n, cands)
        if static is not None:
            rows[(i, n)] = static
        else:
            pending.append((i, n, cands[scan.open[cands]]))
    named = {
        (inst.intervention_keys.index(i), inst.codes.index(n))
        for i, n in ctx.options.candidates
        if i in inst.intervention_keys and n in inst.codes
    }
    exact_all = ctx.options.exact_candidates and len(pending) <= ctx.options.exact_limit
    exact = [(i, n, cands) for i, n, cands in pending if exact_all or (i, n) in named]
    for k, (i, n, cands) in enumerate(exact):
        # The re-solves share the time left evenly (one slow pair cannot starve the rest).
        if ctx.out_of_time():
            break
        rows[(i, n)] = _forced(scan, i, n, cands, ctx.remaining() / (len(exact) - k))
    stopped = sum(1 for i, n, _ in exact if (i, n) in rows and rows[(i, n)].estimate)
    if stopped:
        ctx.notes.append(
            f"{stopped} re-solves with a pair locked in stopped at their share of the "
            "explanation's time: their cost of forcing is an upper bound, marked as an estimate"
        )
    late = sum(1 for i, n, _ in exact if (i, n) not in rows)
    if late:
        ctx.notes.append(
            f"{late} pairs were not re-solved before the explanation's time limit: their cost "
            "of forcing is an LP estimate"
        )
    for k, (i, n, cands) in enumerate(pending):
        if k % _ROWS_PER_LOOK == 0 and ctx.out_of_time():
            break
        if (i, n) not in rows:
            rows[(i, n)] = _estimated(scan, i, n, cands)
    if pending and not exact_all and ctx.options.exact_candidates:
        ctx.notes.append(
            f"{len(pending)} pairs could only lose to other runs: more than "
            f"{ctx.options.exact_limit}, so their cost of forcing is an LP estimate unless named"
        )
    elif pending and not exact_all:
        ctx.notes.append(
            f"{len(pending)} pairs could only lose to other runs: their cost of forcing is an "
            "LP estimate unless named (the full level re-solves each one)"
        )
    _note_missing(len(unfunded) - len(rows), len(unfunded), skipped)
    return [rows[key] for key in sorted(rows)]


def _note_missing(missing: int, unfunded: int, skipped: list[str] | None) -> None:
    if missing and skipped is not None:
        skipped.append(
            f"why-not rows for {missing} of {unfunded} unfunded pairs: the explanation's "
            "time ran out before them"
        )


def _row(
    ctx: Context, i: int, n: int, reason: str, message: str, **numbers: object
) -> CandidateExplanation:
    inst = ctx.inst
    return CandidateExplanation(
        intervention=inst.intervention_keys[i],
        neighbourhood=inst.codes[n],
        neighbourhood_name=inst.scenario.neighbourhoods[n].name,
        reason=reason,  # type: ignore[arg-type]
        message=message,
        **numbers,  # type: ignore[arg-type]
    )


def _static_reason(scan: Scan, i: int, n: int, cands: np.ndarray) -> CandidateExplanation | None:
    ctx, inst, alone = scan.ctx, scan.ctx.inst, scan.alone
    where = hood_name(inst, n)
    if not inst.eligible[i, n]:
        condition = _failed_condition(ctx, i, n)
        return _row(
            ctx, i, n, "not_eligible", f"{where} is not eligible: {condition}", condition=condition
        )
    locks = [
        k
        for k, lock in enumerate(inst.scenario.rules.locks)
        if not lock.fund and np.isin(cands, scan.checker.lock_cover[k]).any()
    ]
    available = cands[scan.open[cands]]
    if cands.size and not available.size:
        named = "; ".join(lock_label(inst, k) for k in locks)
        return _row(
            ctx,
            i,
            n,
            "excluded_by_lock",
            f"excluded by {named}",
            blocked_by=[RuleRef(rule=f"lock:{k}", message=lock_label(inst, k)) for k in locks],
        )
    if available.size and alone[available].max() <= ctx.tolerance() * 1e-3:
        return _row(ctx, i, n, "no_need", _no_need_words(ctx, i, n), standalone_value=0.0)
    blocks = _static_blocks(scan, i, n, available)
    if blocks is not None:
        text = "; ".join(b.message for b in blocks)
        return _row(
            ctx,
            i,
            n,
            "cannot_fit",
            f"it cannot be funded: {text}",
            blocked_by=blocks,
            standalone_value=_best(alone, available),
        )
    return None


def _best(alone: np.ndarray, cands: np.ndarray) -> float | None:
    return round(float(alone[cands].max()), 6) if cands.size else None


def _failed_condition(ctx: Context, i: int, n: int) -> str:
    inst = ctx.inst
    rule = inst.scenario.interventions[i].eligible
    code = inst.codes[n]
    if isinstance(rule, list) or (
        isinstance(rule, Eligibility) and rule.codes is not None and code not in rule.codes
    ):
        return f"{code} is not on the list of buurten it is meant for"
    assert isinstance(rule, Eligibility)
    failed = []
    for key, minimum in (rule.min_gap or {}).items():
        gap = float(inst.gap[n, inst.domain_keys.index(key), 0])
        if gap < minimum:
            failed.append(
                f"its {inst.start_year} gap in {domain_label(inst, key)} is "
                f"{gap:.4g}, below the required {minimum:g}"
            )
    return "; ".join(failed) or "it fails the eligibility rule"


def _no_need_words(ctx: Context, i: int, n: int) -> str:
    inst = ctx.inst
    affected = [
        domain_label(inst, inst.domain_keys[d]) for d in np.flatnonzero(inst.effects[i] > 0)
    ]
    if not affected:
        return "it has no effect on any domain"
    if inst.scenario.objective.cap_at_target:
        return (
            f"funded alone it adds no value: {hood_name(inst, n)} has no gap in "
            f"{', '.join(affected)} during its effect years"
        )
    return "funded alone it adds no value within the horizon"


def _static_blocks(scan: Scan, i: int, n: int, available: np.ndarray) -> list[RuleRef] | None:
    """Rules that keep every candidate of the pair out of any plan, or None."""
    inst = scan.ctx.inst
    intervention = inst.scenario.interventions[i]
    if not available.size:
        return [
            RuleRef(
                rule="horizon",
                message=f"a run of {intervention.duration_years} years "
                f"does not fit the {inst.horizon}-year horizon",
            )
        ]
    if intervention.max_total == 0:
        return [
            RuleRef(
                rule=f"max_total:{intervention.key}",
                message=f"{intervention.key} may run in no buurt (max_total 0)",
            )
        ]
    found: dict[str, RuleRef] = {}
    for c in available:
        blocks = _alone_blocks(scan, int(c)) + _prerequisite_blocks(scan, int(c))
        if not blocks:
            return None
        for b in blocks:
            found.setdefault(b.rule, b)
    return list(found.values())


def _alone_blocks(scan: Scan, c: int) -> list[RuleRef]:
    """Money and capacity lines that candidate c alone already exceeds."""
    out = []
    for line in scan.too_big.get(c, []):
        a = float(line.values[np.searchsorted(line.members, c)])
        out.append(
            RuleRef(
                rule=line.key,
                message=f"{line.label} ({line.amount(line.limit)})"
                f" is too small even for it alone ({line.amount(a)})",
            )
        )
    return out


def _prerequisite_blocks(scan: Scan, c: int) -> list[RuleRef]:
    inst = scan.ctx.inst
    i, n, s = int(inst.cand_i[c]), int(inst.cand_n[c]), int(inst.cand_s[c])
    out = []
    for required in inst.scenario.interventions[i].requires:
        j = inst.intervention_keys.index(required)
        options = scan.candidates(j, n)
        options = options[(inst.cand_s[options] <= s) & scan.open[options]]
        if not any(int(e) not in scan.too_big for e in options):
            out.append(
                RuleRef(
                    rule=f"requires:{inst.intervention_keys[i]}:{required}",
                    message=f"its prerequisite {required} cannot run in "
                    f"{hood_name(inst, n)} by {inst.calendar(s)}",
                )
            )
    return out


def _forced(scan: Scan, i: int, n: int, cands: np.ndarray, seconds: float) -> CandidateExplanation:
    """Re-solve at gap 0 with the pair locked in (Σ x ≥ 1) on the reused MILP model."""
    ctx, inst, alone = scan.ctx, scan.ctx.inst, scan.alone
    milp = ctx.resolver("milp")
    if ctx.force_row is None:
        ctx.force_row = milp.add_row(np.zeros(0, np.int32), np.zeros(0), -INF, INF)
    milp.set_coefficients(ctx.force_row, cands, np.ones(len(cands)))
    needed = [inst.intervention_keys.index(r) for r in inst.scenario.interventions[i].requires]
    free = np.concatenate([cands, *[scan.candidates(j, n) for j in needed]])
    try:
        with milp.changed(rows={ctx.force_row: (1.0, INF)}):
            result = resolve_near_plan(ctx, free, seconds, 0.0, None)
    finally:
        milp.set_coefficients(ctx.force_row, cands, np.zeros(len(cands)))
    best = _best(alone, cands)
    if result.stopped_by_clock:
        ctx.stopped_by_clock.add("costs of forcing")
    if result.status == "infeasible":
        if ctx.elastic is None:
            ctx.elastic = Elastic(inst, ctx.model, cancel=ctx.cancel)
        blocks = blocking_rules(ctx.elastic, cands, max(0.05, seconds))
        text = "; ".join(b.message for b in blocks) or "no plan with it meets every rule"
        return _row(
            ctx,
            i,
            n,
            "cannot_fit",
            f"locking it in is infeasible: {text}",
            blocked_by=blocks,
            standalone_value=best,
        )
    if result.values is None:
        return _estimated(scan, i, n, cands)
    forced = np.rint(result.values[: inst.n_candidates]).astype(np.int64)
    cost = max(0.0, ctx.objective - plan_value(inst, forced))
    mine = [int(c) for c in cands if forced[c] > 0]
    c_star = mine[0] if mine else int(cands[0])
    numbers = {
        "start_year": inst.calendar(int(inst.cand_s[c_star])),
        "standalone_value": best,
        "cost_of_forcing": round(cost, 6),
        "estimate": result.status != "optimal",
        "limited_by": scan.checker.broken_with(c_star),
        "displaced_by": ctx.run_refs(np.flatnonzero(ctx.chosen > forced)),
    }
    tolerance = ctx.mip_gap * abs(ctx.objective) + ctx.tolerance()
    if cost <= tolerance:
        return _row(
            ctx,
            i,
            n,
            "within_gap",
            f"a near-tie: locking it in costs {cost:,.2f} in value, within the solver's "
            f"tolerance of {tolerance:,.2f}",
            **numbers,
        )
    return _row(ctx, i, n, "outcompeted", _outcompeted_words(ctx, cost, numbers), **numbers)


def _estimated(scan: Scan, i: int, n: int, cands: np.ndarray) -> CandidateExplanation:
    ctx, inst, alone = scan.ctx, scan.ctx.inst, scan.alone
    estimates = scan.estimates()
    if estimates is None:
        c_star, cost = int(cands[np.argmax(alone[cands])]), None
    else:
        c_star = int(cands[np.argmin(estimates[cands])])
        cost = round(float(estimates[c_star]), 6)
    numbers = {
        "start_year": inst.calendar(int(inst.cand_s[c_star])),
        "standalone_value": _best(alone, cands),
        "cost_of_forcing": cost,
        "estimate": True,
        "limited_by": scan.checker.broken_with(c_star),
    }
    return _row(ctx, i, n, "outcompeted", _outcompeted_words(ctx, cost, numbers), **numbers)


def _outcompeted_words(ctx: Context, cost: float | None, numbers: dict) -> str:
    if cost is None:
        words = "other runs give more value for what they use"
    else:
        kind = "an estimated " if numbers["estimate"] else ""
        words = f"locking it in would cost {kind}{cost:,.2f} in value"
    limited = numbers.get("limited_by") or []
    if limited:
        words += "; with the plan it would break: " + "; ".join(r.message for r in limited)
    displaced = numbers.get("displaced_by") or []
    if displaced:
        words += "; it would displace " + ", ".join(
            f"{r.intervention} in {r.neighbourhood} from {r.start_year}" for r in displaced
        )
    return words
