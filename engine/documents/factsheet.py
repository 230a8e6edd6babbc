"""The factsheet as a neutral document: what the Committee would publish for these answers.

``build_factsheet`` follows the layout (``engine.documents.layout``) chapter by chapter and prints the
observations that hold and the recommendations durable-rules fired, in the Committee's words,
numbering footnotes in reading order. Renderers (Markdown, HTML, Word) only decide how it looks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from selfcheck.engine.answers.answer_file import Answers
from selfcheck.engine.answers.in_force import factsheet_sentence
from selfcheck.engine.answers.questionnaire import Question
from selfcheck.engine.assessment.assess import Assessment, Provenance, observation_text
from selfcheck.engine.documents.layout import (
    ChapterLayout,
    ChapterPart,
    Entry,
    FreeText,
    IntroductionBullets,
    IntroductionHeading,
    IntroductionText,
    Layout,
    Observe,
    Recommend,
    Section,
    Statement,
    default_chapter,
)
from selfcheck.engine.rules.conditions import Condition, holds, tests_in
from selfcheck.engine.rules.markup import PARTY, Cite, clean, fill, footnotes_in, runs
from selfcheck.engine.rules.rulebook import Rule, Rulebook

# An answer's source that names report paragraphs ("Para. 330", "Paras. 295, 296 - ...").
SOURCE_PARAS = re.compile(r"^Paras?\.\s*(\d+(?:\s*,\s*\d+)*)")


@dataclass
class Text:
    text: str
    style: str = ""  # "", "strong" or "em"


@dataclass
class Ref:
    number: int


Inline = Text | Ref


@dataclass
class Heading:
    level: int  # 2 for a chapter, 3 for its parts, 4 for a section within a part
    runs: list[Inline]
    anchor: str = ""
    role: str = "heading"


@dataclass
class Paragraph:
    runs: list[Inline]
    role: str  # text, observation, lead, recommendation, practice or difficulty
    observed: tuple[str, ...] = ()  # for observations: the ids printed in it, in order


@dataclass
class Item:
    """A bullet: its words, the sub-bullets of the same sentence (parts), and bullets nested under it."""

    runs: list[Inline]
    role: str
    parts: list[list[Inline]] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)


@dataclass
class Bullets:
    items: list[Item]


Block = Heading | Paragraph | Bullets


@dataclass
class Footnote:
    number: int
    runs: list[Inline]
    cite: Cite


@dataclass
class Part:
    """The introduction or a chapter: its heading, its blocks, and the footnotes they call."""

    anchor: str
    heading: Heading
    blocks: list[Block]
    footnotes: list[Footnote]


@dataclass
class Factsheet:
    party: str
    language: str
    notice: str  # a national self-assessment, not the Committee's finding: printed first, outside ``parts``
    running_header: str  # the same, short, on every page where a format has pages
    title: str
    report_title: str
    round_title: str
    last_update: str | None
    contents: str
    parts: list[Part]
    annex: Part | None  # selfcheck's own account of what rests on inference; never the Committee's words
    provenance_runs: list[Inline]
    provenance: Provenance

    @property
    def sections(self) -> list[Part]:
        """What a renderer prints: the Committee's parts, then selfcheck's annex if there is one."""
        return self.parts + ([self.annex] if self.annex else [])

    @property
    def footnotes(self) -> list[Footnote]:
        return [footnote for part in self.sections for footnote in part.footnotes]


def build_factsheet(assessment: Assessment, answers: Answers, rulebook: Rulebook, layout: Layout) -> Factsheet:
    return _Builder(assessment, answers, rulebook, layout).factsheet()


class _Builder:
    def __init__(self, assessment: Assessment, answers: Answers, rulebook: Rulebook, layout: Layout):
        self.assessment, self.answers, self.rulebook, self.layout = assessment, answers, rulebook, layout
        self.words = layout.document
        self.fired = {finding.id: finding for finding in assessment.recommendations}
        self.observed = {observation.id: observation for observation in assessment.observations}
        self.vocabulary = rulebook.vocabulary
        self.block = self.vocabulary.party_block  # the part of a chapter being printed: only what is printed there is fired there
        self.footnotes: list[Footnote] = []
        self.number = 0

    # -- text -------------------------------------------------------------------------------------

    def runs(self, template: str, **values: str) -> list[Inline]:
        """A text of the rulebook or the layout, placeholders filled, as runs with numbered footnotes."""
        party = self.answers.party

        def value_of(name: str) -> str | None:
            if name == PARTY:
                return party
            if name == "PARTY":
                return party.upper()
            return values.get(name)

        return self._numbered(clean(fill(template, value_of)))

    def _numbered(self, text: str) -> list[Inline]:
        result: list[Inline] = []
        for run in runs(text, self.vocabulary):
            if run.cite is None:
                result.append(Text(run.text, run.style))
                continue
            self.number += 1
            self.footnotes.append(Footnote(self.number, self._footnote_runs(run.cite), run.cite))
            result.append(Ref(self.number))
        return result

    def _footnote_runs(self, cite: Cite) -> list[Inline]:
        words = self.words.footnotes
        if cite.kind == "note":
            return [Text(run.text, run.style) for run in runs(cite.source, self.vocabulary)]
        one, many = (words.paragraph, words.paragraphs) if cite.kind == "paras" else (words.recommendation, words.recommendations)
        template = one if len(cite.items) == 1 else many
        return [Text(template.replace("{items}", ", ".join(map(str, cite.items))).replace("{recommendation}", self.vocabulary.recommendation))]

    # -- the document ------------------------------------------------------------------------------

    def factsheet(self) -> Factsheet:
        as_of = self.answers.as_of.strftime(self.words.date_format) if self.answers.as_of else None
        parts = [self.introduction()]
        for entry in self.rulebook.meta.chapters:
            chapter = self.layout.chapters.get(entry.chapter) or default_chapter(entry.chapter, self.words, entry.title, self.vocabulary)
            parts.append(self.chapter(chapter, entry.title))
        provenance = self.assessment.provenance
        amended = self.words.amended.replace("{bills}", "; ".join(provenance.amendments)) if provenance.amendments else ""
        provenance_runs = self.runs(
            self.words.provenance,
            as_of=as_of or self.words.undated,
            amended=amended,
            questionnaire_version=provenance.questionnaire_version,
            round=provenance.round,
            report=provenance.report,
            rulebook_sha256=provenance.rulebook_sha256,
        )
        if provenance.law_as_of:  # the bills' own words, never read as markup
            provenance_runs.append(Text(" " + factsheet_sentence(provenance.law_as_of, provenance.amendments_not_in_force)))
        annex = self.annex()
        return Factsheet(
            party=self.answers.party,
            language=self.words.language,
            notice=plain_text(self.runs(self.words.notice)),
            running_header=plain_text(self.runs(self.words.running_header)),
            title=plain_text(self.runs(self.words.title)),
            report_title=self.words.report_title,
            round_title=self.rulebook.meta.title,
            last_update=plain_text(self.runs(self.words.last_update, as_of=as_of)) if as_of else None,
            contents=self.words.contents,
            parts=parts,
            annex=annex,
            provenance_runs=provenance_runs,
            provenance=provenance,
        )

    def _part(self, anchor: str, heading: str, build: Callable[[], list[Block]]) -> Part:
        first = len(self.footnotes)
        title = Heading(2, self.runs(heading), anchor)
        blocks = build()
        return Part(anchor, title, blocks, self.footnotes[first:])

    def introduction(self) -> Part:
        spec = self.words.introduction

        def blocks() -> list[Block]:
            result: list[Block] = []
            for index, entry in enumerate(spec.content):
                if isinstance(entry, str):
                    result.append(Paragraph(self.runs(entry), "text"))
                elif isinstance(entry, IntroductionText):
                    if holds(self.layout.introduction_when[index], self.answers.value):
                        result.append(Paragraph(self.runs(entry.text), "text"))
                elif isinstance(entry, IntroductionHeading):
                    result.append(Heading(3, self.runs(entry.heading)))
                elif isinstance(entry, IntroductionBullets):
                    result.append(Bullets([Item(self.runs(text), "text") for text in entry.bullets]))
                else:
                    items = [Item(self.runs(entry.levels[level.name], meaning=level.meaning), "text") for level in self.vocabulary.levels]
                    result.append(Bullets(items))
            return result

        return self._part("introduction", spec.heading, blocks)

    def chapter(self, layout: ChapterLayout, title: str) -> Part:
        heading = self.words.chapter_heading.replace("{chapter}", layout.chapter).replace("{title}", title)

        def blocks() -> list[Block]:
            result: list[Block] = [Paragraph(self.runs(text), "text") for text in layout.introduction]
            laid_out = {part.block: part for part in layout.parts}
            for block in self.vocabulary.block_names:
                part = laid_out.get(block) or ChapterPart(block, self.words.headings.part(block, title, self.vocabulary), ())
                self.block = block
                printed = self.unplaced_observations(layout) if block == self.vocabulary.party_block else []
                printed += self.content(part.content)
                printed += self.unplaced_recommendations(layout, block)
                printed += self.own_obligations(layout.chapter, block)
                if printed:
                    result += [Heading(3, self.runs(part.heading))] + printed
            for spec, kind in ((layout.difficulties, "difficulties"), (layout.practices, "practices")):
                if spec is not None:
                    result += self.free_text(spec, kind)
            return result

        return self._part(f"chapter-{layout.chapter.lower()}", heading, blocks)

    # -- blocks -------------------------------------------------------------------------------------

    def content(self, blocks: tuple) -> list[Block]:
        printed: list[Block] = []
        previous: Block | None = None  # what the block before printed last, for a run-in lead
        for block in blocks:
            made = getattr(self, type(block).__name__.lower())(block, previous)
            previous = made[-1] if made else None
            for item in made:
                if isinstance(item, Bullets) and printed and isinstance(printed[-1], Bullets):
                    printed[-1].items += item.items  # one list, as printed
                else:
                    printed.append(item)
        return printed

    def section(self, section: Section, previous: Block | None) -> list[Block]:
        printed = self.content(section.content)
        return [Heading(4, self.runs(section.heading))] + printed if printed else []

    def observe(self, block: Observe, previous: Block | None) -> list[Block]:
        ids = [i for i in block.ids if i in self.observed]
        holding = [self.observation_runs(i) for i in ids]
        if not holding:
            return []
        if block.drafted_lead and all(self.observed[i].draft for i in ids):
            block = replace(block, lead=block.drafted_lead)
        if block.bullets:
            if block.lead is None:  # the layout refuses bullets without one
                raise ValueError("observations printed as bullets need a lead")
            return [Paragraph(self.runs(block.lead), "observation"), Bullets([Item(r, "observation") for r in holding])]
        joined: list[Inline] = []
        for observation in holding:
            joined += ([Text(" ")] if joined else []) + observation
        if block.lead:
            joined = self.runs(block.lead) + [Text(" ")] + joined
        return [Paragraph(joined, "observation", tuple(ids))]

    def observation_runs(self, observation_id: str) -> list[Inline]:
        observation = self.rulebook.observation_by_id[observation_id]
        text = (self.words.drafted_observation if observation.draft else "") + observation_text(observation, self.answers)
        placed = {n for cite in footnotes_in(observation.text, self.vocabulary) if cite.kind == "paras" for n in cite.items}
        missing = [n for n in observation.cites.get(self.vocabulary.paragraphs or "", []) if n not in placed]
        if missing:  # report paragraphs the text does not place are cited at its end
            text += "[^" + ", ".join(map(str, missing)) + "]"
        return self._numbered(text)

    def recommend(self, block: Recommend, previous: Block | None) -> list[Block]:
        units = [unit for entry in block.entries for unit in self.units(entry)]
        if not units:
            return []
        items = []
        for index, (text, rules, parts, own) in enumerate(units):
            mark = block.punctuation[0] if index < len(units) - 1 else block.punctuation[1]
            level = rules[0].level
            body = fill(block.each, lambda name: {"text": text, "verb": self.vocabulary.verb(level)}.get(name))
            items.append(self.item(body, rules, parts, mark, own))
        if block.nested:
            if block.lead is None:  # the layout refuses nesting without one
                raise ValueError("nested recommendations need a lead to nest under")
            return [Bullets([Item(self.runs(block.lead), "lead", children=items)])]
        printed: list[Block] = [Bullets(items)]
        if block.run_in and isinstance(previous, Paragraph) and _continues(previous, block.run_in_after):
            previous.runs += [Text(" ")] + self.runs(block.run_in)
        elif block.lead:
            printed.insert(0, Paragraph(self.runs(block.lead), "lead"))
        return printed

    def printed_here(self, rule_id: str) -> bool:
        """Fired, and printed in the part being built (a recommendation to all Parties may move)."""
        return rule_id in self.fired and self.fired[rule_id].block == self.block

    def units(self, entry: Entry) -> list[tuple[str, list[Rule], tuple[str, ...], bool]]:
        """What an entry prints: its wording when all its ids fired, else each fired id's own text."""
        rules = [self.rulebook.by_id[i] for i in entry.ids if self.printed_here(i)]
        if not rules:
            return []
        if len(rules) == len(entry.ids) and entry.wording is not None:
            return [(entry.wording, rules, entry.items, False)]
        return [(rule.text, [rule], (), True) for rule in rules]

    def item(self, body: str, rules: list[Rule], parts: tuple[str, ...], mark: str, own: bool) -> Item:
        """A recommendation bullet: its words, then the mark, the notes and the footnote citing it.

        ``own``: the body is the rules' own text, so their notes go with it (a merged wording
        places its notes itself).
        """
        texts = [body, *parts]
        cited = any(cite.kind == "recommendations" for cite in footnotes_in(" ".join(texts), self.vocabulary))
        if not cited:
            notes = "".join(f"[^{rule.note}]" for rule in rules if rule.note and own)
            ending = "" if texts[-1].rstrip().endswith((".", "!", "?")) else mark
            texts[-1] = texts[-1].rstrip() + ending + notes + "[^" + ", ".join(rule.id for rule in rules) + "]"
        draft = self.words.draft if any(rule.draft for rule in rules) else ""
        runs_ = self.runs(draft + texts[0])
        return Item(runs_, "recommendation", parts=[self.runs(part) for part in texts[1:]])

    def statement(self, block: Statement, previous: Block | None) -> list[Block]:
        fired = [i for i in block.ids if self.printed_here(i)]
        if not fired:
            return []
        if len(fired) == len(block.ids):
            made = [(self.runs(block.wording), [self.runs(part) for part in block.items])]
        else:  # part of a merged sentence: each fired recommendation on its own
            made = []
            for rule in (self.rulebook.by_id[i] for i in fired):
                template = self.vocabulary.block(self.block).statement
                body = fill(template, lambda name: {"text": rule.text, "verb": self.vocabulary.verb(rule.level)}.get(name))
                item = self.item(body, [rule], (), ".", own=True)
                made.append((item.runs, item.parts))
        if block.bullet:
            return [Bullets([Item(r, "recommendation", parts=p) for r, p in made])]
        return [Paragraph(r + [inline for part in p for inline in [Text(" ")] + part], "recommendation") for r, p in made]

    def unplaced_observations(self, layout: ChapterLayout) -> list[Block]:
        """Observations a layout does not place (a chapter without a layout file): one paragraph each."""
        return [
            Paragraph(self.observation_runs(observation.id), "observation")
            for observation in self.rulebook.observations
            if observation.chapter == layout.chapter and observation.id in self.observed and observation.id not in layout.observed
        ]

    def unplaced_recommendations(self, layout: ChapterLayout, block: str) -> list[Block]:
        """Fired recommendations a layout does not place (drafts, or no layout): by level, in number order."""
        printed: list[Block] = []
        for level in self.vocabulary.level_names:
            rules = [
                self.rulebook.by_id[finding.id]
                for finding in self.assessment.recommendations
                if finding.chapter == layout.chapter
                and finding.block == block
                and finding.level == level
                and finding.id not in layout.placed_in(block)
                and not finding.own
            ]
            if rules:
                lead = self.vocabulary.block(block).lead.replace("{verb}", self.vocabulary.verb(level))
                printed += [Paragraph(self.runs(lead), "lead"), Bullets([self.item(rule.text, [rule], (), ".", own=True) for rule in rules])]
        return printed

    def own_obligations(self, chapter: str, block: str) -> list[Block]:
        """selfcheck's own obligations that fire, after the Committee's words, in selfcheck's voice; a note names each."""
        own = [f for f in self.assessment.recommendations if f.own and f.chapter == chapter and f.block == block]
        if not own:
            return []
        items = [Item(self.runs(f"{f.text}.[^{f.id}: {self.words.annex.heading}.]"), "own") for f in own]
        return [Paragraph(self.runs(self.words.own), "own"), Bullets(items)]

    def free_text(self, spec: FreeText, kind: str) -> list[Block]:
        """A Party's promising practices or difficulties, as it wrote them; its source's paragraphs cited.

        Words quoted from a published factsheet are the Committee's and print as the Committee
        printed them; words the Party wrote print as the Party's, never in the Committee's voice.
        """
        answer = self.answers.value(spec.answer)
        if not isinstance(answer, str) or answer == "not_provided":
            return []
        paragraphs = [line.strip() for line in answer.splitlines() if line.strip()]
        source = SOURCE_PARAS.match(self.answers.sources.get(spec.answer, ""))
        if source:
            paragraphs[-1] += f"[^{source.group(1)}]"
        committee = spec.answer in self.answers.quotes
        if not committee:
            voice = self.words.party_voice
            if kind == "difficulties":
                title = self.runs(self.words.headings.difficulties)
                return [Heading(3, title), *[Paragraph(self.runs(voice.difficulty, text=p), "difficulty") for p in paragraphs]]
            return [Heading(3, self.runs(voice.practices)), *[Paragraph(self._numbered(clean(p)), "practice") for p in paragraphs]]
        heading = spec.heading or getattr(self.words.headings, kind)
        printed: list[Block] = [Heading(3, self.runs(heading))]
        if spec.lead:
            printed.append(Paragraph(self.runs(spec.lead), "lead"))
        if kind == "difficulties":
            return printed + [Paragraph(self.runs(self.words.difficulty, text=p), "difficulty") for p in paragraphs]
        return printed + [Paragraph(self._numbered(clean(p)), "practice") for p in paragraphs]

    # -- selfcheck's own account ---------------------------------------------------------------------

    def annex(self) -> Part | None:
        """After the chapters: which recommendations rest on inference, which the answers leave open, and which words are selfcheck's."""
        words = self.words.annex
        findings = self.assessment.recommendations
        argument = lambda f: self.rulebook.by_id[f.id].argument  # noqa: E731
        listed = lambda chosen, why: [(f.id, f.level, why(f)) for f in chosen]  # noqa: E731
        groups = (
            (words.own, listed([f for f in findings if f.own], argument)),
            (words.inferred, listed([f for f in findings if f.basis == "inferred" and not f.draft and not f.own], argument)),
            (words.elements, listed([f for f in findings if f.unmet], self.unmet_words)),
            (words.no_information, listed([f for f in findings if f.applies_because == "no_information"], lambda f: f.no_information.because)),
            (words.undetermined, self.undetermined_items()),
            (words.reserved, [(r.recommendation, self.rulebook.by_id[r.recommendation].level, r.words) for r in self.assessment.reserved]),
            (words.draft, listed([f for f in findings if f.draft], argument)),
        )
        drafted = [o for o in self.assessment.observations if o.draft]
        if not any(chosen for _, chosen in groups) and not drafted:
            return None
        first = len(self.footnotes)
        blocks: list[Block] = [Paragraph(self.runs(words.about), "annex")]
        for lead, chosen in groups:
            if chosen:
                items = [Item(self.runs(words.item, id=id_, level=level, why=why), "annex") for id_, level, why in chosen]
                blocks += [Paragraph(self.runs(lead), "annex"), Bullets(items)]
        if drafted:
            items = [Item([Text(f"{o.id}: {o.text}")], "annex") for o in drafted]
            blocks += [Paragraph(self.runs(words.drafted), "annex"), Bullets(items)]
        return Part("annex", Heading(2, self.runs(words.heading), "annex"), blocks, self.footnotes[first:])

    def undetermined_items(self) -> list[tuple[str, str, str]]:
        """The recommendations the answers leave open, one item each: what would be missing, and the questions unanswered."""
        by_rule: dict[str, list] = {}
        for item in self.assessment.undetermined:
            by_rule.setdefault(item.recommendation, []).append(item)
        items = []
        for rule_id, open_ in by_rule.items():
            rule = self.rulebook.by_id[rule_id]
            said = []
            for item in open_:
                condition = rule.condition if item.element is None else rule.element(item.element).condition
                asked = self.asked_in(condition, only=item.questions)
                said.append(f"{item.missing} ({asked})" if item.missing else asked)
            items.append((rule_id, open_[0].level, "; ".join(said)))
        return items

    def unmet_words(self, finding) -> str:
        """The elements not in place, in people's words: what is missing, the question's words and the answer."""
        rule = self.rulebook.by_id[finding.id]
        return "; ".join(f"{unmet.missing} ({self.asked_in(rule.element(unmet.element).condition)})" for unmet in finding.unmet)

    def asked_in(self, condition: Condition | None, only: list[str] | None = None) -> str:
        """The questions a condition reads (those numbered in ``only``, if given), each in its words with the answer given."""
        questionnaire = self.rulebook.questionnaire
        read = [questionnaire.questions[q] for q in dict.fromkeys(test.question for test in tests_in(condition))]
        return "; ".join(self.asked_words(question) for question in read if only is None or question.number in only)

    def asked_words(self, question: Question) -> str:
        values = {"question": question.prompt, "answer": question.in_words(self.answers.value(question.id))}
        return fill(self.words.annex.element, values.get)


def _continues(previous: Paragraph, run_in_after: tuple[str, ...]) -> bool:
    """A run-in ("Therefore, ...") continues observations, and only those the recommendations follow from where the layout names them."""
    if previous.role != "observation":
        return False
    return not run_in_after or (bool(previous.observed) and previous.observed[-1] in run_in_after)


def plain_text(inlines: list[Inline]) -> str:
    """The words of some runs, footnote calls left out."""
    return "".join(inline.text for inline in inlines if isinstance(inline, Text))
