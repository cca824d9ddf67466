"""`tanso.installed` answers what `importlib.metadata` would (the `tanso` entry points, versions) from an index
in the user's cache, and reads the metadata again when a distribution is installed, upgraded or removed, or
its entry points are rewritten in place. Each step runs a fresh interpreter, as each command does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What a command sees: the installed entry points and versions, by the index and by importlib.metadata,
# whether the index was read from the cache (importlib.metadata not imported), and the plugins registered.
PROBE = """
import json, sys
from tanso import installed
from tanso.plugins import load_registry
answer = {"points": [[e.name, e.value, e.package, e.version] for e in installed.entry_points()],
          "version": installed.version("tanso-fake"), "cached": "importlib.metadata" not in sys.modules,
          "plugins": sorted(n for n, _ in load_registry().manager.list_name_plugin())}
from importlib import metadata
answer["truth"] = [[e.name, e.value, e.dist.metadata["Name"], e.dist.version] for e in metadata.entry_points(group="tanso")]
try:
    answer["true_version"] = metadata.version("tanso-fake")
except metadata.PackageNotFoundError:
    answer["true_version"] = None
print(json.dumps(answer))
"""


def _probe(site: Path, cache: Path) -> dict:
    env = {**os.environ, "TANSO_CACHE_DIR": str(cache),
           "PYTHONPATH": os.pathsep.join([str(REPO / "engine"), str(REPO / "plugins"), str(site)])}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["points"] == answer["truth"] and answer["version"] == answer["true_version"]
    return answer


def _install(site: Path, version: str, entry_points: str) -> Path:
    info = site / f"tanso_fake-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: tanso-fake\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(entry_points)
    return info


def test_the_index_follows_installs_upgrades_rewrites_and_removals(tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    site.mkdir()
    (site / "tanso_fake_plugin.py").write_text('"""A plugin without hooks."""\n')
    first = _probe(site, cache)
    assert "fake" not in first["plugins"] and first["version"] is None and "ghgp" in first["plugins"]
    assert _probe(site, cache)["cached"]                                  # the second command reads the index

    info = _install(site, "1.0", "[tanso]\nfake = tanso_fake_plugin\n")
    installed = _probe(site, cache)
    assert "fake" in installed["plugins"] and installed["version"] == "1.0" and not installed["cached"]
    assert ["fake", "tanso_fake_plugin", "tanso-fake", "1.0"] in installed["points"]

    info.rename(site / "tanso_fake-1.1.dist-info")                        # an upgrade: pip writes a new folder
    (site / "tanso_fake-1.1.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: tanso-fake\nVersion: 1.1\n")
    assert _probe(site, cache)["version"] == "1.1"

    points = site / "tanso_fake-1.1.dist-info" / "entry_points.txt"
    points.write_text("[tanso]\nfake_renamed = tanso_fake_plugin\n")      # rewritten in place
    stamp = points.stat().st_mtime_ns + 10**9
    os.utime(points, ns=(stamp, stamp))                                   # even within the clock's resolution
    renamed = _probe(site, cache)
    assert "fake_renamed" in renamed["plugins"] and "fake" not in renamed["plugins"]
    assert _probe(site, cache)["cached"]

    for file in (site / "tanso_fake-1.1.dist-info").iterdir():
        file.unlink()
    (site / "tanso_fake-1.1.dist-info").rmdir()
    removed = _probe(site, cache)
    assert "fake_renamed" not in removed["plugins"] and removed["version"] is None


def test_an_unreadable_or_foreign_index_is_read_again(tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    site.mkdir()
    _probe(site, cache)
    [index] = (cache / "installed").glob("*.json")
    for text in ("{", json.dumps({"key": "x"}), json.dumps([1, 2]),
                 json.dumps({**json.loads(index.read_text()), "entry_points": [["a", 1, "b", "c"]]})):
        index.write_text(text)
        answer = _probe(site, cache)      # checks the answers against importlib.metadata
        assert not answer["cached"] and "ghgp" in answer["plugins"]
