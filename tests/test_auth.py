"""A team's accounts, roles, sessions and login throttle (engine.team.accounts, web.auth), without the
web pages around them; time is set by the test, never waited for."""

from __future__ import annotations

import pytest

from selfcheck.engine.common.errors import InputError
from selfcheck.engine.team import accounts, database
from selfcheck.engine.team.accounts import User
from selfcheck.web import auth
from selfcheck.web.auth import FORGET_FAILURES, FREE_ATTEMPTS, MAX_WAIT, TOUCH_EVERY, Person, Sessions, Throttle

CHAPTERS = ["I", "II", "III", "IV", "V"]
PASSWORD = "correct horse battery"


class Clock:
    def __init__(self, monkeypatch, now: float = 1_000_000.0):
        self.now = now
        monkeypatch.setattr(auth.time, "time", lambda: self.now)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Argon2 as stored, at its cheapest: these tests are about who may log in, not about the hash's cost."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(accounts, "_DECOY", [])


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def team(tmp_path):
    accounts.add_user(tmp_path, "coord", "coordinator", ("II",), PASSWORD)
    accounts.add_user(tmp_path, "ana", "contributor", ("II", "IV"), PASSWORD)
    accounts.add_user(tmp_path, "rev", "reviewer", ("IV",), PASSWORD)
    return tmp_path


def test_a_reviewer_restricted_to_chapter_iv_may_approve_iv_and_not_v():
    reviewer = Person("rev", "reviewer", ("IV",))
    assert reviewer.reviews("IV") and not reviewer.reviews("V")
    assert not reviewer.edits("IV") and not reviewer.coordinates and reviewer.team
    assert Person("all", "reviewer").reviews("V")


def test_each_role_edits_reviews_and_coordinates_what_it_may():
    contributor = Person("ana", "contributor", ("II",))
    assert contributor.edits("II") and not contributor.edits("III") and not contributor.reviews("II") and not contributor.coordinates
    coordinator = Person("coord", "coordinator")
    assert coordinator.coordinates and coordinator.edits("V") and not coordinator.reviews("V")
    local = Person("me", "local")
    assert local.coordinates and local.edits("V") and local.reviews("V") and not local.team
    assert local.describe() == "me"
    assert Person("ana", "contributor", ("II", "IV")).describe() == "ana, contributor of chapters II, IV"
    assert coordinator.describe() == "coord, coordinator"


def test_the_local_person_is_named_as_the_system_knows_them(monkeypatch):
    monkeypatch.setattr(auth.getpass, "getuser", lambda: "maria")
    assert auth.local_person() == Person("maria", "local")

    def unknown():
        raise KeyError("no such user")

    monkeypatch.setattr(auth.getpass, "getuser", unknown)
    assert auth.local_person() == Person("local user", "local")


def test_a_session_finds_its_person_with_their_chapters_split_on_commas(team, clock):
    sessions = Sessions(team, idle=600, lifetime=3600)
    token = sessions.start(User("ana", "contributor", ("II", "IV")))
    assert sessions.find(token) == Person("ana", "contributor", ("II", "IV"))
    assert sessions.find(None) is None and sessions.find("") is None and sessions.find("forged") is None
    sessions.end(token)
    assert sessions.find(token) is None
    sessions.end(None)


def test_a_session_ends_after_its_idle_time_without_use(team, clock):
    sessions = Sessions(team, idle=600, lifetime=3600)
    token = sessions.start(User("ana", "contributor"))
    assert len(token) == 43  # 32 random bytes
    clock.now += 600
    assert sessions.find(token) is not None  # idle exactly its idle time: still on
    clock.now += 599
    assert sessions.find(token) is not None  # used: its idle time starts again
    clock.now += 599
    assert sessions.find(token) is not None
    clock.now += 601
    assert sessions.find(token) is None


def test_a_session_ends_after_its_lifetime_however_much_it_is_used(team, clock):
    sessions = Sessions(team, idle=600, lifetime=1000)
    token = sessions.start(User("ana", "contributor"))
    for _ in range(3):
        clock.now += 300
        assert sessions.find(token) is not None
    clock.now += 100
    assert sessions.find(token) is not None  # exactly its lifetime: still on
    clock.now += 1
    assert sessions.find(token) is None


def test_a_session_records_its_use_at_most_once_a_minute(team, clock):
    sessions = Sessions(team, idle=600, lifetime=3600)
    token = sessions.start(User("ana", "contributor"))
    started = clock.now

    def last_seen() -> float:
        with database.connect(team, write=False) as db:
            return db.execute("SELECT last_seen FROM sessions").fetchone()["last_seen"]

    clock.now += TOUCH_EVERY
    sessions.find(token)
    assert last_seen() == started
    clock.now += 1
    sessions.find(token)
    assert last_seen() == clock.now


def test_a_login_clears_the_sessions_that_have_ended(team, clock):
    sessions = Sessions(team, idle=600, lifetime=1000)
    sessions.start(User("ana", "contributor"))
    clock.now += 500
    kept = sessions.start(User("rev", "reviewer"))
    clock.now += 501
    sessions.start(User("coord", "coordinator"))  # the first is idle for 1001 s, the second for 501 s

    def users() -> list[str]:
        with database.connect(team, write=False) as db:
            return sorted(row["user"] for row in db.execute("SELECT user FROM sessions"))

    assert users() == ["coord", "rev"]
    clock.now += 50
    assert sessions.find(kept) is not None
    clock.now += 500
    sessions.start(User("ana", "contributor"))  # the second has lived 1051 s, past its lifetime, though used 500 s ago
    assert users() == ["ana", "coord"]


def fail(throttle: Throttle, clock: Clock, keys: list[str], times: int) -> None:
    """``times`` attempts let through and counted, each waiting out the wait it is given first."""
    for _ in range(times):
        wait = throttle.attempt(keys)
        if wait:
            clock.now += wait
            assert throttle.attempt(keys) == 0


def test_failed_logins_make_the_next_attempt_wait_twice_as_long_up_to_a_cap(team, clock):
    throttle = Throttle(team)
    keys = ["user:ana", "address:10.0.0.1"]
    waits = []
    for _ in range(FREE_ATTEMPTS + 12):
        waits.append(throttle.attempt(keys))
        if waits[-1]:
            clock.now += waits[-1]
            assert throttle.attempt(keys) == 0
    assert FREE_ATTEMPTS == 5 and MAX_WAIT == 900
    assert waits[: FREE_ATTEMPTS + 1] == [0, 0, 0, 0, 0, 2]
    assert waits[FREE_ATTEMPTS + 1 : FREE_ATTEMPTS + 11] == [3, 5, 9, 17, 33, 65, 129, 257, 513, 901]
    assert waits[-1] == MAX_WAIT + 1
    clock.now += MAX_WAIT - 10
    assert throttle.attempt(keys) == 11
    clock.now += 20
    assert throttle.attempt(keys) == 0


def test_the_wait_is_over_exactly_when_it_has_run(team, clock):
    throttle = Throttle(team)
    fail(throttle, clock, ["user:ana"], FREE_ATTEMPTS + 1)
    clock.now += 1.5
    assert throttle.attempt(["user:ana"]) == 1
    clock.now += 0.5
    assert throttle.attempt(["user:ana"]) == 0


def test_the_longest_wait_of_a_name_and_an_address_applies(team, clock):
    throttle = Throttle(team)
    fail(throttle, clock, ["address:10.0.0.1"], FREE_ATTEMPTS + 2)
    assert throttle.attempt(["user:ana"]) == 0
    assert throttle.attempt(["user:ana", "address:10.0.0.1"]) == 5
    throttle.succeeded(["address:10.0.0.1"])
    assert throttle.attempt(["user:ana", "address:10.0.0.1"]) == 0


def test_a_right_password_forgets_the_names_failures_and_takes_its_attempt_back_from_the_address(team, clock):
    throttle = Throttle(team)
    fail(throttle, clock, ["user:ana", "address:10.0.0.1"], FREE_ATTEMPTS + 1)
    throttle.succeeded(["user:ana", "address:10.0.0.1"])
    assert throttle.attempt(["user:ana"]) == 0
    assert throttle.attempt(["address:10.0.0.1"]) == 2  # five failures left: the wait of the fifth


def test_failures_older_than_an_hour_are_forgotten(team, clock):
    throttle = Throttle(team)
    fail(throttle, clock, ["user:ana"], FREE_ATTEMPTS + 3)
    clock.now += FORGET_FAILURES - 1
    assert throttle.attempt(["user:ana"]) == 0  # the wait is over, but the count stands
    assert throttle.attempt(["user:ana"]) == 17
    clock.now += FORGET_FAILURES + 1
    assert throttle.attempt(["user:ana"]) == 0  # counting starts again
    for _ in range(FREE_ATTEMPTS - 1):
        assert throttle.attempt(["user:ana"]) == 0
    assert throttle.attempt(["user:ana"]) == 2


def test_a_login_is_verified_against_the_stored_hash_only(team):
    assert auth.verify(team, "ana", PASSWORD) == Person("ana", "contributor", ("II", "IV"))
    assert auth.verify(team, "ana", PASSWORD + "!") is None
    assert auth.verify(team, "nobody", PASSWORD) is None
    with database.connect(team, write=False) as db:
        stored = db.execute("SELECT password FROM users WHERE name = 'ana'").fetchone()["password"]
    assert stored.startswith("$argon2") and PASSWORD not in stored


# -- accounts --------------------------------------------------------------------------------------


def refused(call, *args) -> str:
    with pytest.raises(InputError) as caught:
        call(*args)
    return str(caught.value)


def test_chapters_are_split_on_commas_in_the_reports_order():
    assert accounts.parse_chapters("iv, II,,  ", CHAPTERS) == ("II", "IV")
    assert accounts.parse_chapters("", CHAPTERS) == () and accounts.parse_chapters(None, CHAPTERS) == ()
    assert refused(accounts.parse_chapters, "II IV", CHAPTERS) == "chapters: unknown chapter 'II IV'; the chapters are I, II, III, IV, V"


def test_names_roles_and_passwords_are_checked():
    assert accounts.check_name("ana.m@ministry-2") == "ana.m@ministry-2"
    for name in ("", ".ana", "ana m", "a" * 65, None):
        assert "is not a valid user name: use letters, digits" in refused(accounts.check_name, name)
    assert refused(accounts.check_name, "ana m") == (
        "user name: 'ana m' is not a valid user name: use letters, digits, '.', '_', '@' and '-', starting with a letter or digit, at most 64 characters"
    )
    assert accounts.check_name("a" * 64) == "a" * 64
    assert accounts.check_role("reviewer") == "reviewer"
    assert refused(accounts.check_role, "admin") == "role: expected one of coordinator, contributor, reviewer, got 'admin'"
    assert accounts.check_password("twelve chars") == "twelve chars"
    assert refused(accounts.check_password, "eleven char") == "password: too short: at least 12 characters"
    long = "password: expected one line of at most 1024 printable characters"
    assert refused(accounts.check_password, "x" * 1025) == long and accounts.check_password("x" * 1024)
    assert refused(accounts.check_password, "two lines\nof password") == long
    assert accounts.check_password("  spaced  out  ") == "  spaced  out  "


def test_a_user_added_is_stored_as_given_with_the_time_in_utc(tmp_path):
    assert accounts.add_user(tmp_path, "ana", "contributor", ("II", "IV"), PASSWORD) == User("ana", "contributor", ("II", "IV"))
    assert accounts.add_user(tmp_path, "coord", "coordinator", ("II",), PASSWORD) == User("coord", "coordinator", ())
    with database.connect(tmp_path, write=False) as db:
        created = db.execute("SELECT created FROM users WHERE name = 'ana'").fetchone()["created"]
    assert created.endswith("+00:00") and len(created) == len("2026-01-01T00:00:00+00:00")
    assert accounts.set_user(tmp_path, "ana", chapters=("I", "V")) == User("ana", "contributor", ("I", "V"))
    assert accounts.find_user(tmp_path, "ana") == User("ana", "contributor", ("I", "V"))


def test_the_decoys_password_lets_no_one_in(team):
    assert auth.verify(team, "nobody", "not a password of anyone") is None


def test_users_are_added_changed_listed_and_removed(team):
    assert [user.describe() for user in accounts.list_users(team)] == [
        "ana (contributor, chapters II, IV)",
        "coord (coordinator)",
        "rev (reviewer, chapters IV)",
    ]
    assert accounts.find_user(team, "coord") == User("coord", "coordinator", ())
    assert (
        refused(accounts.add_user, team, "ana", "reviewer", (), PASSWORD)
        == "ana: is already a user; choose another name, or change it with selfcheck users set"
    )
    assert accounts.set_user(team, "rev", chapters=()) == User("rev", "reviewer", ())
    assert User("rev", "reviewer").describe() == "rev (reviewer, all chapters)"
    assert accounts.set_user(team, "ana", role="coordinator") == User("ana", "coordinator", ())
    assert accounts.find_user(team, "ana") == User("ana", "coordinator", ())
    assert accounts.set_user(team, "coord", role="contributor", chapters=("I",)) == User("coord", "contributor", ("I",))
    assert accounts.set_user(team, "coord") == User("coord", "contributor", ("I",))
    assert refused(accounts.set_user, team, "nobody", "reviewer") == "nobody: is not a user; selfcheck users list shows them"
    accounts.remove_user(team, "rev")
    assert accounts.find_user(team, "rev") is None
    assert refused(accounts.remove_user, team, "rev") == "rev: is not a user; selfcheck users list shows them"


def test_a_changed_password_logs_the_user_out_everywhere(team, clock):
    sessions = Sessions(team, idle=600, lifetime=3600)
    token, other = sessions.start(User("ana", "contributor")), sessions.start(User("rev", "reviewer"))
    accounts.set_password(team, "ana", "a new long password")
    assert sessions.find(token) is None and sessions.find(other) is not None
    assert auth.verify(team, "ana", "a new long password") is not None and auth.verify(team, "ana", PASSWORD) is None
    assert refused(accounts.set_password, team, "nobody", "a new long password") == "nobody: is not a user; selfcheck users list shows them"


def test_a_folder_without_a_database_has_no_team(tmp_path):
    assert not accounts.has_users(tmp_path) and accounts.list_users(tmp_path) == []
    assert not database.exists(tmp_path)
    with database.connect(tmp_path):
        pass
    assert not accounts.has_users(tmp_path)
    accounts.add_user(tmp_path, "coord", "coordinator", (), PASSWORD)
    assert accounts.has_users(tmp_path)
