"""`make mutate-code`'s own files stay true: every module and test they name exists, and every mutant
declared equivalent says why (the run itself is too long for `make test`)."""

from __future__ import annotations

import tomllib

from conftest import ROOT

CONFIG = tomllib.loads((ROOT / "mutation" / "tests-by-module.toml").read_text())


def test_every_module_and_test_of_the_mapping_exists():
    assert CONFIG["modules"]
    for module, entry in CONFIG["modules"].items():
        assert (ROOT / module).is_file(), module
        assert entry["tests"], module
        for test in entry["tests"]:
            assert (ROOT / test).is_file(), f"{module}: {test}"
        for test in entry.get("deselect", []):
            path, _, name = test.partition("::")
            assert path in entry["tests"] and f"def {name}(" in (ROOT / path).read_text(), f"{module}: {test}"


def test_every_equivalent_mutant_is_of_a_mutated_module_and_says_why():
    modules = {"selfcheck." + module.removesuffix(".py").replace("/", ".") for module in CONFIG["modules"]}
    for line in (ROOT / "mutation" / "equivalent-mutants.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition(" ")
            assert name.rpartition(".")[0] in modules and "__mutmut_" in name, line
            assert len(why.split()) >= 5, f"{name}: say why no behaviour changes"
