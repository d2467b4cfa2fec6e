"""What would make an infeasible scenario feasible (DESIGN §4 `diagnosis`): the elastic model
and the words for its least changes."""

from app.optimizer.diagnose.elastic import Elastic, blocking_rules, diagnose

__all__ = ["Elastic", "blocking_rules", "diagnose"]
