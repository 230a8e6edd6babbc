"""The only door to durable-rules: compiling a rulebook into rulesets and running assessments.

Follows the design in ``docs/durable-rules.md``, which lists the measured traps it defends against:

- every rule is compiled from its disjunctive normal form: one durable rule per alternative
  ("conjunct"), named ``<rule id>#<k>`` (``<rule id>/<element>#<k>`` for a rule's element, whose
  condition is put in normal form on its own, so that what fired names the element not in place),
  each testing the discriminator ``kind == answers`` so that nothing can match the engine's own
  session-state fact;
- conjuncts are packed into rulesets of at most 60, which keeps a fact under the C core's limit
  of 64 pending alpha tests;
- field names and compared values are checked for 32-bit FNV-1a hash collisions, the only
  identity the C core knows;
- the C functions that durable's Host calls are driven directly: no Host, so no background timer
  threads, and no Python actions whose exceptions durable would swallow;
- one fixed session; an assessment asserts one fact per ruleset, collects what fired, and retracts
  it. A lock serialises assessments; after any failure the rulesets are rebuilt;
- a rule or observation without a condition (addressed to all Parties) holds for every answer set:
  it is not given to durable-rules, whose firing would only return a fact nobody reads, but added to
  every assessment's firings (``always``). Only conditions are decided by durable-rules;
- each ruleset's fact is written by a function generated once per rulebook (``encoder``), which
  writes the same text as ``encode`` without walking the plan on every assessment;
- answer values reach the engine as short codes (``value_codes``: ``not_provided`` is one letter), in
  the facts and in the rules alike: every firing returns its fact, and durable-rules parses and
  hashes every value of it, so short facts keep each firing cheap.
"""

from __future__ import annotations

import itertools
import json
import string
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import durable_rules_engine as core

from selfcheck.engine.answers.questionnaire import NOT_PROVIDED, VARIES, Questionnaire
from selfcheck.engine.common.errors import EngineError, InputError, RulebookError
from selfcheck.engine.rules.conditions import Atom, Choice, Compare, domain
from selfcheck.engine.rules.rulebook import Rulebook

MAX_CONJUNCTS_PER_RULESET = 60
MAX_FIELDS_PER_FACT = 240  # the C core refuses facts with more than 252 properties
DISCRIMINATOR = {"kind": "answers"}
SESSION = "selfcheck"
FACT_ID = "answers"
RESERVED_FIELDS = ("kind", "id", "sid", "$s")
_COMPARATORS = {"below": "$lt", "at_most": "$lte", "above": "$gt", "at_least": "$gte"}
_RESULT_NOT_HANDLED, _RESULT_OBSERVED = 1, 2
ONE_VALUE = ("tri_state", "one_of")  # the question types whose answer is one of its choices
_generation = itertools.count()


def fnv1a_32(text: str) -> int:
    """The hash durable-rules identifies field names and string values by (ASCII input)."""
    value = 0x811C9DC5
    for byte in text.encode("ascii"):
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


def field_name(questionnaire: Questionnaire, question_id: str, option: str | None = None) -> str:
    """A short field name: every firing returns its fact as JSON, so long names cost time. The
    question's index in upper-case letters and digits (A, B, ..., 9, BA, ...), then for one option of
    a list question that option's index in lower-case letters; never a reserved name (kind, id ...)."""
    name = _digits(questionnaire.index(question_id), _QUESTION_DIGITS)
    return name + _digits(questionnaire.questions[question_id].option_values.index(option), _OPTION_DIGITS) if option else name


_QUESTION_DIGITS = string.ascii_uppercase + string.digits
_OPTION_DIGITS = string.ascii_lowercase


def _digits(number: int, alphabet: str) -> str:
    higher, last = divmod(number, len(alphabet))
    return (_digits(higher, alphabet) if higher else "") + alphabet[last]


@dataclass(frozen=True)
class RulesetPlan:
    """One durable ruleset: its definition and the answer fields its fact must carry."""

    definition: dict
    fields: tuple[tuple[str, str, str | None, str], ...]  # (field name, question id, list option, question type)
    draft: bool
    codes: dict[str, str] = dataclass_field(default_factory=dict)  # answer value -> its code in facts and rules (value_codes)


@dataclass(frozen=True)
class CompiledRulebook:
    plans: tuple[RulesetPlan, ...]  # the conditions, decided by durable-rules
    conjuncts: dict[str, tuple[str, tuple[Atom, ...]]]  # conjunct name -> (rule or observation id, atoms)
    elements: dict[str, str]  # conjunct name -> the element of its rule it belongs to (rules with elements only)
    always: tuple[tuple[str, bool], ...] = ()  # (conjunct name, draft) of the items without a condition: they hold for any answers


def compile_rulebook(rulebook: Rulebook) -> CompiledRulebook:
    """Translate every rule and observation (drafts packed apart) into durable-rules definitions; RulebookError if unsafe."""
    problems: list[InputError] = []
    conjuncts: dict[str, tuple[str, tuple[Atom, ...]]] = {}
    elements: dict[str, str] = {}
    plans = []
    always = []
    codes = value_codes(rulebook.questionnaire)
    for draft in (False, True):
        batch: dict[str, dict] = {}
        for rule in (r for r in rulebook.rules + rulebook.observations if r.only_with_drafts == draft):
            if rule.condition is None:  # one alternative, with no atom: holds for every answer set
                for alternative in rule.alternatives:
                    conjuncts[alternative.name] = (rule.id, alternative.atoms)
                    always.append((alternative.name, draft))
                continue
            if len(rule.conjuncts) > MAX_CONJUNCTS_PER_RULESET:
                problems.append(
                    rule.error(f"{rule.id}: the condition has {len(rule.conjuncts)} alternatives; at most {MAX_CONJUNCTS_PER_RULESET} fit one ruleset")
                )
                continue
            if len(batch) + len(rule.conjuncts) > MAX_CONJUNCTS_PER_RULESET:
                plans.append(_plan(batch, conjuncts, rulebook.questionnaire, draft, codes))
                batch = {}
            for alternative in rule.alternatives:
                name, atoms = alternative.name, alternative.atoms
                conjuncts[name] = (rule.id, atoms)
                if alternative.element is not None:
                    elements[name] = alternative.element
                batch[name] = {"all": [{"m": {"$and": [DISCRIMINATOR] + [t for a in atoms for t in _tests(a, rulebook.questionnaire, codes)]}}]}
        if batch:
            plans.append(_plan(batch, conjuncts, rulebook.questionnaire, draft, codes))
    problems += _hash_problems(rulebook, plans, codes)
    problems += [
        InputError(rulebook.meta.round, f"a ruleset reads {len(plan.fields)} fields; at most {MAX_FIELDS_PER_FACT} fit one fact")
        for plan in plans
        if len(plan.fields) > MAX_FIELDS_PER_FACT
    ]
    if problems:
        raise RulebookError(problems)
    return CompiledRulebook(tuple(plans), conjuncts, elements, tuple(always))


def value_codes(questionnaire: Questionnaire) -> dict[str, str]:
    """A short code for every answer value a fact can hold (not provided, yes, no, varies, every choice), one
    or two letters, the most frequent values first."""
    values = [NOT_PROVIDED, "yes", "no", VARIES]
    for question in questionnaire.questions.values():
        values += question.accepted if question.type in ONE_VALUE else question.option_values
    letters = string.ascii_letters
    names = itertools.chain(letters, (a + b for a in letters for b in letters))
    return dict(zip(dict.fromkeys(values), names, strict=False))


def _tests(atom: Atom, questionnaire: Questionnaire, codes: dict[str, str]) -> list[dict]:
    if isinstance(atom, Choice):
        field = field_name(questionnaire, atom.question, atom.option)
        if len(atom.allowed) == 1:
            return [{field: codes[next(iter(atom.allowed))]}]
        return [{"$neq": {field: codes[value]}} for value in sorted(domain(atom, questionnaire) - atom.allowed)]
    field = field_name(questionnaire, atom.question)
    if isinstance(atom, Compare):
        return [{_COMPARATORS[atom.op]: {field: atom.number}}]
    return [{"$nex" if atom.missing else "$ex": {field: 1}}]


def _plan(batch: dict, conjuncts: dict, questionnaire: Questionnaire, draft: bool, codes: dict[str, str]) -> RulesetPlan:
    fields = {}
    for name in batch:
        for atom in conjuncts[name][1]:
            option = atom.option if isinstance(atom, Choice) else None
            fields[field_name(questionnaire, atom.question, option)] = (atom.question, option, questionnaire.questions[atom.question].type)
    return RulesetPlan(dict(batch), tuple((f, *rest) for f, rest in sorted(fields.items())), draft, codes)


def hash_collisions(names: set[str]) -> list[tuple[str, str]]:
    """Pairs of names the C core would take for one, since it knows them only by 32-bit hash."""
    seen: dict[int, str] = {}
    pairs = []
    for name in sorted(names):
        other = seen.setdefault(fnv1a_32(name), name)
        if other != name:
            pairs.append((other, name))
    return pairs


def _hash_problems(rulebook: Rulebook, plans: list[RulesetPlan], codes: dict[str, str]) -> list[InputError]:
    names = set(RESERVED_FIELDS) | {entry[0] for plan in plans for entry in plan.fields}
    values = {DISCRIMINATOR["kind"], *codes.values()}
    return [
        InputError(rulebook.meta.round, f"the {kind} {first!r} and {second!r} share a 32-bit hash in durable-rules; rename one")
        for kind, group in (("field names", names), ("answer values", values))
        for first, second in hash_collisions(group)
    ]


_FACT_HEAD = json.dumps({"sid": SESSION, "id": FACT_ID, **DISCRIMINATOR}, separators=(",", ":"))[:-1]


def encode(plan: RulesetPlan, answer_of: Callable[[str], Any]) -> str:
    """The JSON fact for one ruleset: only the fields it reads, plus the discriminator.

    A list answer becomes one yes/no flag per option; an integer not provided is left out, since
    durable-rules would compare the text "not_provided" with numbers. A free text is only ever
    tested for presence, so it is present as a flag and its words never reach the engine. Other
    answers were validated, so each is one of its question's choices, written as its code; any other
    value is refused (ValueError).
    """
    codes = plan.codes
    parts = [_FACT_HEAD]
    for field, question_id, option, kind in plan.fields:
        answer = answer_of(question_id)
        if option is not None:
            parts.append(f',"{field}":"{codes[NOT_PROVIDED if answer == NOT_PROVIDED else "yes" if option in answer else "no"]}"')
        elif kind in ("integer", "text"):
            if answer != NOT_PROVIDED:
                parts.append(f',"{field}":{1 if kind == "text" else _integer(answer, question_id)}')
        elif isinstance(answer, str) and answer in codes:
            parts.append(f',"{field}":"{codes[answer]}"')
        else:
            raise ValueError(f"unexpected answer {answer!r} to {question_id}")
    parts.append("}")
    return "".join(parts)


def _integer(answer: Any, question_id: str) -> int:
    try:
        return int(answer)
    except (TypeError, ValueError):
        raise ValueError(f"unexpected answer {answer!r} to {question_id}") from None


def encoder(plan: RulesetPlan) -> Callable[[Callable[[str, Any], Any]], str]:
    """A function writing ``encode(plan, answer_of)`` from ``get(question, default)`` (a mapping's
    ``get``, called in C), generated once per ruleset: one call of ``get`` per question, one formatting
    of the whole fact. Any value ``encode`` refuses is refused the same way."""
    codes = plan.codes
    lines = ["def encode(get):"]
    variables: dict[str, str] = {}
    template, arguments = [_FACT_HEAD], []  # the head holds no "%"
    for field, question_id, option, kind in plan.fields:
        if question_id not in variables:
            variables[question_id] = f"v{len(variables)}"
            lines.append(f"    {variables[question_id]} = get({question_id!r}, NP)")
        value = variables[question_id]
        if option is not None:
            template.append(f',"{field}":"%s"')
            arguments.append(f"({codes[NOT_PROVIDED]!r} if {value} == NP else {codes['yes']!r} if {option!r} in {value} else {codes['no']!r})")
        elif kind in ("integer", "text"):
            template.append("%s")
            present = "'1'" if kind == "text" else f"str(int({value}))"
            arguments.append(f"""('' if {value} == NP else ',"{field}":' + {present})""")
        else:
            template.append(f',"{field}":"%s"')
            arguments.append(f"CODES[{value}]")
    template.append("}")
    lines += [
        "    try:",
        f"        return {''.join(template)!r} % ({', '.join(arguments)},)" if arguments else f"        return {''.join(template)!r}",
        "    except (KeyError, TypeError, ValueError):",
        "        return ENCODE(PLAN, lambda question: get(question, NP))  # raises, naming the answer",
    ]
    namespace: dict[str, Any] = {"NP": NOT_PROVIDED, "CODES": codes, "ENCODE": encode, "PLAN": plan}
    exec("\n".join(lines), namespace)  # the source is built above from the plan's own field names, question ids and codes
    return namespace["encode"]


class DurableEngine:
    """The compiled rulebook loaded into durable-rules, used by one assessment at a time."""

    def __init__(self, compiled: CompiledRulebook):
        self.compiled = compiled
        self._lock = threading.Lock()
        self._handles: list[int] = []
        self._encoders = [encoder(plan) for plan in compiled.plans]
        self._always = {draft: [name for name, of_drafts in compiled.always if of_drafts == draft] for draft in (False, True)}
        self._build()

    def _build(self) -> None:
        generation = next(_generation)
        self._handles = [core.create_ruleset(f"selfcheck-{generation}-{index}", json.dumps(plan.definition)) for index, plan in enumerate(self.compiled.plans)]

    def _rebuild(self) -> None:
        for handle in self._handles:
            try:
                core.delete_ruleset(handle)
            except Exception:  # a broken ruleset is dropped either way
                pass
        self._build()

    def facts_held(self) -> int:
        """Facts left in the session between assessments; anything but 0 would leak answers."""
        with self._lock:
            return sum(self._facts_in(handle) for handle in self._handles)

    @staticmethod
    def _facts_in(handle: int) -> int:
        try:
            return len(json.loads(core.get_facts(handle, SESSION)))
        except core.error as error:
            if "error code: 309" in str(error):  # no session yet: nothing was ever asserted there
                return 0
            raise

    def fired(self, answer_of: Callable[[str], Any], include_draft: bool = False) -> list[str]:
        """Names of the conjuncts that fired for these answers, in firing order."""
        return self.fired_by(lambda question, default: answer_of(question), include_draft)

    def fired_for(self, values: Mapping[str, Any], include_draft: bool = False) -> list[str]:
        """``fired`` for answers given as a mapping, any question missing from it not provided."""
        return self.fired_by(values.get, include_draft)

    def fired_by(self, get: Callable[[str, Any], Any], include_draft: bool) -> list[str]:
        """``fired`` for answers read by ``get(question, default)``."""
        with self._lock:
            try:
                names: list[str] = []
                for draft in (False, True) if include_draft else (False,):
                    names += self._always[draft]
                    for handle, plan, encoded in zip(self._handles, self.compiled.plans, self._encoders, strict=True):
                        if plan.draft == draft:
                            names += self._run(handle, encoded(get))
                return names
            except Exception as error:
                self._rebuild()
                raise EngineError(f"durable-rules failed during an assessment ({error}); the engine was rebuilt") from error

    @staticmethod
    def _run(handle: int, fact: str) -> list[str]:
        result, state = core.assert_fact(handle, fact)
        if result == _RESULT_NOT_HANDLED:
            return []
        if result == _RESULT_OBSERVED:
            raise RuntimeError("a previous assessment's fact was still in the session")
        names = []
        # durable-rules answers 0 only for a fact some rule matched: an action is pending
        message = core.start_action_for_state(handle, state)[1]
        while message:
            # the message is {"<conjunct name>": {...}}; names never contain quotes
            names.append(message[2 : message.index('"', 2)])
            message = core.complete_and_start_action(handle, state)
        core.retract_fact(handle, fact)
        return names
