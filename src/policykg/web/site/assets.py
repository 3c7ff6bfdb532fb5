"""Third-party browser assets (the YASGUI query editor, vis-network) built from the npm registry.

They are installed with npm from ``frontend/package.json`` (exact versions, lockfile) and only their built
files are copied into the package's ``web/static/vendor/`` folder, which is not committed: the page then works
offline, with no CDN at run time.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from policykg.errors import PolicyKGError

VENDOR_DIR = Path(__file__).resolve().parents[1] / "static" / "vendor"

#: destination (relative to VENDOR_DIR) -> source (relative to frontend/node_modules)
ASSETS: dict[str, str] = {
    "yasgui/yasgui.min.js": "@zazuko/yasgui/build/yasgui.min.js",
    "yasgui/yasgui.min.css": "@zazuko/yasgui/build/yasgui.min.css",
    "yasgui/package.json": "@zazuko/yasgui/package.json",  # names its MIT licence; the package ships no LICENSE file
    "vis-network/vis-network.min.js": "vis-network/standalone/umd/vis-network.min.js",
    "vis-network/LICENSE-MIT": "vis-network/LICENSE-MIT",
}


class AssetsUnavailable(PolicyKGError):
    exit_code = 3


@dataclass(frozen=True)
class AssetStatus:
    present: list[str]
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing


def asset_status() -> AssetStatus:
    present = [name for name in ASSETS if (VENDOR_DIR / name).is_file()]
    return AssetStatus(present=present, missing=[name for name in ASSETS if name not in present])


def build_assets(frontend_dir: Path) -> AssetStatus:
    """Install the frontend packages with npm (``npm ci`` from the lockfile) and copy the built files."""
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsUnavailable("npm is not installed: install Node.js and npm (Debian: apt-get install nodejs npm) "
                                "to build the query editor's assets")
    if not (frontend_dir / "package-lock.json").is_file():
        raise AssetsUnavailable(f"{frontend_dir}/package-lock.json is missing")
    completed = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=frontend_dir,
                               capture_output=True, text=True, timeout=900)
    if completed.returncode != 0:
        raise AssetsUnavailable(f"npm ci failed in {frontend_dir}: {completed.stderr.strip()[-2000:]}")
    modules = frontend_dir / "node_modules"
    for destination, source in ASSETS.items():
        origin = modules / source
        if not origin.is_file():
            raise AssetsUnavailable(f"npm did not provide {source}")
        target = VENDOR_DIR / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, target)
    return asset_status()
