"""What is each person's to do in a file, in the order they should do it (the GOV.UK task list):
a contributor's own chapters, a returned one and its comment first; a reviewer's chapters waiting
for review first; for the coordinator, every chapter and who it waits on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from selfcheck.engine.team.accounts import User
from selfcheck.web.auth import Person

# The tags of the task list: words, and the class that colours them.
TAGS = {
    "returned": ("Returned", "red"),
    "to_answer": ("Not started", "grey"),
    "answering": ("In progress", "blue"),
    "to_review": ("Ready for review", "yellow"),
    "waiting": ("Waiting for review", "yellow"),
    "approved": ("Approved", "green"),
}
ORDER = ("returned", "to_review", "answering", "to_answer", "waiting", "approved")


@dataclass
class Task:
    chapter: str
    title: str
    state: str  # a key of TAGS
    hint: str  # what to do, or who it waits on, in words
    comment: str = ""  # a returned chapter's comment, quoted
    answered: int = 0
    total: int = 0

    @property
    def tag(self) -> str:
        return TAGS[self.state][0]

    @property
    def colour(self) -> str:
        return TAGS[self.state][1]


@dataclass
class ToDo:
    heading: str
    summary: str
    tasks: list[Task]


def to_do(person: Person, chapters: list[dict[str, Any]], users: list[User]) -> ToDo:
    """The person's to-do over ``chapters`` (``Site.progress``), ``users`` naming who answers and reviews what."""
    if person.role == "contributor":
        tasks = [_task(c, person, users) for c in chapters if c["chapter"] in person.chapters]
        heading = "Your chapters"
    elif person.role == "reviewer":
        tasks = [_task(c, person, users) for c in chapters if person.reviews(c["chapter"])]
        heading = "Your reviews"
    else:
        tasks = [_task(c, person, users) for c in chapters]
        heading = "Who is waiting on whom" if person.team else "Your chapters"
    tasks.sort(key=lambda task: ORDER.index(task.state))
    return ToDo(heading, _summary(person, tasks), tasks)


def _task(chapter: dict[str, Any], person: Person, users: list[User]) -> Task:
    status = chapter["status"]
    answerers = _names(users, "contributor", chapter["chapter"])
    reviewers = _names(users, "reviewer", chapter["chapter"])
    task = Task(chapter["chapter"], chapter["title"], "", "", answered=chapter["answered"], total=chapter["total"])
    if status.status == "approved":
        task.state, task.hint = "approved", f"Approved by {status.who}."
    elif status.status == "submitted":
        task.state = "to_review" if person.reviews(chapter["chapter"]) else "waiting"
        waits_on = "you" if person.reviews(chapter["chapter"]) else (reviewers or "a reviewer")
        task.hint = f"Submitted by {status.who}; waiting on {waits_on} to approve it or return it."
    elif status.returned:
        task.state, task.comment = "returned", status.comment
        task.hint = f"Returned by {status.who}; waiting on {_answerer(person, chapter, answerers)} to change it and submit it again."
    else:
        task.state = "answering" if chapter["answered"] else "to_answer"
        task.hint = (
            f"{chapter['answered']} of {chapter['total']} answered; waiting on {_answerer(person, chapter, answerers)} to answer it and submit it for review."
        )
    return task


def _answerer(person: Person, chapter: dict[str, Any], answerers: str) -> str:
    if person.role == "contributor" or not person.team:
        return "you"
    return answerers or "the coordinator, as no contributor is assigned"


def _names(users: list[User], role: str, chapter: str) -> str:
    """Who in ``role`` has ``chapter`` (a reviewer without chapters reviews them all), as a phrase."""
    names = [user.name for user in users if user.role == role and (chapter in user.chapters or (role == "reviewer" and not user.chapters))]
    return " or ".join(names)


def _summary(person: Person, tasks: list[Task]) -> str:
    counts = {state: sum(task.state == state for task in tasks) for state in TAGS}
    if person.role == "reviewer":
        parts = [f"{counts['to_review']} ready for your review"]
    elif person.role == "contributor" or not person.team:
        parts = [f"{counts['returned']} returned with comments", f"{counts['to_answer'] + counts['answering']} to answer"]
        if not person.team:
            parts.append(f"{counts['to_review']} to review")
    else:
        parts = [
            f"{counts['returned']} returned",
            f"{counts['to_answer'] + counts['answering']} being answered",
            f"{counts['to_review'] + counts['waiting']} waiting for review",
        ]
    return ", ".join(parts) + f"; {counts['approved']} of {len(tasks)} approved."
