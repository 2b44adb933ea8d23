"""The durable-rules backend: every policy compiled to a durable-rules ruleset.

A package by concern: :mod:`.formulas` (formulas over one fact and decision
trees), :mod:`.compiler` (a policy's logic to rules and rulesets),
:mod:`.values` (encoding computed values as fact fields), :mod:`.host`
(durable's process-wide state and the action runner), :mod:`.inputs` (per
subject: atoms in, result out) and :mod:`.state` (one evaluation or session,
and the :class:`DurableEngine`). The names other modules and tests use are
re-exported here.

The native code still computes the *values* a condition looks at (derived
facts, record fields, parameters, arithmetic); durable-rules decides the
*logic*: each comparison, Kleene's ``and``/``or``/``not`` with errors, and the
outcome of ``where``/``require``/``unless``. How (docs/engines.md has the long
version):

1. **Compile** (pure Python, cached per policy structure). A condition is cut
   into *atoms*, its maximal non-boolean sub-expressions (``full_members(org)``,
   ``param('x')``, ``len(org.committee_members)``, ``'branch'``), and a tree of
   logic nodes: *pairs* (one comparison ``a <op> b`` of a chain), *leaves* (an
   atom used as a truth value), binary ``and``/``or`` (n-ary ones are folded
   left, which is exactly how the native engine short-circuits) and ``not``.
   Every node has one of four values: T, F, U (unknown) or E (evaluation stops
   with an error; N at the root: not a truth value). Each node's semantics is a
   decision tree whose paths become small, mutually exclusive rules, so a fact
   fires exactly one of them: a pair's rules look at one fact holding both
   operands (kind tags, order values, canonical equality strings, the bounds
   of a partly known count), a parent's rules join its children's value facts
   on the subject reference ``ref``. A chain of stage facts then decides the
   outcome exactly as ``kleene.decide`` does (where → require → each unless
   in order → evidence), and a final rule records it. The rules are packed in
   rulesets of at most 64.
2. **Run**. Per subject the atoms are evaluated natively and encoded into pair
   and leaf facts; those are asserted, rules fire, their actions assert the
   value/stage facts of the next level (forward chaining inside durable), and
   the final rules record the outcome. Messages, evidence and the paths of
   missing facts are then assembled exactly as the native engine does, from the
   node values durable recorded.

All of durable's process-wide state lives in :class:`DurableHost`: a private
``durable.engine.Host`` without its timer threads, unique ruleset names, one
lock around every call into durable; :class:`Collector` holds one state
(``sid``), runs its actions itself with durable's low-level calls and deletes
the state only after every pending action has run.

``durable`` is imported lazily (inside :class:`DurableHost`), so that this
module, and ``partyrules``, import on Python versions where durable-rules does
not load.
"""

from .compiler import (MAX_RULES_PER_RULESET, MAX_TERMS_PER_CONDITION, FACT_TYPES, CompileError, Compiled,
                       compile_policy, signature, pair_tree)
from .formulas import formula_json, paths, terms
from .host import (MAX_OPEN_STATES, Collector, DurableHost, EngineFailure, never_called, durable_available,
                   durable_unavailable_message, fnv1_32)
from .inputs import SubjectInput, make_result, memo_derived, subject_inputs
from .state import DurableEngine, RuleState, evaluate_all
from .values import MAX_NUMBER, MAX_SUBSTRING_HAYSTACK, NO_BOUND, dumps, encode_operand

__all__ = [
    "CompileError", "Collector", "Compiled", "DurableEngine", "DurableHost", "EngineFailure", "FACT_TYPES",
    "MAX_NUMBER", "MAX_OPEN_STATES", "MAX_RULES_PER_RULESET", "MAX_SUBSTRING_HAYSTACK", "MAX_TERMS_PER_CONDITION",
    "NO_BOUND", "RuleState", "SubjectInput", "compile_policy", "dumps", "durable_available",
    "durable_unavailable_message", "encode_operand", "evaluate_all", "fnv1_32", "formula_json", "make_result", "memo_derived",
    "paths", "signature", "subject_inputs", "terms",
]
