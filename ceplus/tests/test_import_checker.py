"""scripts/check_imports.py, the architecture check of ``make lint``, on small fake trees."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_imports.py"


@pytest.fixture(scope="module")
def checker():
    spec = importlib.util.spec_from_file_location("check_imports", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """The four packages (each with an ``__init__.py``) and ``files``, by path, under ``root``."""
    for package in ("ceplus", "accounts", "structures", "beneficiaries"):
        (root / package).mkdir()
        (root / package / "__init__.py").write_text("")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


CLEAN = {
    "ceplus/text.py": "import re\n",
    "ceplus/emails.py": "from django.conf import settings\n\nfrom ceplus.text import re\n",
    "accounts/models.py": "from ceplus import emails\n",
    "accounts/services.py": "from .models import *\nfrom . import models\n",
    "beneficiaries/models.py": "import accounts.models\n",
    "structures/models.py": "from beneficiaries.models import Beneficiary\n",
    "structures/admin/__init__.py": "from ..models import Structure\n",
    "structures/admin/views.py": "from structures.admin import site\nfrom structures import admin\n",
    "ceplus/urls.py": "from structures.admin import views\nfrom accounts.services import x\n",
}


def test_clean_tree_passes(checker, tmp_path):
    """Imports downwards or within a layer, absolute and relative, give no problem."""
    root = write_tree(tmp_path, CLEAN)

    errors, cycles, layers, module_count, import_count = checker.check(root)

    assert (errors, cycles, layers) == ([], [], [])
    assert module_count == 13
    assert import_count == 11


def test_relative_and_submodule_imports_are_resolved(checker, tmp_path):
    """``from x import y`` is the module ``x.y`` when it is a file, else ``x``; dots count up."""
    root = write_tree(tmp_path, CLEAN)
    modules = checker.collect_modules(root)

    imports, _ = checker.collect_imports(root, modules)

    edges = {(source, target) for source, target, _, _ in imports}
    assert ("accounts.services", "accounts.models") in edges
    assert ("structures.admin", "structures.models") in edges
    assert ("structures.admin.views", "structures.admin") in edges
    assert ("ceplus.urls", "structures.admin.views") in edges
    assert ("ceplus.urls", "accounts.services") in edges
    assert ("beneficiaries.models", "accounts.models") in edges
    assert not any(target.startswith("django") for _, target, _, _ in imports)


def test_cycle_between_two_modules_fails_and_is_named(checker, tmp_path):
    root = write_tree(
        tmp_path,
        {
            "accounts/models.py": "from accounts.services import register\n",
            "accounts/services.py": "import os\n\nfrom accounts import models\n",
        },
    )

    _, cycles, layers, _, _ = checker.check(root)

    assert layers == []
    assert len(cycles) == 1
    assert "accounts.models, accounts.services" in cycles[0]
    assert "accounts/models.py:1: accounts.models imports accounts.services" in cycles[0]
    assert "accounts/services.py:3: accounts.services imports accounts.models" in cycles[0]


def test_cycle_hidden_by_a_function_local_import_fails(checker, tmp_path):
    root = write_tree(
        tmp_path,
        {
            "structures/services.py": "from structures.models import Structure\n",
            "structures/models.py": (
                "def helper():\n    # Imported here to dodge the cycle.\n"
                "    from structures import services\n\n    return services\n"
            ),
        },
    )

    _, cycles, _, _, _ = checker.check(root)

    assert len(cycles) == 1
    assert "structures/models.py:3: structures.models imports structures.services" in cycles[0]


def test_cycle_through_three_modules_is_one_component(checker, tmp_path):
    root = write_tree(
        tmp_path,
        {
            "ceplus/a.py": "from ceplus import b\n",
            "ceplus/b.py": "from ceplus import c\n",
            "ceplus/c.py": "class C:\n    def m(self):\n        import ceplus.a\n",
        },
    )

    _, cycles, _, _, _ = checker.check(root)

    assert len(cycles) == 1
    assert "3 modules: ceplus.a, ceplus.b, ceplus.c" in cycles[0]
    assert "ceplus.a -> ceplus.b -> ceplus.c -> ceplus.a" in cycles[0]


def test_import_to_a_higher_layer_fails(checker, tmp_path):
    root = write_tree(
        tmp_path,
        {
            "structures/models.py": "",
            "accounts/services.py": "def f():\n    from structures.models import Structure\n",
            "ceplus/emails.py": "from accounts import services\n",
        },
    )

    _, cycles, layers, _, _ = checker.check(root)

    assert cycles == []
    assert layers == [
        "accounts/services.py:2: accounts.services (layer 1, identity) imports structures.models (layer 3)",
        "ceplus/emails.py:1: ceplus.emails (layer 0, the kernel) imports accounts.services (layer 1)",
    ]


def test_longest_prefix_on_dotted_boundaries_decides_the_layer(checker):
    assert checker.part_of("accounts.signup")[1] == 4
    assert checker.part_of("accounts.signup.views")[1] == 4
    assert checker.part_of("accounts.signupx")[1] == 1
    assert checker.part_of("ceplus.management.commands.demo")[1] == 5
    assert checker.part_of("ceplus.management.commands.send_queued_emails")[1] == 0
    assert checker.part_of("django.db") is None


def test_tests_migrations_and_conftest_are_ignored(checker, tmp_path):
    root = write_tree(
        tmp_path,
        {
            "accounts/models.py": "",
            "accounts/tests/__init__.py": "",
            "accounts/tests/test_models.py": "from structures.models import S\nfrom accounts import models\n",
            "accounts/migrations/0001_initial.py": "from structures.models import S\n",
            "accounts/conftest.py": "from structures.models import S\n",
            "structures/models.py": "",
        },
    )

    errors, cycles, layers, module_count, import_count = checker.check(root)

    assert (errors, cycles, layers) == ([], [], [])
    assert sorted(checker.collect_modules(root)) == [
        "accounts",
        "accounts.models",
        "beneficiaries",
        "ceplus",
        "structures",
        "structures.models",
    ]
    assert (module_count, import_count) == (6, 0)


def test_unparsable_file_is_reported(checker, tmp_path):
    root = write_tree(tmp_path, {"ceplus/broken.py": "def (:\n"})

    errors, _, _, _, _ = checker.check(root)

    assert len(errors) == 1
    assert errors[0].startswith("ceplus/broken.py: cannot be parsed")


def test_script_exits_0_when_clean_and_1_with_a_report(tmp_path):
    clean, dirty = tmp_path / "clean", tmp_path / "dirty"
    clean.mkdir()
    dirty.mkdir()
    write_tree(clean, CLEAN)
    write_tree(dirty, {"accounts/a.py": "from accounts import b\n", "accounts/b.py": "import accounts.a\n"})

    passed = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(clean)], capture_output=True, text=True, check=False
    )
    failed = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(dirty)], capture_output=True, text=True, check=False
    )

    assert passed.returncode == 0, passed.stdout
    assert "no cycle" in passed.stdout
    assert failed.returncode == 1
    assert "Import cycle between 2 modules: accounts.a, accounts.b" in failed.stdout
    assert "accounts/b.py:1: accounts.b imports accounts.a" in failed.stdout
